"""One learner's transcript for HR: every lesson opened or done, every quiz attempt."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, and_, or_

from trainer.extensions import db
from trainer.models import (
    Attempt,
    Course,
    CourseCompletion,
    Lesson,
    LessonProgress,
    LessonStatus,
    Quiz,
    User,
)


@dataclass(frozen=True)
class Transcript:
    """What one learner did, as plain rows, grouped by course in the template."""

    learner: User
    lessons: list[Row[Any]]
    attempts: list[Row[Any]]
    completions: list[Row[Any]]


def transcript(user_id: int) -> Transcript | None:
    """The learner's transcript, or None if `user_id` is not a learner."""
    learner = db.session.get(User, user_id)
    if learner is None or "learner" not in learner.role_names:
        return None
    lessons = db.session.execute(
        db.select(
            Course.title.label("course_title"),
            Lesson.title.label("lesson_title"),
            Lesson.status,
            LessonProgress.first_opened_at,
            LessonProgress.completed_at,
        )
        .select_from(Lesson)
        .join(Course, Course.id == Lesson.course_id)
        .outerjoin(
            LessonProgress,
            and_(LessonProgress.lesson_id == Lesson.id, LessonProgress.user_id == user_id),
        )
        # Published lessons, and any other lesson the learner has already opened.
        .where(or_(Lesson.status == LessonStatus.PUBLISHED, LessonProgress.id.is_not(None)))
        .order_by(Course.title, Course.id, Lesson.position, Lesson.id)
    ).all()
    attempts = db.session.execute(
        db.select(
            Course.title.label("course_title"),
            Quiz.title.label("quiz_title"),
            Quiz.is_final,
            Attempt.status,
            Attempt.started_at,
            Attempt.submitted_at,
            Attempt.percent,
            Attempt.passed,
        )
        .select_from(Attempt)
        .join(Quiz, Quiz.id == Attempt.quiz_id)
        .join(Course, Course.id == Quiz.course_id)
        .where(Attempt.user_id == user_id)
        .order_by(Attempt.started_at, Attempt.id)
    ).all()
    completions = db.session.execute(
        db.select(
            Course.title.label("course_title"),
            CourseCompletion.completed_at,
            CourseCompletion.score,
            CourseCompletion.certificate_code,
        )
        .select_from(CourseCompletion)
        .join(Course, Course.id == CourseCompletion.course_id)
        .where(CourseCompletion.user_id == user_id)
        .order_by(Course.title)
    ).all()
    return Transcript(learner, list(lessons), list(attempts), list(completions))
