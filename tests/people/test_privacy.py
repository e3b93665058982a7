"""Personal data: a learner downloads only their own; an admin erases a person without trace."""

import json
import random
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import PASSWORD, csrf_token, get_user, make_app
from trainer.extensions import db
from trainer.learning import attempts, catalogue, progress
from trainer.models import (
    Assignment,
    Attempt,
    AttemptItem,
    AuditEvent,
    CourseCompletion,
    PracticeItem,
    Quiz,
    User,
)
from trainer.models.types import utcnow
from trainer.people import audit

NAME = "Łucja Śledź-Wiśniewska"
EMAIL = "lucja.sledz@firma.pl"
EMPLOYEE_ID = "TRACE-0077"


def take_quiz(user_id: int, slug: str, right: bool) -> Attempt:
    """Start and submit a quiz with every answer right (or wrong), through the services."""
    quiz = db.session.execute(db.select(Quiz).where(Quiz.slug == slug)).scalar_one()
    attempt = attempts.start_attempt(user_id, quiz, random.Random(1))
    for item in attempt.items:
        question = item.question
        if question.type == "scenario":
            wrong_market = "B2C" if question.market == "B2B" else "B2B"
            attempts.save_answer(
                attempt, item, "market", question.market if right else wrong_market
            )
        option = next(o for o in question.options if o.is_correct == right)
        attempts.save_answer(attempt, item, "option", str(option.id))
    return attempts.submit(attempt)


def build_history(app: Flask, user_id: int, admin_id: int) -> str:
    """Lessons, a failed check, a passed exam, an assignment, audit events; the certificate code."""
    with app.app_context():
        user = db.session.get(User, user_id)
        admin = db.session.get(User, admin_id)
        course = catalogue.course_by_slug("sample")
        for lesson in catalogue.published_lessons(course):
            progress.complete_lesson(user_id, lesson)
        take_quiz(user_id, "sprawdzian", right=False)  # fills the practice queue
        take_quiz(user_id, "egzamin", right=True)  # completes the course
        db.session.add(
            Assignment(user_id=user_id, course_id=course.id, due_at=utcnow() + timedelta(days=7),
                       department="Sprzedaż B2B", assigned_by_id=admin_id)
        )  # fmt: skip
        # Events naming the person: as actor, and in another actor's details.
        audit.record(user, "report.export", {"filter": {"department": "Sprzedaż B2B"}}, 3)
        audit.record(admin, "roles.change", {"user": EMAIL, "before": ["learner"], "after": ["hr"]})
        audit.record("cli", "note", {"who": f"{NAME} <{EMAIL}>", EMPLOYEE_ID: [NAME.upper()]})
        # HR looked the person up by part of a name, and the API by part of the e-mail.
        audit.record(admin, "export.csv", {"format": "csv", "filter": {"search": "śledź"}}, 1)
        audit.record("token:Kadry", "api.completions", {"filters": {"search": "LUCJA.s"}}, 1)
        audit.record(admin, "export.xlsx", {"format": "xlsx", "filter": {"search": "Nowak"}}, 4)
        db.session.commit()
        completion = db.session.execute(
            db.select(CourseCompletion).where(CourseCompletion.user_id == user_id)
        ).scalar_one()
        return completion.certificate_code


@pytest.fixture
def person(synced: Flask, make_user) -> int:
    return make_user(EMAIL, "learner", "hr", name=NAME, employee_id=EMPLOYEE_ID,
                     department="Sprzedaż B2B")  # fmt: skip


def test_learner_downloads_all_and_only_their_own_data(
    synced: Flask, client: FlaskClient, person: int, make_user, auth
) -> None:
    admin = make_user("admin@example.com", "admin")
    build_history(synced, person, admin)
    other = make_user("other@firma.pl", name="Inny Ktoś")
    with synced.app_context():
        take_quiz(other, "sprawdzian", right=True)
        db.session.commit()
    auth.login(EMAIL)
    page = client.get("/my-data")
    assert page.status_code == 200
    assert "/my-data/download" in page.text
    response = client.get("/my-data/download")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.text)
    assert data["profile"]["email"] == EMAIL and data["profile"]["name"] == NAME
    assert data["profile"]["employee_id"] == EMPLOYEE_ID
    assert data["roles"] == ["hr", "learner"]
    assert {row["lesson"] for row in data["lesson_progress"]} == {"wstep", "proces-decyzyjny"}
    assert [a["quiz"] for a in data["attempts"]] == ["sprawdzian", "egzamin"]
    exam = data["attempts"][1]
    assert exam["passed"] is True and exam["answers"]
    assert all(answer["answer"]["option"] for answer in exam["answers"])
    assert data["completions"][0]["certificate_code"]
    assert data["assignments"][0]["course"] == "sample"
    assert data["practice_queue"]
    assert "other@firma.pl" not in response.text and "Inny" not in response.text


