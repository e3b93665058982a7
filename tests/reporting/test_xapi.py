"""xAPI statements: valid xAPI 1.0.3, stable identities and ids, logged with their events,
`stored` and the filters on it, and the report's filters."""

import json
import random
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from jsonschema import Draft202012Validator
from ralph.models.xapi.base.statements import BaseXapiStatement
from sqlalchemy import event, func, insert, update

from tests.conftest import RESOURCES, XAPI_BASE_IRI, make_app
from trainer.extensions import db
from trainer.learning import attempts, catalogue, progress
from trainer.models import (
    Attempt,
    AttemptItem,
    Course,
    CourseCompletion,
    LessonProgress,
    Question,
    QuestionOption,
    Quiz,
    User,
    XapiStatement,
)
from trainer.models.types import iso_timestamp, utcnow
from trainer.people import accounts, assignments, privacy
from trainer.reporting import xapi
from trainer.reporting.report import ReportFilter
from trainer.xapi import record
from trainer.xapi.settings import PLACEHOLDER_BASE_URL
from trainer.xapi.statements import iso_duration

SCHEMA = json.loads((RESOURCES / "xapi-statement.schema.json").read_text())
VALIDATOR = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)
BASE = XAPI_BASE_IRI
VERBS = "http://adlnet.gov/expapi/verbs/"
ATTEMPT_VERBS = {"attempted", "answered", "passed", "failed"}


def assert_valid(statement: dict[str, Any]) -> None:
    """xAPI 1.0.3 as Ralph's models read it, the schema's rules, and what neither states."""
    BaseXapiStatement.model_validate(statement)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(statement)]
    assert not errors, (errors, statement)
    score = statement.get("result", {}).get("score", {})
    if "raw" in score:
        assert score["min"] < score["max"]
        assert score["min"] <= score["raw"] <= score["max"]
    assert statement["timestamp"].endswith("Z")
    assert statement["stored"].endswith("Z")
    definition = statement["object"].get("definition", {})
    if "choices" in definition:  # interaction component ids are unique, patterns use them
        ids = [choice["id"] for choice in definition["choices"]]
        assert len(set(ids)) == len(ids)
        for pattern in definition["correctResponsesPattern"]:
            assert set(pattern.split("[,]")) <= set(ids)
        if statement["result"]["response"]:
            assert set(statement["result"]["response"].split("[,]")) <= set(ids)


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
        attempt.started_at = utcnow() - timedelta(seconds=seconds)  # as if begun that long ago
        attempts.submit(attempt)
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


def learner_id(app: Flask, user_id: int) -> str:
    with app.app_context():
        return db.session.get(User, user_id).learner_id


def statement_id(app: Flask, user_id: int, event_key: str, base: str = BASE) -> str:
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, base)
    return str(uuid.uuid5(namespace, f"{learner_id(app, user_id)}:{event_key}"))


def by_id(statements: list[dict[str, Any]], wanted: str) -> dict[str, Any]:
    return next(s for s in statements if s["id"] == wanted)


def verbs(statements: list[dict[str, Any]]) -> list[str]:
    return sorted(s["verb"]["id"].removeprefix(VERBS) for s in statements)


def test_every_statement_is_valid_xapi(synced: Flask, records: dict[str, int]) -> None:
    statements = export(synced)
    for statement in statements:
        assert_valid(statement)
    # Anna: 2 lessons and the course; 2 attempts started, 2 + 4 answers, a fail and a pass.
    # Ben: one attempt started, 2 answers, a fail.
    assert verbs(statements) == sorted(
        ["completed"] * 3 + ["attempted"] * 3 + ["answered"] * 8 + ["failed"] * 2 + ["passed"]
    )


def test_the_actor_is_an_opaque_account(synced: Flask, records: dict[str, int]) -> None:
    statements = export(synced)
    anna, ben = learner_id(synced, records["anna"]), learner_id(synced, records["ben"])
    assert anna != ben
    assert {json.dumps(s["actor"], sort_keys=True) for s in statements} == {
        json.dumps({"objectType": "Agent",
                    "account": {"homePage": PLACEHOLDER_BASE_URL, "name": name}}, sort_keys=True)
        for name in (anna, ben)
    }  # fmt: skip
    text = json.dumps(statements, ensure_ascii=False)
    for personal in ("Anna", "Nowak", "anna@example.com", "E-1", "mailto:"):
        assert personal not in text


