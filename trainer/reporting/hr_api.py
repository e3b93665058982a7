"""Reads behind the HR API: the completion report page by page, and users by employee id."""

from typing import Any

from sqlalchemy import Row, Select, and_, or_

from trainer.extensions import db
from trainer.models import Course, User
from trainer.reporting.report import ReportFilter, learners, report_select, rows_alike

# (user id, course slug) of the last row of a page: the report's rows are unique by it.
RowKey = tuple[int, str]


def completions_page(
    filters: ReportFilter, limit: int, after: RowKey | None = None
) -> list[Row[Any]]:
    """Up to `limit` report rows after `after`, in (user, course) order: one query."""
    return list(db.session.execute(completions_select(filters, limit, after)))


def completions_select(
    filters: ReportFilter, limit: int, after: RowKey | None = None
) -> Select[Any]:
    """The statement of `completions_page`."""
    # Keyset order rather than the report's sort by name: a name changing between two
    # pages cannot then skip or repeat a row.
    among = None
    if rows_alike(filters):
        # Each learner has a row in every course: the next `limit` learners (and the rest of
        # the last page's) hold the page. Taken from the primary key, so that only their rows
        # are built and the cost does not grow with the number of learners.
        among = learners(filters).order_by(User.id).limit(limit + 1)
        if after is not None:
            among = among.where(User.id >= after[0])
    query = report_select(filters, among=among).order_by(None).order_by(User.id, Course.slug)
    if after is not None:
        user_id, course_slug = after
        query = query.where(
            or_(User.id > user_id, and_(User.id == user_id, Course.slug > course_slug))
        )
    return query.limit(limit)


def user_id_by_employee_id(employee_id: str) -> int | None:
    """The id of the user with this employee id, if any (learner or not)."""
    if "\x00" in employee_id:  # no id holds one, and PostgreSQL refuses NUL in text
        return None
    return db.session.execute(
        db.select(User.id).where(User.employee_id == employee_id)
    ).scalar_one_or_none()
