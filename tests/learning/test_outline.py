"""The course outline (a status per lesson and quiz, the next step) and the running-exam card."""

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient

from tests.learning.test_quiz import answer_all, quiz_id, start
from trainer.extensions import db
from trainer.learning.outline import Kind, Status, course_outline, open_timed_attempts
from trainer.learning.published import published_course
from trainer.models import Attempt, Quiz


def outline_of(app: Flask, user_id: int) -> list[tuple[str, str, str, bool]]:
    with app.app_context():
        found = course_outline(user_id, published_course("sample"))
        return [(row.kind, row.title, row.status, row.is_next) for row in found.rows]


def minutes_left(app: Flask, user_id: int) -> int:
    with app.app_context():
        return course_outline(user_id, published_course("sample")).minutes_left


def set_quiz(app: Flask, quiz: int, **fields: object) -> None:
    with app.app_context():
        row = db.session.get(Quiz, quiz)
        for name, value in fields.items():
            setattr(row, name, value)
        db.session.commit()


def test_a_new_learner_sees_every_row_not_started_and_the_first_lesson_next(
    synced: Flask, client: FlaskClient, login_as
) -> None:
    learner = login_as("learner")
    assert outline_of(synced, learner) == [
        (Kind.LESSON, "Wstęp", Status.NOT_STARTED, True),
        (Kind.LESSON, "Różnice w procesie decyzyjnym", Status.NOT_STARTED, False),
        (Kind.CHECK, "Sprawdzian", Status.NOT_STARTED, False),
        (Kind.EXAM, "Egzamin", Status.NOT_STARTED, False),
    ]
    assert minutes_left(synced, learner) == 3 + 5 + 2 + 4  # lessons, then a minute per item
    page = client.get("/courses/sample").text
    assert page.count("not started") == 4 and page.count('aria-current="step"') == 1
    assert "About 14 min left" in page


def test_reading_moves_the_next_step_on(synced: Flask, client: FlaskClient, login_as) -> None:
    learner = login_as("learner")
    client.get("/courses/sample/lessons/wstep")
    assert outline_of(synced, learner)[0][2:] == (Status.OPENED, True)
    client.post("/courses/sample/lessons/wstep/done")
    rows = outline_of(synced, learner)
    assert rows[0][2:] == (Status.READ, False) and rows[1][3] is True
    assert minutes_left(synced, learner) == 5 + 2 + 4


def test_a_pass_shows_its_score_and_a_fail_its_cooldown(
    synced: Flask, client: FlaskClient, login_as
) -> None:
    learner = login_as("learner")
    check, exam = quiz_id(synced, "sprawdzian"), quiz_id(synced, "egzamin")
    passed = start(client, check)
    answer_all(synced, client, passed)
    client.post(f"/attempts/{passed}/submit")
    set_quiz(synced, exam, cooldown_minutes=60)
    failed = start(client, exam)
    answer_all(synced, client, failed, right=False)
    client.post(f"/attempts/{failed}/submit")
    statuses = {title: status for _, title, status, _ in outline_of(synced, learner)}
    assert statuses["Sprawdzian"] == Status.PASSED and statuses["Egzamin"] == Status.COOLDOWN
    page = client.get("/courses/sample").text
    assert "passed, 100%" in page and "not passed, 0%" in page
    assert "try again after" in page and (" CET" in page or " CEST" in page)

    with synced.app_context():  # the cool-down is over: may try again
        db.session.get(Attempt, failed).submitted_at -= timedelta(minutes=61)
        db.session.commit()
    statuses = {title: status for _, title, status, _ in outline_of(synced, learner)}
    assert statuses["Egzamin"] == Status.FAILED
    set_quiz(synced, exam, attempts_allowed=1)
    statuses = {title: status for _, title, status, _ in outline_of(synced, learner)}
    assert statuses["Egzamin"] == Status.NO_ATTEMPTS_LEFT
    assert "no attempts left" in client.get("/courses/sample").text


def test_an_unfinished_attempt_is_in_progress(synced: Flask, client: FlaskClient, login_as) -> None:
    learner = login_as("learner")
    start(client, quiz_id(synced, "sprawdzian"))
    statuses = {title: status for _, title, status, _ in outline_of(synced, learner)}
    assert statuses["Sprawdzian"] == Status.IN_PROGRESS


def test_the_dashboard_offers_a_way_back_to_a_running_exam(
    synced: Flask, client: FlaskClient, login_as
) -> None:
    learner = login_as("learner")
    exam = quiz_id(synced, "egzamin")
    start(client, exam)  # untimed: no card
    assert "Back to the exam" not in client.get("/").text
    set_quiz(synced, exam, time_limit_minutes=30)
    attempt_id = start(client, exam)
    page = client.get("/").text
    assert "Back to the exam — 30 min left" in page
    assert f'href="/attempts/{attempt_id}/items/1"' in page
    with synced.app_context():
        assert [e.attempt.id for e in open_timed_attempts(learner)] == [attempt_id]
    client.post(f"/attempts/{attempt_id}/submit")
    assert "Back to the exam" not in client.get("/").text


def test_the_card_ends_with_the_time(synced: Flask, client: FlaskClient, login_as) -> None:
    login_as("learner")
    exam = quiz_id(synced, "egzamin")
    set_quiz(synced, exam, time_limit_minutes=30)
    attempt_id = start(client, exam)
    with synced.app_context():
        db.session.get(Attempt, attempt_id).started_at -= timedelta(minutes=31)
        db.session.commit()
    assert "Back to the exam" not in client.get("/").text


def test_nobody_sees_anothers_running_exam(
    synced: Flask, client: FlaskClient, login_as, make_user, auth
) -> None:
    login_as("learner")
    exam = quiz_id(synced, "egzamin")
    set_quiz(synced, exam, time_limit_minutes=30)
    start(client, exam)
    client.post("/logout")
    make_user("other@example.com")
    auth.login("other@example.com")
    assert "Back to the exam" not in client.get("/").text
    assert "not started" in client.get("/courses/sample").text
