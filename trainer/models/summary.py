"""Each learner's standing in each course, kept as one row so that reports read instead of
aggregating: the completion report, its exports, the HR API, xAPI selection and group
progress all join `learner_course_summary` to the user and the course.

The one rule is `refresh`: the rows of some learners (or of some courses, or all rows) are
computed again from lesson progress, attempts, completions and assignments, in the same
transaction as the write that changed them. It runs

- after every ORM flush that adds, changes or deletes a LessonProgress, Attempt,
  CourseCompletion or Assignment (the learner's rows), or changes which lessons are
  published or which quiz is a course's active final exam (the course's rows): the
  listener at the bottom of this module, so a service or a test writing through the ORM
  cannot forget it;
- from the services that write those tables with bulk statements, which the ORM does not
  see: demo data (trainer/demo) and erasure (trainer/people/privacy);
- from `flask --app trainer report rebuild-summary`, which rebuilds every row (repair).

Only what does not depend on the clock is stored: the report's status (overdue depends on
now) and a course's number of published lessons are computed when the report is read.
"""

from collections.abc import Iterable
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    Connection,
    Double,
    ForeignKey,
    Index,
    String,
    and_,
    bindparam,
    case,
    delete,
    event,
    func,
    insert,
    inspect,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from trainer.extensions import db
from trainer.models.audit import Assignment
from trainer.models.content import Lesson, LessonStatus, QuestionStatus, Quiz
from trainer.models.progress import Attempt, AttemptStatus, CourseCompletion, LessonProgress
from trainer.models.types import UTCDateTime
from trainer.models.user import User


