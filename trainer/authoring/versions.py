"""Versions of lessons and questions: snapshots, compare-and-bump saves, history and diffs.

Version numbers only grow and no version is ever changed or deleted. Most versions are
states the row was in; a version that is not applied holds the content files' text that a
sync kept aside rather than overwrite a browser edit (`offer`).
"""

import difflib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.orm.attributes import set_committed_value

from trainer.content.snapshot import LESSON_FIELDS, QUESTION_FIELDS
from trainer.extensions import db
from trainer.models import ContentVersion, Lesson, Question, User

KINDS: dict[str, type[Lesson] | type[Question]] = {"lesson": Lesson, "question": Question}
# The notes of saves made by the content sync, not by a person.
FROM_FILES = "files"  # applied from the files at a sync
FILES_NOT_APPLIED = "files-not-applied"  # kept aside: the row had a browser edit


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
    data = {name: getattr(item, name) for name in QUESTION_FIELDS[:-3]}
    data["lesson"] = lesson_link(item)
    data["options"] = [
        {"text": o.text, "feedback": o.feedback, "correct": o.is_correct} for o in item.options
    ]
    data["turns"] = list((item.details or {}).get("turns", []))
    return data


def _next_number(item: Lesson | Question) -> int:
    """The number the next version of `item` gets: above every number it has used."""
    highest = db.session.execute(
        db.select(func.max(ContentVersion.number)).where(
            ContentVersion.kind == kind_of(item), ContentVersion.object_id == item.id
        )
    ).scalar()
    return max(item.version, highest or 0) + 1


def _claim(item: Lesson | Question, expected: int) -> bool:
    """Move the row's version on from `expected`, in one conditional UPDATE.

    The WHERE clause makes this a compare-and-set in the database itself: of two saves
    opened at the same version, the second finds the version moved on and updates nothing.
    """
    model = type(item)
    number = _next_number(item)
    result = db.session.execute(
        db.update(model)
        .where(model.id == item.id, model.version == expected)
        .values(version=number)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    set_committed_value(item, "version", number)
    return True


def begin_save(item: Lesson | Question, expected: int, author_id: int | None, note: str) -> bool:
    """Keep the current state as version `expected` and bump `item`, unless someone saved since.

    Call it before changing `item`; on False nothing was written and the caller must not save.
    `author_id` is None for a save the content sync makes.
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


def offer(item: Lesson | Question, data: dict[str, Any]) -> int:
    """Keep `data`, the files' version of `item`, as a version not applied; its number.

    The row is left as it is. The same text offered again is not stored twice.
    """
    for record in reversed(_records(item)):
        if not record.applied and record.data == data:
            return record.number
    number = _next_number(item)
    db.session.add(
        ContentVersion(
            kind=kind_of(item), object_id=item.id, number=number, data=data, author_id=None,
            note=FILES_NOT_APPLIED, applied=False,
        )
    )  # fmt: skip
    db.session.flush()
    return number


def files_offer(item: Lesson | Question) -> int | None:
    """The files' version a sync stored beside `item` since its last save, if any."""
    return db.session.execute(
        db.select(func.max(ContentVersion.number)).where(
            ContentVersion.kind == kind_of(item),
            ContentVersion.object_id == item.id,
            ContentVersion.number > item.version,
            ContentVersion.applied.is_(False),
        )
    ).scalar()


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
    """One version of a lesson or question, and the save that made it (unknown for the first).

    A version not `applied` is the files' text a sync kept aside; it was never the row's state.
    `previous` is the state before it, to show what it changed.
    """

    number: int
    data: dict[str, Any]
    saved_by: User | None
    saved_at: datetime | None
    note: str
    current: bool
    applied: bool = True
    previous: int | None = None


def history(item: Lesson | Question) -> list[VersionEntry]:
    """Every known version of `item`, the highest number first."""
    # An applied record holds a past state and was written by the save that made the next
    # state; so each state was made by the save recorded with the applied state before it.
    entries = []
    maker: ContentVersion | None = None
    for record in _records(item):
        before = maker.number if maker else None
        if not record.applied:
            entries.append(
                VersionEntry(record.number, record.data, None, record.created_at, record.note,
                             current=False, applied=False, previous=before)
            )  # fmt: skip
            continue
        entries.append(_state_entry(record.number, record.data, maker, current=False))
        maker = record
    entries.append(_state_entry(item.version, snapshot(item), maker, current=True))
    return sorted(entries, key=lambda entry: entry.number, reverse=True)


def current_entry(item: Lesson | Question) -> VersionEntry:
    """The version `item` is at now, and the save that made it."""
    return next(entry for entry in history(item) if entry.current)


def _state_entry(
    number: int, data: dict[str, Any], maker: ContentVersion | None, current: bool
) -> VersionEntry:
    return VersionEntry(
        number=number,
        data=data,
        saved_by=maker.author if maker else None,
        saved_at=maker.created_at if maker else None,
        note=maker.note if maker else "",
        current=current,
        previous=maker.number if maker else None,
    )


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
    if name == "turns":
        return "\n".join(
            f"{turn['id']}: {turn['customer']}\n" + "\n".join(
                f"   {n}. {reply['text']} ({reply['points']}, "
                f"{'→ ' + reply['next'] if reply.get('next') else 'end: ' + str(reply.get('end'))})"
                for n, reply in enumerate(turn["replies"], 1)
            )
            for turn in value or []
        )  # fmt: skip
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
