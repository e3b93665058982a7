"""Course assignments: to a department or chosen people, due dates, audit, dashboard, overdue."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.reporting.hr_rows import seed
from trainer.extensions import db
from trainer.models import Assignment, AuditEvent, Course, User
from trainer.models.types import utcnow
from trainer.people import assignments
from trainer.people.assignments import AssignmentError
from trainer.reporting import report_pages
from trainer.reporting.report import ReportFilter


def today() -> date:
    """Today in the site's zone, where due dates end: asked when a test runs, not when the
    module is collected (in a run across midnight that date would be in the past)."""
    return utcnow().astimezone(ZoneInfo("Europe/Warsaw")).date()


@pytest.fixture
def ids(synced: Flask) -> dict[str, int]:
    return seed(synced)


@pytest.fixture
def hr_client(ids: dict, client: FlaskClient, auth) -> FlaskClient:
    auth.login("halina@example.com")
    return client


def course_id(app: Flask, slug: str) -> int:
    with app.app_context():
        return db.session.execute(db.select(Course.id).filter_by(slug=slug)).scalar_one()


def assigned(app: Flask, slug: str) -> dict[str, tuple[date, str | None]]:
    """E-mail -> (due date, department) of the course's assignments."""
    with app.app_context():
        rows = db.session.execute(
            db.select(User.email, Assignment.due_at, Assignment.department)
            .join(User, User.id == Assignment.user_id)
            .join(Course, Course.id == Assignment.course_id)
            .where(Course.slug == slug)
        ).all()
        return {email: (due.date(), department) for email, due, department in rows}


def audit_actions(app: Flask) -> list[tuple[str, str, dict, int | None]]:
    with app.app_context():
        events = db.session.execute(db.select(AuditEvent).order_by(AuditEvent.id)).scalars()
        return [(e.actor, e.action, e.details, e.row_count) for e in events]


def test_assign_to_a_department_then_move_the_due_date(synced: Flask, hr_client, ids) -> None:
    second = course_id(synced, "second")
    due = today() + timedelta(days=14)
    data = {"department-course": second, "department-department": "Sprzedaż",
            "department-due": due.isoformat()}  # fmt: skip
    response = hr_client.post("/hr/assignments/department", data=data)
    assert response.status_code == 302
    # Only the active learners of the department: not Igor (deactivated).
    assert assigned(synced, "second") == {
        "anna@example.com": (due, "Sprzedaż"),
        "bartek@example.com": (due, "Sprzedaż"),
    }
    later = due + timedelta(days=7)
    hr_client.post("/hr/assignments/department", data={**data, "department-due": later.isoformat()})
    assert assigned(synced, "second") == {
        "anna@example.com": (later, "Sprzedaż"),
        "bartek@example.com": (later, "Sprzedaż"),
    }
    events = [e for e in audit_actions(synced) if e[1] == "assignment.department"]
    assert events == [
        ("halina@example.com", "assignment.department",
         {"course": "second", "department": "Sprzedaż", "due": due.isoformat(),
          "created": 2, "updated": 0}, 2),
        ("halina@example.com", "assignment.department",
         {"course": "second", "department": "Sprzedaż", "due": later.isoformat(),
          "created": 0, "updated": 2}, 2),
    ]  # fmt: skip


def test_department_expands_at_the_moment_of_assignment(synced: Flask, ids, make_user) -> None:
    with synced.app_context():
        course = db.session.get(Course, course_id(synced, "second"))
        halina = db.session.get(User, ids["halina"])
        outcome = assignments.assign_department(course, "Marketing", today(), halina)
        db.session.commit()
    assert outcome == assignments.Outcome(created=2, updated=0)
    make_user("nowy@example.com", department="Marketing")
    assert set(assigned(synced, "second")) == {"celina@example.com", "dawid@example.com"}


