"""Every page, as each role sees it in Polish: no English left untranslated, no id twice."""

from collections import Counter
from html.parser import HTMLParser

from babel.messages.pofile import read_po
from flask import Flask

from tests.routes import rules
from tests.test_route_table import ROLES, _url, build_world, signed_in
from trainer.config import PROJECT_ROOT

CATALOG = PROJECT_ROOT / "trainer" / "translations" / "pl" / "LC_MESSAGES" / "messages.po"


class Page(HTMLParser):
    """The ids of a page's elements, and its visible text (scripts and styles aside)."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.text: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids += [value for name, value in attrs if name == "id" and value]
        self._hidden += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._hidden -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.text.append(data)


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


def test_every_page_is_polish_with_unique_ids(synced: Flask) -> None:
    world = build_world(synced)
    english = english_sentences()
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
    assert not problems, "\n".join(problems)
