"""The report's pages for the HR page: one page of rows, and how many rows there are.

Both cost the same however many learners there are: a page by name is a run of learners
taken from the name index, and the count stops at a cap. Their statements are built once
for each shape of the filters (reporting/report.py) and kept.
"""

from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Row, Select, bindparam, func

from trainer.database import execute_core
from trainer.extensions import db
from trainer.models import Course, Lesson, LessonStatus, User
from trainer.reporting.report import (
    ReportFilter,
    bound_int,
    bound_values,
    filter_shape,
    learners,
    rows_alike,
    shaped_select,
)


def count_rows(filters: ReportFilter, now: datetime | None = None, cap: int | None = None) -> int:
    """How many rows the report has with `filters`, for pagination and the audit log.

    With `cap`, counting stops past it and the answer is then `cap + 1` ("more than cap"):
    the count of a page then costs the same however many learners there are.
    """
    statement = _count_statement(filter_shape(filters), capped=cap is not None)
    found = execute_core(statement, _count_values(filters, now, cap)).scalar_one()
    return found if cap is None else min(found, cap + 1)


def count_select(
    filters: ReportFilter, now: datetime | None = None, cap: int | None = None
) -> Select[Any]:
    """The statement of `count_rows`, with its values."""
    statement = _count_statement(filter_shape(filters), capped=cap is not None)
    return statement.params(_count_values(filters, now, cap))


def _count_values(filters: ReportFilter, now: datetime | None, cap: int | None) -> dict[str, Any]:
    return bound_values(filters, now) | {"count_limit": None if cap is None else cap + 1}


@lru_cache(maxsize=128)
def _count_statement(shape: frozenset[str], capped: bool) -> Select[Any]:
    """Counts the rows, up to the parameter `count_limit` if `capped`."""
    if rows_alike(shape):
        # Learners times courses: two index counts instead of building every row.
        who = learners(shape).limit(bound_int("count_limit")) if capped else learners(shape)
        learner_count = db.select(func.count()).select_from(who.subquery())
        courses = _courses("course" in shape).subquery()
        course_count = db.select(func.count()).select_from(courses)
        return db.select(learner_count.scalar_subquery() * course_count.scalar_subquery())
    rows = shaped_select(shape).order_by(None)
    inner = (rows.limit(bound_int("count_limit")) if capped else rows).subquery()
    return db.select(func.count()).select_from(inner)


def page_rows(
    filters: ReportFilter, sort: str = "name", descending: bool = False, page: int = 1,
    per_page: int = 50, now: datetime | None = None,
) -> Sequence[Row[Any]]:  # fmt: skip
    """One page of the report."""
    shape = filter_shape(filters)
    values = _page_values(filters, shape, sort, page, per_page, now)
    return execute_core(_page_statement(shape, sort, descending), values).all()


def page_select(
    filters: ReportFilter, sort: str = "name", descending: bool = False, page: int = 1,
    per_page: int = 50, now: datetime | None = None,
) -> Select[Any]:  # fmt: skip
    """The statement of one page of the report, with its values."""
    shape = filter_shape(filters)
    values = _page_values(filters, shape, sort, page, per_page, now)
    return _page_statement(shape, sort, descending).params(values)


def _by_learner(shape: frozenset[str], sort: str) -> bool:
    """Whether a page is a run of whole learners in name order (`_page_statement`)."""
    return sort == "name" and rows_alike(shape)


@lru_cache(maxsize=256)
def _page_statement(shape: frozenset[str], sort: str, descending: bool) -> Select[Any]:
    """A page: `per_page` rows from `start`; by name, `within` the learners' `run`."""
    if not _by_learner(shape, sort):
        stmt = shaped_select(shape, sort, descending)
        return stmt.limit(bound_int("per_page")).offset(bound_int("start"))
    # Each learner has one row per course: the page is a run of learners, taken from the
    # name index (ix_user_active_display_name), and only their rows are built, so its cost
    # does not grow with the number of learners.
    name = User.display_name.desc() if descending else User.display_name.asc()
    run = (
        learners(shape).order_by(name, User.email, User.id)
        .offset(bound_int("skipped")).limit(bound_int("run"))
    )  # fmt: skip
    stmt = shaped_select(shape, sort, descending, among=run)
    return stmt.limit(bound_int("per_page")).offset(bound_int("within"))


def _page_values(
    filters: ReportFilter, shape: frozenset[str], sort: str, page: int, per_page: int,
    now: datetime | None,
) -> dict[str, Any]:  # fmt: skip
    values = bound_values(filters, now)
    start = (max(page, 1) - 1) * per_page
    values.update(per_page=per_page, start=start)
    if _by_learner(shape, sort):
        course_ids = execute_core(_courses("course" in shape), values).all()
        per_learner = len(course_ids) or 1  # none: no rows
        skipped, within = divmod(start, per_learner)  # whole learners before, rows into the next
        run = -(-(within + per_page) // per_learner)  # rounded up
        values.update(skipped=skipped, within=within, run=run)
    return values


@lru_cache(maxsize=2)
def _courses(one_course: bool) -> Select[Any]:
    """The ids of the courses in the report: those with published lessons (`course`'s only)."""
    published = db.select(Lesson.id).where(
        Lesson.course_id == Course.id, Lesson.status == LessonStatus.PUBLISHED
    )
    stmt = db.select(Course.id).where(published.exists())
    return stmt.where(Course.slug == bindparam("course")) if one_course else stmt
