"""A due date lasts until its day ends in the instance's TIME_ZONE: around midnight in
Warsaw the learner's dashboard, HR's report, the exports and the API agree."""

from datetime import UTC, date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.people.test_assignments import course_id
from trainer.extensions import db
from trainer.models import Course, User
from trainer.people import assignments, tokens
from trainer.reporting import export_columns, report_pages
from trainer.reporting.report import ReportFilter

DUE = date(2026, 3, 10)  # winter time in Warsaw: UTC+1, so the day ends at 23:00 UTC
BEFORE_MIDNIGHT = datetime(2026, 3, 10, 22, 30, tzinfo=UTC)  # 23:30 in Warsaw
AFTER_MIDNIGHT = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)  # 00:30 on the 11th in Warsaw


@pytest.fixture
def learner(synced: Flask, make_user) -> int:
    learner = make_user("jan@example.com", department="Sprzedaż")
    with synced.app_context():
        sample = db.session.get(Course, course_id(synced, "sample"))
        assignments.assign_people(sample, [db.session.get(User, learner)], DUE, None,
                                  today=date(2026, 3, 1))  # fmt: skip
        db.session.commit()
    return learner


def overdue_at(app: Flask, learner: int, now: datetime) -> tuple[bool, str]:
    """Whether the dashboard calls the assignment overdue at `now`, and the report's status."""
    with app.app_context():
        [mine] = assignments.for_user(learner, now)
        [row] = report_pages.page_rows(ReportFilter(course="sample"), now=now)
        return mine.overdue, row.status


def test_overdue_once_the_day_has_ended_in_warsaw(synced: Flask, learner: int) -> None:
    assert overdue_at(synced, learner, BEFORE_MIDNIGHT) == (False, "not_started")
    # Still the 10th in UTC, but the 11th in Warsaw: the due day is over.
    assert overdue_at(synced, learner, AFTER_MIDNIGHT) == (True, "overdue")


def test_the_day_ends_in_the_instances_zone(synced: Flask, learner: int) -> None:
    synced.config["TIME_ZONE"] = "America/New_York"  # UTC-4 on 10 March 2026 (DST began)
    assert overdue_at(synced, learner, AFTER_MIDNIGHT) == (False, "not_started")
    assert overdue_at(synced, learner, datetime(2026, 3, 11, 3, 59, tzinfo=UTC))[0] is False
    assert overdue_at(synced, learner, datetime(2026, 3, 11, 4, 0, tzinfo=UTC)) == (
        True, "overdue",
    )  # fmt: skip


def test_exports_and_the_api_give_the_end_of_the_due_day(synced: Flask, learner: int) -> None:
    with synced.test_request_context():
        [row] = report_pages.page_rows(ReportFilter(course="sample"))
        layout = export_columns.layout("pl", ZoneInfo("Europe/Warsaw"), [])
        [column] = [column for column in layout.columns if column.key == "due_at"]
        due = column.value(SimpleNamespace(report=row))
        assert due == datetime(2026, 3, 10, 22, 59, 59, tzinfo=UTC)
        assert layout.local(due) == datetime(2026, 3, 10, 23, 59, 59)  # as Excel shows it
        _, secret = tokens.create_token("Kadry", "hr:read", "cli")
        db.session.commit()
    answer = synced.test_client().get(
        "/api/v1/completions?course=sample", headers={"Authorization": f"Bearer {secret}"}
    )
    assert [item["due_at"] for item in answer.json["data"]] == ["2026-03-10T22:59:59.000Z"]


def test_the_hr_assignment_list_and_the_dashboard_agree(
    synced: Flask, learner: int, client: FlaskClient, auth, make_user, monkeypatch
) -> None:
    monkeypatch.setattr(assignments, "utcnow", lambda: AFTER_MIDNIGHT)
    auth.login("jan@example.com")
    assert '<strong class="overdue">' in client.get("/").text
    auth.logout()
    make_user("halina@example.com", "hr")
    auth.login("halina@example.com")
    page = client.get("/hr/assignments").text
    assert '<strong class="overdue">' in page and "Europe/Warsaw" in page
