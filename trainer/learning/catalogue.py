"""What learners may see of the content: courses and their published lessons."""

from sqlalchemy.orm import contains_eager

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


def course_with_lessons(slug: str) -> tuple[Course, list[Lesson]] | None:
    """The course with `slug` and its published lessons in course order, in one statement;
    None when there is no such course or none of its lessons is published."""
    lessons = list(
        db.session.execute(
            db.select(Lesson)
            .join(Lesson.course)
            .options(contains_eager(Lesson.course))
            .where(Course.slug == slug, Lesson.status == LessonStatus.PUBLISHED)
            .order_by(Lesson.position)
        ).scalars()
    )
    return (lessons[0].course, lessons) if lessons else None


def published_lessons(course: Course) -> list[Lesson]:
    """The lessons learners see, in course order."""
    return list(
        db.session.execute(
            db.select(Lesson)
            .where(Lesson.course_id == course.id, Lesson.status == LessonStatus.PUBLISHED)
            .order_by(Lesson.position)
        ).scalars()
    )


def published_lessons_of(course_ids: list[int]) -> list[Lesson]:
    """The published lessons of several courses, in course order within each, in one statement."""
    return list(
        db.session.execute(
            db.select(Lesson)
            .where(Lesson.course_id.in_(course_ids), Lesson.status == LessonStatus.PUBLISHED)
            .order_by(Lesson.course_id, Lesson.position)
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