def test_home_page_is_the_instances_base_url(database_url: str, tmp_path: Path, make_user) -> None:
    other = make_app(database_url, tmp_path / "other", BASE_URL="https://trainer.firma.pl/")
    learner = make_user()
    complete_lessons_in(other, learner)
    (statement,) = export(other)
    assert statement["actor"]["account"]["homePage"] == "https://trainer.firma.pl"
    with other.app_context():
        db.engine.dispose()


def complete_lessons_in(app: Flask, user_id: int) -> None:
    from trainer.authoring.content_files import sync_configured_content

    with app.app_context():
        sync_configured_content()
        lesson = catalogue.published_lessons(catalogue.course_by_slug("sample"))[0]
        progress.complete_lesson(user_id, lesson)
        db.session.commit()


def test_a_renamed_learner_gets_byte_identical_statements(
    synced: Flask, records: dict[str, int], runner_for, tmp_path: Path
) -> None:
    before, after = tmp_path / "before.json", tmp_path / "after.json"
    run = runner_for(synced)
    arguments = ["hr", "export", "--format", "xapi", "--out"]
    assert run.invoke(args=[*arguments, str(before)]).exit_code == 0
    with synced.app_context():
        anna = db.session.get(User, records["anna"])
        anna.display_name, anna.email = "Anna Kowalska", "anna.kowalska@example.com"
        anna.employee_id = "E-100"
        db.session.commit()
    assert run.invoke(args=[*arguments, str(after)]).exit_code == 0
    assert after.read_bytes() == before.read_bytes()
    assert len(json.loads(before.read_bytes())) == 17


@pytest.fixture
def runner_for():
    return lambda app: app.test_cli_runner()


def test_a_statement_once_logged_never_changes(synced: Flask, records: dict[str, int]) -> None:
    """A department moved, a lesson renamed: what was said stays said, as an LRS keeps it."""
    first = export(synced)
    with synced.app_context():
        db.session.get(User, records["anna"]).department = "Zarząd"
        course = catalogue.course_by_slug("sample")
        catalogue.published_lessons(course)[0].title = "Nowy tytuł"
        db.session.commit()
    assert export(synced) == first


def test_ids_come_from_the_learner_and_the_event(synced: Flask, records: dict[str, int]) -> None:
    first, second = export(synced), export(synced)
    assert first == second
    ids = [s["id"] for s in first]
    assert len(set(ids)) == len(ids)
    anna = records["anna"]
    for key in (f"attempt_graded:{records['passed']}", f"attempt_graded:{records['failed']}",
                f"attempt_started:{records['passed']}"):  # fmt: skip
        assert statement_id(synced, anna, key) in ids


def test_attempt_statements_share_the_attempts_registration(
    synced: Flask, records: dict[str, int]
) -> None:
    anna = records["anna"]
    registration = statement_id(synced, anna, f"attempt:{records['passed']}")
    of_attempt = [s for s in export(synced) if s["context"].get("registration") == registration]
    assert verbs(of_attempt) == sorted(["attempted", "passed"] + ["answered"] * 4)
    for statement in export(synced):
        verb = statement["verb"]["id"].removeprefix(VERBS)
        assert ("registration" in statement["context"]) == (verb in ATTEMPT_VERBS)


def test_every_statement_names_platform_language_and_department(
    synced: Flask, records: dict[str, int]
) -> None:
    departments = {
        learner_id(synced, records["anna"]): "Sprzedaż",
        learner_id(synced, records["ben"]): "Serwis",
    }
    for statement in export(synced):
        context = statement["context"]
        assert context["platform"] == "Trainer"
        assert context["language"] == "pl-PL"
        department = context["extensions"][f"{BASE}/extensions/department"]
        assert department == departments[statement["actor"]["account"]["name"]]


def test_an_assignment_travels_with_its_due_date(synced: Flask, make_user) -> None:
    learner = make_user(department="Sprzedaż")
    with synced.app_context():
        course = catalogue.course_by_slug("sample")
        assignments.assign_people(course, [db.session.get(User, learner)], date(2030, 3, 31), None)
        db.session.commit()
    complete_lessons(synced, learner)
    statements = export(synced)
    assert statements
    for statement in statements:
        assignment = statement["context"]["extensions"][f"{BASE}/extensions/assignment"]
        assert assignment["due"] == "2030-03-31T23:59:59.000Z"
        assert assignment["assigned"] <= statement["stored"]


def test_no_department_and_no_assignment_no_extensions(synced: Flask, make_user) -> None:
    complete_lessons(synced, make_user())
    assert all("extensions" not in s["context"] for s in export(synced))


