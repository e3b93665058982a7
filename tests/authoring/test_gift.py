"""Moodle GIFT: parsing and writing, import (CLI and web, all or nothing) and export."""

import hashlib
import io
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from tests.conftest import COURSE_TAXONOMY, RESOURCES, AuthActions
from trainer.authoring import gift_exchange
from trainer.authoring.content_export import course_data
from trainer.content.gift import GiftAnswer, GiftQuestion
from trainer.content.gift_reader import parse_gift
from trainer.content.gift_writer import serialise_gift
from trainer.extensions import db
from trainer.models import AuditEvent, Course, Lesson, Question, Quiz

MOODLE = RESOURCES / "gift" / "moodle.gift"


def parsed_moodle() -> list[GiftQuestion]:
    return parse_gift(MOODLE.read_bytes().decode("utf-8-sig")).questions


# --- Parsing and writing -------------------------------------------------------------------


def test_parse_reads_supported_types_and_lists_the_rest_with_lines() -> None:
    result = parse_gift(MOODLE.read_bytes().decode("utf-8-sig"))
    assert not result.errors and not result.warnings
    assert [(q.line, q.kind, q.title) for q in result.questions] == [
        (12, "truefalse", "Decyzja w B2B"),
        (14, "multichoice", "Znaki specjalne"),
        (19, "truefalse", ""),
        (36, "multichoice", "sc-01 [rynek]"),
        (41, "multichoice", "sc-01 [podejście]"),
    ]
    assert [(s.line, s.reason, s.title) for s in result.skipped] == [
        (4, "partial_credit", "mkt-quiz"), (21, "matching", "Dopasuj"),
        (26, "numerical", "Liczba"), (28, "short_answer", "Krótka"), (30, "essay", "Esej"),
        (32, "missing_word", ""),
    ]  # fmt: skip
    assert result.skipped[0].params == {"number": 3, "weight": "50"}
    assert "weight 50%" in result.skipped[0].text()
    tf, escaped, html, market, approach = result.questions
    assert market.category == "$course$/top/Sprzedaż/decision_process"
    assert (tf.truth, tf.feedback_wrong, tf.feedback_right) == (
        False, "Nie, decyduje zespół.", "Dobrze: decyduje kilka osób.",
    )  # fmt: skip
    assert escaped.text == "Czy znak = i ~ oraz # i {nawiasy} lub : dwukropek przejdą?"
    assert escaped.answers[0].feedback == "Wszystkie specjalne znaki są #escapowane."
    assert html.text == "Czy HTML & tagi znikają?" and html.feedback_wrong == "Źle."
    assert html.general_feedback == "Z formatu HTML zostaje tylko tekst."
    assert approach.text.endswith("zarząd.\n\nCo zrobisz najpierw?")


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("::a::Pytanie{=tak ~nie\n", 1, "is not closed"),
        ("::g bez końca tytułu {=a ~b}", 1, "title is not closed"),
        ("Pierwsze{=a ~b}\n\n::b::\nDrugie\n{=a ~b}}", 5, "A } has no {"),
        ("::c::P{\n=a\n~{b}\n}", 1, "before the next {"),
        ("::c::P} i {=a ~b}", 1, "A } has no {"),
        ("::d::P{\n~tylko jedna\n}", 1, "needs at least 2 answers"),
        ("::e::P{=jedna\n~}", 1, None),  # two answers for Moodle, one of them empty: a skip
        ("::f::Dopasuj{=a -> b}", 1, "at least 2 pairs"),
        ("::f::Dopasuj{=a -> b =c}", 1, "Pair 2 of the matching question has no ->"),
        ("::g::Ile?{#}", 1, "needs an answer after #"),
        ("::g::Ile?{#5:dużo}", 1, "is not a number"),
        ("::g::Ile?{#1..x}", 1, "is not a number"),
    ],
)
def test_only_what_moodle_refuses_is_an_error(text: str, line: int, message: str | None) -> None:
    result = parse_gift(text)
    if message is None:
        assert not result.errors
        return
    assert [(issue.line, message in str(issue)) for issue in result.errors] == [(line, True)]
    assert all(question.line != line for question in result.questions)


