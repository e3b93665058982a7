"""The completion report: one SQL query, one row per learner and course, filtered in SQL.

The query joins each learner and course to their summary row (`learner_course_summary`,
kept up to date by every write; models/summary.py) instead of aggregating progress and
attempts, so a page costs the same however much the learners did. A page by name (and the
API's page) builds the rows of its own learners only, chosen from an index in page order,
so it also costs the same however many learners there are (`page_select`).

The same select feeds the HR page, every export format and the API, so they cannot disagree.
Its statements are built once for each shape of the filters and kept; the filters' values
are bound at each execution (`filter_shape`, `bound_values`).
Rows are plain column tuples (SQLAlchemy `Row`s), never ORM objects.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    BigInteger,
    BindParameter,
    Boolean,
    ColumnElement,
    Row,
    Select,
    and_,
    bindparam,
    case,
    false,
    func,
    or_,
    true,
    type_coerce,
)

from trainer.extensions import db
from trainer.models import Course, LearnerCourseSummary, Lesson, LessonStatus, User
from trainer.models.types import utcnow
from trainer.people.assignments import overdue_before


class ProgressStatus(StrEnum):
    """Where a learner stands in a course, in the order the report sorts them by status:
    what needs attention first."""

    OVERDUE = "overdue"
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


STATUSES: tuple[str, ...] = tuple(status.value for status in ProgressStatus)
STATUS_LABELS = {
    ProgressStatus.OVERDUE: _l("Overdue"),
    ProgressStatus.NOT_STARTED: _l("Not started"),
    ProgressStatus.IN_PROGRESS: _l("In progress"),
    ProgressStatus.COMPLETED: _l("Completed"),
}
SORT_KEYS: tuple[str, ...] = ("name", "department", "status", "score", "completed_at")
COLUMNS: tuple[str, ...] = (
    "user_id",
    "employee_id",
    "name",
    "email",
    "department",
    "course_slug",
    "course_title",
    "status",
    "lessons_done",
    "lessons_total",
    "best_score",
    "passed",
    "attempts",
    "first_started",
    "completed_at",
    "certificate_code",
    "due_at",
)
# Also in every row, for the exports only (the API's completions stay COLUMNS).
EXPORT_COLUMNS: tuple[str, ...] = ("manager", "assigned_at", "last_activity")
STREAM_BATCH = 500


class FilterError(ValueError):
    """A report filter that cannot be applied; `field` names the filter, the message says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ReportFilter:
    """Which rows of the report to show; every field is optional. Dates are UTC days."""

    course: str | None = None
    department: str | None = None
    status: str | None = None
    since: date | None = None
    until: date | None = None
    search: str | None = None

    def as_dict(self) -> dict[str, str]:
        """The filters that are set, as strings (for the audit log and query strings)."""
        values = {
            "course": self.course, "department": self.department, "status": self.status,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "search": self.search,
        }  # fmt: skip
        return {key: value for key, value in values.items() if value}


def check_filter(filters: ReportFilter) -> None:
    """Raise FilterError for an unknown status or course, or dates in the wrong order."""
    if filters.status and filters.status not in STATUSES:
        raise FilterError("status", _(
            "Unknown status %(status)s; use one of: %(statuses)s.",
            status=filters.status, statuses=", ".join(STATUSES),
        ))  # fmt: skip
    if (
        filters.course
        and not db.session.execute(
            db.select(Course.id).where(Course.slug == filters.course)
        ).first()
    ):
        raise FilterError("course", _("Unknown course %(course)s.", course=filters.course))
    if filters.since and filters.until and filters.since > filters.until:
        raise FilterError("until", _("The end date is before the start date."))


_FILTER_NAMES = ("course", "department", "status", "since", "until")
# Filters on a learner's rows rather than on the learner: with one set, learners differ in
# how many rows they have (`rows_alike`).
_ROW_FILTERS = frozenset({"status", "since", "until"})


def filter_shape(filters: ReportFilter) -> frozenset[str]:
    """Which filters are set: what the report's statements look like. Their values are bound
    at each execution (`bound_values`), so one statement serves every value (`shaped_select`).
    """
    shape = {name for name in _FILTER_NAMES if getattr(filters, name)}
    if filters.search and filters.search.strip():
        shape.add("search")
    return frozenset(shape)


def bound_values(filters: ReportFilter, now: datetime | None = None) -> dict[str, Any]:
    """The values of the report statements' parameters under `filters` at `now`."""
    term = (filters.search or "").strip()
    return {
        "course": filters.course,
        "department": filters.department,
        "status": filters.status,
        "since": _midnight(filters.since) if filters.since else None,
        "until": _midnight(filters.until + timedelta(1)) if filters.until else None,
        "term": _like_literal(term),
        "term_lower": _like_literal(term.lower()),
        "overdue_before": overdue_before(now or utcnow()),
    }


def _like_literal(text: str) -> str:
    """`text` matched literally by LIKE ... ESCAPE '/', as SQLAlchemy's `autoescape` does for
    a value written into the statement (it refuses a bound parameter)."""
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")


def bound_int(name: str) -> BindParameter[int]:
    """An integer parameter (a page's limit or offset), given at execution. BIGINT: the
    offset of the largest page number passes PostgreSQL's INTEGER."""
    return bindparam(name, type_=BigInteger)


def _lessons_total() -> Any:
    """Each course's number of published lessons: a handful of rows, counted per query."""
    return (
        db.select(Lesson.course_id, func.count().label("total"))
        .where(Lesson.status == LessonStatus.PUBLISHED)
        .group_by(Lesson.course_id)
        .subquery("lessons")
    )


