"""xAPI statements: valid xAPI 1.0.3, stable ids, one of each kind, the report's filters."""

import json
import random
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from jsonschema import Draft202012Validator
from sqlalchemy import event

from tests.conftest import RESOURCES, make_app
from trainer.extensions import db
from trainer.learning import attempts, catalogue, progress
from trainer.models import (
    Attempt,
    AttemptItem,
    CourseCompletion,
    LessonProgress,
    Question,
    Quiz,
    User,
)
from trainer.models.types import iso_timestamp
from trainer.people import accounts
from trainer.reporting import xapi
from trainer.reporting.report import ReportFilter
from trainer.reporting.xapi_statements import iso_duration

SCHEMA = json.loads((RESOURCES / "xapi-statement.schema.json").read_text())
VALIDATOR = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)
BASE = "https://trainer.example/xapi"
VERBS = "http://adlnet.gov/expapi/verbs/"


def assert_valid(statement: dict[str, Any]) -> None:
    """The schema's rules, and the two it cannot state: raw within [min, max], min < max."""
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(statement)]
    assert not errors, (errors, statement)
    score = statement.get("result", {}).get("score", {})
    if "raw" in score:
        assert score["min"] < score["max"]
        assert score["min"] <= score["raw"] <= score["max"]
    assert statement["timestamp"].endswith("Z")


def complete_lessons(app: Flask, user_id: int) -> None:
    with app.app_context():
        for lesson in catalogue.published_lessons(catalogue.course_by_slug("sample")):
            progress.complete_lesson(user_id, lesson)
        db.session.commit()


def take(app: Flask, user_id: int, slug: str, right: bool, seconds: int = 60) -> int:
    """Answer every item of a new attempt all right or all wrong, grade it; its id."""
    with app.app_context():
        quiz = db.session.execute(db.select(Quiz).where(Quiz.slug == slug)).scalar_one()
        attempt = attempts.start_attempt(user_id, quiz, random.Random(7))
        for item in attempt.items:
            question = item.question
            if question.type == "scenario":
                other = "B2C" if question.market == "B2B" else "B2B"
                attempts.save_answer(attempt, item, "market", question.market if right else other)
            option = next(o.id for o in question.options if o.is_correct == right)
            attempts.save_answer(attempt, item, "option", str(option))
        attempts.submit(attempt)
        attempt.started_at = attempt.submitted_at - timedelta(seconds=seconds)
        db.session.commit()
        return attempt.id


@pytest.fixture
def records(synced: Flask, make_user) -> dict[str, int]:
    """Anna: both lessons, a failed check, a passed exam, the course. Ben: a failed check."""
    anna = make_user(
        "anna@example.com", name="Anna Nowak", employee_id="E-1", department="Sprzedaż"
    )
    ben = make_user("ben@example.com", name="Ben Lis", employee_id="E-2", department="Serwis")
    complete_lessons(synced, anna)
    failed = take(synced, anna, "sprawdzian", right=False, seconds=270)
    passed = take(synced, anna, "egzamin", right=True, seconds=3725)
    take(synced, ben, "sprawdzian", right=False)
    return {"anna": anna, "ben": ben, "failed": failed, "passed": passed}


def export(app: Flask, filters: ReportFilter | None = None, **kwargs: Any) -> list[dict[str, Any]]:
    with app.app_context():
        return list(xapi.iter_statements(filters or ReportFilter(), **kwargs))


def statement_id(key: str, base: str = BASE) -> str:
    return str(uuid.uuid5(uuid.uuid5(uuid.NAMESPACE_URL, base), key))


def by_id(statements: list[dict[str, Any]], key: str) -> dict[str, Any]:
    wanted = statement_id(key)
    return next(s for s in statements if s["id"] == wanted)


def test_every_statement_is_valid_xapi(synced: Flask, records: dict[str, int]) -> None:
    statements = export(synced)
    for statement in statements:
        assert_valid(statement)
    verbs = [s["verb"]["id"].removeprefix(VERBS) for s in statements]
    # 2 lessons + the course; 2 + 4 answers of Anna and 2 of Ben; Anna passed once.
    assert sorted(verbs) == sorted(
        ["completed"] * 3 + ["answered"] * 8 + ["failed"] * 2 + ["passed"]
    )


