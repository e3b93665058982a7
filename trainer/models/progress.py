"""What learners did: lesson progress, quiz attempts and course completions."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.extensions import db
from trainer.models.content import Course, Lesson, Question, Quiz
from trainer.models.types import UTCDateTime, one_of, utcnow
from trainer.models.user import User


class AttemptStatus(StrEnum):
    """An attempt is being answered, then graded once."""

    IN_PROGRESS = "in_progress"
    GRADED = "graded"


ATTEMPT_STATUSES: tuple[str, ...] = tuple(status.value for status in AttemptStatus)


class LessonProgress(db.Model):
    """One learner's progress through one lesson."""

    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("user_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id", ondelete="CASCADE"))
    first_opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
    lesson: Mapped[Lesson] = relationship()


class Attempt(db.Model):
    """One attempt at a quiz, from drawing its questions to its grade."""

    __tablename__ = "attempt"
    __table_args__ = (
        CheckConstraint(one_of("status", ATTEMPT_STATUSES), name="status"),
        CheckConstraint("score IS NULL OR score >= 0", name="score"),
        # At most one unfinished attempt per learner and quiz, even under concurrent starts.
        Index(
            "uq_attempt_one_in_progress",
            "user_id",
            "quiz_id",
            unique=True,
            sqlite_where=text("status = 'in_progress'"),
            postgresql_where=text("status = 'in_progress'"),
        ),
        # A learner's attempts, or theirs at given quizzes (the exports' best per quiz, in
        # batches of learners: migration 0015).
        Index("ix_attempt_user_id_quiz_id", "user_id", "quiz_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=AttemptStatus.IN_PROGRESS)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    score: Mapped[int | None]
    max_score: Mapped[int | None]
    percent: Mapped[float | None]
    passed: Mapped[bool | None]

    user: Mapped[User] = relationship()
    quiz: Mapped[Quiz] = relationship()
    items: Mapped[list["AttemptItem"]] = relationship(
        back_populates="attempt", order_by="AttemptItem.position", cascade="all, delete-orphan"
    )


class AttemptItem(db.Model):
    """One drawn question of an attempt: its fixed option order, the answer and the grade.

    The answer and the per-step result are JSON whose shape the question's type defines
    (a scenario: `{"market": "B2B", "option": 12}` and `{"market": true, "option": false}`).
    """

    __tablename__ = "attempt_item"
    __table_args__ = (
        UniqueConstraint("attempt_id", "position"),
        UniqueConstraint("attempt_id", "question_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"))
    position: Mapped[int]
    # Option ids in the shuffled order the learner sees, fixed when the attempt starts.
    option_order: Mapped[list[Any]] = mapped_column(JSON, default=list)
    answer: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set by grading: each step right or not, the points and the most the item could score.
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    points: Mapped[int | None]
    max_points: Mapped[int | None]

    attempt: Mapped[Attempt] = relationship(back_populates="items")
    question: Mapped[Question] = relationship()


class CourseCompletion(db.Model):
    """The record, made once, that a learner completed a course."""

    __tablename__ = "course_completion"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    score: Mapped[float]
    certificate_code: Mapped[str] = mapped_column(String(32), unique=True)

    user: Mapped[User] = relationship()
    course: Mapped[Course] = relationship()


class PracticeItem(db.Model):
    """A question in a learner's practice queue, scheduled by Leitner boxes."""

    __tablename__ = "practice_item"
    __table_args__ = (
        UniqueConstraint("user_id", "question_id"),
        CheckConstraint("box BETWEEN 1 AND 5", name="box"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"))
    box: Mapped[int] = mapped_column(default=1)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reviews: Mapped[int] = mapped_column(default=0)

    question: Mapped[Question] = relationship()
