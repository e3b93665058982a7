"""Courses, lessons, questions and quizzes: the content loaded from `lessons/` and `quizzes/`."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.extensions import db
from trainer.models.types import UTCDateTime, one_of, utcnow
from trainer.taxonomy import Taxonomy


class LessonStatus(StrEnum):
    """Whether learners see a lesson."""

    DRAFT = "draft"
    PUBLISHED = "published"
    RETIRED = "retired"


class QuestionStatus(StrEnum):
    """Whether a question (or a quiz) is drawn and shown."""

    ACTIVE = "active"
    RETIRED = "retired"


LESSON_STATUSES: tuple[str, ...] = tuple(status.value for status in LessonStatus)
QUESTION_STATUSES: tuple[str, ...] = tuple(status.value for status in QuestionStatus)
QUIZ_STATUSES: tuple[str, ...] = QUESTION_STATUSES


class Origin(StrEnum):
    """Where a lesson, question or quiz was born: in the content files or inside Trainer."""

    FILES = "files"
    BROWSER = "browser"  # the editor, a GIFT import: a content sync never retires these


class FileTracked:
    """Columns of a row the content files can also describe (see trainer.authoring.sync_plan)."""

    # New rows are made in Trainer unless the sync says otherwise.
    origin: Mapped[str] = mapped_column(String(8), default=Origin.BROWSER)
    # The fingerprint of the file content the last sync loaded or matched; None if never.
    file_hash: Mapped[str | None] = mapped_column(String(64))


class Course(db.Model):
    """A course: lessons in order, a question bank and its quizzes."""

    __tablename__ = "course"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(5), default="pl")
    description: Mapped[str] = mapped_column(Text, default="")
    # Item-quality checks waived on purpose, as course.yaml's `lint` says. Deferred: only
    # authoring reads it, and decoding it would cost every page that loads a course.
    lint_waivers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, deferred=True)
    # The course's dimensions and classification categories (`Taxonomy.to_json`).
    taxonomy_data: Mapped[dict[str, Any]] = mapped_column("taxonomy", JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    lessons: Mapped[list["Lesson"]] = relationship(
        back_populates="course", order_by="Lesson.position"
    )
    quizzes: Mapped[list["Quiz"]] = relationship(back_populates="course", order_by="Quiz.position")

    @property
    def taxonomy(self) -> Taxonomy:
        """The dimensions and categories the course's content is tagged with."""
        return Taxonomy.from_json(self.taxonomy_data)


class Lesson(FileTracked, db.Model):
    """One lesson: Markdown body with its front matter."""

    __tablename__ = "lesson"
    __table_args__ = (
        UniqueConstraint("course_id", "slug"),
        CheckConstraint(one_of("status", LESSON_STATUSES), name="status"),
        CheckConstraint("estimated_minutes > 0", name="estimated_minutes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    dimension: Mapped[str | None] = mapped_column(String(32))
    position: Mapped[int]
    summary: Mapped[str] = mapped_column(Text, default="")
    estimated_minutes: Mapped[int] = mapped_column(default=5)
    body: Mapped[str] = mapped_column(Text, default="")
    objectives: Mapped[list[str]] = mapped_column(JSON, default=list)
    takeaways: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="published")
    # Bumped by every save, so an editor can tell that someone else saved in between.
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    course: Mapped[Course] = relationship(back_populates="lessons")


class Question(FileTracked, db.Model):
    """A question of a course's bank, of one of the types in `trainer.quiz.types`."""

    __tablename__ = "question"
    __table_args__ = (
        UniqueConstraint("course_id", "key"),
        CheckConstraint(one_of("status", QUESTION_STATUSES), name="status"),
        CheckConstraint("difficulty BETWEEN 1 AND 3", name="difficulty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(20))
    dimension: Mapped[str | None] = mapped_column(String(32))
    difficulty: Mapped[int] = mapped_column(default=2)
    market: Mapped[str | None] = mapped_column(String(3))
    # "mixed": the situation's surface cue misleads; quizzes draw at least one such item.
    signals: Mapped[str] = mapped_column(String(8), default="clear")
    situation: Mapped[str] = mapped_column(Text, default="")
    prompt: Mapped[str] = mapped_column(Text, default="")
    explanation: Mapped[str] = mapped_column(Text, default="")
    lesson_id: Mapped[int | None] = mapped_column(ForeignKey("lesson.id", ondelete="SET NULL"))
    lesson_anchor: Mapped[str | None] = mapped_column(String(100))
    # What the question's type keeps beyond the columns (a dialogue: its turns).
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="active")
    # Bumped by every save, so an editor can tell that someone else saved in between.
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    course: Mapped[Course] = relationship()
    lesson: Mapped[Lesson | None] = relationship()
    options: Mapped[list["QuestionOption"]] = relationship(
        back_populates="question",
        order_by="QuestionOption.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )


class QuestionOption(db.Model):
    """One answer option (for a scenario: one approach of its second step)."""

    __tablename__ = "question_option"
    __table_args__ = (UniqueConstraint("question_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"))
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    feedback: Mapped[str] = mapped_column(Text, default="")
    is_correct: Mapped[bool] = mapped_column(default=False)

    question: Mapped[Question] = relationship(back_populates="options")


class Quiz(FileTracked, db.Model):
    """A quiz: how many questions to draw from which pool, and the rules of passing."""

    __tablename__ = "quiz"
    __table_args__ = (
        UniqueConstraint("course_id", "slug"),
        CheckConstraint(one_of("status", QUIZ_STATUSES), name="status"),
        CheckConstraint("items_per_attempt > 0", name="items_per_attempt"),
        CheckConstraint("pass_mark BETWEEN 0 AND 100", name="pass_mark"),
        CheckConstraint(
            "attempts_allowed IS NULL OR attempts_allowed > 0", name="attempts_allowed"
        ),
        CheckConstraint("cooldown_minutes >= 0", name="cooldown_minutes"),
        CheckConstraint(
            "time_limit_minutes IS NULL OR time_limit_minutes > 0", name="time_limit_minutes"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)
    lesson_id: Mapped[int | None] = mapped_column(ForeignKey("lesson.id", ondelete="SET NULL"))
    is_final: Mapped[bool] = mapped_column(default=False)
    items_per_attempt: Mapped[int]
    pass_mark: Mapped[int]
    attempts_allowed: Mapped[int | None]
    cooldown_minutes: Mapped[int] = mapped_column(default=0)
    time_limit_minutes: Mapped[int | None]
    # Drawing rules, e.g. {"per_dimension": 2, "balance_markets": true}.
    draw_rules: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="active")

    course: Mapped[Course] = relationship(back_populates="quizzes")
    lesson: Mapped[Lesson | None] = relationship()
    questions: Mapped[list[Question]] = relationship(
        secondary="quiz_question", order_by="Question.key"
    )


class QuizQuestion(db.Model):
    """Membership of a question in a quiz's pool."""

    __tablename__ = "quiz_question"

    quiz_id: Mapped[int] = mapped_column(
        ForeignKey("quiz.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[int] = mapped_column(
        ForeignKey("question.id", ondelete="CASCADE"), primary_key=True
    )