def test_a_re_export_gives_the_same_ids(synced: Flask, records: dict[str, int]) -> None:
    first, second = export(synced), export(synced)
    assert first == second
    ids = [s["id"] for s in first]
    assert len(set(ids)) == len(ids)
    assert statement_id(f"attempt:{records['passed']}:passed") in ids
    assert statement_id(f"attempt:{records['failed']}:failed") in ids


def test_lesson_completed(synced: Flask, records: dict[str, int]) -> None:
    with synced.app_context():
        done = db.session.execute(
            db.select(LessonProgress).where(LessonProgress.user_id == records["anna"])
        ).scalars().first()  # fmt: skip
        key, slug, title = (
            f"lesson_progress:{done.id}:completed",
            done.lesson.slug,
            done.lesson.title,
        )
        completed_at = done.completed_at
    statement = by_id(export(synced), key)
    assert statement["actor"] == {
        "objectType": "Agent", "name": "Anna Nowak", "mbox": "mailto:anna@example.com"
    }  # fmt: skip
    assert statement["verb"] == {"id": VERBS + "completed", "display": {"en-US": "completed"}}
    assert statement["object"] == {
        "objectType": "Activity",
        "id": f"{BASE}/courses/sample/lessons/{slug}",
        "definition": {"type": "http://adlnet.gov/expapi/activities/lesson",
                       "name": {"pl-PL": title}},
    }  # fmt: skip
    assert statement["context"]["contextActivities"]["parent"][0]["id"] == f"{BASE}/courses/sample"
    assert statement["timestamp"] == iso_timestamp(completed_at)


def _item(app: Flask, attempt_id: int, key: str) -> tuple[int, Question]:
    with app.app_context():
        item = db.session.execute(
            db.select(AttemptItem).join(Question)
            .where(AttemptItem.attempt_id == attempt_id, Question.key == key)
        ).scalar_one()  # fmt: skip
        question = item.question
        question.options  # noqa: B018 (load before the session closes)
        db.session.expunge(question)
        return item.id, question


def test_scenario_answer_holds_market_and_approach(synced: Flask, records: dict[str, int]) -> None:
    item_id, question = _item(synced, records["passed"], "dp-1")
    statement = by_id(export(synced), f"attempt_item:{item_id}:answered")
    # An option is named by its position, which edits keep (not by a database id).
    right = next(n for n, o in enumerate(question.options, 1) if o.is_correct)
    definition = statement["object"]["definition"]
    assert statement["object"]["id"] == f"{BASE}/courses/sample/questions/dp-1"
    assert definition["type"] == "http://adlnet.gov/expapi/activities/cmi.interaction"
    assert definition["interactionType"] == "choice"
    assert definition["correctResponsesPattern"] == [f"B2B[,]option-{right}"]
    assert [c["id"] for c in definition["choices"]] == ["B2B", "B2C"] + [
        f"option-{n}" for n in range(1, len(question.options) + 1)
    ]
    assert definition["choices"][2]["description"] == {"pl-PL": question.options[0].text}
    assert statement["result"] == {
        "success": True, "response": f"B2B[,]option-{right}",
        "score": {"scaled": 1.0, "raw": 2, "min": 0, "max": 2},
    }  # fmt: skip
    context = statement["context"]
    assert context["registration"] == statement_id(f"attempt:{records['passed']}")
    assert (
        context["contextActivities"]["parent"][0]["id"] == f"{BASE}/courses/sample/quizzes/egzamin"
    )


def test_wrong_scenario_answer_fails(synced: Flask, records: dict[str, int]) -> None:
    item_id, question = _item(synced, records["failed"], "dp-2")
    statement = by_id(export(synced), f"attempt_item:{item_id}:answered")
    wrong = next(n for n, o in enumerate(question.options, 1) if not o.is_correct)
    assert statement["result"]["response"] == f"B2B[,]option-{wrong}"  # dp-2 is B2C
    assert statement["result"]["success"] is False
    assert statement["result"]["score"]["scaled"] == 0


