"""GIFT files as Moodle exports them and teachers write them: what each imports and skips.

Every file under tests/resources/gift/ is ours, in Polish, modelled on real files: Moodle
exports (categories, `// question:` comments, [html] with entities, general feedback),
hand-written teacher files, Windows line ends with a BOM, every unsupported question type
among good ones, Cloze, `%` in answers, multiple answers, too many options, escapes.
"""

import re

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from tests.authoring.test_gift import count_questions, lesson_by_slug, sample_course
from tests.conftest import RESOURCES
from trainer.authoring import gift_exchange
from trainer.extensions import db
from trainer.models import AuditEvent, Question

GIFT = RESOURCES / "gift"
UNTITLED = "gift-…"  # an id made from the text: `gift-` and ten hex digits

# file, lesson chosen, questions (line, id, action), skipped (line, reason)
FILES = [
    ("moodle-export.gift", "wstep",
     [(6, "kto-decyduje-w-firmie", "create"), (14, "czas-decyzji", "create"),
      (30, "rola-i-wplyw", "create")],
     [(17, "multiple_answer"), (24, "essay"), (27, "description")]),
    ("teacher-notes.gift", "wstep",
     [(4, UNTITLED, "create"), (7, UNTITLED, "create"), (9, UNTITLED, "create")],
     [(17, "essay"), (19, "short_answer")]),
    ("windows-bom.gift", "wstep",
     [(2, "umowa-ramowa", "create"), (7, "zwroty", "create"), (11, "faktura", "create")],
     [(9, "numerical")]),
    ("html-answers.gift", "wstep",
     [(3, "argumenty", "create"), (11, "zwykly-tekst", "create"), (16, "markdown", "create")],
     []),
    ("categories.gift", "wstep",
     [(4, "relacja-po-sprzedazy", "create"), (11, "bez-wymiaru", "create"),
      (15, "kat-1", "create")],
     []),
    ("multiple-answer.gift", "wstep",
     [(16, "dobre", "create")],
     [(3, "multiple_answer"), (9, "multiple_answer"), (18, "partial_credit"),
      (24, "several_right"), (30, "multiple_answer")]),
    ("too-many-options.gift", "wstep",
     [(13, "szesc", "create")],
     [(3, "content"), (22, "several_right")]),
    ("unsupported-types.gift", "wstep",
     [(3, "dobre-1", "create"), (34, "dobre-2", "create")],
     [(5, "matching"), (11, "numerical"), (13, "numerical"), (15, "numerical"),
      (21, "short_answer"), (26, "short_answer"), (28, "essay"), (30, "description"),
      (32, "missing_word")]),
    ("percent-text.gift", "wstep",
     [(3, "polecenie", "create"), (11, "rabat", "create")],
     []),
    ("cloze.gift", "wstep",
     [(3, "dobre", "create"), (11, "tez-dobre", "create")],
     [(5, "cloze"), (7, "cloze"), (9, "cloze")]),
    ("escaped-colons.gift", "wstep",
     [(3, "godzina-10-30", "create"), (9, "sciezka", "create"),
      (14, "zwykle-dwukropki", "create")],
     []),
    ("trainer-export.gift", "wstep",
     [(8, "dp-2", "update"), (22, "mc-1", "unchanged"), (29, "nowe-z-innego-kursu", "create")],
     []),
    ("scenario-rules.gift", "wstep",
     [(4, "dobry", "create")],
     [(15, "content"), (26, "content"), (36, "content"), (49, "content")]),
    ("moodle.gift", "proces-decyzyjny",
     [(12, "decyzja-w-b2b", "create"), (14, "znaki-specjalne", "create"),
      (19, UNTITLED, "create"), (36, "sc-01", "create")],
     [(4, "partial_credit"), (21, "matching"), (26, "numerical"), (28, "short_answer"),
      (30, "essay"), (32, "missing_word")]),
]  # fmt: skip
MALFORMED = [
    ("malformed-title.gift", [(5, "The title is not closed with ::.")]),
    ("malformed-braces.gift", [
        (5, "A { is not closed with } before the question ends."),
        (9, "A } has no { before it."),
    ]),
    ("malformed-answers.gift", [
        (5, "A multiple-choice question needs at least 2 answers."),
        (7, "Pair 2 of the matching question has no ->."),
        (12, "Answer 1 of the numerical question is not a number, a number:margin or a "
             "min..max range."),
    ]),
]  # fmt: skip


