"""Times in the learner's zone: the account's choice, the browser's at first sign-in, the site's."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import PASSWORD, get_user
from tests.learning.test_quiz import quiz_id, start
from trainer.extensions import db
from trainer.models import Assignment, Attempt, Course, CourseCompletion, Quiz, User
from trainer.people.assignments import due_at_end_of

# Far ahead, so that the attempt is still open; January, so that Warsaw keeps CET (no DST).
DEADLINE = datetime(2099, 1, 15, 12, 0, tzinfo=UTC)
TOKYO = ZoneInfo("Asia/Tokyo")


def set_zone(app: Flask, user_id: int, zone: str | None) -> None:
    with app.app_context():
        db.session.get(User, user_id).time_zone = zone
        db.session.commit()


def timed_attempt(app: Flask, client: FlaskClient) -> int:
    """An attempt at the final exam, limited to 30 minutes, that ends at DEADLINE."""
    exam = quiz_id(app, "egzamin")
    with app.app_context():
        db.session.get(Quiz, exam).time_limit_minutes = 30
        db.session.commit()
    attempt_id = start(client, exam)
    with app.app_context():
        db.session.get(Attempt, attempt_id).started_at = DEADLINE - timedelta(minutes=30)
        db.session.commit()
    return attempt_id


@pytest.mark.parametrize(
    ("zone", "shown"),
    [(None, "1:00 PM CET"), ("Asia/Tokyo", "9:00 PM JST"), ("America/Sao_Paulo", "9:00 AM -03")],
)
def test_deadline_is_shown_in_the_learners_zone_with_its_label(
    synced: Flask, client: FlaskClient, login_as, zone: str | None, shown: str
) -> None:
    set_zone(synced, login_as("learner"), zone)
    attempt_id = timed_attempt(synced, client)
    for page in (f"/attempts/{attempt_id}/items/1", f"/attempts/{attempt_id}"):
        html = client.get(page).text.replace("\u202f", " ")  # Babel's narrow space before PM
        assert f"Time runs out at {shown}." in html
        # The countdown's script reads the instant itself, in UTC.
        assert 'data-deadline="2099-01-15T12:00:00.000Z"' in html


def test_polish_pages_use_the_24_hour_clock(
    synced: Flask, polish_client: FlaskClient, make_user
) -> None:
    make_user("ola@example.com")
    polish_client.post("/login", data={"email": "ola@example.com", "password": PASSWORD})
    attempt_id = timed_attempt(synced, polish_client)
    assert "Czas upływa o 13:00 CET." in polish_client.get(f"/attempts/{attempt_id}").text


def test_attempt_history_and_cooldown_are_local(
    synced: Flask, client: FlaskClient, login_as
) -> None:
    set_zone(synced, login_as("learner"), "Asia/Tokyo")
    exam = quiz_id(synced, "egzamin")
    with synced.app_context():
        db.session.get(Quiz, exam).cooldown_minutes = 60
        db.session.commit()
    attempt_id = start(client, exam)
    client.post(f"/attempts/{attempt_id}/submit")
    submitted = datetime.now(UTC).replace(microsecond=0)
    with synced.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        attempt.started_at = attempt.submitted_at = submitted
        db.session.commit()
    html = client.get(f"/quizzes/{exam}").text
    assert " JST</td>" in html  # the attempt's start, labelled with the learner's zone
    until = (submitted + timedelta(minutes=60)).astimezone(TOKYO)
    assert f"{until:%-I:%M %p} JST" in html.replace("\u202f", " ")


def test_account_sets_and_clears_the_zone(synced: Flask, client: FlaskClient, login_as) -> None:
    user_id = login_as("learner")
    page = client.get("/account").text
    assert "As the site: Europe/Warsaw" in page and '<option value="Asia/Tokyo">' in page
    response = client.post("/account", data={"tz-time_zone": "Asia/Tokyo", "tz-submit": "Save"})
    assert response.status_code == 302
    assert get_user(synced, user_id).time_zone == "Asia/Tokyo"
    client.post("/account", data={"tz-time_zone": "", "tz-submit": "Save"})
    assert get_user(synced, user_id).time_zone is None


@pytest.mark.parametrize("bad", ["Mars/Olympus_Mons", "../../etc/passwd", "UTC' OR 1=1", "x" * 300])
def test_account_refuses_an_unknown_zone(
    synced: Flask, client: FlaskClient, login_as, bad: str
) -> None:
    user_id = login_as("learner")
    set_zone(synced, user_id, "Asia/Tokyo")
    response = client.post("/account", data={"tz-time_zone": bad, "tz-submit": "Save"})
    assert response.status_code == 200
    assert "Not a valid choice" in response.text
    assert get_user(synced, user_id).time_zone == "Asia/Tokyo"


def test_the_zone_needs_a_signed_in_user(client: FlaskClient) -> None:
    response = client.post("/account", data={"tz-time_zone": "Asia/Tokyo", "tz-submit": "Save"})
    assert response.status_code == 302 and "/login" in response.location


def sign_in(client: FlaskClient, zone: str) -> None:
    data = {"email": "learner@example.com", "password": PASSWORD, "time_zone": zone}
    assert client.post("/login", data=data).status_code == 302


def test_first_sign_in_takes_the_browsers_zone(
    synced: Flask, client: FlaskClient, make_user
) -> None:
    user_id = make_user()
    sign_in(client, "America/New_York")
    assert get_user(synced, user_id).time_zone == "America/New_York"
    assert "America/New_York" in client.get("/").text  # said once, with where to change it
    client.post("/logout")
    sign_in(client, "Asia/Tokyo")  # a later sign-in elsewhere keeps the choice
    assert get_user(synced, user_id).time_zone == "America/New_York"


@pytest.mark.parametrize("zone", ["", "Nowhere/Atlantis", "Europe/Warsa"])
def test_sign_in_ignores_a_missing_or_unknown_zone(
    synced: Flask, client: FlaskClient, make_user, zone: str
) -> None:
    user_id = make_user()
    sign_in(client, zone)
    assert get_user(synced, user_id).time_zone is None


def test_certificate_date_is_the_holders_local_date(
    synced: Flask, client: FlaskClient, login_as
) -> None:
    user_id = login_as("learner")
    with synced.app_context():
        course = db.session.execute(db.select(Course).where(Course.slug == "sample")).scalar_one()
        db.session.add(
            CourseCompletion(
                user_id=user_id,
                course_id=course.id,
                score=90.0,
                certificate_code="K7QM-4XPA-2HRT",
                completed_at=datetime(2026, 11, 30, 23, 30, tzinfo=UTC),  # 00:30 in Warsaw
            )
        )
        db.session.commit()
    assert "December 1, 2026" in client.get("/certificates/K7QM-4XPA-2HRT").text
    set_zone(synced, user_id, "America/New_York")
    assert "November 30, 2026" in client.get("/certificates/K7QM-4XPA-2HRT").text


def test_a_due_date_stays_the_day_it_names(synced: Flask, client: FlaskClient, login_as) -> None:
    """Due dates are whole days (stored as their last second in UTC): no zone moves them."""
    user_id = login_as("learner")
    set_zone(synced, user_id, "Asia/Tokyo")  # 23:59 UTC is the next morning in Tokyo
    with synced.app_context():
        course = db.session.execute(db.select(Course).where(Course.slug == "sample")).scalar_one()
        db.session.add(
            Assignment(
                user_id=user_id, course_id=course.id, due_at=due_at_end_of(date(2099, 3, 10))
            )
        )
        db.session.commit()
    assert "due by March 10, 2099" in client.get("/").text