@pytest.mark.parametrize("path", ["/my-data", "/my-data/download"])
def test_my_data_needs_sign_in(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response.location.startswith("/login")


def test_account_page_links_to_my_data(client: FlaskClient, login_as) -> None:
    login_as("learner")
    assert "/my-data" in client.get("/account").text


def dump_database(app: Flask) -> str:
    """Every value of every row of every table, as one text."""
    chunks = []
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(table.select()).mappings():
                chunks.append(json.dumps(dict(row), ensure_ascii=False, default=str))
    return "\n".join(chunks)


def test_erasure_leaves_no_trace_but_keeps_statistics(
    synced: Flask, client: FlaskClient, person: int, make_user, auth
) -> None:
    admin = make_user("admin@example.com", "admin")
    code = build_history(synced, person, admin)
    before = dump_database(synced)
    assert EMAIL in before and NAME in before and EMPLOYEE_ID in before
    with synced.app_context():
        answers = db.session.query(AttemptItem).count()

    auth.login("admin@example.com")
    confirm_page = client.get(f"/admin/users/{person}/erase")
    assert confirm_page.status_code == 200 and NAME in confirm_page.text
    response = client.post(f"/admin/users/{person}/erase")
    assert response.status_code == 302

    after = dump_database(synced).casefold()
    for trace in (EMAIL, NAME, EMPLOYEE_ID, "Śledź", "lucja.sledz"):
        assert trace.casefold() not in after, trace
    user = get_user(synced, person)
    label = f"Usunięty użytkownik {person}"
    assert user.display_name == label
    assert user.email.startswith("erased-") and user.email.endswith("@invalid")
    assert (user.employee_id, user.department, user.password_hash) == (None, None, None)
    assert not user.active and user.role_names == set()
    with synced.app_context():
        # Answers and the completion stay for statistics; the person's queue does not.
        assert db.session.query(AttemptItem).count() == answers
        assert db.session.query(CourseCompletion).filter_by(user_id=person).count() == 1
        assert db.session.query(PracticeItem).filter_by(user_id=person).count() == 0
        assert db.session.query(Assignment).filter_by(user_id=person).count() == 0
        events = {e.action: e for e in db.session.execute(db.select(AuditEvent)).scalars()}
        assert events["report.export"].actor == label
        assert events["roles.change"].details["user"] == label
        assert events["user.erase"].details == {"user_id": person}
        assert events["export.csv"].details["filter"] == {"search": label}
        assert events["api.completions"].details["filters"] == {"search": label}
        assert events["export.xlsx"].details["filter"] == {"search": "Nowak"}  # someone else
        assert events["user.erase"].actor == "admin@example.com"
    verify = client.get(f"/verify/{code}")
    assert verify.status_code == 200
    assert label in verify.text
    # The erased person can no longer sign in, with any password.
    auth.logout()
    assert auth.login(user.email, PASSWORD).status_code == 200


def test_erasure_leaves_no_copy_in_the_sqlite_files(
    synced: Flask, client: FlaskClient, person: int, make_user, auth
) -> None:
    url = synced.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("sqlite:///"):
        pytest.skip("the files of a SQLite database; PostgreSQL keeps its own")
    path = Path(url.removeprefix("sqlite:///"))
    build_history(synced, person, make_user("admin@example.com", "admin"))
    auth.login("admin@example.com")
    assert client.post(f"/admin/users/{person}/erase").status_code == 302
    for file in (path, path.with_name(path.name + "-wal")):
        if file.exists():
            data = file.read_bytes()
            for trace in (EMAIL, NAME, EMPLOYEE_ID):
                assert trace.encode() not in data, (file.name, trace)


def test_admin_cannot_erase_themselves(app: Flask, client: FlaskClient, login_as) -> None:
    me = login_as("admin")
    for response in (
        client.get(f"/admin/users/{me}/erase"),
        client.post(f"/admin/users/{me}/erase"),
    ):
        assert response.status_code == 302
    user = get_user(app, me)
    assert user.active and user.email == "admin@example.com"
    with app.app_context():
        assert db.session.query(AuditEvent).filter_by(action="user.erase").count() == 0


def test_erasing_twice_changes_nothing_more(
    app: Flask, client: FlaskClient, login_as, make_user
) -> None:
    login_as("admin")
    other = make_user("ewa@firma.pl")
    client.post(f"/admin/users/{other}/erase")
    erased = get_user(app, other).email
    response = client.post(f"/admin/users/{other}/erase")
    assert response.status_code == 302
    assert get_user(app, other).email == erased
    with app.app_context():
        assert db.session.query(AuditEvent).filter_by(action="user.erase").count() == 1


def test_unknown_user_is_404(client: FlaskClient, login_as) -> None:
    login_as("admin")
    assert client.get("/admin/users/999999/erase").status_code == 404
    assert client.post("/admin/users/999999/erase").status_code == 404


def test_users_page_offers_erase(client: FlaskClient, login_as, make_user) -> None:
    me = login_as("admin")
    other = make_user("ewa@firma.pl")
    page = client.get("/admin/users").text
    assert f"/admin/users/{other}/erase" in page
    assert f"/admin/users/{me}/erase" not in page


@pytest.mark.parametrize("role", ["learner", "trainer", "hr"])
def test_only_admins_may_erase(
    app: Flask, client: FlaskClient, login_as, make_user, role: str
) -> None:
    login_as(role)
    other = make_user("ewa@firma.pl")
    assert client.get(f"/admin/users/{other}/erase").status_code == 403
    assert client.post(f"/admin/users/{other}/erase").status_code == 403
    assert get_user(app, other).email == "ewa@firma.pl"


def test_anonymous_erase_goes_to_sign_in(client: FlaskClient, make_user) -> None:
    other = make_user("ewa@firma.pl")
    for response in (
        client.get(f"/admin/users/{other}/erase"),
        client.post(f"/admin/users/{other}/erase"),
    ):
        assert response.status_code == 302
        assert response.location.startswith("/login")


def test_erase_needs_csrf(database_url: str, tmp_path, make_user) -> None:
    admin = make_user("root@example.com", "admin")
    other = make_user("ewa@firma.pl")
    app = make_app(database_url, tmp_path / "csrf", WTF_CSRF_ENABLED=True)
    client = app.test_client()
    token = csrf_token(client.get("/login").text)
    login = {"email": "root@example.com", "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=login).status_code == 302
    assert admin != other
    assert client.post(f"/admin/users/{other}/erase").status_code == 400
    assert get_user(app, other).email == "ewa@firma.pl"


def test_erasure_clears_the_manager_field_and_where_the_person_is_a_manager(
    synced: Flask, client: FlaskClient, make_user, auth
) -> None:
    person = make_user(EMAIL, "learner", name=NAME, manager="Marek Kierownik")
    by_name = make_user("a@firma.pl", name="Podwładna A", manager=NAME)
    by_email = make_user("b@firma.pl", name="Podwładny B", manager=f" {EMAIL.upper()} ")
    other = make_user("c@firma.pl", name="Ktoś Inny", manager="Marek Kierownik")
    auth.login(EMAIL)
    profile = json.loads(client.get("/my-data/download").text)["profile"]
    assert profile["manager"] == "Marek Kierownik"
    auth.logout()
    make_user("admin@example.com", "admin")
    auth.login("admin@example.com")
    assert client.post(f"/admin/users/{person}/erase").status_code == 302
    label = f"Usunięty użytkownik {person}"
    assert get_user(synced, person).manager is None
    assert get_user(synced, by_name).manager == label
    assert get_user(synced, by_email).manager == label
    assert get_user(synced, other).manager == "Marek Kierownik"  # names someone else
    assert NAME.casefold() not in dump_database(synced).casefold()
