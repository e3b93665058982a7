"""Building the worlds of the XSS corpus test: the corpus put in through the doors people use.

The content world: a course per payload from files (course.yaml, lesson front matter and
body, a question bank), lessons and questions written in the browser editors, a GIFT import,
and a learner who holds each course's certificate. The people world: the sample course and a
person per payload from an employee CSV import, each assigned the course, with a certificate.
"""

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import yaml
from flask import Flask, session
from flask.testing import FlaskClient
from flask_login import login_user
from sqlalchemy import event

from tests.conftest import PASSWORD, make_app
from tests.db_state import empty_database
from tests.html_safety import parse, read_payloads, squeeze, text_of, violations
from trainer.authoring.content_files import sync_configured_content
from trainer.content.gift_writer import escape
from trainer.control_characters import CONTROL_IN_FORM
from trainer.extensions import db
from trainer.learning import catalogue, progress
from trainer.models import Course, CourseCompletion, Lesson, Question, Quiz, User
from trainer.people import accounts, assignments

PAYLOADS = read_payloads()
ROLES = ("admin", "hr", "trainer", "learner")


@dataclass
class World:
    """An app with the corpus loaded, clients by role, and the pages made while loading it."""

    app: Flask
    staff: FlaskClient  # admin, HR and trainer at once
    learner: FlaskClient
    staff_id: int
    learner_id: int
    user_ids: list[int] = field(default_factory=list)  # the imported people, by payload
    form_lessons: list[int] = field(default_factory=list)  # made in the lesson editor
    form_questions: list[int] = field(default_factory=list)  # made in the question editor
    pages: dict[str, str] = field(default_factory=dict)  # pages seen while building


def check(html: str, where: str, *shown: str) -> None:
    """`html` holds nothing that runs, and shows each of `shown` as text."""
    tree = parse(html)
    found = violations(tree)
    assert found == [], f"{where}: {found}"
    if shown:
        text = text_of(tree)
        missing = [payload for payload in shown if squeeze(payload) not in text]
        assert missing == [], f"{where}: not shown as text: {missing}"


def ok(response, where: str) -> str:
    """The page of a response that must be a 200 HTML page."""
    assert response.status_code == 200, f"{where}: {response.status_code} {response.location}"
    assert response.mimetype == "text/html", f"{where}: {response.mimetype}"
    return response.get_data(as_text=True)


def open_world(database_url: str, root: Path, **config: object) -> Iterator[World]:
    """An app on the test database with a staff member and a learner; emptied afterwards."""
    app = make_app(database_url, root / "instance", **config)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            # A throwaway file: the thousands of commits need not wait for the disk.
            event.listen(db.engine, "connect", lambda connection, _: connection.execute(
                "PRAGMA synchronous = OFF"
            ))  # fmt: skip
            db.engine.dispose()
        sync_configured_content()
        staff = accounts.create_user("staff@example.com", "Staff", PASSWORD, set(ROLES))
        learner = accounts.create_user("learner@example.com", "Ola", PASSWORD, {"learner"})
        db.session.commit()
        staff_id, learner_id = staff.id, learner.id
    yield World(app, signed_in(app, staff_id), signed_in(app, learner_id), staff_id, learner_id)
    empty_database(app)


