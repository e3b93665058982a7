"""Moodle GIFT: parsing and writing, import (CLI and web, all or nothing) and export."""

import io
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from tests.conftest import RESOURCES
from trainer.content.gift import GiftAnswer, GiftQuestion, parse_gift, serialise_gift
from trainer.extensions import db
from trainer.models import AuditEvent, Course, Lesson, Question, Quiz
from trainer.services import gift_exchange
from trainer.services.content_export import course_data

MOODLE = RESOURCES / "gift" / "moodle.gift"


def parsed_moodle() -> list[GiftQuestion]:
    return parse_gift(MOODLE.read_bytes().decode("utf-8-sig")).questions


# --- Parsing and writing -------------------------------------------------------------------


def test_parse_reads_supported_types_and_lists_the_rest_with_lines() -> None:
    result = parse_gift(MOODLE.read_bytes().decode("utf-8-sig"))
    assert not result.errors
    assert [(q.line, q.kind, q.title) for q in result.questions] == [
        (4, "multiple_choice", "mkt-quiz"),
        (12, "true_false", "Decyzja w B2B"),
        (14, "multiple_choice", "Znaki specjalne"),
        (19, "true_false", ""),
        (36, "multiple_choice", "sc-01 [rynek]"),
        (41, "multiple_choice", "sc-01 [podejście]"),
    ]
    assert [(s.line, s.kind) for s in result.skipped] == [
        (21, "matching"), (26, "numerical"), (28, "short_answer"), (30, "essay"),
        (32, "missing_word"),
    ]  # fmt: skip
    mc, tf, escaped, html, _, approach = result.questions
    assert mc.category == "$course$/top/Sprzedaż/marketing"
    assert mc.general_feedback == "Marketing B2B mówi językiem korzyści finansowych."
    assert [(a.text, a.correct) for a in mc.answers][2] == ("Na cenie.", False)  # %50%: wrong
    assert [(w.line, w.params["weight"]) for w in result.warnings] == [(7, "50")]
    assert (tf.truth, tf.feedback_wrong, tf.feedback_right) == (
        False, "Nie, decyduje zespół.", "Dobrze: decyduje kilka osób.",
    )  # fmt: skip
    assert escaped.text == "Czy znak = i ~ oraz # i {nawiasy} lub : dwukropek przejdą?"
    assert escaped.answers[0].feedback == "Wszystkie specjalne znaki są #escapowane."
    assert html.text == "Czy HTML & tagi znikają?" and html.feedback_wrong == "Źle."
    assert approach.text.endswith("zarząd.\n\nCo zrobisz najpierw?")


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("::a::Pytanie{=tak ~nie\n", 1, "is not closed"),
        ("Pierwsze{=a ~b}\n\n::b::\nDrugie\n{~a ~b}", 3, "No answer is marked right"),
        ("::c::P{\n=a\n=b\n~c\n}", 1, "2 answers are marked right"),
        ("::d::P{\n=a\n~\n~c\n}", 3, "Answer 2 is empty"),
        ("::e::P{=  #tylko feedback ~b}", 1, "Answer 1 is empty"),
        ("::f::P{=a ~%abc%b}", 1, "unreadable weight"),
        ("::g bez końca tytułu {=a ~b}", 1, "title is not closed"),
        ("P{tekst =a ~b}", 1, "Text before the first answer"),
    ],
)
def test_malformed_questions_get_line_numbered_errors(text: str, line: int, message: str) -> None:
    result = parse_gift(text)
    assert [(issue.line, message in str(issue)) for issue in result.errors] == [(line, True)]
    assert all(question.line != line for question in result.questions)


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
        "multiple_choice", awkward, title="id: z :: dwukropkami", general_feedback=awkward,
        answers=(GiftAnswer(awkward, True, awkward), GiftAnswer("~b", False, "#c")),
    )  # fmt: skip
    true_false = GiftQuestion("true_false", "P?", truth=False, feedback_right="ok")
    text = serialise_gift([question, true_false], "komentarz\ndruga linia")
    assert text.startswith("// komentarz\n// druga linia\n\n")
    again = parse_gift(text)
    assert not again.errors
    first, second = again.questions
    assert (first.title, first.text, first.general_feedback) == (
        question.title, awkward, awkward,
    )  # fmt: skip
    assert [(a.text, a.correct, a.feedback) for a in first.answers] == [
        (awkward, True, awkward), ("~b", False, "#c"),
    ]  # fmt: skip
    assert (second.truth, second.feedback_wrong, second.feedback_right) == (False, "", "ok")


# --- Import ------------------------------------------------------------------------------------


def sample_course() -> Course:
    return db.session.execute(db.select(Course).where(Course.slug == "sample")).scalar_one()


def lesson_by_slug(slug: str) -> Lesson:
    return db.session.execute(db.select(Lesson).where(Lesson.slug == slug)).scalar_one()


