"""Write statements into the log as their events are recorded, in the same transaction.

Five events make statements, each read back with one query (so a statement written at the
event and one written later by `backfill` are built alike): a lesson completed, an attempt
started, each answered item of a graded attempt, the attempt's grade, a course completed.
The learner's department and assignment are read at that moment and kept: a statement,
once written, never changes, which is what a learning record store expects of an id.

`stored` is when a statement entered the log: at its event, or, for what happened before
the log existed (or was bulk-inserted, as demo data is), when `backfill` wrote it.
"""

import logging
from collections.abc import Callable
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import ColumnElement, Select, and_, bindparam, event, exists, func, insert
from sqlalchemy.orm import Session

from trainer.database import execute_core
from trainer.extensions import db
from trainer.models import (
    Assignment,
    Attempt,
    AttemptItem,
    AttemptStatus,
    Course,
    CourseCompletion,
    Lesson,
    LessonProgress,
    Quiz,
    User,
    XapiStatement,
)
from trainer.models.types import utcnow
from trainer.xapi import lrs, settings
from trainer.xapi.statements import Statement, StatementBuilder

BATCH = 500

_Query = tuple[Select[Any], ColumnElement[int]]
# Set on a session that wrote statements: once they are committed, the worker pushes them.
PUSH_AFTER_COMMIT = "trainer.xapi.push"
log = logging.getLogger(__name__)


@event.listens_for(Session, "after_commit")
def _push_after_commit(session: Session) -> None:
    if session.info.pop(PUSH_AFTER_COMMIT, False) and has_app_context():
        try:
            lrs.push_soon(current_app)
        except Exception:  # Redis away: the statements wait for the next push, not the user
            log.exception("could not queue the xAPI push")


@event.listens_for(Session, "after_rollback")
def _forget_push(session: Session) -> None:
    session.info.pop(PUSH_AFTER_COMMIT, None)


def lesson_completed(progress: LessonProgress) -> None:
    """The statement of a lesson just marked done."""
    _record_event("lesson_completed", progress.id)


def attempt_started(attempt: Attempt) -> None:
    """The statement of an attempt just started."""
    _record_event("attempt_started", attempt.id)


def attempt_graded(attempt: Attempt) -> None:
    """The statements of an attempt just graded: each answered item, then the grade."""
    _record_event("answered", attempt.id)
    _record_event("attempt_graded", attempt.id)


def course_completed(completion: CourseCompletion) -> None:
    """The statement of a course completion just recorded."""
    _record_event("course_completed", completion.id)


def backfill(user_ids: list[int] | None = None) -> int:
    """Write the statement of every recorded event that has none yet (of `user_ids` only,
    if given); how many were written. Running it again writes nothing."""
    written = 0
    for source in SOURCES:
        query, row_id = _QUERIES[source]
        if user_ids is not None:
            query = query.where(User.id.in_(user_ids))
        query = query.where(
            ~exists().where(XapiStatement.source == source, XapiStatement.source_id == row_id)
        )
        written += _record(source, query, {})
    return written


def builder() -> StatementBuilder:
    """A statement builder on the configured base IRI and home page."""
    return StatementBuilder(settings.base_iri(current_app), settings.home_page(current_app))


def _record_event(source: str, event_id: int) -> int:
    """Build and insert the statements of one event (`answered`: of one attempt's items)."""
    return _record(source, _EVENT_QUERIES[source], {"event_id": event_id})


def _record(source: str, query: Select[Any], values: dict[str, Any]) -> int:
    """Build and insert the statements of the rows `query` reads with `values`."""
    build = builder()
    convert: Callable[[Any], Statement] = getattr(build, source)
    written, last = 0, 0
    while True:  # a page at a time, each read in full before its statements are written
        rows = execute_core(query, {**values, "after": last}).all()
        if not rows:
            return written
        if source == "answered":
            build.load_questions({row.question_id for row in rows})
        execute_core(insert(XapiStatement), [_values(convert(row)) for row in rows])
        db.session.info[PUSH_AFTER_COMMIT] = True
        written += len(rows)
        last = rows[-1].id
        if len(rows) < BATCH:
            return written


def _values(statement: Statement) -> dict[str, Any]:
    return {
        "statement_id": statement.body["id"], "source": statement.source,
        "source_id": statement.source_id, "user_id": statement.user_id,
        "course_id": statement.course_id, "verb": statement.verb, "stored": utcnow(),
        "statement": statement.body, "send_attempts": 0,
    }  # fmt: skip


