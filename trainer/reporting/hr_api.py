"""Reads behind the HR API: the completion report page by page, and users by employee id."""

from typing import Any

from sqlalchemy import Row, and_, or_

from trainer.extensions import db
from trainer.models import Course, User
from trainer.reporting.report import ReportFilter, report_select

# (user id, course slug) of the last row of a page: the report's rows are unique by it.
RowKey = tuple[int, str]


def completions_page(
    filters: ReportFilter, limit: int, after: RowKey | None = None
) -> list[Row[Any]]:
    """Up to `limit` report rows after `after`, in (user, course) order: one query."""
    # Keyset order rather than the report's sort by name: a name changing between two
    # pages cannot then skip or repeat a row.
    query = report_select(filters).order_by(None).order_by(User.id, Course.slug)
    if after is not None:
        user_id, course_slug = after
        query = query.where(
            or_(User.id > user_id, and_(User.id == user_id, Course.slug > course_slug))
        )
    return list(db.session.execute(query.limit(limit)))


def user_id_by_employee_id(employee_id: str) -> int | None:
    """The id of the user with this employee id, if any (learner or not)."""
    if "\x00" in employee_id:  # no id holds one, and PostgreSQL refuses NUL in text
        return None
    return db.session.execute(
        db.select(User.id).where(User.employee_id == employee_id)
    ).scalar_one_or_none()
