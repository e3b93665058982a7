"""What a lesson or question of the files says, as the plain JSON a version keeps; fingerprints.

A snapshot here has the shape `trainer.authoring.versions.snapshot` gives for a database row,
so that the files' text of a lesson can be kept as one of its versions and compared with the
row field by field. No Flask, no database.
"""

import hashlib
import json
from dataclasses import fields
from typing import Any

from trainer.content.model import LessonData, QuestionData, QuizData, turns_json

# What a lesson version holds: its content, not its place in the course (restoring an old
# version must not reorder the course).
LESSON_FIELDS: tuple[str, ...] = (
    "title", "slug", "dimension", "summary", "estimated_minutes", "objectives", "takeaways",
    "body", "status",
)  # fmt: skip
# The last three are not columns: the lesson link as `slug#anchor`, the options, and a
# dialogue's turns.
QUESTION_FIELDS: tuple[str, ...] = (
    "key", "type", "dimension", "difficulty", "market", "signals", "situation", "prompt",
    "explanation", "status", "lesson", "options", "turns",
)  # fmt: skip


def lesson_snapshot(lesson: LessonData) -> dict[str, Any]:
    """The version a lesson file describes."""
    data = {name: getattr(lesson, name) for name in LESSON_FIELDS}
    data["objectives"] = list(lesson.objectives)
    data["takeaways"] = list(lesson.takeaways)
    return data


def question_snapshot(question: QuestionData, status: str = "active") -> dict[str, Any]:
    """The version a question entry of a bank file describes (the files hold active ones)."""
    data = {name: getattr(question, name) for name in QUESTION_FIELDS[:-3] if name != "status"}
    data["status"] = status
    data["lesson"] = question.lesson + (f"#{question.anchor}" if question.anchor else "")
    data["options"] = [
        {"text": o.text, "feedback": o.feedback, "correct": o.correct} for o in question.options
    ]
    data["turns"] = turns_json(question.turns)
    return data


def quiz_snapshot(quiz: QuizData) -> dict[str, Any]:
    """Every setting of a quiz entry (not where in the files it stands)."""
    return {field.name: getattr(quiz, field.name) for field in fields(quiz) if field.compare}


def fingerprint(snapshot: dict[str, Any], **placement: Any) -> str:
    """A stable hash of a snapshot and where it stands (a lesson's position, say)."""
    text = json.dumps({**snapshot, **placement}, sort_keys=True, ensure_ascii=False, default=list)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