def fresh_course(dimension: str | None = "marketing") -> Course:
    """A course with one lesson and no questions."""
    course = Course(slug="inny", title="Inny kurs")
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
    assert list(made) == [
        "mkt-quiz", "decyzja-w-b2b", "znaki-specjalne", "gift-1", "sc-01", "dp-1-2",
    ]  # fmt: skip
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
    assert made["mkt-quiz"].dimension == "marketing"
    tf = made["decyzja-w-b2b"]
    assert [(o.text, o.correct, o.feedback) for o in tf.options] == [
        ("Prawda", False, "Nie, decyduje zespół."), ("Fałsz", True, "Dobrze: decyduje kilka osób."),
    ]  # fmt: skip
    assert tf.explanation == "Dobrze: decyduje kilka osób."
    assert [s.kind for s in plan.skipped] == [
        "matching", "numerical", "short_answer", "essay", "missing_word",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "::s [rynek]::Sytuacja{=B2B#w ~B2C#w}\n\n::s [podejście]::S{=a ~b#y ~c#z}",
            "Answer 1 has no feedback",
        ),
        (
            "::s [rynek]::Sytuacja{=B2B ~B2C}\n\n::s [podejście]::S{=a#x ~b#y ~c#z}",
            "No explanation",
        ),
        ("::a::P{=a#1 ~b#2 ~c#3 ~d#4 ~e#5 ~f#6 ~g#7}", "needs 2 to 6 answers"),
        ("::s [rynek]::Sytuacja{=B2B#w ~B2C#w}\n\n::s [podejście]::S{=a#x ~b#y}", "3 to 4"),
        (
            "::s [rynek]::Sytuacja{=B2B#w ~Inne#w}\n\n::s [podejście]::S{=a#x ~b#y ~c#z}",
            "B2B and B2C",
        ),
        ("::s [rynek]::Sytuacja{=B2B#w ~B2C#w}\n\n::s [podejście]::S{=a#x ~b#y ~c#z}", "dimension"),
        ("{=x#t ~y#n ####w}", "no text"),
    ],
)
def test_questions_our_format_cannot_hold_are_errors(
    synced: Flask, text: str, message: str
) -> None:
    with synced.app_context():
        plan = gift_exchange.plan_import(sample_course(), lesson_by_slug("wstep"), text)
    assert not plan.ready
    assert any(message in str(issue) for issue in plan.errors), plan.errors


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
    assert "line 21: skipped 'Dopasuj': matching is not supported" in dry.output
    assert "dry run: nothing was imported" in dry.output
    with synced.app_context():
        assert count_questions() == 4
    done = runner.invoke(args=[*args, "--lesson", "proces-decyzyjny"])
    assert done.exit_code == 0, done.output
    assert "imported 5 question(s) into sample, linked to proces-decyzyjny" in done.output
    with synced.app_context():
        assert count_questions() == 9
        scenario = db.session.execute(
            db.select(Question).where(Question.key == "sc-01")
        ).scalar_one()
        assert scenario.lesson.slug == "proces-decyzyjny" and scenario.status == "active"
        # Synced like the files: the new scenario joins the quizzes that pool its dimension.
        quiz = db.session.execute(db.select(Quiz).where(Quiz.slug == "sprawdzian")).scalar_one()
        assert "sc-01" in {q.key for q in quiz.questions}
        event = db.session.execute(db.select(AuditEvent)).scalar_one()
        assert (event.action, event.actor, event.row_count) == ("questions.import_gift", "cli", 5)


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
        assert gift_exchange.apply_import(course, plan, "test") == 4
        db.session.commit()
        after = course_data(course).questions

    def essence(question):  # what GIFT carries: not the lesson link, difficulty or anchor
        return (
            question.key, question.type, question.dimension, question.market,
            question.situation, question.prompt, question.explanation, question.options,
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
    assert {"sc-01 [rynek]", "sc-01 [podejście]", "mkt-quiz", "gift-1"} <= titles


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
    assert "sc-01" in preview.text and "mkt-quiz" in preview.text
    assert "Dopasuj" in preview.text  # a skipped question, with its line
    with synced.app_context():
        assert count_questions() == 4  # a preview changes nothing
    token = token_of(preview.text)
    done = client.post("/author/gift/import", data={"token": token})
    assert done.status_code == 302 and done.location.endswith("/author/gift/")
    with synced.app_context():
        assert count_questions() == 9
        event = db.session.execute(db.select(AuditEvent)).scalar_one()
        assert event.action == "questions.import_gift" and event.row_count == 5
        assert event.details["file"] == "moodle.gift"
    again = client.post("/author/gift/import", data={"token": token}, follow_redirects=True)
    assert "out of date" in again.text
    with synced.app_context():
        assert count_questions() == 9


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
