"""Every page, as each role sees it in Polish: no English left untranslated, no raw key (a
role, a dimension, an audit action or detail, Python's text of a dict), no id twice."""

import re
from collections import Counter
from html.parser import HTMLParser

from babel.messages.pofile import read_po
from flask import Flask

from tests.conftest import DIMENSION_KEYS
from tests.routes import rules
from tests.test_route_table import ROLES, _url, build_world, signed_in
from trainer.config import PROJECT_ROOT
from trainer.extensions import db
from trainer.models import AuditEvent, User
from trainer.people import audit

CATALOG = PROJECT_ROOT / "trainer" / "translations" / "pl" / "LC_MESSAGES" / "messages.po"


# Text to type or read as it is (a command, a file's values), where keys belong.
LITERAL = ("code", "kbd", "samp", "pre")


class Page(HTMLParser):
    """The ids of a page's elements, its visible text (scripts and styles aside), and its
    prose: the text outside code."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.text: list[str] = []
        self.prose: list[str] = []
        self._hidden = 0
        self._literal = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids += [value for name, value in attrs if name == "id" and value]
        self._hidden += tag in ("script", "style")
        self._literal += tag in LITERAL

    def handle_endtag(self, tag: str) -> None:
        self._hidden -= tag in ("script", "style")
        self._literal -= tag in LITERAL

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.text.append(data)
            if not self._literal:
                self.prose.append(data)


def polish_words() -> set[str]:
    """Every word of the Polish interface: a key spelled like one ("token") is not told apart."""
    with CATALOG.open("rb") as file:
        catalog = read_po(file, locale="pl")
    words = set()
    for message in catalog:
        if message.id:
            string = message.string
            for text in (string,) if isinstance(string, str) else string:
                words.update(re.findall(r"\w+", text))
    return words


def english_sentences() -> set[str]:
    """Interface sentences whose Polish differs: meeting one in a Polish page is a miss."""
    with CATALOG.open("rb") as file:
        catalog = read_po(file, locale="pl")
    found = set()
    for message in catalog:
        if isinstance(message.id, str) and message.id and message.string != message.id:
            text = message.id.split("%(")[0].strip()
            if len(text) >= 16 and " " in text:  # a sentence, not a word shared by both
                found.add(text)
    return found


# Users of the world are named after their roles: on the pages they get people's names.
NAMES = {"learner": "Ala Uczennica", "trainer": "Tomasz Trener", "hr": "Halina Kadrowa",
         "admin": "Adam Administrator"}  # fmt: skip
PYTHON_TEXT = re.compile(r"[{\[]'|'[}\]]|': ")


def word(key: str) -> re.Pattern[str]:
    """`key` standing alone in a text: not inside an address, a path, a file name or a key."""
    return re.compile(rf"(?<![\w@./_-]){re.escape(key)}(?![\w@/_-]|[.:]\w)")


def record_events() -> None:
    """One audit event of each shape the log shows, with the details their code records."""
    filters = {"status": "completed", "course": "sample", "since": "2026-01-01"}
    audit.record("hr@example.com", "export.csv", {"format": "csv", "filter": filters}, 3)
    audit.record("token:Kadry", "api.completions",
                 {"filters": filters, "limit": 50, "token_id": 1}, 2)  # fmt: skip
    audit.record("token:Kadry", "api.transcript", {"employee_id": "E-1", "found": False,
                                                   "token_id": 1}, 0)  # fmt: skip
    audit.record("cli", "roles.change", {"user": "ala@example.com", "before": ["learner"],
                                         "after": ["hr", "learner"]})  # fmt: skip
    audit.record("cli", "user.create", {"user": "ala@example.com", "roles": ["trainer"]})
    audit.record("cli", "user.invite", {"user": "ala@example.com"})
    audit.record("cli", "user.erase", {"user_id": 7})
    audit.record("cli", "token.create", {"token": "Kadry", "token_id": 1, "scope": "hr:read"})
    audit.record("cli", "analysis.export_csv", {"course": "sample", "quiz": "egzamin"}, 4)
    audit.record("cli", "users.import", {
        "created": [{"email": "nowy@example.com", "roles": ["learner"]}],
        "updated": [{"email": "ala@example.com", "changes": {
            "department": {"before": "Sprzedaż", "after": "Marketing"},
            "roles": {"before": ["learner"], "after": ["learner", "trainer"]}}}],
        "rejected": 1,
    }, 2)  # fmt: skip
    audit.record("cli", "questions.import_gift", {
        "course": "sample", "lesson": "wstep", "file": "pytania.gift", "created": 1,
        "updated": 0, "unchanged": 2, "skipped": 0, "warnings": 1}, 1)  # fmt: skip
    audit.record("cli", "assignment.people", {"course": "sample", "users": ["ala@example.com"],
                                              "due": "2026-03-10"}, 1)  # fmt: skip
    audit.record("cli", "demo.generate", {"learners": 40, "seed": 1}, 40)


def raw_keys(keys: set[str], text: str) -> list[str]:
    return sorted(key for key in keys if word(key).search(text))


def test_every_page_is_polish_with_unique_ids(synced: Flask) -> None:
    world = build_world(synced)
    with synced.app_context():
        for role, name in NAMES.items():
            db.session.get(User, world["people"][role]).display_name = name
        record_events()
        db.session.commit()
        events = db.session.execute(db.select(AuditEvent)).scalars().all()
        actions = {event.action for event in events}
        detail_keys = {key for event in events for key in keys_of(event.details)}
    detail_keys -= polish_words()
    english = english_sentences()
    everywhere = {*NAMES, *DIMENSION_KEYS, *actions}
    problems = []
    for role in ROLES:
        client = signed_in(synced, None if role == "anonymous" else f"{role}@example.com")
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "pl"
        for rule, method in rules(synced):
            if method != "GET" or rule.rule.startswith("/api"):
                continue
            url = _url(synced, rule, world, role)
            with client.get(url) as response:  # a streamed export ends with its response
                if response.status_code != 200 or response.mimetype != "text/html":
                    continue
                html = response.text
            page = Page()
            page.feed(html)
            twice = sorted(name for name, count in Counter(page.ids).items() if count > 1)
            if twice:
                problems.append(f"{url} as {role}: ids used twice: {', '.join(twice)}")
            text = " ".join(" ".join(page.text).split())
            left = sorted(sentence for sentence in english if sentence in text)
            if left:
                problems.append(f"{url} as {role}: English left: {left}")
            prose = " ".join(" ".join(page.prose).split())
            raw = raw_keys(everywhere | (detail_keys if rule.endpoint == "audit.log" else set()),
                           prose)  # fmt: skip
            if raw:
                where = [prose[max(0, m.start() - 40):m.end() + 40] for key in raw
                         for m in [word(key).search(prose)]]  # fmt: skip
                problems.append(f"{url} as {role}: raw keys: {raw} in {where}")
            if PYTHON_TEXT.search(text):
                problems.append(f"{url} as {role}: Python's text: {PYTHON_TEXT.findall(text)}")
    assert not problems, "\n".join(problems)


def keys_of(details: object) -> set[str]:
    """Every key in an event's details, however deep."""
    if isinstance(details, dict):
        return {*details, *(key for value in details.values() for key in keys_of(value))}
    if isinstance(details, list):
        return {key for value in details for key in keys_of(value)}
    return set()