@pytest.mark.parametrize(
    ("text", "reason", "params"),
    [
        ("::a::P{~%50%a ~%50%b ~c}", "multiple_answer", {}),
        ("::a::P{~%100%a ~b ~c}", "multiple_answer", {}),  # no = at all: Moodle's single = 0
        ("::a::P{=a ~%50%b ~c}", "partial_credit", {"number": 2, "weight": "50"}),
        ("::a::P{=a ~%-33.3%b ~c}", "partial_credit", {"number": 2, "weight": "-33.3"}),
        ("::a::P{=a ~%100%b ~c}", "several_right", {"count": 2}),
        ("::c::P{\n=a\n=b\n~c\n}", "several_right", {"count": 2}),
        ("::d::P{\n=a\n~\n~c\n}", "empty_answer", {"number": 2}),
        ("::e::P{=  #tylko feedback ~b}", "empty_answer", {"number": 1}),
        ("P{tekst =a ~b}", "text_before_answers", {}),
        ("::o::Tylko opis, bez odpowiedzi.", "description", {}),
        ("::e::Opisz klienta.{}", "essay", {}),
        ("::e::Opisz klienta.{####Wzorcowa odpowiedź.}", "essay", {}),
        ("::n::Ile?{#7}", "numerical", {}),
        ("::n::Ile?{#\n=7:1#Tak\n=%50%6..8#Prawie\n~#Nie}", "numerical", {}),
        ("::m::Połącz.{=B2B -> firma =B2C -> konsument}", "matching", {}),
        ("::k::Sprzedaż firmom to?{=B2B =business to business}", "short_answer", {}),
        ("::k::Wpisz true.{true}", "short_answer", {}),  # Moodle's T/TRUE/F/FALSE only
        ("Sprzedaż firmom to {~B2C =B2B} w skrócie.", "missing_word", {}),
        ("Stolica: {1:MULTICHOICE:=Warszawa~Kraków}, rzeka: {1:SA:=Wisła}.", "cloze", {}),
        ("::c::{:MCV:~a~=b}", "cloze", {}),
    ],
)
def test_what_trainer_cannot_hold_is_skipped_with_a_reason(
    text: str, reason: str, params: dict[str, object]
) -> None:
    result = parse_gift(f"::dobre::Dobre?{{=tak ~nie}}\n\n{text}\n\n::też::Też?{{T}}")
    assert not result.errors
    assert [(s.line, s.reason, s.params) for s in result.skipped] == [(3, reason, params)]
    assert [q.title for q in result.questions] == ["dobre", "też"]


def test_a_percent_sign_is_a_weight_only_as_moodle_reads_one() -> None:
    result = parse_gift(
        "::p::Polecenie?{=%run ~%abc%b ~% 50%c ~%50 %d ~50%e ~%0%f#brak ~%100x}\n\n"
        "::q::Też?{=%50%tak ~nie}"
    )
    assert not result.errors and not result.skipped
    first, second = result.questions
    assert [(a.text, a.correct) for a in first.answers] == [
        ("%run", True), ("%abc%b", False), ("% 50%c", False), ("%50 %d", False),
        ("50%e", False), ("f", False), ("%100x", False),
    ]  # fmt: skip
    assert first.answers[5].feedback == "brak"
    # After =, Moodle reads no weight at all: the answer is right and keeps its text.
    assert [(a.text, a.correct) for a in second.answers] == [("%50%tak", True), ("nie", False)]


