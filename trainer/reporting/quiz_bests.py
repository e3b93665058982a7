"""Each learner's best score in each quiz, and when they reached it, for the exports.

The report has one row per learner and course; a course has several quizzes, so these come
beside it: for each batch of streamed rows, one query fetches the batch's graded attempts.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, exists

from trainer.extensions import db
from trainer.models import (
    Attempt,
    AttemptStatus,
    Course,
    Lesson,
    LessonStatus,
    QuestionStatus,
    Quiz,
)

BATCH = 500


@dataclass(frozen=True)
class QuizInfo:
    """A quiz that gets its own pair of columns."""

    id: int
    slug: str
    title: str
    course_slug: str
    course_title: str


@dataclass(frozen=True)
class Best:
    """A learner's best graded percentage in a quiz, and when that attempt was handed in."""

    percent: float | None
    at: datetime | None


NO_BEST = Best(None, None)


@dataclass(frozen=True)
class ExportRow:
    """A report row and the learner's best per quiz (by quiz id)."""

    report: Row[Any]
    bests: dict[int, Best] = field(default_factory=dict)

    def best(self, quiz_id: int) -> Best:
        """The best in `quiz_id`, or nothing if the learner has no graded attempt there."""
        return self.bests.get(quiz_id, NO_BEST)


def report_quizzes(course: str | None) -> list[QuizInfo]:
    """The active quizzes of the courses the report covers (or of `course`), in order."""
    published = exists().where(
        Lesson.course_id == Course.id, Lesson.status == LessonStatus.PUBLISHED
    )
    stmt = (
        db.select(Quiz.id, Quiz.slug, Quiz.title, Course.slug, Course.title)
        .join(Course, Course.id == Quiz.course_id)
        .where(Quiz.status == QuestionStatus.ACTIVE, published)
        .order_by(Course.title, Course.id, Quiz.position, Quiz.id)
    )
    if course:
        stmt = stmt.where(Course.slug == course)
    return [QuizInfo(*row) for row in db.session.execute(stmt)]


def graded_attempts_select(user_ids: list[int], quiz_ids: list[int]) -> Select[Any]:
    """The graded attempts of these learners at these quizzes, oldest first; read through
    the index on (user_id, quiz_id), so a batch costs its own attempts, not every attempt
    at those quizzes."""
    return (
        db.select(Attempt.user_id, Attempt.quiz_id, Attempt.percent, Attempt.submitted_at)
        .where(
            Attempt.status == AttemptStatus.GRADED,
            Attempt.percent.is_not(None),
            Attempt.user_id.in_(user_ids),
            Attempt.quiz_id.in_(quiz_ids),
        )
        .order_by(Attempt.submitted_at, Attempt.id)
    )


def best_attempts(user_ids: Iterable[int], quiz_ids: Iterable[int]) -> dict[tuple[int, int], Best]:
    """(user id, quiz id) -> the best graded attempt; on a tie, the earlier one."""
    users, quizzes = list(set(user_ids)), list(quiz_ids)
    if not users or not quizzes:
        return {}
    rows = db.session.execute(graded_attempts_select(users, quizzes))
    bests: dict[tuple[int, int], Best] = {}
    for user_id, quiz_id, percent, submitted_at in rows:
        known = bests.get((user_id, quiz_id))
        if known is None or percent > (known.percent or 0.0):
            bests[(user_id, quiz_id)] = Best(percent, submitted_at)
    return bests


def with_bests(rows: Iterable[Row[Any]], quizzes: list[QuizInfo]) -> Iterator[ExportRow]:
    """`rows` as ExportRows, read and completed a batch at a time (memory stays flat).

    A row gets the bests of its own course's quizzes only.
    """
    by_course: dict[str, list[int]] = {}
    for quiz in quizzes:
        by_course.setdefault(quiz.course_slug, []).append(quiz.id)
    batch: list[Row[Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield from _complete(batch, by_course)
            batch = []
    yield from _complete(batch, by_course)


def _complete(batch: list[Row[Any]], by_course: dict[str, list[int]]) -> Iterator[ExportRow]:
    quiz_ids = [quiz_id for ids in by_course.values() for quiz_id in ids]
    bests = best_attempts((row.user_id for row in batch), quiz_ids)
    for row in batch:
        mine = {quiz_id: bests[(row.user_id, quiz_id)]
                for quiz_id in by_course.get(row.course_slug, ())
                if (row.user_id, quiz_id) in bests}  # fmt: skip
        yield ExportRow(row, mine)
