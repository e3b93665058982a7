"""What a lesson page shows of a course, read once per process and content revision.

A lesson page used to read the course, all its published lessons and the lesson's check on
every request: about a third of the page's work. Each process now keeps them, as plain
frozen values, under the content's revision token (trainer/models/revision.py), which every
write to a course, a lesson or a quiz changes in its own transaction. A request reads the
token, one row; when it has moved (an edit committed on any instance), the course is read
again. Values, not ORM objects: a kept object must never join a later request's session.
"""

from dataclasses import dataclass

from flask import current_app

from trainer.extensions import db
from trainer.learning import catalogue
from trainer.models import ContentRevision, QuestionStatus, Quiz
from trainer.taxonomy import Taxonomy


@dataclass(frozen=True)
class LessonCheck:
    """The active quiz that checks a lesson (the first by position)."""

    id: int
    title: str


@dataclass(frozen=True)
class PublishedLesson:
    """A published lesson as its page shows it."""

    id: int
    course_id: int
    slug: str
    title: str
    dimension: str | None
    estimated_minutes: int
    body: str
    objectives: tuple[str, ...]
    takeaways: tuple[str, ...]
    check: LessonCheck | None


@dataclass(frozen=True)
class PublishedCourse:
    """A course with its published lessons in course order."""

    id: int
    slug: str
    title: str
    language: str
    taxonomy: Taxonomy
    lessons: tuple[PublishedLesson, ...]

    def position_of(self, lesson_slug: str) -> int | None:
        """The index of the lesson called `lesson_slug`, if it is published."""
        return next((i for i, les in enumerate(self.lessons) if les.slug == lesson_slug), None)


def published_course(slug: str) -> PublishedCourse | None:
    """The course with `slug` as learners see it now; None if it has no published lesson."""
    # The token first: content read after it is at least as new, so what is kept under a
    # token is never older than the token says.
    token = db.session.execute(db.select(ContentRevision.token)).scalar()
    kept: dict[str, tuple[str, PublishedCourse]] = current_app.extensions.setdefault(
        "published_courses", {}
    )
    found = kept.get(slug)
    if token is not None and found is not None and found[0] == token:
        return found[1]
    course = _read(slug)
    if token is not None and course is not None:  # only courses that exist: slugs are input
        kept[slug] = (token, course)
    return course


def _read(slug: str) -> PublishedCourse | None:
    found = catalogue.course_with_lessons(slug)
    if found is None:
        return None
    course, lessons = found
    checks: dict[int, LessonCheck] = {}
    for lesson_id, quiz_id, title in db.session.execute(
        db.select(Quiz.lesson_id, Quiz.id, Quiz.title)
        .where(
            Quiz.course_id == course.id,
            Quiz.lesson_id.is_not(None),
            Quiz.status == QuestionStatus.ACTIVE,
        )
        .order_by(Quiz.position.desc(), Quiz.id.desc())
    ):
        checks[lesson_id] = LessonCheck(quiz_id, title)  # the first by position wins
    return PublishedCourse(
        id=course.id, slug=course.slug, title=course.title, language=course.language,
        taxonomy=course.taxonomy,
        lessons=tuple(
            PublishedLesson(
                id=lesson.id, course_id=lesson.course_id, slug=lesson.slug, title=lesson.title,
                dimension=lesson.dimension, estimated_minutes=lesson.estimated_minutes,
                body=lesson.body, objectives=tuple(lesson.objectives or ()),
                takeaways=tuple(lesson.takeaways or ()), check=checks.get(lesson.id),
            )
            for lesson in lessons
        ),
    )  # fmt: skip