def signed_in(app: Flask, user_id: int) -> FlaskClient:
    """A client signed in as user `user_id`, without the cost of a password check."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    # The same address and browser as the client, or strong session protection drops it.
    with app.test_request_context(environ_base=client.environ_base):
        login_user(db.session.get(User, user_id))
        values = dict(session)
    with client.session_transaction() as client_session:
        client_session.update(values)
    return client


def write_courses(root: Path) -> None:
    """One course per payload, each with a lesson, a scenario, a dialogue and a final exam,
    the payload in every text field a file can hold."""
    for number, payload in enumerate(PAYLOADS):
        slug = f"c{number}"
        lessons, quizzes = root / "lessons" / slug, root / "quizzes" / slug
        lessons.mkdir(parents=True)
        quizzes.mkdir(parents=True)
        dump(lessons / "course.yaml", {
            "slug": slug, "title": payload, "language": "pl", "description": payload,
            "dimensions": [{"key": "d1", "label": label(payload), "lesson": "l"}],
            "categories": [{"key": key, "label": label(payload)} for key in ("B2B", "B2C")],
        })  # fmt: skip
        front = {
            "title": payload, "slug": "l", "dimension": "d1", "position": 1, "summary": payload,
            "estimated_minutes": 5, "objectives": [payload], "takeaways": [payload],
        }  # fmt: skip
        (lessons / "01-l.md").write_text(
            f"---\n{yaml.safe_dump(front, allow_unicode=True)}---\n## Sekcja\n\n{payload}\n",
            encoding="utf-8",
        )
        dump(quizzes / "bank.yaml", bank(payload))


def label(payload: str) -> dict[str, str]:
    """A taxonomy label; a fresh mapping each time, as one dumped twice becomes an alias."""
    return {"pl": payload, "en": payload}


def dump(path: Path, document: object) -> None:
    """`document` written as a YAML content file."""
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")


def bank(payload: str) -> dict[str, object]:
    """A question bank: a scenario and a dialogue, and a final exam drawing both."""
    option = {"text": payload, "feedback": payload}
    reply = {"text": payload, "feedback": payload}  # each use below is a fresh copy
    return {
        "questions": [
            {"id": "s", "type": "scenario", "dimension": "d1", "difficulty": 2, "market": "B2B",
             "situation": payload, "prompt": payload, "explanation": payload, "lesson": "l",
             "options": [{**option, "correct": True}, {**option, "text": f"{payload} 2"},
                         {**option, "text": f"{payload} 3"}]},
            {"id": "g", "type": "dialogue", "dimension": "d1", "difficulty": 2, "market": "B2C",
             "situation": payload, "explanation": payload, "lesson": "l#sekcja",
             "turns": [
                 {"id": "t1", "customer": payload, "replies": [
                     {**reply, "points": 2, "next": "t2"},
                     {**reply, "text": f"{payload} 2", "points": 0, "end": "bad",
                      "closing": payload}]},
                 {"id": "t2", "customer": payload, "replies": [
                     {**reply, "points": 2, "next": "t3"},
                     {**reply, "text": f"{payload} 2", "points": 0, "end": "bad"}]},
                 {"id": "t3", "customer": payload, "replies": [
                     {**reply, "points": 2, "end": "good", "closing": payload},
                     {**reply, "text": f"{payload} 2", "points": 0, "end": "bad"}]},
             ]},
        ],
        "quizzes": [
            {"slug": "egzamin", "title": payload, "final": True, "items": 2, "pass_mark": 50,
             "pool": {"questions": ["s", "g"]}},
        ],
    }  # fmt: skip


def employee_id(number: int, payload: str) -> str:
    """The payload as an employee id: at most 64 characters, and unique even where the import
    compares ids without case or spacing."""
    return f"{payload[:58]} #{number}"


def import_people(world: World, suffix: str = "") -> None:
    """One person per payload (name, department, employee id), and a rejected row per payload
    (its e-mail), through the HR import's preview and confirmation. Imported again with a
    `suffix`, every name and department changes, and the audit log lists each change."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["email", "name", "employee_id", "department", "roles"])
    for number, payload in enumerate(PAYLOADS):
        changed = f"{payload}{suffix}"
        writer.writerow([f"u{number}@example.com", changed, employee_id(number, payload),
                         changed, "learner"])  # fmt: skip
        writer.writerow([payload, "Zła", "", "", ""])
    data = {"file": (io.BytesIO(out.getvalue().encode()), "people.csv")}
    preview = ok(world.staff.post("/hr/import/", data=data), "import preview")
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', preview)
    assert token, "the import was not offered"
    world.pages[f"import preview{suffix}"] = preview
    world.pages[f"import result{suffix}"] = ok(
        world.staff.post("/hr/import/confirm", data={"token": token.group(1)}), "import result"
    )
    with world.app.app_context():
        users = {user.email: user for user in db.session.execute(db.select(User)).scalars()}
        world.user_ids = [users[f"u{n}@example.com"].id for n in range(len(PAYLOADS))]


def typed(payload: str) -> str:
    """`payload` as a form can carry it: the control characters that every request refuses
    with 400 (all but tab and line breaks) typed as spaces, which is how a page shows them."""
    return CONTROL_IN_FORM.sub(" ", payload)


