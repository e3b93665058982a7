"""Moodle GIFT exchange of a course's question bank: plan and apply an import, export.

An import is planned first (what would be created, what is skipped and why), then applied all
or nothing: the new questions join the course's content and go through the same sync as the
files do. The web carries the uploaded text from the preview to the confirmation in a
signed token; the CLI plans and applies in one go.
"""

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field, replace

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError

from trainer.content.gift import (
    GiftDecodeError,
    GiftIssue,
    GiftSkipped,
    decode_gift,
    parse_gift,
)
from trainer.content.gift_questions import Converted, from_gift, to_gift
from trainer.content.gift_writer import serialise_gift
from trainer.content.sync import sync_content
from trainer.extensions import db
from trainer.models import Course, Lesson, Question, User
from trainer.services import audit
from trainer.services.content_export import course_data

# Small enough that the signed preview token stays under the form size Werkzeug accepts.
MAX_GIFT_BYTES = 256 * 1024
PLAN_SALT = "gift-import"
PLAN_MAX_AGE = 3600


class GiftImportError(Exception):
    """An import that cannot go ahead; `reason` is a stable key the caller words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class ImportPlan:
    """What importing a file into a course would do."""

    course: str
    lesson: str
    filename: str = ""
    questions: list[Converted] = field(default_factory=list)
    skipped: list[GiftSkipped] = field(default_factory=list)
    errors: list[GiftIssue] = field(default_factory=list)
    warnings: list[GiftIssue] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        """Whether there is something to import and nothing wrong."""
        return not self.errors and bool(self.questions)

    def fingerprint(self) -> str:
        """Identifies exactly what would be created, to tell a stale confirmation."""
        keys = [(item.line, item.question.key) for item in self.questions]
        return hashlib.sha256(json.dumps([self.course, self.lesson, keys]).encode()).hexdigest()


def read_upload(data: bytes) -> str:
    """The text of an uploaded file; raises `GiftImportError` (too_large, not_utf8)."""
    if len(data) > MAX_GIFT_BYTES:
        raise GiftImportError("too_large")
    try:
        return decode_gift(data)
    except GiftDecodeError:
        raise GiftImportError("not_utf8") from None


def course_lessons(course: Course) -> list[Lesson]:
    """Lessons an imported question may link to (any but retired), in course order."""
    return list(
        db.session.execute(
            db.select(Lesson)
            .where(Lesson.course_id == course.id, Lesson.status != "retired")
            .order_by(Lesson.position, Lesson.slug)
        ).scalars()
    )


def lesson_choices() -> dict[str, list[tuple[int, str]]]:
    """Every course's lessons, for a select grouped by course."""
    courses = db.session.execute(db.select(Course).order_by(Course.title)).scalars()
    return {
        course.title: [(lesson.id, lesson.title) for lesson in course_lessons(course)]
        for course in courses
    }


def import_target(lesson_id: int) -> tuple[Course, Lesson]:
    """The course and lesson an import goes to; raises `GiftImportError` (stale) if retired."""
    lesson = db.session.get(Lesson, lesson_id)
    if lesson is None or lesson.status == "retired":
        raise GiftImportError("stale")
    return lesson.course, lesson


def question_counts() -> list[tuple[Course, int]]:
    """Every course with the number of active questions it would export."""
    return [
        (course, count)
        for course, count in db.session.execute(
            db.select(Course, func.count(Question.id))
            .outerjoin(Question, (Question.course_id == Course.id) & (Question.status == "active"))
            .group_by(Course.id)
            .order_by(Course.title)
        ).all()
    ]


def plan_import(course: Course, lesson: Lesson, text: str, filename: str = "") -> ImportPlan:
    """Parse `text` and say what importing it into `course`, linked to `lesson`, would do."""
    parsed = parse_gift(text)
    taken = set(
        db.session.execute(db.select(Question.key).where(Question.course_id == course.id)).scalars()
    )
    converted = from_gift(parsed.questions, lesson.slug, lesson.dimension, taken, parsed.skipped)
    return ImportPlan(
        course=course.slug,
        lesson=lesson.slug,
        filename=filename,
        questions=converted.questions,
        skipped=sorted(parsed.skipped + converted.skipped, key=lambda item: item.line),
        errors=sorted(parsed.errors, key=lambda issue: issue.line),
        warnings=sorted(parsed.warnings + converted.warnings, key=lambda issue: issue.line),
    )


def apply_import(course: Course, plan: ImportPlan, actor: User | str) -> int:
    """Create the planned questions through the content sync, all or none; the caller commits."""
    if not plan.ready:
        raise GiftImportError("invalid")
    current = course_data(course)
    content = replace(
        current, questions=current.questions + tuple(item.question for item in plan.questions)
    )
    try:
        with db.session.begin_nested():
            report = sync_content([content])
    except IntegrityError:
        raise GiftImportError("conflict") from None
    created = report.counts.get("questions", Counter())["created"]
    if created != len(plan.questions):  # an id was taken meanwhile: never overwrite a question
        raise GiftImportError("conflict")
    audit.record(
        actor, "questions.import_gift",
        {"course": course.slug, "lesson": plan.lesson, "file": plan.filename,
         "skipped": len(plan.skipped), "warnings": len(plan.warnings)},
        row_count=created,
    )  # fmt: skip
    return created


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=PLAN_SALT)


def sign_upload(plan: ImportPlan, text: str, lesson_id: int, actor_id: int, secret_key: str) -> str:
    """A signed, compressed token carrying the file to the confirmation form."""
    payload = {
        "by": actor_id, "lesson": lesson_id, "name": plan.filename, "text": text,
        "fp": plan.fingerprint(),
    }  # fmt: skip
    return _serializer(secret_key).dumps(payload)


def load_upload(token: str, actor_id: int, secret_key: str) -> tuple[int, str, str, str]:
    """(lesson id, file name, text, fingerprint) of a token this actor signed within the hour."""
    try:
        payload = _serializer(secret_key).loads(token, max_age=PLAN_MAX_AGE)
        if payload["by"] != actor_id:
            raise GiftImportError("stale")
        return (
            int(payload["lesson"]),
            str(payload["name"]),
            str(payload["text"]),
            str(payload["fp"]),
        )
    except (BadSignature, KeyError, TypeError, ValueError):
        raise GiftImportError("stale") from None


def export_gift(course: Course, actor: User | str) -> tuple[str, int]:
    """The course's active questions as a GIFT file, and how many; recorded in the audit log."""
    data = course_data(course)
    items = [item for question in data.questions for item in to_gift(question, data.slug)]
    comment = (
        f"{data.title} ({data.slug}): {len(data.questions)} questions exported from Trainer.\n"
        "A scenario is a pair of questions: [rynek] asks for the market, [podejście] for "
        "the approach."
    )
    audit.record(actor, "questions.export_gift", {"course": course.slug}, len(data.questions))
    return serialise_gift(items, comment), len(data.questions)