def test_multiple_choice_answer_is_one_choice(synced: Flask, records: dict[str, int]) -> None:
    item_id, question = _item(synced, records["passed"], "mc-1")
    statement = by_id(export(synced), f"attempt_item:{item_id}:answered")
    right = next(n for n, o in enumerate(question.options, 1) if o.is_correct)
    definition = statement["object"]["definition"]
    assert definition["correctResponsesPattern"] == [f"option-{right}"]
    count = len(question.options)
    assert [c["id"] for c in definition["choices"]] == [f"option-{n}" for n in range(1, count + 1)]
    assert statement["result"]["response"] == f"option-{right}"
    assert statement["result"]["score"] == {"scaled": 1.0, "raw": 1, "min": 0, "max": 1}


def test_unanswered_items_are_not_statements(synced: Flask, make_user) -> None:
    learner = make_user()
    with synced.app_context():
        quiz = db.session.execute(db.select(Quiz).where(Quiz.slug == "egzamin")).scalar_one()
        attempt = attempts.start_attempt(learner, quiz, random.Random(1))
        attempts.save_answer(
            attempt, attempt.items[0], "option", str(attempt.items[0].option_order[0])
        )
        attempts.submit(attempt)
        db.session.commit()
    verbs = [s["verb"]["id"].removeprefix(VERBS) for s in export(synced)]
    assert sorted(verbs) == ["answered", "failed"]


@pytest.mark.parametrize(
    ("attempt", "verb", "scaled", "duration"),
    [("passed", "passed", 1.0, "PT1H2M5S"), ("failed", "failed", 0.0, "PT4M30S")],
)
def test_graded_attempt(
    synced: Flask, records: dict[str, int], attempt: str, verb: str, scaled: float,
    duration: str,
) -> None:  # fmt: skip
    with synced.app_context():
        row = db.session.get(Attempt, records[attempt])
        slug, submitted, score, max_score = (
            row.quiz.slug,
            row.submitted_at,
            row.score,
            row.max_score,
        )
    statement = by_id(export(synced), f"attempt:{records[attempt]}:{verb}")
    assert statement["verb"]["id"] == VERBS + verb
    assert statement["object"]["id"] == f"{BASE}/courses/sample/quizzes/{slug}"
    assert (
        statement["object"]["definition"]["type"]
        == "http://adlnet.gov/expapi/activities/assessment"
    )
    assert statement["result"] == {
        "score": {"scaled": scaled, "raw": score, "min": 0, "max": max_score},
        "success": verb == "passed", "completion": True, "duration": duration,
    }  # fmt: skip
    assert statement["timestamp"] == iso_timestamp(submitted)


def test_course_completed(synced: Flask, records: dict[str, int]) -> None:
    with synced.app_context():
        completion = db.session.execute(db.select(CourseCompletion)).scalar_one()
        key, code = f"course_completion:{completion.id}:completed", completion.certificate_code
    statement = by_id(export(synced), key)
    assert statement["object"]["id"] == f"{BASE}/courses/sample"
    assert statement["object"]["definition"]["name"] == {"pl-PL": "Kurs próbny"}
    assert statement["result"]["success"] is True
    assert statement["result"]["score"]["scaled"] == 1.0
    assert statement["context"]["extensions"] == {f"{BASE}/extensions/certificate-code": code}


def _actors(statements: list[dict[str, Any]]) -> set[str]:
    return {s["actor"]["name"] for s in statements}


@pytest.mark.parametrize(
    ("filters", "actors"),
    [
        (ReportFilter(course="sample"), {"Anna Nowak", "Ben Lis"}),
        (ReportFilter(department="Serwis"), {"Ben Lis"}),
        (ReportFilter(status="completed"), {"Anna Nowak"}),
        (ReportFilter(status="in_progress"), {"Ben Lis"}),
        (ReportFilter(status="not_started"), set()),
        (ReportFilter(search="nowak"), {"Anna Nowak"}),
        (ReportFilter(since=date(2000, 1, 1)), {"Anna Nowak"}),
        (ReportFilter(until=date(2000, 1, 1)), set()),
    ],
)
def test_the_report_filter_picks_learners(
    synced: Flask, records: dict[str, int], filters: ReportFilter, actors: set[str]
) -> None:
    assert _actors(export(synced, filters)) == actors