def test_format_tags_are_read_on_answers_and_feedback_as_moodle_does() -> None:
    text = (
        "::h::[html]<p>Co wybierzesz?</p>{\n"
        "=<b>ROI</b> &amp; koszty#[plain]<b>zostaje</b>\n"
        "~[plain]<i>styl</i>#[markdown]**Nie**.\n"
        "~  [moodle] cena # [html]Nie&nbsp;tylko\n"
        "~[Uwaga] rabat#[nieznany] format\n"
        "####[plain]<p>ogólna</p>\n}\n\n"
        "::t::Czy?{TRUE#[html]<i>Źle</i>#[plain]<i>Dobrze</i>}"
    )
    result = parse_gift(text)
    assert not result.errors and not result.skipped
    choice, true_false = result.questions
    assert choice.text == "Co wybierzesz?"
    assert [(a.text, a.feedback) for a in choice.answers] == [
        ("ROI & koszty", "<b>zostaje</b>"),  # default: the question's format (html)
        ("<i>styl</i>", "**Nie**."),
        ("cena", "Nie tylko"),
        ("[Uwaga] rabat", "[nieznany] format"),  # not a format: html read as text
    ]
    assert choice.general_feedback == "<p>ogólna</p>"
    assert (true_false.feedback_wrong, true_false.feedback_right) == ("Źle", "<i>Dobrze</i>")


def test_crlf_bom_comments_and_blank_line_separation() -> None:
    text = (
        "\ufeff// komentarz\r\n::a::Pierwsze\r\n// w środku\r\n{=x#ok ~y#nie}\r\n\r\n\r\nDrugie{T}"
    )
    result = parse_gift(text)
    assert [(q.line, q.title, q.text) for q in result.questions] == [
        (2, "a", "Pierwsze"), (7, "", "Drugie"),
    ]  # fmt: skip


def test_writing_then_reading_keeps_every_character() -> None:
    awkward = "Znaki: = ~ # { } \\ i\nnowa linia, „cudzysłów” oraz ####"
    question = GiftQuestion(
        "multichoice", awkward, title="id: z :: dwukropkami", general_feedback=awkward,
        answers=(GiftAnswer(awkward, True, awkward), GiftAnswer("~b", False, "#c"),
                 GiftAnswer("%50% rabatu", False, "[html]<b>dosłownie</b>"),
                 GiftAnswer("[plain] tekst", False, "%run")),
    )  # fmt: skip
    true_false = GiftQuestion(
        "truefalse", "[html] P?", truth=False, feedback_right="ok", feedback_wrong="[moodle]x"
    )
    text = serialise_gift([question, true_false], "komentarz\ndruga linia")
    assert text.startswith("// komentarz\n// druga linia\n\n")
    again = parse_gift(text)
    assert not again.errors and not again.skipped
    first, second = again.questions
    assert (first.title, first.text, first.general_feedback) == (
        question.title, awkward, awkward,
    )  # fmt: skip
    assert [(a.text, a.correct, a.feedback) for a in first.answers] == [
        (a.text, a.correct, a.feedback) for a in question.answers
    ]
    assert (second.text, second.truth, second.feedback_wrong, second.feedback_right) == (
        "[html] P?", False, "[moodle]x", "ok",
    )  # fmt: skip


def test_every_special_character_is_escaped_as_moodles_exporter_does() -> None:
    """`\\ # = ~ { } :` everywhere, line breaks as \\n: strict readers take the file."""
    awkward = "Uwaga: a=b, ~c, #d, {e}, \\f\r\ni:j"
    question = GiftQuestion(
        "multichoice", awkward, title=f"t: {awkward}", general_feedback=awkward,
        answers=(GiftAnswer(awkward, True, awkward), GiftAnswer("b: c", False)),
        category="kurs/marketing",
    )  # fmt: skip
    true_false = GiftQuestion("truefalse", awkward, truth=True, feedback_wrong=awkward)
    text = serialise_gift([question, true_false])
    unescaped = re.sub(r"\\.", "", text)  # every escape pair taken out
    assert unescaped.count(":") == 5  # $CATEGORY: and the two :: around the title
    assert "\r" not in text and "\\n" in text
    assert not re.search(r"[=~#{}]", unescaped.split("{", 1)[0].removeprefix("$CATEGORY: "))