_LEARNER = (
    User.id.label("user_id"), User.learner_id, User.department,
    Course.id.label("course_id"), Course.slug.label("course_slug"),
    Course.title.label("course_title"), Course.language,
    Assignment.created_at.label("assigned_at"), Assignment.due_at,
)  # fmt: skip


def _paged(query: Select[Any], row_id: ColumnElement[int]) -> _Query:
    """`query` with the learner's assignment of the course, if HR made one, a page at a time
    (the rows after the id `after`)."""
    query = query.outerjoin(
        Assignment, and_(Assignment.user_id == User.id, Assignment.course_id == Course.id)
    )
    return query.where(row_id > bindparam("after")).order_by(row_id).limit(BATCH), row_id


def _lessons() -> _Query:
    query = (
        db.select(LessonProgress.id, LessonProgress.first_opened_at, LessonProgress.completed_at,
                  *_LEARNER, Lesson.slug.label("lesson_slug"), Lesson.title.label("lesson_title"))
        .join(User, LessonProgress.user_id == User.id)
        .join(Lesson, LessonProgress.lesson_id == Lesson.id)
        .join(Course, Lesson.course_id == Course.id)
        .where(LessonProgress.completed_at.is_not(None))
    )  # fmt: skip
    return _paged(query, LessonProgress.id)


def _attempts(graded: bool) -> _Query:
    query = (
        db.select(Attempt.id, Attempt.started_at, Attempt.submitted_at, Attempt.score,
                  Attempt.max_score, Attempt.percent, Attempt.passed, *_LEARNER,
                  Quiz.slug.label("quiz_slug"), Quiz.title.label("quiz_title"))
        .join(User, Attempt.user_id == User.id)
        .join(Quiz, Attempt.quiz_id == Quiz.id)
        .join(Course, Quiz.course_id == Course.id)
    )  # fmt: skip
    if graded:
        query = query.where(Attempt.status == AttemptStatus.GRADED)
    return _paged(query, Attempt.id)


def _answers() -> _Query:
    query = (
        db.select(AttemptItem.id, AttemptItem.attempt_id, AttemptItem.question_id,
                  AttemptItem.answer, AttemptItem.points, AttemptItem.max_points,
                  func.coalesce(AttemptItem.answered_at, Attempt.submitted_at).label("answered_at"),
                  *_LEARNER, Quiz.slug.label("quiz_slug"))
        .join(Attempt, AttemptItem.attempt_id == Attempt.id)
        .join(User, Attempt.user_id == User.id)
        .join(Quiz, Attempt.quiz_id == Quiz.id)
        .join(Course, Quiz.course_id == Course.id)
        .where(Attempt.status == AttemptStatus.GRADED, AttemptItem.answered_at.is_not(None))
    )  # fmt: skip
    return _paged(query, AttemptItem.id)


def _completions() -> _Query:
    query = (
        db.select(CourseCompletion.id, CourseCompletion.completed_at, CourseCompletion.score,
                  CourseCompletion.certificate_code, *_LEARNER)
        .join(User, CourseCompletion.user_id == User.id)
        .join(Course, CourseCompletion.course_id == Course.id)
    )  # fmt: skip
    return _paged(query, CourseCompletion.id)


# Built once: every grade and completion records statements, and building these queries cost
# more than running them.
_QUERIES: dict[str, _Query] = {
    "lesson_completed": _lessons(),
    "attempt_started": _attempts(graded=False),
    "answered": _answers(),
    "attempt_graded": _attempts(graded=True),
    "course_completed": _completions(),
}
SOURCES: tuple[str, ...] = tuple(_QUERIES)
# Each query narrowed to one event's rows, the event's id bound at each execution.
_EVENT_ROWS: dict[str, ColumnElement[bool]] = {
    "lesson_completed": LessonProgress.id == bindparam("event_id"),
    "attempt_started": Attempt.id == bindparam("event_id"),
    "answered": AttemptItem.attempt_id == bindparam("event_id"),
    "attempt_graded": Attempt.id == bindparam("event_id"),
    "course_completed": CourseCompletion.id == bindparam("event_id"),
}
_EVENT_QUERIES: dict[str, Select[Any]] = {
    source: query.where(_EVENT_ROWS[source]) for source, (query, _row_id) in _QUERIES.items()
}