def plan_file(name: str, lesson: str) -> gift_exchange.ImportPlan:
    text = gift_exchange.read_upload((GIFT / name).read_bytes())
    return gift_exchange.plan_import(sample_course(), lesson_by_slug(lesson), text, name)


def key_matches(key: str, expected: str) -> bool:
    return (
        bool(re.fullmatch(r"gift-[0-9a-f]{10}", key)) if expected == UNTITLED else key == expected
    )


def test_every_fixture_file_is_covered() -> None:
    names = {name for name, *_ in FILES} | {name for name, _ in MALFORMED}
    assert names == {path.name for path in GIFT.glob("*.gift")}


@pytest.mark.parametrize(("name", "lesson", "questions", "skipped"), FILES)
def test_a_file_imports_what_trainer_can_hold_and_again_changes_nothing(
    synced: Flask, name: str, lesson: str, questions: list, skipped: list
) -> None:
    with synced.app_context():
        before = count_questions()
        plan = plan_file(name, lesson)
        assert not plan.errors
        got = [(item.line, item.question.key, item.action) for item in plan.questions]
        assert len(got) == len(questions), got
        for (line, key, action), (line2, expected, action2) in zip(got, questions, strict=True):
            assert (line, action) == (line2, action2) and key_matches(key, expected), got
        assert [(item.line, item.reason) for item in plan.skipped] == skipped
        counts = gift_exchange.apply_import(sample_course(), plan, "test")
        db.session.commit()
        assert count_questions() == before + counts["create"]
        again = plan_file(name, lesson)
        assert {item.action for item in again.questions} == {"unchanged"}
        assert not again.ready and count_questions() == before + counts["create"]


@pytest.mark.parametrize(("name", "errors"), MALFORMED)
def test_a_file_moodle_cannot_read_is_refused_whole(
    synced: Flask, runner: FlaskCliRunner, name: str, errors: list[tuple[int, str]]
) -> None:
    with synced.app_context():
        plan = plan_file(name, "wstep")
        assert [(issue.line, issue.text()) for issue in plan.errors] == errors
        assert plan.questions and not plan.ready  # the good questions wait for a fixed file
    result = runner.invoke(
        args=["questions", "import-gift", str(GIFT / name), "--course", "sample"]
    )
    assert result.exit_code != 0
    assert f"error: line {errors[0][0]}: {errors[0][1]}" in result.output
    assert "the file has errors; nothing was imported" in result.output
    with synced.app_context():
        assert count_questions() == 4
        assert db.session.execute(db.select(AuditEvent)).first() is None


def imported(name: str, lesson: str = "wstep") -> dict[str, Question]:
    """Import `name` into the sample course; the questions it created or updated, by id."""
    plan = plan_file(name, lesson)
    gift_exchange.apply_import(sample_course(), plan, "test")
    db.session.commit()
    keys = [item.question.key for item in plan.questions]
    rows = db.session.execute(db.select(Question).where(Question.key.in_(keys))).scalars()
    return {row.key: row for row in rows}


def answers(question: Question) -> list[tuple[str, bool, str]]:
    return [(option.text, option.is_correct, option.feedback) for option in question.options]


def test_a_moodle_export_reads_as_text_with_its_category_and_feedback(synced: Flask) -> None:
    with synced.app_context():
        made = imported("moodle-export.gift")
        who = made["kto-decyduje-w-firmie"]
        assert who.prompt == "Kto zwykle podejmuje decyzję o zakupie systemu ERP w średniej firmie?"
        assert answers(who)[0] == (
            "Zespół: zarząd, finanse i IT.", True, "Tak, decyzja zapada kolektywnie.",
        )  # fmt: skip
        assert who.explanation == "W B2B o zakupie decyduje zwykle kilka osób."
        assert {q.dimension for q in made.values()} == {"decision_process"}
        time = made["czas-decyzji"]
        assert answers(time) == [
            ("Prawda", False, "Niestety nie: w B2B trwa dłużej."),
            ("Fałsz", True, "Dobrze, w B2B proces jest długi."),
        ]
        assert time.explanation == "Proces w B2B obejmuje negocjacje i akceptacje."
        assert answers(made["rola-i-wplyw"])[1] == (
            "Dyrektor finansowy", True, "Tak – pilnuje budżetu.",
        )  # fmt: skip