def test_a_trainer_comment_belongs_to_the_question_right_after_it() -> None:
    text = (
        "// trainer: difficulty=3 lesson=proces-decyzyjny#kto-decyduje\n"
        "// question: 12  name: pierwsze\n"
        "::a::Pierwsze?{T}\n\n"
        "$CATEGORY: kurs/marketing\n// trainer: difficulty=1\n::b::Drugie?{F}\n\n"
        "// trainer: difficulty=2\n\n"  # a blank line after it: no question of its own
        "::c::Trzecie?{\n// trainer: difficulty=3\n=tak ~nie}\n\n"
        "// trainer: difficulty 3 lesson=a%20b%25c\n::d::Czwarte?{T}"
    )
    result = parse_gift(text)
    assert not result.errors
    assert [(q.title, q.trainer) for q in result.questions] == [
        ("a", {"difficulty": "3", "lesson": "proces-decyzyjny#kto-decyduje"}),
        ("b", {"difficulty": "1"}),
        ("c", {}),
        ("d", {"lesson": "a b%c"}),
    ]
    assert [(w.line, w.params) for w in result.warnings] == [
        (9, {}), (12, {}), (15, {"part": "difficulty"}), (15, {"part": "3"}),
    ]  # fmt: skip
    assert "not right before a question" in str(result.warnings[0])


def test_trainer_fields_are_written_before_the_question_and_read_back() -> None:
    fields = {"difficulty": "2", "lesson": "lekcja#sekcja z%spacją"}
    question = GiftQuestion("truefalse", "P?", title="p", truth=True, trainer=fields)
    text = serialise_gift([question])
    assert text.startswith("// trainer: difficulty=2 lesson=lekcja#sekcja%20z%25spacją\n::p::")
    assert parse_gift(text).questions[0].trainer == fields


# --- Import ------------------------------------------------------------------------------------


def sample_course() -> Course:
    return db.session.execute(db.select(Course).where(Course.slug == "sample")).scalar_one()


def lesson_by_slug(slug: str) -> Lesson:
    return db.session.execute(db.select(Lesson).where(Lesson.slug == slug)).scalar_one()


def fresh_course(dimension: str | None = "marketing") -> Course:
    """A course with one lesson and no questions."""
    course = Course(slug="inny", title="Inny kurs", taxonomy_data=COURSE_TAXONOMY.to_json())
    db.session.add(course)
    db.session.flush()
    db.session.add(Lesson(
        course_id=course.id, slug="lekcja", title="Lekcja", position=1, summary="S.",
        estimated_minutes=5, body="Treść.", dimension=dimension,
    ))  # fmt: skip
    db.session.commit()
    return course


