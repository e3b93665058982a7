"""Learner progress: lessons opened and done, course status, and completion."""

import secrets
from dataclasses import dataclass

from sqlalchemy import bindparam, case, func, select
from sqlalchemy.exc import IntegrityError

from trainer.database import execute_core, savepoint
from trainer.extensions import db
from trainer.learning import published
from trainer.learning.published import PublishedCourse, PublishedLesson, PublishedQuiz
from trainer.models import (
    Attempt,
    AttemptStatus,
    Course,
    CourseCompletion,
    Lesson,
    LessonProgress,
    Quiz,
)
from trainer.models.types import utcnow
from trainer.xapi import record

# Unambiguous letters and digits only: codes are read aloud and typed from paper.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def open_lesson(user_id: int, lesson: Lesson | PublishedLesson) -> LessonProgress:
    """Record the first time the user opens `lesson`; later openings change nothing."""
    progress = _progress(user_id, lesson.id)
    if progress is None:
        progress = LessonProgress(user_id=user_id, lesson_id=lesson.id)
        try:
            with savepoint():  # another tab may open it first
                db.session.add(progress)
        except IntegrityError:
            progress = _progress(user_id, lesson.id)
            if progress is None:
                raise
    return progress


def complete_lesson(user_id: int, lesson: Lesson | PublishedLesson) -> LessonProgress:
    """Mark `lesson` done (once: the first completion time is kept)."""
    progress = open_lesson(user_id, lesson)
    if progress.completed_at is None:
        progress.completed_at = utcnow()
        db.session.flush()
        record.lesson_completed(progress)
    return progress


# The statements learner pages send on every request are built once, at import, and run
# with each request's values: building one cost more CPU than the database took to answer it.
_PROGRESS = select(LessonProgress).where(
    LessonProgress.user_id == bindparam("user_id"),
    LessonProgress.lesson_id == bindparam("lesson_id"),
)


def _progress(user_id: int, lesson_id: int) -> LessonProgress | None:
    return db.session.execute(
        _PROGRESS, {"user_id": user_id, "lesson_id": lesson_id}
    ).scalar_one_or_none()


def final_exam(course: Course) -> Quiz | None:
    """The course's final exam, the one its completion counts (`PublishedCourse.final_exam`)."""
    kept = published.catalogue().by_id(course.id)
    return db.session.get(Quiz, kept.final_exam.id) if kept and kept.final_exam else None


@dataclass(frozen=True)
class CourseStatus:
    """Where a learner stands in a course."""

    lessons_total: int
    lessons_done: int
    best_score: float | None
    passed: bool
    completion: CourseCompletion | None
    next_lesson: PublishedLesson | None
    next_quiz: PublishedQuiz | None

    @property
    def percent_done(self) -> int:
        return round(100 * self.lessons_done / self.lessons_total) if self.lessons_total else 0


def course_status(user_id: int, course: Course | PublishedCourse) -> CourseStatus:
    """Lessons done, best final score, passed, completion, and the next step."""
    if not isinstance(course, PublishedCourse):
        kept = published.catalogue().by_id(course.id)
        if kept is None:  # deleted by another writer since this request read it
            return CourseStatus(0, 0, None, False, None, None, None)
        course = kept
    return course_statuses(user_id, [course])[course.id]


_LESSONS_DONE = (
    select(LessonProgress.lesson_id)
    .join(Lesson)
    .where(
        LessonProgress.user_id == bindparam("user_id"),
        LessonProgress.completed_at.is_not(None),
        Lesson.course_id.in_(bindparam("course_ids", expanding=True)),
    )
)
# An attempt passed if it met the pass mark when it was graded (`scoring.passed`); the report
# reads the same stored outcome.
_EXAM_RESULTS = (
    select(Attempt.quiz_id, func.max(Attempt.percent), func.max(case((Attempt.passed, 1), else_=0)))
    .where(
        Attempt.user_id == bindparam("user_id"),
        Attempt.quiz_id.in_(bindparam("exam_ids", expanding=True)),
        Attempt.status == AttemptStatus.GRADED,
    )
    .group_by(Attempt.quiz_id)
)
_COMPLETIONS = select(CourseCompletion).where(
    CourseCompletion.user_id == bindparam("user_id"),
    CourseCompletion.course_id.in_(bindparam("course_ids", expanding=True)),
)


def course_statuses(user_id: int, courses: list[PublishedCourse]) -> dict[int, CourseStatus]:
    """`course_status` of each course, by course id, in three statements however many."""
    values = {
        "user_id": user_id,
        "course_ids": [course.id for course in courses],
        "exam_ids": [course.final_exam.id for course in courses if course.final_exam],
    }
    done = set(execute_core(_LESSONS_DONE, values).scalars())
    results = {
        quiz_id: (best, bool(passed))
        for quiz_id, best, passed in execute_core(_EXAM_RESULTS, values)
    }
    completions = {
        completion.course_id: completion
        for completion in db.session.execute(_COMPLETIONS, values).scalars()
    }
    statuses = {}
    for course in courses:
        exam = course.final_exam
        best, passed = results.get(exam.id, (None, False)) if exam else (None, False)
        next_lesson = next((lesson for lesson in course.lessons if lesson.id not in done), None)
        statuses[course.id] = CourseStatus(
            lessons_total=len(course.lessons),
            lessons_done=sum(lesson.id in done for lesson in course.lessons),
            best_score=best,
            passed=passed,
            completion=completions.get(course.id),
            next_lesson=next_lesson,
            next_quiz=exam if next_lesson is None and not passed else None,
        )
    return statuses


def completion_of(user_id: int, course: Course | PublishedCourse) -> CourseCompletion | None:
    """The user's completion record of `course`, if any."""
    return db.session.execute(
        db.select(CourseCompletion).where(
            CourseCompletion.user_id == user_id, CourseCompletion.course_id == course.id
        )
    ).scalar_one_or_none()


def record_completion_if_earned(
    user_id: int, course: Course | PublishedCourse
) -> CourseCompletion | None:
    """Record the completion once every lesson is done and the final exam passed."""
    status = course_status(user_id, course)
    if status.completion is not None:
        return status.completion
    if status.next_lesson is not None or not status.passed or status.best_score is None:
        return None
    completion = CourseCompletion(
        user_id=user_id,
        course_id=course.id,
        score=status.best_score,
        certificate_code=new_certificate_code(),
    )
    try:
        with savepoint():  # a concurrent request may record it first
            db.session.add(completion)
    except IntegrityError:
        return completion_of(user_id, course)
    record.course_completed(completion)
    return completion


def new_certificate_code() -> str:
    """A random, readable verification code such as `K7QM-4XPA-2HRT`."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))
