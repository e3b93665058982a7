"""What learners may see of the content: courses and their published lessons."""

from trainer.extensions import db
from trainer.models import Course, Lesson, LessonProgress, LessonStatus


def courses() -> list[Course]:
    """Every course that has at least one published lesson, by title."""
    return list(
        db.session.execute(
            db.select(Course)
            .where(Course.lessons.any(Lesson.status == LessonStatus.PUBLISHED))
            .order_by(Course.title)
        ).scalars()
    )


def course_by_slug(slug: str) -> Course | None:
    """The course with `slug`."""
    return db.session.execute(db.select(Course).where(Course.slug == slug)).scalar_one_or_none()


def published_lessons(course: Course) -> list[Lesson]:
    """The lessons learners see, in course order."""
    return list(
        db.session.execute(
            db.select(Lesson)
            .where(Lesson.course_id == course.id, Lesson.status == LessonStatus.PUBLISHED)
            .order_by(Lesson.position)
        ).scalars()
    )


def completed_lesson_ids(user_id: int, course: Course) -> set[int]:
    """Ids of the lessons of `course` that the user has completed."""
    return set(
        db.session.execute(
            db.select(LessonProgress.lesson_id)
            .join(Lesson)
            .where(
                LessonProgress.user_id == user_id,
                LessonProgress.completed_at.is_not(None),
                Lesson.course_id == course.id,
            )
        ).scalars()
    )