def report_select(
    filters: ReportFilter, sort: str = "name", descending: bool = False,
    now: datetime | None = None,
) -> Select[Any]:  # fmt: skip
    """The report as one select with its values: every row under `filters`, sorted."""
    statement = _rows_statement(filter_shape(filters), sort, descending)
    return statement.params(bound_values(filters, now))


@lru_cache(maxsize=256)
def _rows_statement(shape: frozenset[str], sort: str, descending: bool) -> Select[Any]:
    """Every row, sorted: built once per shape and sort."""
    return shaped_select(shape, sort, descending)


def shaped_select(
    shape: frozenset[str], sort: str = "name", descending: bool = False,
    among: Select[Any] | None = None,
) -> Select[Any]:  # fmt: skip
    """The report as one select: active learners times courses with published lessons.

    The filters' values and the overdue cut-off are parameters (`bound_values`), so the
    statements of each shape (`filter_shape`) and sort are built once and kept: building
    them took about a fifth of a report page's time.

    What each learner did in each course is read from its summary row (models/summary.py,
    kept up to date by every write), never aggregated here: a learner without a row has
    done nothing in the course. Only the status, which depends on the time, is computed.
    `among`: the ids of the learners to build rows for, already chosen by `learners`.
    """
    lessons = _lessons_total()
    summary = LearnerCourseSummary
    completed = summary.completed_at.is_not(None)
    overdue = and_(summary.due_at.is_not(None), summary.due_at < bindparam("overdue_before"))
    status = case(
        (completed, ProgressStatus.COMPLETED.value),
        (overdue, ProgressStatus.OVERDUE.value),
        (summary.first_started.is_not(None), ProgressStatus.IN_PROGRESS.value),
        else_=ProgressStatus.NOT_STARTED.value,
    )
    stmt = (
        db.select(
            User.id.label("user_id"),
            User.employee_id,
            User.display_name.label("name"),
            User.email,
            User.department,
            Course.slug.label("course_slug"),
            Course.title.label("course_title"),
            status.label("status"),
            func.coalesce(summary.lessons_done, 0).label("lessons_done"),
            lessons.c.total.label("lessons_total"),
            summary.best_score,
            type_coerce(func.coalesce(summary.passed, false()), Boolean).label("passed"),
            func.coalesce(summary.attempts, 0).label("attempts"),
            summary.first_started,
            summary.completed_at,
            summary.certificate_code,
            summary.due_at,
            # EXPORT_COLUMNS:
            User.manager,
            summary.assigned_at,
            summary.last_activity,
        )
        .select_from(User)
        .join(Course, true())
        .join(lessons, lessons.c.course_id == Course.id)
        .outerjoin(summary, and_(summary.user_id == User.id, summary.course_id == Course.id))
    )
    if among is None:
        stmt = stmt.where(User.is_active_learner(), *_learner_conditions(shape))
    else:
        # Only the chosen ids: the database then reads those learners by primary key.
        stmt = stmt.where(User.id.in_(among.scalar_subquery()))
    stmt = stmt.where(*_conditions(shape, status))
    rank = case(*((status == key, index) for index, key in enumerate(STATUSES)))
    keys = {
        "name": User.display_name, "department": User.department, "status": rank,
        "score": summary.best_score, "completed_at": summary.completed_at,
    }  # fmt: skip
    key = keys.get(sort, User.display_name)
    # Empty values last in both directions; the tail makes the order total, hence stable.
    return stmt.order_by(
        case((key.is_(None), 1), else_=0),
        key.desc() if descending else key.asc(),
        User.display_name,
        User.email,
        User.id,
        Course.title,
        Course.id,
    )


def _conditions(shape: frozenset[str], status: ColumnElement[Any]) -> list[ColumnElement[bool]]:
    """The filters on a learner's rows (which courses, which standing)."""
    conditions: list[ColumnElement[bool]] = []
    if "course" in shape:
        conditions.append(Course.slug == bindparam("course"))
    if "status" in shape:
        conditions.append(status == bindparam("status"))
    completed_at = LearnerCourseSummary.completed_at
    if "since" in shape:
        conditions.append(completed_at >= bindparam("since"))
    if "until" in shape:
        conditions.append(completed_at < bindparam("until"))
    return conditions


def _learner_conditions(shape: frozenset[str]) -> list[ColumnElement[bool]]:
    """The filters on the learner alone (which learners, not which of their rows)."""
    conditions: list[ColumnElement[bool]] = []
    if "department" in shape:
        conditions.append(User.department == bindparam("department"))
    if "search" in shape:
        columns = (User.display_name, User.email, User.employee_id)
        # Both spellings: SQLite's lower() folds only ASCII, so "Łukasz" must match as typed.
        term, term_lower = bindparam("term"), bindparam("term_lower")
        conditions.append(
            or_(
                *(func.lower(column).contains(term_lower, escape="/") for column in columns),
                *(column.contains(term, escape="/") for column in columns),
            )
        )
    return conditions


def rows_alike(shape: frozenset[str]) -> bool:
    """Whether every matching learner has one row in each matching course: no filter reads
    their summary (status, completion dates). Their rows can then be paged learner by learner."""
    return not shape & _ROW_FILTERS


def learners(shape: frozenset[str]) -> Select[Any]:
    """The ids of the learners the filters keep (unordered)."""
    return db.select(User.id).where(User.is_active_learner(), *_learner_conditions(shape))


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), UTC)


def iter_rows(
    filters: ReportFilter, sort: str = "name", descending: bool = False,
    now: datetime | None = None,
) -> Iterator[Row[Any]]:  # fmt: skip
    """Every row, fetched in batches as the caller consumes them (memory stays flat)."""
    stmt = _rows_statement(filter_shape(filters), sort, descending)
    values = bound_values(filters, now)
    yield from db.session.execute(stmt.execution_options(yield_per=STREAM_BATCH), values)
