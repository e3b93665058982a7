"""What a lesson page shows of a course is kept per process until the content changes: an
edit committed anywhere (another instance, the authoring pages, the content sync) shows at
the next request, and learners' own writes do not throw the kept course away."""

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import make_app
from trainer.extensions import db
from trainer.models import ContentRevision, Lesson, LessonStatus, QuestionStatus, Quiz

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