def test_assign_to_people_by_checkbox_and_email(synced: Flask, hr_client, ids) -> None:
    due = today() + timedelta(days=3)
    response = hr_client.post("/hr/assignments/people", data={
        "people-course": course_id(synced, "second"), "people-due": due.isoformat(),
        "people-learners": [ids["bartek"]],
        "people-emails": "  EWA@example.com;\ndawid@example.com ",
    })  # fmt: skip
    assert response.status_code == 302
    assert assigned(synced, "second") == {
        email: (due, None)
        for email in ("bartek@example.com", "ewa@example.com", "dawid@example.com")
    }
    event = audit_actions(synced)[-1]
    assert event[1] == "assignment.people" and event[3] == 3
    assert sorted(event[2]["users"]) == [
        "bartek@example.com",
        "dawid@example.com",
        "ewa@example.com",
    ]
    page = hr_client.get("/hr/assignments").text
    assert "Bartek Zieliński" in page and "Drugi kurs" in page


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"people-emails": "anna@example.com, nikt@example.com"}, "nikt@example.com"),
        ({"people-emails": "halina@example.com"}, "halina@example.com"),  # HR, not a learner
        ({"people-emails": "igor@example.com"}, "igor@example.com"),  # deactivated
        ({"people-emails": "   "}, "Tick at least one learner"),
        ({"people-learners": "999999"}, "valid choice"),
        ({"people-emails": "anna@example.com", "people-due": "2020-01-01"},
         "The due date is in the past."),
        ({"people-emails": "anna@example.com", "people-due": "31.12.2099"}, "Not a valid date"),
        ({"people-emails": "anna@example.com", "people-due": ""}, "Give a due date."),
        ({"people-emails": "anna@example.com", "people-course": "999999"}, "Not a valid choice"),
    ],
)  # fmt: skip
def test_bad_people_assignments_change_nothing(
    synced: Flask, hr_client, ids, form: dict, message: str
) -> None:
    data = {"people-course": course_id(synced, "second"),
            "people-due": (today() + timedelta(days=1)).isoformat(), **form}  # fmt: skip
    response = hr_client.post(
        "/hr/assignments/people", data=data, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 400
    assert message in response.text
    assert assigned(synced, "second") == {}
    assert not [e for e in audit_actions(synced) if e[1].startswith("assignment.")]


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"department-department": "HR"}, "Not a valid choice"),  # no learners there
        ({"department-department": ""}, "Choose a department."),
        ({"department-due": "2020-01-01"}, "The due date is in the past."),
        ({"department-due": "jutro"}, "Not a valid date"),
    ],
)  # fmt: skip
def test_bad_department_assignments_change_nothing(
    synced: Flask, hr_client, ids, form: dict, message: str
) -> None:
    data = {"department-course": course_id(synced, "second"), "department-department": "Marketing",
            "department-due": (today() + timedelta(days=1)).isoformat(), **form}  # fmt: skip
    response = hr_client.post(
        "/hr/assignments/department", data=data, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 400
    assert message in response.text
    assert assigned(synced, "second") == {}


def test_service_refuses_an_empty_department(synced: Flask, ids) -> None:
    with synced.app_context():
        course = db.session.get(Course, course_id(synced, "second"))
        with pytest.raises(AssignmentError) as raised:
            assignments.assign_department(course, "Nikt", today(), None)
    assert raised.value.reason == "empty_department"


def test_overdue_shows_in_the_report_and_on_the_dashboard(
    synced: Flask, client: FlaskClient, make_user, auth
) -> None:
    learner = make_user("jan@example.com", department="Sprzedaż")
    with synced.app_context():
        user = db.session.get(User, learner)
        sample = db.session.get(Course, course_id(synced, "sample"))
        # Assigned a week ago, due yesterday: overdue now.
        assignments.assign_people(sample, [user], today() - timedelta(days=1), None,
                                  today=today() - timedelta(days=7))  # fmt: skip
        db.session.commit()
        overdue = report_pages.page_rows(ReportFilter(status="overdue"))
    assert [(row.email, row.status) for row in overdue] == [("jan@example.com", "overdue")]
    auth.login("jan@example.com")
    page = client.get("/", headers={"Accept-Language": "en"}).text
    assert "Assigned to you" in page
    assert '<strong class="overdue">' in page and "Kurs próbny" in page


def test_dashboard_shows_what_is_due(synced: Flask, client: FlaskClient, make_user, auth) -> None:
    learner = make_user("jan@example.com")
    due = today() + timedelta(days=10)
    with synced.app_context():
        sample = db.session.get(Course, course_id(synced, "sample"))
        assignments.assign_people(sample, [db.session.get(User, learner)], due, None)
        db.session.commit()
    auth.login("jan@example.com")
    page = client.get("/", headers={"Accept-Language": "en"}).text
    assert "Assigned to you" in page and "due by" in page
    assert 'class="overdue"' not in page
    assert str(due.year) in page


def test_dashboard_without_assignments_has_no_section(synced: Flask, client, login_as) -> None:
    login_as("learner")
    assert "Assigned to you" not in client.get("/", headers={"Accept-Language": "en"}).text


def test_withdraw_an_assignment(synced: Flask, hr_client, ids) -> None:
    with synced.app_context():
        assignment_id = db.session.execute(
            db.select(Assignment.id).where(Assignment.user_id == ids["celina"])
        ).scalar_one()
    assert hr_client.post(f"/hr/assignments/{assignment_id}/remove").status_code == 302
    assert "celina@example.com" not in assigned(synced, "sample")
    assert audit_actions(synced)[-1][:2] == ("halina@example.com", "assignment.remove")
    assert hr_client.post(f"/hr/assignments/{assignment_id}/remove").status_code == 404


POSTS = ["/hr/assignments/department", "/hr/assignments/people", "/hr/assignments/1/remove"]


@pytest.mark.parametrize("path", POSTS)
@pytest.mark.parametrize("role", ["learner", "trainer"])
def test_learners_and_trainers_get_403_on_every_post(
    synced: Flask, client: FlaskClient, login_as, path: str, role: str
) -> None:
    login_as(role)
    assert client.post(path, data={}).status_code == 403


@pytest.mark.parametrize("path", POSTS)
def test_anonymous_posts_go_to_sign_in(client: FlaskClient, path: str) -> None:
    response = client.post(path, data={})
    assert response.status_code == 302
    assert response.location.startswith("/login")
