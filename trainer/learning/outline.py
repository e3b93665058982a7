"""A course as an outline: each lesson and quiz in order, with the learner's status in it."""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import bindparam, case, func, select

from trainer.extensions import db
from trainer.learning import attempts
from trainer.learning.published import PublishedCourse, PublishedLesson
from trainer.models import Attempt, AttemptStatus, LessonProgress, QuestionStatus, Quiz
from trainer.models.types import utcnow

# A quiz without a time limit is reckoned at this many minutes per question.
MINUTES_PER_ITEM = 1


class Status(StrEnum):
    """Where a learner stands with one row of the outline."""

    NOT_STARTED = "not_started"
    OPENED = "opened"  # a lesson opened but not marked done
    READ = "read"  # a lesson marked done
    IN_PROGRESS = "in_progress"  # a quiz with an unfinished attempt
    PASSED = "passed"
    FAILED = "failed"  # may try again now
    COOLDOWN = "cooldown"  # failed; may try again after `until`
    NO_ATTEMPTS_LEFT = "no_attempts_left"


class Kind(StrEnum):
    """What a row is."""

    LESSON = "lesson"
    CHECK = "check"  # a lesson's quiz, or one of its own
    EXAM = "exam"  # the final exam


DONE = {Status.READ, Status.PASSED}
BLOCKED = {Status.COOLDOWN, Status.NO_ATTEMPTS_LEFT}


@dataclass(frozen=True)
class Row:
    """One lesson or quiz of the outline, with the learner's status."""

    kind: Kind
    title: str
    minutes: int
    status: Status
    lesson: PublishedLesson | None = None
    quiz: Quiz | None = None
    score: float | None = None  # a quiz's best score in percent
    until: datetime | None = None  # when a cool-down ends
    is_next: bool = False


@dataclass(frozen=True)
class Outline:
    """The course's rows in order, and the minutes still ahead."""

    rows: list[Row]

    @property
    def minutes_left(self) -> int:
        return sum(row.minutes for row in self.rows if row.status not in DONE)

    @property
    def next(self) -> Row | None:
        return next((row for row in self.rows if row.is_next), None)


def _lesson_states(user_id: int, lessons: Sequence[PublishedLesson]) -> dict[int, Status]:
    records = db.session.execute(
        db.select(LessonProgress).where(
            LessonProgress.user_id == user_id,
            LessonProgress.lesson_id.in_([lesson.id for lesson in lessons]),
        )
    ).scalars()
    return {r.lesson_id: Status.READ if r.completed_at else Status.OPENED for r in records}


def quiz_rows(user_id: int, quizzes: list[Quiz], now: datetime) -> dict[int, Row]:
    """Each quiz's row by id: its status for the learner, best score and a cool-down's end,
    from two queries however many quizzes there are."""
    ids = [quiz.id for quiz in quizzes]
    graded = {
        row.quiz_id: row
        for row in db.session.execute(
            db.select(
                Attempt.quiz_id,
                func.count().label("used"),
                func.max(Attempt.submitted_at).label("last"),
                func.max(Attempt.percent).label("best"),
                func.max(case((Attempt.passed, 1), else_=0)).label("passed"),
            )
            .where(
                Attempt.user_id == user_id,
                Attempt.quiz_id.in_(ids),
                Attempt.status == AttemptStatus.GRADED,
            )
            .group_by(Attempt.quiz_id)
        )
    }
    open_ = set(
        db.session.execute(
            db.select(Attempt.quiz_id).where(
                Attempt.user_id == user_id,
                Attempt.quiz_id.in_(ids),
                Attempt.status == AttemptStatus.IN_PROGRESS,
            )
        ).scalars()
    )
    return {
        quiz.id: _quiz_row(quiz, graded.get(quiz.id), quiz.id in open_, now) for quiz in quizzes
    }


def _quiz_row(quiz: Quiz, graded: Any, in_progress: bool, now: datetime) -> Row:
    used, last, best = (graded.used, graded.last, graded.best) if graded else (0, None, None)
    refused = None if in_progress else attempts.refusal(quiz, used, last, now)
    until = None
    if in_progress:
        status = Status.IN_PROGRESS
    elif graded and graded.passed:
        status = Status.PASSED
    elif best is None:
        status = Status.NOT_STARTED
    elif refused is not None and refused.reason == "cooldown":
        status, until = Status.COOLDOWN, refused.until
    elif refused is not None:
        status = Status.NO_ATTEMPTS_LEFT
    else:
        status = Status.FAILED
    minutes = quiz.time_limit_minutes or quiz.items_per_attempt * MINUTES_PER_ITEM
    kind = Kind.EXAM if quiz.is_final else Kind.CHECK
    return Row(kind, quiz.title, minutes, status, quiz=quiz, score=best, until=until)


def course_outline(user_id: int, course: PublishedCourse) -> Outline:
    """The published lessons, each followed by its check, then other quizzes and the exam;
    the next step is the first row not done that the learner may take now."""
    now = utcnow()
    lessons = course.lessons
    quizzes = db.session.execute(
        db.select(Quiz)
        .where(Quiz.course_id == course.id, Quiz.status == QuestionStatus.ACTIVE)
        .order_by(Quiz.position)
    ).scalars().all()  # fmt: skip
    states = _lesson_states(user_id, lessons)
    by_quiz = quiz_rows(user_id, list(quizzes), now)
    rows: list[Row] = []
    for lesson in lessons:
        status = states.get(lesson.id, Status.NOT_STARTED)
        rows.append(Row(Kind.LESSON, lesson.title, lesson.estimated_minutes, status, lesson=lesson))
        rows += [by_quiz[q.id] for q in quizzes if q.lesson_id == lesson.id and not q.is_final]
    placed = {lesson.id for lesson in lessons}
    rows += [by_quiz[q.id] for q in quizzes if not q.is_final and q.lesson_id not in placed]
    rows += [by_quiz[q.id] for q in quizzes if q.is_final]
    open_rows = [i for i, row in enumerate(rows) if row.status not in DONE | BLOCKED]
    if open_rows:
        first = open_rows[0]
        rows[first] = replace(rows[first], is_next=True)
    return Outline(rows)


@dataclass(frozen=True)
class OpenExam:
    """A timed attempt still running: where to go back, and the minutes left."""

    attempt: Attempt
    deadline: datetime

    @property
    def minutes_left(self) -> int:
        return max(0, -(-int((self.deadline - utcnow()).total_seconds()) // 60))


# The dashboard's, on every visit: built once, as building it cost more than running it.
_TIMED_IN_PROGRESS = (
    select(Attempt)
    .join(Quiz)
    .where(
        Attempt.user_id == bindparam("user_id"),
        Attempt.status == AttemptStatus.IN_PROGRESS,
        Quiz.time_limit_minutes.is_not(None),
    )
)


def open_timed_attempts(user_id: int) -> list[OpenExam]:
    """The learner's unfinished attempts whose time is running, soonest to end first."""
    running = db.session.execute(_TIMED_IN_PROGRESS, {"user_id": user_id}).scalars()
    now = utcnow()
    found = [OpenExam(a, limit) for a in running if (limit := attempts.deadline(a)) and limit > now]
    return sorted(found, key=lambda exam: exam.deadline)