class LearnerCourseSummary(db.Model):
    """One learner in one course they have any progress, attempt, completion or assignment in.

    Learners without a row have done nothing in the course: the report shows them as zeros.
    """

    __tablename__ = "learner_course_summary"
    __table_args__ = (
        # The report's filters and sorts within a course (the primary key serves a learner).
        Index("ix_learner_course_summary_course_id_best_score", "course_id", "best_score"),
        Index("ix_learner_course_summary_course_id_completed_at", "course_id", "completed_at"),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    course_id: Mapped[int] = mapped_column(
        ForeignKey("course.id", ondelete="CASCADE"), primary_key=True
    )
    lessons_done: Mapped[int] = mapped_column(default=0)  # published lessons completed
    attempts: Mapped[int] = mapped_column(default=0)  # graded attempts at the course's quizzes
    best_score: Mapped[float | None]  # best graded percent in the active final exam
    # A graded attempt at the active final exam passed, or the course is completed.
    passed: Mapped[bool] = mapped_column(default=False)
    first_started: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_activity: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    certificate_code: Mapped[str | None] = mapped_column(String(32))
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


SUMMARY_COLUMNS: tuple[str, ...] = (
    "user_id", "course_id", "lessons_done", "attempts", "best_score", "passed",
    "first_started", "last_activity", "completed_at", "certificate_code", "assigned_at",
    "due_at",
)  # fmt: skip


def _none(type_: Any) -> Any:
    # Typed, so that PostgreSQL knows each column of the UNION ALL.
    return null().cast(type_)


def summary_select(by_users: bool = False, by_courses: bool = False) -> Any:
    """The summary rows as the source tables give them now, grouped by learner and course:
    of the learners in the expanding parameter `users` (with `by_users`), of the courses in
    `courses` (with `by_courses`), or every row. Columns as SUMMARY_COLUMNS."""
    published = Lesson.status == LessonStatus.PUBLISHED
    graded = Attempt.status == AttemptStatus.GRADED
    final = and_(graded, Quiz.is_final.is_(True), Quiz.status == QuestionStatus.ACTIVE)
    time, number = UTCDateTime(), Double()
    no_time, no_code = _none(time), _none(String(32))

    def part(user_column: Any, course_column: Any, stmt: Any) -> Any:
        if by_users:
            stmt = stmt.where(user_column.in_(bindparam("users", expanding=True)))
        if by_courses:
            stmt = stmt.where(course_column.in_(bindparam("courses", expanding=True)))
        return stmt

    # One part per source table, the same columns in each; grouped by learner and course.
    progress = part(LessonProgress.user_id, Lesson.course_id, select(
        LessonProgress.user_id.label("user_id"), Lesson.course_id.label("course_id"),
        case((and_(published, LessonProgress.completed_at.is_not(None)), 1), else_=0)
        .label("done"),
        literal(0).label("graded"), _none(number).label("best"), literal(0).label("passed"),
        LessonProgress.first_opened_at.label("started"),
        # A lesson is completed after it is opened: the later of the two is its last touch.
        func.coalesce(LessonProgress.completed_at, LessonProgress.first_opened_at)
        .label("touched"),
        no_time.label("completed_at"), no_code.label("code"),
        no_time.label("assigned_at"), no_time.label("due_at"),
    ).join(Lesson, Lesson.id == LessonProgress.lesson_id))  # fmt: skip
    attempts = part(Attempt.user_id, Quiz.course_id, select(
        Attempt.user_id, Quiz.course_id, literal(0),
        case((graded, 1), else_=0),
        case((final, Attempt.percent), else_=_none(number)),
        # Passed as the dashboard says it: a final attempt passed when it was graded.
        case((and_(final, Attempt.passed.is_(True)), 1), else_=0),
        Attempt.started_at,
        func.coalesce(Attempt.submitted_at, Attempt.started_at),
        no_time, no_code, no_time, no_time,
    ).join(Quiz, Quiz.id == Attempt.quiz_id))  # fmt: skip
    completions = part(CourseCompletion.user_id, CourseCompletion.course_id, select(
        CourseCompletion.user_id, CourseCompletion.course_id, literal(0), literal(0),
        _none(number), literal(1), no_time, no_time,
        CourseCompletion.completed_at, CourseCompletion.certificate_code, no_time, no_time,
    ))  # fmt: skip
    assignments = part(Assignment.user_id, Assignment.course_id, select(
        Assignment.user_id, Assignment.course_id, literal(0), literal(0), _none(number),
        literal(0), no_time, no_time, no_time, no_code, Assignment.created_at, Assignment.due_at,
    ))  # fmt: skip
    rows = union_all(progress, attempts, completions, assignments).subquery("sources")
    c = rows.c
    return select(
        c.user_id, c.course_id,
        func.sum(c.done).label("lessons_done"),
        func.sum(c.graded).label("attempts"),
        func.max(c.best).label("best_score"),
        (func.max(c.passed) == 1).label("passed"),
        func.min(c.started).label("first_started"),
        func.max(c.touched).label("last_activity"),
        func.max(c.completed_at).label("completed_at"),
        func.max(c.code).label("certificate_code"),
        func.max(c.assigned_at).label("assigned_at"),
        func.max(c.due_at).label("due_at"),
    ).group_by(c.user_id, c.course_id)  # fmt: skip


CHUNK = 500  # learners refreshed per statement: SQLite limits the parameters of one


def refresh(
    connection: Connection,
    user_ids: Iterable[int] | None = None,
    course_ids: Iterable[int] | None = None,
) -> None:
    """Compute the summary rows of these learners (or courses; or, with neither, all rows)
    again from the source tables, in the caller's transaction: the one rule that keeps
    `learner_course_summary` right."""
    users = None if user_ids is None else sorted(set(user_ids))
    courses = None if course_ids is None else sorted(set(course_ids))
    if users is None:
        _refresh(connection, None, courses)
    for start in range(0, len(users or ()), CHUNK):
        _refresh(connection, users[start : start + CHUNK], courses)  # type: ignore[index]


@cache
def _statements(by_users: bool, by_courses: bool) -> tuple[Any, Any, Any]:
    """The lock (PostgreSQL), delete and insert of a refresh, built once for each kind."""
    table = LearnerCourseSummary.__table__
    # Two transactions refreshing one learner at once would each compute from a snapshot
    # without the other's write: the second waits here, then reads both. (FOR NO KEY UPDATE
    # does not block the inserts that reference the user.)
    lock = (
        select(User.id).where(User.id.in_(bindparam("users", expanding=True)))
        .order_by(User.id).with_for_update(key_share=True)
    )  # fmt: skip
    stale = delete(table)
    if by_users:
        stale = stale.where(table.c.user_id.in_(bindparam("users", expanding=True)))
    if by_courses:
        stale = stale.where(table.c.course_id.in_(bindparam("courses", expanding=True)))
    fresh = insert(table).from_select(list(SUMMARY_COLUMNS), summary_select(by_users, by_courses))
    return lock, stale, fresh


def _refresh(connection: Connection, users: list[int] | None, courses: list[int] | None) -> None:
    if courses == []:
        return
    lock, stale, fresh = _statements(users is not None, courses is not None)
    params = {"users": users, "courses": courses}
    if users and connection.dialect.name == "postgresql":
        connection.execute(lock, params)
    connection.execute(stale, params)
    connection.execute(fresh, params)


def rebuild(connection: Connection) -> int:
    """Every row again from the source tables (repair); how many rows there are now."""
    refresh(connection)
    return connection.execute(select(func.count()).select_from(LearnerCourseSummary)).scalar_one()


# Which columns of content change what the summary counts: published lessons done, and the
# best score and pass of the active final exam.
_CONTENT_COLUMNS = {Lesson: ("status", "course_id"), Quiz: ("status", "is_final", "course_id")}
_LEARNER_MODELS = (LessonProgress, Attempt, CourseCompletion, Assignment)


def _changed(obj: Any, names: Iterable[str]) -> bool:
    attrs = inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in names)


def _courses_of(obj: Any) -> set[int]:
    """The course ids a content row belongs to, before and after its change."""
    history = inspect(obj).attrs.course_id.history
    return {course for course in (*history.unchanged, *history.added, *history.deleted)
            if course is not None}  # fmt: skip


@event.listens_for(Session, "after_flush")
def _refresh_after_flush(session: Session, _flush_context: object) -> None:
    users: set[int] = set()
    courses: set[int] = set()
    for obj in session.new:
        if isinstance(obj, _LEARNER_MODELS):
            users.add(obj.user_id)
    for obj in session.deleted:
        if isinstance(obj, _LEARNER_MODELS):
            users.add(obj.user_id)
        elif isinstance(obj, (Lesson, Quiz)):
            courses |= _courses_of(obj)
    for obj in session.dirty:
        if isinstance(obj, _LEARNER_MODELS) and session.is_modified(obj):
            users |= {user for user in inspect(obj).attrs.user_id.history.sum() if user}
        elif isinstance(obj, (Lesson, Quiz)) and _changed(obj, _CONTENT_COLUMNS[type(obj)]):
            courses |= _courses_of(obj)
    users.discard(None)  # type: ignore[arg-type]
    if users or courses:
        connection = session.connection()
        if courses:
            refresh(connection, course_ids=courses)
        if users:
            refresh(connection, user_ids=users)