def write_in_editors(world: World) -> None:
    """A lesson and a multiple-choice question per payload, written in the browser editors
    of the first and second courses, each lesson then saved again so that it has a history."""
    staff = world.staff
    for number, payload in enumerate(map(typed, PAYLOADS)):
        lesson = {
            "version": 1, "title": payload, "slug": f"f{number}", "dimension": "d1",
            "summary": payload, "estimated_minutes": 5, "objectives": payload,
            "takeaways": payload, "body": f"## Sekcja\r\n\r\n{payload}", "status": "published",
            "submit": "Save",
        }  # fmt: skip
        created = staff.post("/author/courses/c0/lessons/new", data=lesson)
        assert created.status_code == 302, (payload, created.text)
        lesson_id = int(created.location.rstrip("/").rsplit("/", 1)[1])
        saved = staff.post(
            f"/author/lessons/{lesson_id}", data={**lesson, "body": f"{payload}\r\n\r\n{payload}"}
        )
        assert saved.status_code == 302, (payload, saved.text)
        world.form_lessons.append(lesson_id)
        question = {
            "version": 1, "key": f"f{number}", "dimension": "d1", "difficulty": "2",
            "prompt": payload, "options-0-text": payload, "options-0-feedback": payload,
            "options-1-text": f"{payload} 2", "options-1-feedback": payload, "correct": "1",
            "explanation": payload, "lesson": "l", "submit": "Save",
        }  # fmt: skip
        created = staff.post("/author/questions/courses/c1/new/multiple_choice", data=question)
        assert created.status_code == 302, (payload, created.text)
        world.form_questions.append(int(created.location.rstrip("/").rsplit("/", 1)[1]))


def import_gift(world: World) -> None:
    """A GIFT file of one question per payload into the third course: the payload as plain
    text (the question, the right answer, its feedback) and as [html] (the other answer and
    its feedback, the general feedback), each after a word so that it is never empty."""
    questions = [
        f"::g{number}::{escape(payload)}{{\n"
        f"={escape(payload)}#{escape(payload)}\n"
        f"~[html]Nie {escape(payload)}#[html]Nie {escape(payload)}\n"
        f"####[html]Bo {escape(payload)}\n}}\n"
        for number, payload in enumerate(PAYLOADS)
    ]
    with world.app.app_context():
        lesson_id = db.session.execute(
            db.select(Lesson.id).join(Course).where(Course.slug == "c2", Lesson.slug == "l")
        ).scalar_one()
    data = {"lesson": str(lesson_id), "file": (io.BytesIO("\n".join(questions).encode()), "x.gift")}
    preview = ok(world.staff.post("/author/gift/", data=data), "GIFT preview")
    world.pages["GIFT preview"] = preview
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', preview)
    assert token, "the GIFT import was not offered"
    done = world.staff.post("/author/gift/import", data={"token": token.group(1)})
    assert done.status_code == 302
    world.pages["GIFT imported"] = ok(world.staff.get(done.location), "GIFT imported")
    with world.app.app_context():
        imported = db.session.execute(
            db.select(Question.id).join(Question.course).where(Course.slug == "c2")
        ).all()
        assert len(imported) == len(PAYLOADS) + 2, "every question of the file was imported"


def quiz_ids(world: World) -> list[int]:
    with world.app.app_context():
        by_course = dict(
            db.session.execute(db.select(Course.slug, Quiz.id).join(Quiz.course)).all()
        )
    return [by_course[f"c{number}"] for number in range(len(PAYLOADS))]


def award(world: World, user_ids: list[int], course_ids: list[int]) -> None:
    """Each of `user_ids` holds the certificate of the course at the same place."""
    with world.app.app_context():
        for user_id, course_id in zip(user_ids, course_ids, strict=True):
            db.session.add(CourseCompletion(
                user_id=user_id, course_id=course_id, score=90.0,
                certificate_code=progress.new_certificate_code(),
            ))  # fmt: skip
        db.session.commit()


def assign_and_open(world: World, course_slug: str) -> None:
    """Every imported person is assigned `course_slug` and has opened its first lesson."""
    with world.app.app_context():
        course = db.session.execute(
            db.select(Course).where(Course.slug == course_slug)
        ).scalar_one()
        people = [db.session.get(User, user_id) for user_id in world.user_ids]
        staff = db.session.get(User, world.staff_id)
        assignments.assign_people(course, people, date.today() + timedelta(days=30), staff)
        for user_id in world.user_ids:
            progress.open_lesson(user_id, catalogue.published_lessons(course)[0])
        db.session.commit()


def course_ids(world: World) -> list[int]:
    """The id of the course of each payload (content world)."""
    with world.app.app_context():
        by_slug = dict(db.session.execute(db.select(Course.slug, Course.id)).all())
    return [by_slug[f"c{number}"] for number in range(len(PAYLOADS))]
