"""What learners did, as xAPI 1.0.3 statements streamed from the database.

Four kinds of statement, each read with one query in id order and streamed in this order:
`completed` per completed lesson, `answered` per answered item of a graded attempt, `passed`
or `failed` per graded attempt, `completed` per course completion. A `Position` (kind, last
row id) says where the stream stands, so a page can resume after it.

The statements are those of the report's rows: the same `ReportFilter` picks the learners
and courses (report.py decides status, dates and who counts as a learner), and `since`
keeps only what was recorded from that moment on, for incremental pulls. How rows become
statements (ids, IRIs, the scenario encoding) is in xapi_statements.py.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, Select, and_, func

from trainer.extensions import db
from trainer.models import (
    Attempt,
    AttemptItem,
    AttemptStatus,
    Course,
    CourseCompletion,
    Lesson,
    LessonProgress,
    Quiz,
    User,
)
from trainer.reporting.report import ReportFilter, report_select
from trainer.reporting.xapi_statements import StatementBuilder

KINDS: tuple[str, ...] = ("lesson", "answer", "attempt", "course")
BATCH = 500

_Query = tuple[Select[Any], ColumnElement[Any], ColumnElement[int]]


@dataclass(frozen=True, order=True)
class Position:
    """Where a stream of statements stands: the index of a kind and its last row id."""

    kind: int
    row_id: int


def iter_statements(
    filters: ReportFilter, since: datetime | None = None
) -> Iterator[dict[str, Any]]:
    """Every statement of the report's rows under `filters`, recorded at or after `since`."""
    for _position, statement in positioned_statements(filters, since):
        yield statement


def positioned_statements(
    filters: ReportFilter, since: datetime | None = None, after: Position | None = None
) -> Iterator[tuple[Position, dict[str, Any]]]:
    """Each statement after `after`, with its position, to page through the stream."""
    build = StatementBuilder(current_app.config["XAPI_BASE_IRI"])
    report = report_select(filters).order_by(None).subquery("report")
    for index, kind in enumerate(KINDS):
        if after is not None and index < after.kind:
            continue
        last = after.row_id if after is not None and index == after.kind else 0
        query, recorded, row_id = _QUERIES[kind]()
        # Joined, not EXISTS: the databases then build the report's rows once per query.
        query = query.join(
            report, and_(report.c.user_id == User.id, report.c.course_slug == Course.slug)
        )
        query = query.where(row_id > last).order_by(row_id)
        if since is not None:
            query = query.where(recorded >= since)
        if kind == "answer":
            build.load_questions(filters.course)
        convert = getattr(build, kind)
        with db.session.execute(query.execution_options(yield_per=BATCH)) as result:
            for row in result:
                yield Position(index, row.id), convert(row)


_LEARNER = (User.display_name, User.email, Course.slug.label("course_slug"))
_COURSE = (Course.title.label("course_title"), Course.language)


def _lessons() -> _Query:
    query = (
        db.select(LessonProgress.id, LessonProgress.completed_at, *_LEARNER, *_COURSE,
                  Lesson.slug.label("lesson_slug"), Lesson.title.label("lesson_title"))
        .join(User, LessonProgress.user_id == User.id)
        .join(Lesson, LessonProgress.lesson_id == Lesson.id)
        .join(Course, Lesson.course_id == Course.id)
        .where(LessonProgress.completed_at.is_not(None))
    )  # fmt: skip
    return query, LessonProgress.completed_at, LessonProgress.id


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
    # An answer becomes a statement when its attempt is graded: that is when it is recorded.
    return query, Attempt.submitted_at, AttemptItem.id


def _attempts() -> _Query:
    query = (
        db.select(Attempt.id, Attempt.started_at, Attempt.submitted_at, Attempt.score,
                  Attempt.max_score, Attempt.percent, Attempt.passed, *_LEARNER, *_COURSE,
                  Quiz.slug.label("quiz_slug"), Quiz.title.label("quiz_title"))
        .join(User, Attempt.user_id == User.id)
        .join(Quiz, Attempt.quiz_id == Quiz.id)
        .join(Course, Quiz.course_id == Course.id)
        .where(Attempt.status == AttemptStatus.GRADED)
    )  # fmt: skip
    return query, Attempt.submitted_at, Attempt.id


def _completions() -> _Query:
    query = (
        db.select(CourseCompletion.id, CourseCompletion.completed_at, CourseCompletion.score,
                  CourseCompletion.certificate_code, *_LEARNER, *_COURSE)
        .join(User, CourseCompletion.user_id == User.id)
        .join(Course, CourseCompletion.course_id == Course.id)
    )  # fmt: skip
    return query, CourseCompletion.completed_at, CourseCompletion.id


_QUERIES = {"lesson": _lessons, "answer": _answers, "attempt": _attempts, "course": _completions}