def test_a_start_is_logged_at_once_so_a_drop_off_shows(synced: Flask, make_user) -> None:
    learner = make_user()
    with synced.app_context():
        quiz = db.session.execute(db.select(Quiz).where(Quiz.slug == "egzamin")).scalar_one()
        attempt = attempts.start_attempt(learner, quiz, random.Random(1))
        db.session.commit()
        started_at, attempt_id = attempt.started_at, attempt.id
    (statement,) = export(synced)
    assert statement["verb"] == {"id": VERBS + "attempted", "display": {"en-US": "attempted"}}
    assert statement["object"]["id"] == f"{BASE}/courses/sample/quizzes/egzamin"
    assert statement["object"]["definition"]["type"] == (
        "http://adlnet.gov/expapi/activities/assessment"
    )
    assert statement["timestamp"] == iso_timestamp(started_at)
    assert statement["context"]["registration"] == statement_id(
        synced, learner, f"attempt:{attempt_id}"
    )
    assert "result" not in statement
    assert_valid(statement)


def test_a_statement_is_logged_in_the_events_transaction(synced: Flask, make_user) -> None:
    learner = make_user()
    with synced.app_context():
        lesson = catalogue.published_lessons(catalogue.course_by_slug("sample"))[0]
        progress.complete_lesson(learner, lesson)
        assert db.session.execute(db.select(func.count(XapiStatement.id))).scalar() == 1
        db.session.rollback()
        assert db.session.execute(db.select(func.count(XapiStatement.id))).scalar() == 0
        assert db.session.execute(db.select(func.count(LessonProgress.id))).scalar() == 0


