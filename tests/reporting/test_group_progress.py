"""Group progress for trainers: one row per learner of a course, filtered by department."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from trainer.extensions import db
from trainer.models import Attempt, Course, CourseCompletion, Lesson, LessonProgress, Quiz
from trainer.models.types import utcnow
from trainer.people import accounts
from trainer.people.assignments import departments
from trainer.reporting.group_progress import course_progress, status_counts


def add_user(email: str, department: str | None, roles: set[str], active: bool = True) -> int:
    user = accounts.create_user(email, email.split("@")[0].title(), None, roles,
                                department=department)  # fmt: skip
    user.active = active
    db.session.flush()
    return user.id


def lesson(slug: str) -> Lesson:
    return db.session.execute(db.select(Lesson).where(Lesson.slug == slug)).scalar_one()


def graded(user_id: int, quiz_slug: str, percent: float) -> None:
    quiz = db.session.execute(db.select(Quiz).where(Quiz.slug == quiz_slug)).scalar_one()
    db.session.add(Attempt(
        user_id=user_id, quiz_id=quiz.id, status="graded", submitted_at=utcnow(),
        score=0, max_score=1, percent=percent, passed=percent >= quiz.pass_mark,
    ))  # fmt: skip


@pytest.fixture
def learners(synced: Flask) -> Flask:
    """The sample course (2 published lessons, a draft) and its learners:

    Anna (Sprzedaż): both lessons done, final exam 50% then 90%, completed.
    Bartek (Sprzedaż): opened the first lesson only: in progress.
    Celina (Marketing): nothing yet: not started.
    Dawid (Marketing): one lesson done and 100% in the (non-final) check: in progress.
    Not listed: an HR user, an inactive learner.
    """
    with synced.app_context():
        now = utcnow()
        anna = add_user("anna@example.com", "Sprzedaż", {"learner"})
        bartek = add_user("bartek@example.com", "Sprzedaż", {"learner"})
        add_user("celina@example.com", "Marketing", {"learner"})
        dawid = add_user("dawid@example.com", "Marketing", {"learner", "trainer"})
        add_user("kadry@example.com", "Kadry", {"hr"})
        add_user("gone@example.com", "Marketing", {"learner"}, active=False)
        for slug in ("wstep", "proces-decyzyjny"):
            db.session.add(
                LessonProgress(user_id=anna, lesson_id=lesson(slug).id, completed_at=now)
            )
        db.session.add(LessonProgress(user_id=bartek, lesson_id=lesson("wstep").id))
        db.session.add(
            LessonProgress(user_id=dawid, lesson_id=lesson("wstep").id, completed_at=now)
        )
        graded(anna, "egzamin", 50.0)
        graded(anna, "egzamin", 90.0)
        graded(dawid, "sprawdzian", 100.0)
        course = db.session.execute(db.select(Course)).scalar_one()
        db.session.add(CourseCompletion(user_id=anna, course_id=course.id, score=90.0,
                                        certificate_code="AAAA-BBBB-CCCC"))  # fmt: skip
        db.session.commit()
    return synced


def sample() -> Course:
    return db.session.execute(db.select(Course).where(Course.slug == "sample")).scalar_one()


def test_rows_say_where_each_learner_stands(learners: Flask) -> None:
    with learners.app_context():
        rows = course_progress(sample())
    table = [
        (r.name, r.department, r.lessons_done, r.lessons_total, r.attempts, r.best_score, r.status)
        for r in rows
    ]
    assert table == [
        ("Anna", "Sprzedaż", 2, 2, 2, 90.0, "completed"),
        ("Bartek", "Sprzedaż", 0, 2, 0, None, "in_progress"),
        ("Celina", "Marketing", 0, 2, 0, None, "not_started"),
        ("Dawid", "Marketing", 1, 2, 1, None, "in_progress"),
    ]
    assert status_counts(rows) == {"not_started": 1, "in_progress": 2, "completed": 1}


def test_department_filter(learners: Flask) -> None:
    with learners.app_context():
        # Kadry has only an HR user; Logistyka only a learner who has left.
        add_user("left@example.com", "Logistyka", {"learner"}, active=False)
        assert departments() == ["Marketing", "Sprzedaż"]
        names = [row.name for row in course_progress(sample(), "Marketing")]
    assert names == ["Celina", "Dawid"]


@contextmanager
def queries(app: Flask) -> Iterator[list[str]]:
    """The SQL statements run inside the block."""
    statements: list[str] = []

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def test_one_query_for_every_learner(learners: Flask) -> None:
    with learners.app_context():
        course = sample()
        with queries(learners) as statements:
            rows = course_progress(course)
    assert len(rows) == 4 and len(statements) == 1


# --- The page ---------------------------------------------------------------------------------


@pytest.fixture
def trainer(learners: Flask, login_as) -> int:
    return login_as("trainer")


def test_page_lists_learners(learners: Flask, client: FlaskClient, trainer: int) -> None:
    page = client.get("/author/analysis/courses/sample/progress")
    assert page.status_code == 200
    for name in ("Anna", "Bartek", "Celina", "Dawid"):
        assert f'<th scope="row">{name}</th>' in page.text
    assert "Kadry" not in page.text and "Gone" not in page.text


def test_page_filters_by_department(learners: Flask, client: FlaskClient, trainer: int) -> None:
    page = client.get("/author/analysis/courses/sample/progress?department=Marketing")
    assert "Celina" in page.text and "Anna" not in page.text
    assert '<option selected value="Marketing">' in page.text


def test_unknown_department_is_said_and_filters_nothing(
    learners: Flask, client: FlaskClient, trainer: int
) -> None:
    page = client.get("/author/analysis/courses/sample/progress?department=Nieznany")
    assert page.status_code == 200
    assert 'class="errors"' in page.text
    assert "Anna" in page.text and "Celina" in page.text


def test_unknown_course_is_404(learners: Flask, client: FlaskClient, trainer: int) -> None:
    assert client.get("/author/analysis/courses/nie-ma/progress").status_code == 404


@pytest.mark.parametrize("role", ["learner", "hr"])
def test_other_roles_get_403(learners: Flask, client: FlaskClient, login_as, role: str) -> None:
    login_as(role)
    assert client.get("/author/analysis/courses/sample/progress").status_code == 403
