"""The courses as learners see them are kept per process until the content changes: an edit
committed anywhere (another instance, the authoring pages, the content sync) shows at the
next request, on the lesson page, the dashboard and the course outline alike; an edit this
transaction has not committed yet is seen by its own session; and learners' own writes do
not throw the kept courses away."""

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.concurrency import waits_for
from tests.conftest import make_app
from trainer.extensions import db
from trainer.learning import progress, published
from trainer.models import ContentRevision, Course, Lesson, LessonStatus, QuestionStatus, Quiz
from trainer.models.revision import new_token

LESSON = "/courses/sample/lessons/proces-decyzyjny"


@pytest.fixture
def other(database_url: str, tmp_path: Path) -> Flask:
    """A second instance of Trainer on the same database, with its own process memory."""
    return make_app(database_url, tmp_path / "other")


def edit(app: Flask, change) -> None:
    with app.app_context():
        lesson = db.session.execute(
            db.select(Lesson).where(Lesson.slug == "proces-decyzyjny")
        ).scalar_one()
        change(lesson)
        db.session.commit()


def token(app: Flask) -> str:
    with app.app_context():
        return db.session.execute(db.select(ContentRevision.token)).scalar_one()


def test_an_edit_on_another_instance_shows_at_the_next_request(
    synced: Flask, other: Flask, client: FlaskClient, login_as
) -> None:
    login_as("learner")
    assert client.get(LESSON).status_code == 200  # the course is kept from here on
    edit(other, lambda lesson: setattr(lesson, "title", "Decyzje w B2B, nowe ujęcie"))
    assert "Decyzje w B2B, nowe ujęcie" in client.get(LESSON).text
    edit(other, lambda lesson: setattr(lesson, "body", "## Nowa treść\n\nZmieniona lekcja."))
    assert "Zmieniona lekcja." in client.get(LESSON).text
    edit(other, lambda lesson: setattr(lesson, "status", LessonStatus.DRAFT))
    assert client.get(LESSON).status_code == 404


def test_a_check_retired_elsewhere_leaves_the_lesson_page(
    synced: Flask, other: Flask, client: FlaskClient, login_as
) -> None:
    with synced.app_context():
        lesson_id = db.session.execute(
            db.select(Lesson.id).where(Lesson.slug == "proces-decyzyjny")
        ).scalar_one()
        check = db.session.execute(db.select(Quiz).where(Quiz.lesson_id == lesson_id)).scalar()
        assert check is not None, "the sample course checks this lesson"
        check_id = check.id
    login_as("learner")
    assert f"/quizzes/{check_id}" in client.get(LESSON).text
    with other.app_context():
        db.session.get(Quiz, check_id).status = QuestionStatus.RETIRED
        db.session.commit()
    assert f"/quizzes/{check_id}" not in client.get(LESSON).text


def test_the_dashboard_and_outline_show_edits_made_on_another_instance(
    synced: Flask, other: Flask, client: FlaskClient, login_as
) -> None:
    login_as("learner")
    assert client.get("/").status_code == 200  # the courses are kept from here on
    client.get("/courses/sample")
    with other.app_context():
        course = db.session.execute(db.select(Course).where(Course.slug == "sample")).scalar_one()
        course.title = "Sprzedaż B2B, wydanie drugie"
        lesson = db.session.execute(
            db.select(Lesson).where(Lesson.slug == "proces-decyzyjny")
        ).scalar_one()
        lesson.summary = "Decyzje zakupowe zapadają w komisji."
        db.session.commit()
    assert "Sprzedaż B2B, wydanie drugie" in client.get("/").text
    assert "Decyzje zakupowe zapadają w komisji." in client.get("/courses/sample").text
    with other.app_context():
        for lesson in db.session.execute(db.select(Lesson)).scalars():
            lesson.status = LessonStatus.DRAFT
        db.session.commit()
    assert "Sprzedaż B2B, wydanie drugie" not in client.get("/").text
    assert client.get("/courses/sample").status_code == 404


def test_a_final_exam_retired_elsewhere_is_no_longer_the_next_step(
    synced: Flask, other: Flask, make_user
) -> None:
    learner = make_user("learner@example.com", "learner")
    with synced.app_context():
        for lesson in published.published_course("sample").lessons:
            progress.complete_lesson(learner, lesson)
        db.session.commit()
        exam = progress.course_status(learner, published.published_course("sample")).next_quiz
        assert exam is not None, "every lesson done: the exam is next"
    with other.app_context():
        db.session.get(Quiz, exam.id).status = QuestionStatus.RETIRED
        db.session.commit()
    with synced.app_context():
        assert (
            progress.course_status(learner, published.published_course("sample")).next_quiz is None
        )


