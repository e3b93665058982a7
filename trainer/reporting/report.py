"""The completion report: one SQL query, one row per learner and course, filtered in SQL.

The query joins each learner and course to their summary row (`learner_course_summary`,
kept up to date by every write; models/summary.py) instead of aggregating progress and
attempts, so a page costs the same however much the learners did. A page by name (and the
API's page) builds the rows of its own learners only, chosen from an index in page order,
so it also costs the same however many learners there are (`page_select`).

The same select feeds the HR page, every export format and the API, so they cannot disagree.
Rows are plain column tuples (SQLAlchemy `Row`s), never ORM objects.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    ColumnElement,
    Row,
    Select,
    and_,
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
    now: datetime | None = None, among: Select[Any] | None = None,
) -> Select[Any]:  # fmt: skip
    """The report as one select: active learners times courses with published lessons.

    What each learner did in each course is read from its summary row (models/summary.py,
    kept up to date by every write), never aggregated here: a learner without a row has
    done nothing in the course. Only the status, which depends on `now`, is computed.
    `among`: the ids of the learners to build rows for, already chosen by `learners`.
    """
    now = now or utcnow()
    lessons = _lessons_total()
    summary = LearnerCourseSummary
    completed = summary.completed_at.is_not(None)
    overdue = and_(summary.due_at.is_not(None), summary.due_at < overdue_before(now))
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
        stmt = stmt.where(User.is_active_learner(), *_learner_conditions(filters))
    else:
        # Only the chosen ids: the database then reads those learners by primary key.
        stmt = stmt.where(User.id.in_(among.scalar_subquery()))
    stmt = stmt.where(*_conditions(filters, status))
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


def _conditions(filters: ReportFilter, status: ColumnElement[Any]) -> list[ColumnElement[bool]]:
    """The filters on a learner's rows (which courses, which standing)."""
    conditions: list[ColumnElement[bool]] = []
    if filters.course:
        conditions.append(Course.slug == filters.course)
    if filters.status:
        conditions.append(status == filters.status)
    completed_at = LearnerCourseSummary.completed_at
    if filters.since:
        conditions.append(completed_at >= _midnight(filters.since))
    if filters.until:
        conditions.append(completed_at < _midnight(filters.until + timedelta(1)))
    return conditions


def _learner_conditions(filters: ReportFilter) -> list[ColumnElement[bool]]:
    """The filters on the learner alone (which learners, not which of their rows)."""
    conditions: list[ColumnElement[bool]] = []
    if filters.department:
        conditions.append(User.department == filters.department)
    if filters.search and filters.search.strip():
        term = filters.search.strip()
        columns = (User.display_name, User.email, User.employee_id)
        # Both spellings: SQLite's lower() folds only ASCII, so "Łukasz" must match as typed.
        conditions.append(
            or_(
                *(func.lower(column).contains(term.lower(), autoescape=True) for column in columns),
                *(column.contains(term, autoescape=True) for column in columns),
            )
        )
    return conditions


def rows_alike(filters: ReportFilter) -> bool:
    """Whether every matching learner has one row in each matching course: no filter reads
    their summary (status, completion dates). Their rows can then be paged learner by learner."""
    return not (filters.status or filters.since or filters.until)


def learners(filters: ReportFilter) -> Select[Any]:
    """The ids of the learners `filters` keep (unordered)."""
    return db.select(User.id).where(User.is_active_learner(), *_learner_conditions(filters))


def _courses(filters: ReportFilter) -> Select[Any]:
    """The ids of the courses in the report under `filters`: those with published lessons."""
    published = db.select(Lesson.id).where(
        Lesson.course_id == Course.id, Lesson.status == LessonStatus.PUBLISHED
    )
    stmt = db.select(Course.id).where(published.exists())
    return stmt.where(Course.slug == filters.course) if filters.course else stmt


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), UTC)


def count_rows(filters: ReportFilter, now: datetime | None = None, cap: int | None = None) -> int:
    """How many rows the report has with `filters`, for pagination and the audit log.

    With `cap`, counting stops past it and the answer is then `cap + 1` ("more than cap"):
    the count of a page then costs the same however many learners there are.
    """
    found = db.session.execute(count_select(filters, now, cap)).scalar_one()
    return found if cap is None else min(found, cap + 1)


def count_select(
    filters: ReportFilter, now: datetime | None = None, cap: int | None = None
) -> Select[Any]:
    """The statement of `count_rows` (with `cap`, it stops counting past `cap` rows)."""
    if rows_alike(filters):
        # Learners times courses: two index counts instead of building every row.
        who = learners(filters) if cap is None else learners(filters).limit(cap + 1)
        learner_count = db.select(func.count()).select_from(who.subquery())
        course_count = db.select(func.count()).select_from(_courses(filters).subquery())
        return db.select(learner_count.scalar_subquery() * course_count.scalar_subquery())
    rows = report_select(filters, now=now).order_by(None)
    inner = (rows if cap is None else rows.limit(cap + 1)).subquery()
    return db.select(func.count()).select_from(inner)


def page_rows(
    filters: ReportFilter, sort: str = "name", descending: bool = False, page: int = 1,
    per_page: int = 50, now: datetime | None = None,
) -> list[Row[Any]]:  # fmt: skip
    """One page of the report."""
    return list(db.session.execute(page_select(filters, sort, descending, page, per_page, now)))


def page_select(
    filters: ReportFilter, sort: str = "name", descending: bool = False, page: int = 1,
    per_page: int = 50, now: datetime | None = None,
) -> Select[Any]:  # fmt: skip
    """The statement of one page of the report (a page by name counts the courses first)."""
    start = (max(page, 1) - 1) * per_page
    if not (sort == "name" and rows_alike(filters)):
        return report_select(filters, sort, descending, now).limit(per_page).offset(start)
    # Each learner has one row per course: the page is a run of learners, taken from the
    # name index (ix_user_active_display_name), and only their rows are built, so its cost
    # does not grow with the number of learners.
    per_learner = len(db.session.execute(_courses(filters)).all()) or 1  # none: no rows
    skipped, within = divmod(start, per_learner)  # whole learners before, rows into the next
    name = User.display_name.desc() if descending else User.display_name.asc()
    run = (
        learners(filters).order_by(name, User.email, User.id)
        .offset(skipped).limit(-(-(within + per_page) // per_learner))  # rounded up
    )  # fmt: skip
    stmt = report_select(filters, sort, descending, now, among=run)
    return stmt.limit(per_page).offset(within)


def iter_rows(
    filters: ReportFilter, sort: str = "name", descending: bool = False,
    now: datetime | None = None,
) -> Iterator[Row[Any]]:  # fmt: skip
    """Every row, fetched in batches as the caller consumes them (memory stays flat)."""
    stmt = report_select(filters, sort, descending, now)
    yield from db.session.execute(stmt.execution_options(yield_per=STREAM_BATCH))