def test_only_the_reports_learners_are_exported(synced: Flask, records: dict[str, int]) -> None:
    with synced.app_context():
        accounts.deactivate(db.session.get(User, records["ben"]))
        db.session.commit()
    assert _actors(export(synced)) == {"Anna Nowak"}


def test_since_keeps_what_was_recorded_from_then(synced: Flask, records: dict[str, int]) -> None:
    everything = export(synced)
    assert export(synced, since=datetime(2000, 1, 1, tzinfo=UTC)) == everything
    assert export(synced, since=datetime.now(UTC) + timedelta(minutes=1)) == []
    with synced.app_context():
        old = datetime(2020, 1, 1, tzinfo=UTC)
        attempt = db.session.get(Attempt, records["failed"])
        attempt.started_at, attempt.submitted_at = old - timedelta(minutes=5), old
        db.session.commit()
    recent = export(synced, since=datetime(2021, 1, 1, tzinfo=UTC))
    # The old attempt's grade and its two answers were recorded before `since`.
    assert len(recent) == len(everything) - 3
    assert statement_id(f"attempt:{records['failed']}:failed") not in {s["id"] for s in recent}


def test_the_stream_resumes_after_any_position(synced: Flask, records: dict[str, int]) -> None:
    with synced.app_context():
        positioned = list(xapi.positioned_statements(ReportFilter()))
        positions = [position for position, _ in positioned]
        assert positions == sorted(positions)
        for index, position in enumerate(positions):
            rest = [s for _, s in xapi.positioned_statements(ReportFilter(), after=position)]
            assert rest == [s for _, s in positioned[index + 1 :]]


def test_the_base_iri_is_configurable(database_url: str, tmp_path, records: dict[str, int]) -> None:
    base = "https://lms.firma.pl/trainer"
    other = make_app(database_url, tmp_path / "other", XAPI_BASE_IRI=base + "/")
    statements = export(other)
    assert all(s["object"]["id"].startswith(base + "/courses/sample") for s in statements)
    key = f"attempt:{records['passed']}:passed"
    assert statement_id(key, base) in {s["id"] for s in statements}
    with other.app_context():
        db.engine.dispose()


def test_queries_do_not_grow_with_the_rows(
    synced: Flask, records: dict[str, int], make_user
) -> None:
    def count_queries() -> tuple[int, int]:
        with synced.app_context():
            seen: list[str] = []

            def listener(*args: Any) -> None:
                seen.append(args[2])

            event.listen(db.engine, "before_cursor_execute", listener)
            try:
                rows = len(export(synced))
            finally:
                event.remove(db.engine, "before_cursor_execute", listener)
            return rows, len(seen)

    rows_before, queries_before = count_queries()
    for n in range(3):
        learner = make_user(f"more{n}@example.com")
        complete_lessons(synced, learner)
        take(synced, learner, "egzamin", right=True)
    rows_after, queries_after = count_queries()
    assert rows_after > rows_before
    assert queries_after == queries_before


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [(0, "PT0S"), (59.9, "PT59S"), (270, "PT4M30S"), (3600, "PT1H"), (3725, "PT1H2M5S"),
     (-5, "PT0S"), (90000, "PT25H")],
)  # fmt: skip
def test_iso_duration(seconds: float, expected: str) -> None:
    assert iso_duration(timedelta(seconds=seconds)) == expected


def test_iso_timestamp_is_utc_with_z() -> None:
    moment = datetime(2024, 5, 1, 11, 30, 15, 123456, tzinfo=UTC)
    assert iso_timestamp(moment) == "2024-05-01T11:30:15.123Z"
    warsaw = moment.astimezone(ZoneInfo("Europe/Warsaw"))
    assert iso_timestamp(warsaw) == "2024-05-01T11:30:15.123Z"