def test_plan_names_links_and_pairs_questions(synced: Flask) -> None:
    with synced.app_context():
        text = MOODLE.read_bytes().decode("utf-8-sig") + "\n\n::dp-1::Już jest?{=a#t ~b#n}\n"
        plan = gift_exchange.plan_import(sample_course(), lesson_by_slug("wstep"), text)
    assert not plan.errors and plan.ready
    made = {item.question.key: item.question for item in plan.questions}
    untitled = "gift-" + hashlib.sha256("Czy HTML & tagi znikają?".encode()).hexdigest()[:10]
    assert list(made) == ["decyzja-w-b2b", "znaki-specjalne", untitled, "sc-01"]
    assert {item.action for item in plan.questions} == {"create"}
    scenario = made["sc-01"]
    assert (scenario.type, scenario.market, scenario.dimension) == (
        "scenario",
        "B2B",
        "decision_process",
    )
    assert scenario.prompt == "Co zrobisz najpierw?"
    assert scenario.explanation == "Kilka osób decyduje o zakupie dla firmy: to B2B."
    assert len(scenario.options) == 3
    assert {q.lesson for q in made.values()} == {"wstep"}
    assert {q.difficulty for q in made.values()} == {2}
    assert made["znaki-specjalne"].dimension == "marketing"
    tf = made["decyzja-w-b2b"]
    assert [(o.text, o.correct, o.feedback) for o in tf.options] == [
        ("Prawda", False, "Nie, decyduje zespół."), ("Fałsz", True, "Dobrze: decyduje kilka osób."),
    ]  # fmt: skip
    assert tf.explanation == "Dobrze: decyduje kilka osób."
    assert [s.reason for s in plan.skipped] == [
        "partial_credit", "matching", "numerical", "short_answer", "essay", "missing_word",
        "other_type",
    ]  # fmt: skip
    assert plan.skipped[-1].params == {"key": "dp-1"}  # a scenario in the course: not copied


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            "::s [rynek]::Sytuacja{=B2B#w ~B2C#w}\n\n::s [podejście]::S{\n=a\n~b#y\n~c#z\n}",
            4,
            "Answer 1 has no feedback",
        ),
        (
            "::s [rynek]::Sytuacja{=B2B ~B2C}\n\n::s [podejście]::S{=a#x ~b#y ~c#z}",
            1,
            "No explanation",
        ),
        ("::a::P{=a#1 ~b#2 ~c#3 ~d#4 ~e#5 ~f#6 ~g#7}", 1, "needs 2 to 6 answers, not 7"),
        ("::s [rynek]::Sytuacja{=B2B#w ~B2C#w}\n\n::s [podejście]::S{=a#x ~b#y}", 1, "3 to 4"),
        (
            "::s [rynek]::Sytuacja{=B2B#w ~Inne#w}\n\n::s [podejście]::S{=a#x ~b#y ~c#z}",
            1,
            "the answers B2B, B2C",
        ),
        (
            "::s [rynek]::Sytuacja{=B2B#w ~B2C#w}\n\n::s [podejście]::S{=a#x ~b#y ~c#z}",
            1,
            "dimension",
        ),
        ("{=x#t ~y#n ####w}", 1, "no text"),
    ],
)
def test_questions_our_format_cannot_hold_are_skipped_with_the_reasons(
    synced: Flask, text: str, line: int, message: str
) -> None:
    good = "\n\n::dobre::Dobre?{=tak ~nie}"
    with synced.app_context():
        plan = gift_exchange.plan_import(sample_course(), lesson_by_slug("wstep"), text + good)
    assert plan.ready and not plan.errors
    assert [item.question.key for item in plan.questions] == ["dobre"]
    [skipped] = plan.skipped
    assert (skipped.line, skipped.reason) == (1, "content")
    assert any(message in str(issue) for issue in skipped.details), skipped.details
    assert any(issue.line == line for issue in skipped.details)


def test_a_half_whose_partner_is_skipped_is_skipped_too(synced: Flask) -> None:
    text = (
        "$CATEGORY: x/decision_process\n\n::s [rynek]::Sytuacja{=B2B#w ~B2C#w}\n\n"
        "::s [podejście]::S{=a#x ~%50%b#y ~c#z}"
    )
    with synced.app_context():
        plan = gift_exchange.plan_import(sample_course(), lesson_by_slug("wstep"), text)
    assert not plan.errors and not plan.questions
    assert [(s.line, s.reason, s.title) for s in plan.skipped] == [
        (3, "partner_skipped", "s [rynek]"), (5, "partial_credit", "s [podejście]"),
    ]  # fmt: skip


def test_an_unpaired_half_is_imported_alone_with_a_warning(synced: Flask) -> None:
    with synced.app_context():
        plan = gift_exchange.plan_import(
            sample_course(), lesson_by_slug("wstep"), "::s [rynek]::Sytuacja{=B2B#w ~B2C#w}"
        )
    assert plan.ready and plan.questions[0].question.type == "multiple_choice"
    assert "no partner" in str(plan.warnings[0])


def count_questions() -> int:
    return db.session.execute(db.select(db.func.count(Question.id))).scalar_one()


