"""Versions of lessons and questions: snapshots, compare-and-bump saves, history and diffs."""

import difflib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm.attributes import set_committed_value

from trainer.extensions import db
from trainer.models import ContentVersion, Lesson, Question, User

KINDS: dict[str, type[Lesson] | type[Question]] = {"lesson": Lesson, "question": Question}
# What a lesson version holds: its content, not its place in the course (restoring an old
# version must not reorder the course).
LESSON_FIELDS: tuple[str, ...] = (
    "title", "slug", "dimension", "summary", "estimated_minutes", "objectives", "takeaways",
    "body", "status",
)  # fmt: skip
# The last two are not columns: the lesson link as `slug#anchor`, and the options.
QUESTION_FIELDS: tuple[str, ...] = (
    "key", "type", "dimension", "difficulty", "market", "situation", "prompt", "explanation",
    "status", "lesson", "options",
)  # fmt: skip


def kind_of(item: Lesson | Question) -> str:
    """`lesson` or `question`."""
    return "lesson" if isinstance(item, Lesson) else "question"


def lesson_link(question: Question) -> str:
    """The question's lesson section as the files write it: `slug` or `slug#anchor`."""
    if question.lesson is None:
        return ""
    anchor = f"#{question.lesson_anchor}" if question.lesson_anchor else ""
    return question.lesson.slug + anchor


def snapshot(item: Lesson | Question) -> dict[str, Any]:
    """Every editable field of `item` as plain JSON values (options included)."""
    if isinstance(item, Lesson):
        data = {name: getattr(item, name) for name in LESSON_FIELDS}
        data["objectives"] = list(item.objectives or [])
        data["takeaways"] = list(item.takeaways or [])
        return data
    data = {name: getattr(item, name) for name in QUESTION_FIELDS[:-2]}
    data["lesson"] = lesson_link(item)
    data["options"] = [
        {"text": o.text, "feedback": o.feedback, "correct": o.is_correct} for o in item.options
    ]
    return data


def _claim(item: Lesson | Question, expected: int) -> bool:
    """Bump the row's version from `expected`, in one conditional UPDATE.

    The WHERE clause makes this a compare-and-set in the database itself: of two saves
    opened at the same version, the second finds the version moved on and updates nothing.
    """
    model = type(item)
    result = db.session.execute(
        db.update(model)
        .where(model.id == item.id, model.version == expected)
        .values(version=model.version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    set_committed_value(item, "version", expected + 1)
    return True


def begin_save(item: Lesson | Question, expected: int, author_id: int | None, note: str) -> bool:
    """Keep the current state as version `expected` and bump `item`, unless someone saved since.

    Call it before changing `item`; on False nothing was written and the caller must not save.
    """
    before = snapshot(item)
    if item.version != expected or not _claim(item, expected):
        return False
    db.session.add(
        ContentVersion(
            kind=kind_of(item), object_id=item.id, number=expected, data=before,
            author_id=author_id, note=note,
        )
    )  # fmt: skip
    db.session.flush()
    return True


def get_item(kind: str, object_id: int) -> Lesson | Question | None:
    """The lesson or question `object_id`, or None."""
    model = KINDS.get(kind)
    return db.session.get(model, object_id) if model else None


def _records(item: Lesson | Question) -> list[ContentVersion]:
    return list(
        db.session.execute(
            db.select(ContentVersion)
            .where(ContentVersion.kind == kind_of(item), ContentVersion.object_id == item.id)
            .order_by(ContentVersion.number)
        ).scalars()
    )


@dataclass(frozen=True)
class VersionEntry:
    """One state of a lesson or question, and the save that made it (unknown for the first)."""

    number: int
    data: dict[str, Any]
    saved_by: User | None
    saved_at: datetime | None
    note: str
    current: bool


def history(item: Lesson | Question) -> list[VersionEntry]:
    """Every known state of `item`, newest (the current one) first."""
    # Record N holds state N and was written by the save that made state N + 1.
    records = {record.number: record for record in _records(item)}
    states = {number: record.data for number, record in records.items()}
    states[item.version] = snapshot(item)
    entries = []
    for number in sorted(states, reverse=True):
        maker = records.get(number - 1)
        entries.append(
            VersionEntry(
                number=number,
                data=states[number],
                saved_by=maker.author if maker else None,
                saved_at=maker.created_at if maker else None,
                note=maker.note if maker else "",
                current=number == item.version,
            )
        )
    return entries


def state(item: Lesson | Question, number: int) -> dict[str, Any] | None:
    """The fields of `item` as they were at version `number`; None if unknown."""
    if number == item.version:
        return snapshot(item)
    record = db.session.execute(
        db.select(ContentVersion).where(
            ContentVersion.kind == kind_of(item),
            ContentVersion.object_id == item.id,
            ContentVersion.number == number,
        )
    ).scalar_one_or_none()
    return record.data if record else None


@dataclass(frozen=True)
class FieldDiff:
    """The changed lines of one field; each line is (kind, text), kind: add, del, hunk, context."""

    field: str
    lines: list[tuple[str, str]]


def as_text(name: str, value: Any) -> str:
    """One field's value as lines of text, for reading and diffing."""
    if name == "options":
        return "\n".join(
            f"{n}. {'[✓] ' if option['correct'] else ''}{option['text']}\n   → {option['feedback']}"
            for n, option in enumerate(value or [], 1)
        )
    if isinstance(value, list):
        return "\n".join(str(item) for item in value)
    return "" if value is None else str(value)


LINE_KINDS = {"+": "add", "-": "del", "@": "hunk", " ": "context"}


def diff(old: dict[str, Any], new: dict[str, Any]) -> list[FieldDiff]:
    """The fields that differ between two snapshots, each as a unified diff of its lines."""
    changes = []
    for name in [*old, *(key for key in new if key not in old)]:
        before = as_text(name, old.get(name)).splitlines()
        after = as_text(name, new.get(name)).splitlines()
        if before == after:
            continue
        lines = difflib.unified_diff(before, after, lineterm="", n=2)
        changes.append(
            FieldDiff(name, [(LINE_KINDS.get(line[:1], "context"), line) for line in lines][2:])
        )
    return changes
