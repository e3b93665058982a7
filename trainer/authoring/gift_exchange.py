"""Moodle GIFT exchange of a course's question bank: plan and apply an import, export.

An import is planned first (which questions would be created, updated or left unchanged,
which are skipped and why), then applied all or nothing. A question is known by its id, from
its GIFT title, so importing a file again updates the questions it created, each save kept
as a version in the question's history. The web carries the uploaded text from the preview
to the confirmation in a signed token; the CLI plans and applies in one go.
"""

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Literal

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError

from trainer.authoring import editing
from trainer.authoring.content_export import course_data
from trainer.authoring.editing import EditConflict
from trainer.content.gift import N_, GiftDecodeError, GiftIssue, GiftSkipped, Target, decode_gift
from trainer.content.gift_questions import Converted, from_gift, to_gift
from trainer.content.gift_reader import parse_gift
from trainer.content.gift_writer import serialise_gift
from trainer.content.model import QuestionData
from trainer.database import savepoint
from trainer.extensions import db
from trainer.models import Course, Lesson, LessonStatus, Question, QuestionStatus, User
from trainer.people import audit

# Small enough that the signed preview token stays under the form size Werkzeug accepts.
MAX_GIFT_BYTES = 256 * 1024
PLAN_SALT = "gift-import"
PLAN_MAX_AGE = 3600


class GiftImportError(Exception):
    """An import that cannot go ahead; `reason` is a stable key the caller words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


Action = Literal["create", "update", "unchanged"]


@dataclass(frozen=True)
class PlannedQuestion:
    """A question of the file and what importing it does to the course's bank."""

    line: int
    question: QuestionData
    action: Action
    title: str = ""
    version: int = 0  # of the question an update saves over, to tell that someone saved since


@dataclass
class ImportPlan:
    """What importing a file into a course would do."""

    course: str
    lesson: str
    filename: str = ""
    questions: list[PlannedQuestion] = field(default_factory=list)
    skipped: list[GiftSkipped] = field(default_factory=list)
    errors: list[GiftIssue] = field(default_factory=list)
    warnings: list[GiftIssue] = field(default_factory=list)

    def count(self, action: Action) -> int:
        """How many questions the import would create, update or leave unchanged."""
        return sum(item.action == action for item in self.questions)

    @property
    def ready(self) -> bool:
        """Whether there is something to create or update and nothing wrong."""
        return not self.errors and any(item.action != "unchanged" for item in self.questions)

    def fingerprint(self) -> str:
        """Identifies exactly what would be done, to tell a stale confirmation."""
        steps = [(i.line, i.question.key, i.action, i.version) for i in self.questions]
        return hashlib.sha256(json.dumps([self.course, self.lesson, steps]).encode()).hexdigest()


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
            .where(Lesson.course_id == course.id, Lesson.status != LessonStatus.RETIRED)
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
    if lesson is None or lesson.status == LessonStatus.RETIRED:
        raise GiftImportError("stale")
    return lesson.course, lesson


def question_counts() -> list[tuple[Course, int]]:
    """Every course with the number of active questions it would export."""
    return [
        (course, count)
        for course, count in db.session.execute(
            db.select(Course, func.count(Question.id))
            .outerjoin(
                Question,
                (Question.course_id == Course.id) & (Question.status == QuestionStatus.ACTIVE),
            )
            .group_by(Course.id)
            .order_by(Course.title)
        ).all()
    ]