def test_cli_dry_run_changes_nothing_and_import_creates_all(
    synced: Flask, runner: FlaskCliRunner
) -> None:
    args = ["questions", "import-gift", str(MOODLE), "--course", "sample"]
    dry = runner.invoke(args=[*args, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "line 36: will create sc-01 (scenario)" in dry.output
    assert "line 21: skipped 'Dopasuj': Matching questions are not supported." in dry.output
    assert "line 4: skipped 'mkt-quiz': Answer 3 has the weight 50%" in dry.output
    assert "dry run: nothing was imported (4 to create, 0 to update, 0 unchanged)" in dry.output
    with synced.app_context():
        assert count_questions() == 4
    done = runner.invoke(args=[*args, "--lesson", "proces-decyzyjny"])
    assert done.exit_code == 0, done.output
    assert (
        "imported into sample: 4 created, 0 updated, 0 unchanged (default lesson: proces-decyzyjny)"
        in done.output
    )
    with synced.app_context():
        assert count_questions() == 8
        scenario = db.session.execute(
            db.select(Question).where(Question.key == "sc-01")
        ).scalar_one()
        assert scenario.lesson.slug == "proces-decyzyjny" and scenario.status == "active"
        # Synced like the files: the new scenario joins the quizzes that pool its dimension.
        quiz = db.session.execute(db.select(Quiz).where(Quiz.slug == "sprawdzian")).scalar_one()
        assert "sc-01" in {q.key for q in quiz.questions}
        event = db.session.execute(db.select(AuditEvent)).scalar_one()
        assert (event.action, event.actor, event.row_count) == ("questions.import_gift", "cli", 4)


@pytest.mark.parametrize(
    ("extra", "content", "message"),
    [
        ([], b"::a::P{=x#t ~y#n}\n\n::b::{=a ~b", "nothing was imported"),
        ([], "::a::Źdźbło{=x#t ~y#n}".encode("cp1250"), "not UTF-8"),
        (["--lesson", "nie-ma"], b"::a::P{=x#t ~y#n}", "has no lesson 'nie-ma'"),
        (["--course", "nie-ma"], b"::a::P{=x#t ~y#n}", "no course with slug 'nie-ma'"),
    ],
)
def test_cli_import_failures_change_nothing(
    synced: Flask, runner: FlaskCliRunner, tmp_path: Path, extra: list[str], content: bytes,
    message: str,
) -> None:  # fmt: skip
    path = tmp_path / "plik.gift"
    path.write_bytes(content)
    result = runner.invoke(
        args=["questions", "import-gift", str(path), "--course", "sample", *extra]
    )
    assert result.exit_code != 0
    assert message in result.output
    with synced.app_context():
        assert count_questions() == 4
        assert db.session.execute(db.select(AuditEvent)).first() is None


def test_cli_export(synced: Flask, runner: FlaskCliRunner, tmp_path: Path) -> None:
    out = tmp_path / "sample.gift"
    result = runner.invoke(
        args=["questions", "export-gift", "--course", "sample", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "::dp-1 [rynek]::" in text and "::dp-1 [podejście]::" in text
    assert "$CATEGORY: sample/decision_process" in text
    assert runner.invoke(
        args=["questions", "export-gift", "--course", "x", "--out", str(out)]
    ).exit_code


# --- Round trips ---------------------------------------------------------------------------


def test_trainer_to_gift_to_trainer_keeps_every_question(synced: Flask) -> None:
    with synced.app_context():
        before = course_data(sample_course()).questions
        text, count = gift_exchange.export_gift(sample_course(), "test")
        assert count == len(before) == 4
        course = fresh_course(dimension=None)
        plan = gift_exchange.plan_import(course, lesson_by_slug("lekcja"), text)
        assert plan.ready, plan.errors
        # Another course has other lessons: the links fall back to the lesson chosen.
        assert {w.params["lesson"] for w in plan.warnings} == {"lekcja"}
        assert gift_exchange.apply_import(course, plan, "test")["create"] == 4
        db.session.commit()
        after = course_data(course).questions

    def essence(question):  # everything but the lesson link
        return (
            question.key, question.type, question.dimension, question.difficulty,
            question.market, question.situation, question.prompt, question.explanation,
            question.options,
        )  # fmt: skip

    assert sorted(map(essence, after)) == sorted(map(essence, before))


def test_gift_to_trainer_to_gift_keeps_text_answers_and_feedback(synced: Flask) -> None:
    with synced.app_context():
        course = fresh_course()
        text = gift_exchange.read_upload(MOODLE.read_bytes())
        plan = gift_exchange.plan_import(course, lesson_by_slug("lekcja"), text)
        gift_exchange.apply_import(course, plan, "test")
        db.session.commit()
        exported, _ = gift_exchange.export_gift(course, "test")

    def essence(question: GiftQuestion):
        answers = [(a.text, a.correct, a.feedback) for a in question.answers]
        return (question.kind, question.text, answers, question.truth, question.feedback_wrong,
                question.feedback_right)  # fmt: skip

    original = sorted(map(essence, parsed_moodle()), key=str)
    again = sorted(map(essence, parse_gift(exported).questions), key=str)
    assert again == original
    titles = {q.title for q in parse_gift(exported).questions}
    assert {"sc-01 [rynek]", "sc-01 [podejście]", "znaki-specjalne", "decyzja-w-b2b"} <= titles


# --- The web ------------------------------------------------------------------------------------


@pytest.fixture
def trainer(synced: Flask, login_as) -> int:
    return login_as("trainer")


def upload(client: FlaskClient, lesson_id: int, content: bytes, name: str = "plik.gift"):
    return client.post(
        "/author/gift/",
        data={"lesson": str(lesson_id), "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def lesson_id(app: Flask, slug: str) -> int:
    with app.app_context():
        return lesson_by_slug(slug).id


def token_of(html: str) -> str:
    match = re.search(r'name="token" type="hidden" value="([^"]+)"', html)
    assert match, "no confirmation form"
    return match.group(1)


def test_upload_page_lists_lessons_and_exports(
    synced: Flask, client: FlaskClient, trainer: int
) -> None:
    page = client.get("/author/gift/")
    assert page.status_code == 200
    assert '<optgroup label="Kurs próbny">' in page.text
    assert "/author/gift/sample.gift" in page.text


def test_preview_then_confirm_imports_once(
    synced: Flask, client: FlaskClient, trainer: int
) -> None:
    preview = upload(
        client, lesson_id(synced, "proces-decyzyjny"), MOODLE.read_bytes(), "moodle.gift"
    )
    assert preview.status_code == 200
    assert "sc-01" in preview.text and "znaki-specjalne" in preview.text
    assert "Dopasuj" in preview.text  # a skipped question, with its reason
    assert "Matching questions are not supported." in preview.text
    assert "has the weight 50%: Trainer has one right answer" in preview.text
    with synced.app_context():
        assert count_questions() == 4  # a preview changes nothing
    token = token_of(preview.text)
    done = client.post("/author/gift/import", data={"token": token})
    assert done.status_code == 302 and done.location.endswith("/author/gift/")
    with synced.app_context():
        assert count_questions() == 8
        event = db.session.execute(db.select(AuditEvent)).scalar_one()
        assert event.action == "questions.import_gift" and event.row_count == 4
        assert event.details["file"] == "moodle.gift"
    again = client.post("/author/gift/import", data={"token": token}, follow_redirects=True)
    assert "out of date" in again.text
    with synced.app_context():
        assert count_questions() == 8


@pytest.mark.parametrize(
    ("content", "shown"),
    [
        (b"::a::P{=x#t ~y#n}\n\n::b::Q{=a ~b", "nothing will be imported"),
        ("::a::Źdźbło{=x#t ~y#n}".encode("cp1250"), "not UTF-8"),
        (b"x" * (gift_exchange.MAX_GIFT_BYTES + 1), "larger than"),
        (b"::m::Tylko dopasowanie{=a -> b =c -> d}", "Questions to create: 0"),
    ],
)
def test_bad_uploads_show_why_and_offer_no_import(
    synced: Flask, client: FlaskClient, trainer: int, content: bytes, shown: str
) -> None:
    response = upload(client, lesson_id(synced, "wstep"), content)
    assert response.status_code == 200
    assert shown in response.text
    assert 'name="token"' not in response.text
    with synced.app_context():
        assert count_questions() == 4


def test_preview_lists_skipped_questions_with_reasons_in_the_users_language(
    synced: Flask, polish_client: FlaskClient, make_user
) -> None:
    make_user("autor@example.com", "trainer")
    AuthActions(polish_client).login("autor@example.com")
    content = (
        "::m::Połącz.{=B2B -> firma =B2C -> konsument}\n\n"
        "$CATEGORY: x/decision_process\n\n"
        "::s [rynek]::Sytuacja.{=B2B#Bo firma. ~B2C#Bo firma.}\n\n"
        "::s [podejście]::Sytuacja.{\n=a\n~b#y\n~c#z\n}\n\n"
        "::dobre::Dobre?{=tak ~nie}"
    ).encode()
    response = upload(polish_client, lesson_id(synced, "wstep"), content)
    assert response.status_code == 200
    assert "Pominięte: 2" in response.text
    assert "Pytania na dopasowanie nie są obsługiwane." in response.text
    assert "Pytanie nie spełnia zasad treści Trainera:" in response.text
    assert "Wiersz 8: Odpowiedź 1 nie ma informacji zwrotnej" in response.text
    assert 'name="token"' in response.text  # the good question can still be imported


@pytest.mark.parametrize("data", [{"lesson": "999999"}, {"lesson": "abc"}, {}])
def test_upload_form_rejects_bad_fields(
    synced: Flask, client: FlaskClient, trainer: int, data: dict[str, str]
) -> None:
    response = client.post("/author/gift/", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    assert 'class="errors"' in response.text


@pytest.mark.parametrize("token", ["", "garbage", "eyJieSI6MX0.forged.sig"])
def test_a_bad_token_imports_nothing(
    synced: Flask, client: FlaskClient, trainer: int, token: str
) -> None:
    response = client.post("/author/gift/import", data={"token": token}, follow_redirects=True)
    assert response.status_code == 200 and "out of date" in response.text
    with synced.app_context():
        assert count_questions() == 4


def test_a_token_of_another_trainer_is_refused(
    synced: Flask, client: FlaskClient, trainer: int, auth, make_user
) -> None:
    token = token_of(upload(client, lesson_id(synced, "wstep"), MOODLE.read_bytes()).text)
    make_user("inny@example.com", "trainer")
    auth.logout()
    auth.login("inny@example.com")
    response = client.post("/author/gift/import", data={"token": token}, follow_redirects=True)
    assert "out of date" in response.text
    with synced.app_context():
        assert count_questions() == 4


def test_download_exports_the_bank_and_is_audited(
    synced: Flask, client: FlaskClient, trainer: int
) -> None:
    response = client.get("/author/gift/sample.gift")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="sample.gift"'
    assert len(parse_gift(response.get_data(as_text=True)).questions) == 6  # 2 scenarios × 2
    with synced.app_context():
        event = db.session.execute(db.select(AuditEvent)).scalar_one()
        assert (event.action, event.row_count) == ("questions.export_gift", 4)
    assert client.get("/author/gift/nie-ma.gift").status_code == 404


# --- Permissions ----------------------------------------------------------------------------


def gift_requests(app: Flask) -> list[tuple[str, str]]:
    """(method, url) of every page and POST of the blueprint."""
    values = {"course_slug": "sample"}
    with app.test_request_context():
        return sorted(
            (method, rule.build(values, append_unknown=False)[1])  # type: ignore[index]
            for rule in app.url_map.iter_rules()
            if rule.endpoint.startswith("gift.")
            for method in rule.methods - {"HEAD", "OPTIONS"}
        )


def test_every_gift_request_is_covered(app: Flask) -> None:
    assert gift_requests(app) == [
        ("GET", "/author/gift/"), ("GET", "/author/gift/sample.gift"),
        ("POST", "/author/gift/"), ("POST", "/author/gift/import"),
    ]  # fmt: skip


@pytest.mark.parametrize("role", ["learner", "hr"])
def test_learners_and_hr_get_403_everywhere(
    synced: Flask, client: FlaskClient, login_as, role: str
) -> None:
    login_as(role)
    for method, url in gift_requests(synced):
        assert client.open(url, method=method).status_code == 403, (method, url)


def test_anonymous_users_are_sent_to_sign_in(synced: Flask, client: FlaskClient) -> None:
    for method, url in gift_requests(synced):
        response = client.open(url, method=method)
        assert response.status_code == 302 and response.location.startswith("/login"), url


def test_plain_questions_without_feedback_import(synced: Flask) -> None:
    """Moodle files often carry no feedback at all; plain questions import without it."""
    with synced.app_context():
        plan = gift_exchange.plan_import(
            sample_course(), lesson_by_slug("wstep"), "::a::Pytanie?{=tak ~nie}\n\n::b::Q{T}"
        )
    assert plan.ready, plan.errors