def test_lesson_completed_with_its_duration(synced: Flask, records: dict[str, int]) -> None:
    with synced.app_context():
        done = db.session.execute(
            db.select(LessonProgress).where(LessonProgress.user_id == records["anna"])
        ).scalars().first()  # fmt: skip
        key, slug, title = f"lesson_completed:{done.id}", done.lesson.slug, done.lesson.title
        completed_at, opened_at = done.completed_at, done.first_opened_at
    statement = by_id(export(synced), statement_id(synced, records["anna"], key))
    assert statement["verb"] == {"id": VERBS + "completed", "display": {"en-US": "completed"}}
    assert statement["object"] == {
        "objectType": "Activity",
        "id": f"{BASE}/courses/sample/lessons/{slug}",
        "definition": {"type": "http://adlnet.gov/expapi/activities/lesson",
                       "name": {"pl-PL": title}},
    }  # fmt: skip
    assert statement["result"] == {
        "completion": True, "duration": iso_duration(completed_at - opened_at)
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


def _answer(app: Flask, records: dict[str, int], attempt: str, key: str) -> tuple[dict, Question]:
    item_id, question = _item(app, records[attempt], key)
    wanted = statement_id(app, records["anna"], f"answered:{item_id}")
    return by_id(export(app), wanted), question


def test_scenario_answer_holds_market_and_approach(synced: Flask, records: dict[str, int]) -> None:
    statement, question = _answer(synced, records, "passed", "dp-1")
    # An option is named by its place in the file, which a sync keeps; never by a database id.
    right = next(n for n, o in enumerate(question.options, 1) if o.is_correct)
    definition = statement["object"]["definition"]
    assert statement["object"]["id"] == f"{BASE}/courses/sample/questions/dp-1"
    assert definition["type"] == "http://adlnet.gov/expapi/activities/cmi.interaction"
    assert definition["interactionType"] == "choice"
    assert definition["correctResponsesPattern"] == [f"B2B[,]option-{right}"]
    assert [c["id"] for c in definition["choices"]] == ["B2B", "B2C"] + [
        f"option-{n}" for n in range(1, len(question.options) + 1)
    ]
    assert all(f"option-{o.id}" not in json.dumps(definition) for o in question.options[3:])
    assert definition["choices"][2]["description"] == {"pl-PL": question.options[0].text}
    assert statement["result"] == {
        "success": True, "response": f"B2B[,]option-{right}",
        "score": {"scaled": 1.0, "raw": 2, "min": 0, "max": 2},
    }  # fmt: skip
    context = statement["context"]
    assert context["registration"] == statement_id(
        synced, records["anna"], f"attempt:{records['passed']}"
    )
    assert context["contextActivities"] == {
        "parent": [{"objectType": "Activity", "id": f"{BASE}/courses/sample/quizzes/egzamin"}],
        "grouping": [{"objectType": "Activity", "id": f"{BASE}/courses/sample"}],
    }


def test_choice_ids_do_not_follow_database_ids(
    synced: Flask, records: dict[str, int], make_user
) -> None:
    """Options made again with new row ids (as a re-import would) keep their choice ids."""
    before, _question = _answer(synced, records, "passed", "mc-1")
    with synced.app_context():
        question = db.session.execute(
            db.select(Question).where(Question.key == "mc-1")
        ).scalar_one()
        kept = [(o.position, o.text, o.feedback, o.is_correct) for o in question.options]
        question.options.clear()
        db.session.flush()
        question.options.extend(
            QuestionOption(position=position, text=text, feedback=feedback, is_correct=correct)
            for position, text, feedback, correct in kept
        )
        db.session.commit()
    learner = make_user("cezary@example.com")
    again = take(synced, learner, "egzamin", right=True)
    item_id, question = _item(synced, again, "mc-1")
    after = by_id(export(synced), statement_id(synced, learner, f"answered:{item_id}"))
    assert {o.id for o in question.options}.isdisjoint({o.id for o in _question.options})
    assert after["object"] == before["object"]
    assert after["result"]["response"] == before["result"]["response"]


def test_wrong_scenario_answer_fails(synced: Flask, records: dict[str, int]) -> None:
    statement, question = _answer(synced, records, "failed", "dp-2")
    wrong = next(n for n, o in enumerate(question.options, 1) if not o.is_correct)
    assert statement["result"]["response"] == f"B2B[,]option-{wrong}"  # dp-2 is B2C
    assert statement["result"]["success"] is False
    assert statement["result"]["score"]["scaled"] == 0


def test_multiple_choice_answer_is_one_choice(synced: Flask, records: dict[str, int]) -> None:
    statement, question = _answer(synced, records, "passed", "mc-1")
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
    assert verbs(export(synced)) == ["answered", "attempted", "failed"]


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
    wanted = statement_id(synced, records["anna"], f"attempt_graded:{records[attempt]}")
    statement = by_id(export(synced), wanted)
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
        key, code = f"course_completed:{completion.id}", completion.certificate_code
    statement = by_id(export(synced), statement_id(synced, records["anna"], key))
    assert statement["object"]["id"] == f"{BASE}/courses/sample"
    assert statement["object"]["definition"]["name"] == {"pl-PL": "Kurs próbny"}
    assert statement["result"]["success"] is True
    assert statement["result"]["score"]["scaled"] == 1.0
    assert statement["context"]["extensions"] == {
        f"{BASE}/extensions/department": "Sprzedaż",
        f"{BASE}/extensions/certificate-code": code,
    }
    assert "contextActivities" not in statement["context"]


def _actors(app: Flask, records: dict[str, int], statements: list[dict[str, Any]]) -> set[str]:
    names = {learner_id(app, records[who]): who for who in ("anna", "ben")}
    return {names[s["actor"]["account"]["name"]] for s in statements}


@pytest.mark.parametrize(
    ("filters", "actors"),
    [
        (ReportFilter(course="sample"), {"anna", "ben"}),
        (ReportFilter(department="Serwis"), {"ben"}),
        (ReportFilter(status="completed"), {"anna"}),
        (ReportFilter(status="in_progress"), {"ben"}),
        (ReportFilter(status="not_started"), set()),
        (ReportFilter(search="nowak"), {"anna"}),
        (ReportFilter(since=date(2000, 1, 1)), {"anna"}),
        (ReportFilter(until=date(2000, 1, 1)), set()),
    ],
)
def test_the_report_filter_picks_learners(
    synced: Flask, records: dict[str, int], filters: ReportFilter, actors: set[str]
) -> None:
    assert _actors(synced, records, export(synced, filters)) == actors


def test_only_the_reports_learners_are_exported(synced: Flask, records: dict[str, int]) -> None:
    with synced.app_context():
        accounts.deactivate(db.session.get(User, records["ben"]))
        db.session.commit()
    assert _actors(synced, records, export(synced)) == {"anna"}


def _restore(app: Flask, moment: datetime, **where: Any) -> None:
    """Set `stored` of the statements matching `where` (the log's own columns)."""
    with app.app_context():
        query = update(XapiStatement).values(stored=moment)
        for column, value in where.items():
            query = query.where(getattr(XapiStatement, column) == value)
        db.session.execute(query)
        db.session.commit()


def test_since_and_until_filter_on_stored(synced: Flask, records: dict[str, int]) -> None:
    everything = export(synced)
    assert export(synced, since=datetime(2000, 1, 1, tzinfo=UTC)) == everything
    assert export(synced, since=datetime.now(UTC) + timedelta(minutes=1)) == []
    old = datetime(2020, 1, 1, tzinfo=UTC)
    _restore(synced, old, user_id=records["ben"])
    recent = export(synced, since=old)  # stored after `since`: exclusive, as xAPI says
    assert len(recent) == len(everything) - 4
    assert all(s["stored"] > iso_timestamp(old) for s in recent)
    earlier = export(synced, until=old)  # stored at or before `until`: inclusive
    assert len(earlier) == 4
    assert {s["stored"] for s in earlier} == {iso_timestamp(old)}
    assert export(synced, since=old - timedelta(seconds=1), until=old) == earlier


def test_stored_is_when_the_event_was_logged_not_when_it_happened(
    synced: Flask, records: dict[str, int]
) -> None:
    for statement in export(synced):
        assert statement["timestamp"] <= statement["stored"]


def test_backfill_logs_what_was_recorded_around_the_services(synced: Flask, make_user) -> None:
    """Bulk-inserted rows (demo data, records older than the log) get their statements once,
    stored when backfill writes them, whatever their timestamp says."""
    learner = make_user()
    long_ago = datetime(2021, 5, 4, 10, 0, tzinfo=UTC)
    with synced.app_context():
        lesson = catalogue.published_lessons(catalogue.course_by_slug("sample"))[0]
        db.session.execute(insert(LessonProgress).values(
            user_id=learner, lesson_id=lesson.id, first_opened_at=long_ago,
            completed_at=long_ago + timedelta(minutes=7),
        ))  # fmt: skip
        db.session.commit()
        assert export(synced) == []
        before = utcnow()
        assert record.backfill() == 1
        assert record.backfill() == 0
        db.session.commit()
    (statement,) = export(synced)
    assert statement["timestamp"] == "2021-05-04T10:07:00.000Z"
    assert statement["result"]["duration"] == "PT7M"
    assert statement["stored"] >= iso_timestamp(before)


def test_bootstrap_backfills(synced: Flask, make_user, runner_for) -> None:
    learner = make_user()
    with synced.app_context():
        lesson = catalogue.published_lessons(catalogue.course_by_slug("sample"))[0]
        db.session.execute(insert(LessonProgress).values(
            user_id=learner, lesson_id=lesson.id, completed_at=utcnow()
        ))  # fmt: skip
        db.session.commit()
    result = runner_for(synced).invoke(args=["xapi", "backfill"])
    assert result.exit_code == 0, result.output
    assert "1 statements logged" in result.output
    assert len(export(synced)) == 1


def test_erasure_removes_the_statements_and_renews_the_pseudonym(
    synced: Flask, records: dict[str, int], make_user
) -> None:
    admin = make_user("admin@example.com", "admin")
    old = learner_id(synced, records["anna"])
    with synced.app_context():
        privacy.erase(db.session.get(User, records["anna"]), db.session.get(User, admin))
        db.session.commit()
        left = db.session.execute(
            db.select(func.count()).where(XapiStatement.user_id == records["anna"])
        ).scalar()
    assert left == 0
    assert learner_id(synced, records["anna"]) != old


def test_the_stream_resumes_after_any_position(synced: Flask, records: dict[str, int]) -> None:
    with synced.app_context():
        positioned = list(xapi.positioned_statements(ReportFilter()))
        positions = [position for position, _ in positioned]
        assert positions == sorted(positions)
        for index, position in enumerate(positions):
            rest = [s for _, s in xapi.positioned_statements(ReportFilter(), after=position)]
            assert rest == [s for _, s in positioned[index + 1 :]]


def test_the_base_iri_is_configurable(database_url: str, tmp_path: Path, make_user) -> None:
    base = "https://lms.firma.pl/trainer"
    other = make_app(database_url, tmp_path / "other", XAPI_BASE_IRI=base + "/")
    learner = make_user()
    complete_lessons_in(other, learner)
    (statement,) = export(other)
    assert statement["object"]["id"].startswith(base + "/courses/sample/lessons/")
    with other.app_context():
        progress_id = db.session.execute(db.select(LessonProgress.id)).scalar_one()
    wanted = statement_id(other, learner, f"lesson_completed:{progress_id}", base)
    assert statement["id"] == wanted
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


def test_every_new_user_gets_a_learner_id(app: Flask, make_user) -> None:
    first, second = make_user("a@example.com"), make_user("b@example.com")
    ids = {learner_id(app, first), learner_id(app, second)}
    assert len(ids) == 2
    assert all(uuid.UUID(value).version == 4 for value in ids)


def test_a_course_row_is_kept_apart_from_its_statements(synced: Flask, records: dict) -> None:
    with synced.app_context():
        course_ids = set(db.session.execute(db.select(XapiStatement.course_id)).scalars())
        assert course_ids == {catalogue.course_by_slug("sample").id}
        assert db.session.get(Course, next(iter(course_ids))) is not None


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
