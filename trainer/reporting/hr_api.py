"""Reads behind the HR API: the completion report page by page, and users by employee id."""

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Row, Select, and_, bindparam, or_

from trainer.database import execute_core
from trainer.extensions import db
from trainer.models import Course, User
from trainer.reporting.report import (
    COLUMNS,
    ReportFilter,
    bound_int,
    bound_values,
    filter_shape,
    learners,
    rows_alike,
    shaped_select,
)

# (user id, course slug) of the last row of a page: the report's rows are unique by it.
RowKey = tuple[int, str]


def completions_page(
    filters: ReportFilter, limit: int, after: RowKey | None = None
) -> Sequence[Row[Any]]:
    """Up to `limit` report rows after `after`, in (user, course) order: one query."""
    statement = _completions_statement(filter_shape(filters), after is not None)
    return execute_core(statement, _values(filters, limit, after)).all()


def completions_select(
    filters: ReportFilter, limit: int, after: RowKey | None = None
) -> Select[Any]:
    """The statement of `completions_page`, with its values."""
    statement = _completions_statement(filter_shape(filters), after is not None)
    return statement.params(_values(filters, limit, after))


def _values(filters: ReportFilter, limit: int, after: RowKey | None) -> dict[str, Any]:
    values = bound_values(filters) | {"limit": limit, "learners": limit + 1}
    if after is not None:
        values.update(after_user=after[0], after_course=after[1])
    return values


@lru_cache(maxsize=64)
def _completions_statement(shape: frozenset[str], after: bool) -> Select[Any]:
    """`limit` rows, after the row (`after_user`, `after_course`) if `after`; built once
    per shape, its values bound at each execution."""
    # Keyset order rather than the report's sort by name: a name changing between two
    # pages cannot then skip or repeat a row.
    after_user, after_course = bindparam("after_user"), bindparam("after_course")
    among = None
    if rows_alike(shape):
        # Each learner has a row in every course: the next `limit` learners (and the rest of
        # the last page's) hold the page. Taken from the primary key, so that only their rows
        # are built and the cost does not grow with the number of learners.
        among = learners(shape).order_by(User.id).limit(bound_int("learners"))
        if after:
            among = among.where(User.id >= after_user)
    query = shaped_select(shape, among=among).order_by(None).order_by(User.id, Course.slug)
    # The API gives the report's COLUMNS: the columns only the exports show are left unread.
    query = query.with_only_columns(*query.selected_columns[: len(COLUMNS)])
    if after:
        query = query.where(
            or_(User.id > after_user, and_(User.id == after_user, Course.slug > after_course))
        )
    return query.limit(bound_int("limit"))


def user_id_by_employee_id(employee_id: str) -> int | None:
    """The id of the user with this employee id, if any (learner or not)."""
    if "\x00" in employee_id:  # no id holds one, and PostgreSQL refuses NUL in text
        return None
    return db.session.execute(
        db.select(User.id).where(User.employee_id == employee_id)
    ).scalar_one_or_none()
