"""The courses as learners see them, read once per process and content revision.

Learner pages used to read the courses, their published lessons, the lessons' checks and
the final exams on every request: about a third of a lesson page's work and a sixth of the
dashboard's. Each process now keeps them, as plain frozen values, under the content's
revision token (trainer/models/revision.py), which every write to a course, a lesson or a
quiz changes in its own transaction. A request reads the token, one row; when it has moved
(an edit committed on any instance), the courses are read again. Values, not ORM objects: a
kept object must never join a later request's session.
"""

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from trainer.database import execute_core
from trainer.extensions import db
from trainer.models import ContentRevision, Course, Lesson, LessonStatus, QuestionStatus, Quiz
from trainer.models.revision import WRITTEN
from trainer.taxonomy import Taxonomy


@dataclass(frozen=True)
class PublishedQuiz:
    """An active quiz a learner is sent to: a lesson's check or a course's final exam."""

    id: int
    title: str


@dataclass(frozen=True)
class PublishedLesson:
    """A published lesson as its page shows it."""

    id: int
    course_id: int
    slug: str
    title: str
    summary: str
    dimension: str | None
    estimated_minutes: int
    body: str
    objectives: tuple[str, ...]
    takeaways: tuple[str, ...]
    check: PublishedQuiz | None  # the first active quiz on the lesson, by position


@dataclass(frozen=True)
class PublishedCourse:
    """A course with its published lessons in course order and its final exam."""

    id: int
    slug: str
    title: str
    description: str
    language: str
    taxonomy: Taxonomy
    lessons: tuple[PublishedLesson, ...]
    final_exam: PublishedQuiz | None  # the first active final exam, by position

    def position_of(self, lesson_slug: str) -> int | None:
        """The index of the lesson called `lesson_slug`, if it is published."""
        return next((i for i, les in enumerate(self.lessons) if les.slug == lesson_slug), None)


@dataclass(frozen=True)
class Catalogue:
    """Every course, by title, as learners see it."""

    courses: tuple[PublishedCourse, ...]

    def listed(self) -> list[PublishedCourse]:
        """The courses learners can open: those with a published lesson, by title."""
        return [course for course in self.courses if course.lessons]

    def by_id(self, course_id: int) -> PublishedCourse | None:
        return next((course for course in self.courses if course.id == course_id), None)

    def by_slug(self, slug: str) -> PublishedCourse | None:
        return next((course for course in self.courses if course.slug == slug), None)


KEPT = "published_catalogue"  # the app.extensions key: (token, Catalogue)
_TOKEN = select(ContentRevision.token)


def catalogue() -> Catalogue:
    """The courses as learners see them now."""
    # The token first: content read after it is at least as new, so what is kept under a
    # token is never older than the token says. Reading it flushes the session, so a write
    # of this very transaction is noted (WRITTEN) before it is asked for.
    token = execute_core(_TOKEN).scalar()
    if token is None or db.session.info.get(WRITTEN):
        # No row to tell a change by, or content this transaction changed and has not yet
        # committed: read it as the session sees it, and keep nothing.
        return _read()
    found = current_app.extensions.get(KEPT)
    if found is not None and found[0] == token:
        return found[1]
    read = _read()
    current_app.extensions[KEPT] = (token, read)
    return read


def published_course(slug: str) -> PublishedCourse | None:
    """The course with `slug` as learners see it now; None if it has no published lesson."""
    course = catalogue().by_slug(slug)
    return course if course is not None and course.lessons else None


def _read() -> Catalogue:
    checks: dict[tuple[int, int], PublishedQuiz] = {}
    finals: dict[int, PublishedQuiz] = {}
    for quiz_id, title, course_id, lesson_id, is_final in db.session.execute(
        db.select(Quiz.id, Quiz.title, Quiz.course_id, Quiz.lesson_id, Quiz.is_final)
        .where(
            Quiz.status == QuestionStatus.ACTIVE,
            Quiz.lesson_id.is_not(None) | Quiz.is_final.is_(True),
        )
        .order_by(Quiz.position.desc(), Quiz.id.desc())
    ):  # the first by position wins: it comes last
        if lesson_id is not None:
            checks[course_id, lesson_id] = PublishedQuiz(quiz_id, title)
        if is_final:
            finals[course_id] = PublishedQuiz(quiz_id, title)
    # Every course with its published lessons, if any, in one statement.
    rows = db.session.execute(
        db.select(Course, Lesson)
        .outerjoin(
            Lesson, (Lesson.course_id == Course.id) & (Lesson.status == LessonStatus.PUBLISHED)
        )
        .order_by(Course.title, Course.id, Lesson.position)
    ).all()
    courses: dict[int, Course] = {}
    lessons: dict[int, list[PublishedLesson]] = {}
    for course, lesson in rows:
        courses.setdefault(course.id, course)
        published = lessons.setdefault(course.id, [])
        if lesson is not None:
            published.append(_published(lesson, checks.get((course.id, lesson.id))))
    return Catalogue(
        tuple(
            PublishedCourse(
                id=course.id, slug=course.slug, title=course.title,
                description=course.description, language=course.language,
                taxonomy=course.taxonomy, lessons=tuple(lessons[course.id]),
                final_exam=finals.get(course.id),
            )
            for course in courses.values()
        )
    )  # fmt: skip


def _published(lesson: Lesson, check: PublishedQuiz | None) -> PublishedLesson:
    return PublishedLesson(
        id=lesson.id, course_id=lesson.course_id, slug=lesson.slug, title=lesson.title,
        summary=lesson.summary, dimension=lesson.dimension,
        estimated_minutes=lesson.estimated_minutes, body=lesson.body,
        objectives=tuple(lesson.objectives or ()), takeaways=tuple(lesson.takeaways or ()),
        check=check,
    )  # fmt: skip