def test_the_final_exam_is_the_first_by_position_wherever_it_is_asked_for(
    synced: Flask, make_user
) -> None:
    """Two active final exams: the learner's next step and the demo data's exam are the
    same one, the first by position."""
    learner = make_user("learner@example.com", "learner")
    with synced.app_context():
        course = db.session.execute(db.select(Course).where(Course.slug == "sample")).scalar_one()
        first = progress.final_exam(course)
        db.session.add(
            Quiz(course_id=course.id, slug="drugi-egzamin", title="Drugi egzamin",
                 position=first.position + 1, is_final=True, items_per_attempt=1, pass_mark=50)
        )  # fmt: skip
        db.session.commit()
        assert progress.final_exam(course).id == first.id
        for lesson in published.published_course("sample").lessons:
            progress.complete_lesson(learner, lesson)
        assert progress.course_status(learner, course).next_quiz.id == first.id


def test_a_course_deleted_meanwhile_has_nothing_left_to_complete(
    synced: Flask, other: Flask, make_user
) -> None:
    learner = make_user("learner@example.com", "learner")
    with synced.app_context():
        course = db.session.execute(db.select(Course).where(Course.slug == "sample")).scalar_one()
        assert progress.course_status(learner, course).lessons_total > 0
        with other.app_context():  # by SQL: Trainer itself never deletes a course
            db.session.execute(db.delete(Course).where(Course.id == course.id))
            db.session.execute(db.update(ContentRevision).values(token=new_token()))
            db.session.commit()
        status = progress.course_status(learner, course)  # the request still holds the row
        assert (status.lessons_total, status.next_quiz) == (0, None)
        assert progress.record_completion_if_earned(learner, course) is None


def test_a_transaction_sees_its_own_content_edits_and_keeps_none_of_them(synced: Flask) -> None:
    with synced.app_context():
        kept = published.catalogue()
        lessons = len(published.published_course("sample").lessons)
        lesson = db.session.execute(
            db.select(Lesson).where(Lesson.slug == "proces-decyzyjny")
        ).scalar_one()
        lesson.status = LessonStatus.DRAFT  # not flushed yet: reading the token flushes it
        assert len(published.published_course("sample").lessons) == lessons - 1
        assert published.catalogue() is not kept
        db.session.rollback()
        assert published.catalogue() is kept  # what was kept is still the content


def test_content_writes_move_the_token_and_learners_writes_do_not(
    synced: Flask, client: FlaskClient, login_as
) -> None:
    login_as("learner")
    before = token(synced)
    client.get(LESSON)
    assert client.post(f"{LESSON}/done").status_code == 302
    assert token(synced) == before  # opening and finishing a lesson leave the content alone
    edit(synced, lambda lesson: setattr(lesson, "title", lesson.title))  # set, not changed
    assert token(synced) == before
    edit(synced, lambda lesson: setattr(lesson, "estimated_minutes", 9))
    assert token(synced) != before


def test_without_the_revision_row_every_request_reads_the_course(
    synced: Flask, client: FlaskClient, login_as
) -> None:
    """A database whose row is missing still serves lessons, read anew each time."""
    with synced.app_context():
        kept = db.session.execute(db.select(ContentRevision)).scalar_one()
        saved = (kept.id, kept.token)
        db.session.delete(kept)
        db.session.commit()
    try:
        login_as("learner")
        assert client.get(LESSON).status_code == 200
        with synced.app_context():
            db.session.execute(
                db.update(Lesson)
                .where(Lesson.slug == "proces-decyzyjny")
                .values(title="Bez tokenu")
            )
            db.session.commit()
        assert "Bez tokenu" in client.get(LESSON).text
    finally:
        with synced.app_context():
            db.session.add(ContentRevision(id=saved[0], token=saved[1]))
            db.session.commit()


def test_two_content_writers_do_not_deadlock_on_the_token(synced: Flask) -> None:
    """On PostgreSQL: one transaction changes lesson A, then lesson B, which another
    transaction changed meanwhile. The second waits for the first's row lock, not both for
    each other: the token is changed only as each commits, its lock the last one taken.
    (SQLite has one writer at a time.)"""
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    with synced.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite runs one write transaction at a time")
        first, second = db.session.execute(
            db.select(Lesson.id).order_by(Lesson.position).limit(2)
        ).scalars()
        before = db.session.execute(db.select(ContentRevision.token)).scalar_one()
        db.session.commit()
        engine = db.engine

        def retitle(session: Session, lesson_id: int, title: str) -> None:
            session.get(Lesson, lesson_id).title = title
            session.flush()

        with Session(engine) as one, Session(engine) as two:
            for session in (one, two):  # a wait that would never end fails the test instead
                session.execute(text("SET LOCAL lock_timeout = '5s'"))
            retitle(one, first, "Pierwsza, zmieniona")
            retitle(two, second, "Druga, zmieniona przez drugiego")

            def finish_one() -> None:
                retitle(one, second, "Druga, zmieniona przez pierwszego")  # waits for two
                one.commit()

            waits_for(finish_one, two.commit, "the first writer did not wait for the second's row")
        titles = dict(db.session.execute(db.select(Lesson.id, Lesson.title)).all())
        assert titles[second] == "Druga, zmieniona przez pierwszego"
        assert db.session.execute(db.select(ContentRevision.token)).scalar_one() != before