def test_answers_and_feedback_take_their_own_format_tag(synced: Flask) -> None:
    with synced.app_context():
        made = imported("html-answers.gift")
    assert answers(made["argumenty"]) == [
        ("Zwrot z inwestycji > 20 % w dwa lata", True, "Tak – liczby przemawiają do finansów."),
        ("<i>Modny design</i>", False, "Znaczniki <i> zostają jako tekst."),
        ("**Rabat** tylko dziś", False, "Presja czasu & rabat to raczej B2C."),
        ('"Wszyscy to kupują"', False, "Dowód społeczny działa słabiej."),
    ]
    assert made["argumenty"].explanation == "Finanse liczą koszty i zwrot.\nReszta to dodatki."
    assert made["zwykly-tekst"].prompt == "Czy <b> w pytaniu [plain] zostaje?"
    assert answers(made["zwykly-tekst"]) == [
        ("Tak & dosłownie", True, "Bo format [plain]."), ("Nie", False, "<b>zostaje</b> też tutaj"),
    ]  # fmt: skip
    assert answers(made["markdown"]) == [("Prawda", True, "Dobrze"), ("Fałsz", False, "Źle")]


def test_a_percent_sign_that_is_no_weight_stays_in_the_answer(synced: Flask) -> None:
    with synced.app_context():
        made = imported("percent-text.gift")
    assert [(text, right) for text, right, _ in answers(made["polecenie"])] == [
        ("%run raport", True), ("%abc% raport", False), ("100% pewności", False),
        ("% 50%", False), ("%50 %", False),
    ]  # fmt: skip
    assert [text for text, _, _ in answers(made["rabat"])] == [
        "%5 na wszystko", "Rabat od wolumenu", "Brak rabatu",
    ]  # fmt: skip


def test_escapes_and_plain_colons_read_as_text(synced: Flask) -> None:
    with synced.app_context():
        made = imported("escaped-colons.gift")
    meeting = made["godzina-10-30"]
    assert meeting.prompt.startswith("Spotkanie z klientem B2B zaczyna się o 10:30.")
    assert answers(meeting) == [
        ("Agendę: cele, ceny, terminy.", True, "Tak: konkret."),
        ("Nic = improwizacja.", False, "Nie ~ to ryzykowne."),
        ("Prezent {drogi}.", False, "Nie."),
    ]
    assert made["sciezka"].prompt == "Gdzie leży plik z ofertą?\nPodaj ścieżkę."
    assert answers(made["sciezka"])[0][0] == "C:\\Oferty\\2025\\oferta.pdf"
    assert made["zwykle-dwukropki"].prompt.startswith("Uwaga: ten dwukropek")


def test_categories_give_dimensions(synced: Flask) -> None:
    with synced.app_context():
        made = imported("categories.gift")
        assert {key: q.dimension for key, q in made.items()} == {
            "relacja-po-sprzedazy": "relationships", "bez-wymiaru": None,
            "kat-1": "decision_process",
        }  # fmt: skip
        assert (made["kat-1"].type, made["kat-1"].market, made["kat-1"].prompt) == (
            "scenario", "B2B", "Co przygotujesz?",
        )  # fmt: skip


def test_a_trainer_export_updates_the_course_it_came_from(synced: Flask) -> None:
    with synced.app_context():
        plan = plan_file("trainer-export.gift", "wstep")
        assert [(w.line, w.params) for w in plan.warnings] == [
            (29, {"link": "usunieta-lekcja#sekcja", "lesson": "wstep"})
        ]
        made = imported("trainer-export.gift")
        assert (made["dp-2"].difficulty, made["dp-2"].version) == (3, 2)
        assert made["mc-1"].version == 1  # unchanged: no new version
        assert made["nowe-z-innego-kursu"].lesson.slug == "wstep"


@pytest.mark.parametrize(
    ("line", "detail_line", "message"),
    [
        (15, 22, "Answer 2 has no feedback"),
        (26, 26, "needs 3 to 4 answers, not 2"),
        (36, 36, "exactly the answers B2B, B2C"),
        (49, 49, "A scenario needs a dimension"),
    ],
)
def test_a_scenario_that_breaks_the_content_rules_says_why(
    synced: Flask, line: int, detail_line: int, message: str
) -> None:
    with synced.app_context():
        plan = plan_file("scenario-rules.gift", "wstep")
    assert not plan.warnings  # nothing about what a skipped question would not keep
    skipped = next(item for item in plan.skipped if item.line == line)
    assert [(d.line, message in d.text()) for d in skipped.details] == [(detail_line, True)]


def test_the_windows_fixture_really_has_a_bom_and_crlf() -> None:
    """Its line numbers above are only a test of CRLF and BOM handling if it has both."""
    data = (GIFT / "windows-bom.gift").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