def plan_import(course: Course, lesson: Lesson, text: str, filename: str = "") -> ImportPlan:
    """Parse `text` and say what importing it into `course`, linked to `lesson`, would do."""
    parsed = parse_gift(text)
    links = frozenset(link for link, _ in editing.lesson_sections(course))
    target = Target(lesson.slug, lesson.dimension, links, course.taxonomy)
    converted = from_gift(parsed.questions, target, parsed.skipped)
    plan = ImportPlan(
        course=course.slug, lesson=lesson.slug, filename=filename, errors=parsed.errors,
        skipped=parsed.skipped + converted.skipped, warnings=parsed.warnings + converted.warnings,
    )  # fmt: skip
    existing = {row.key.casefold(): row for row in editing.course_questions(course)}
    for item in converted.questions:
        row = existing.get(item.question.key.casefold())
        if row is None:
            plan.questions.append(PlannedQuestion(item.line, item.question, "create", item.title))
        elif row.type != item.question.type:
            plan.skipped.append(GiftSkipped(item.line, "other_type", item.title, {"key": row.key}))
        else:
            plan.questions.append(_update(item, row, plan))
    plan.skipped.sort(key=lambda skipped: skipped.line)
    plan.warnings.sort(key=lambda issue: issue.line)
    return plan


def _update(item: Converted, row: Question, plan: ImportPlan) -> PlannedQuestion:
    """`row` updated from the file, or unchanged; what the file does not say stays as it is."""
    data = replace(item.question, key=row.key)
    if "difficulty" not in item.carried:
        data = replace(data, difficulty=row.difficulty)
    if "signals" not in item.carried:
        data = replace(data, signals=row.signals)
    if "lesson" not in item.carried and row.lesson and row.lesson.status != LessonStatus.RETIRED:
        data = replace(data, lesson=row.lesson.slug, anchor=row.lesson_anchor)
    action: Action = "unchanged" if editing.holds(row, data) else "update"
    if action == "update" and row.status == QuestionStatus.RETIRED:
        plan.warnings.append(
            GiftIssue(item.line, N_("The question %(key)s is retired: it is updated and stays "
                                    "retired."), {"key": row.key})
        )  # fmt: skip
    return PlannedQuestion(item.line, data, action, item.title, row.version)


def apply_import(course: Course, plan: ImportPlan, actor: User | str) -> Counter[str]:
    """Create and update the planned questions, all or none; how many of each. Caller commits.

    An update is a save like the editor's, keeping the previous version in the history.
    Raises `GiftImportError` (conflict) if the bank changed since the plan was made.
    """
    if not plan.ready:
        raise GiftImportError("invalid")
    author_id = actor.id if isinstance(actor, User) else None
    rows = {row.key: row for row in editing.course_questions(course)}
    try:
        with savepoint():
            for item in plan.questions:
                row = rows.get(item.question.key)
                if item.action == "create":
                    editing.create_question_data(course, item.question)
                elif item.action == "update":
                    if row is None or row.version != item.version:
                        raise GiftImportError("conflict")
                    editing.save_question_data(row, item.question, author_id, "gift")
    except (IntegrityError, EditConflict):
        raise GiftImportError("conflict") from None
    counts = Counter({action: plan.count(action) for action in ("create", "update", "unchanged")})
    audit.record(
        actor, "questions.import_gift",
        {"course": course.slug, "lesson": plan.lesson, "file": plan.filename,
         "created": counts["create"], "updated": counts["update"],
         "unchanged": counts["unchanged"], "skipped": len(plan.skipped),
         "warnings": len(plan.warnings)},
        row_count=counts["create"] + counts["update"],
    )  # fmt: skip
    return counts


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
    items, left_out = [], []
    for question in data.questions:
        made = to_gift(question, data.slug, data.taxonomy)
        items += made
        if not made:
            left_out.append(question.key)
    count = len(data.questions) - len(left_out)
    comment = (
        f"{data.title} ({data.slug}): {count} questions exported from Trainer.\n"
        "A scenario is a pair of questions: [rynek] asks for the market, [podejście] for "
        "the approach.\n"
        "A '// trainer:' line keeps what only Trainer knows (difficulty, lesson); Moodle "
        "ignores it."
    )
    if left_out:
        comment += f"\nLeft out, as GIFT cannot hold their type: {', '.join(left_out)}."
    audit.record(actor, "questions.export_gift", {"course": course.slug}, count)
    return serialise_gift(items, comment), count
