"""Moodle GIFT as plain objects: questions, answers, skipped questions and issues. No Flask.

`gift_reader` reads a file into these as Moodle's own importer would, `gift_writer` writes
them back, and `gift_questions` turns them into Trainer's questions and back.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from trainer.content.model import QuestionData
from trainer.taxonomy import Taxonomy

TRUE_WORDS = {"T": True, "TRUE": True, "F": False, "FALSE": False}
# `// trainer: difficulty=3 lesson=slug#anchor` right before a question: what only Trainer
# knows, in a comment Moodle ignores.
TRAINER_COMMENT = "trainer:"


def N_(message: str) -> str:
    """Mark `message` for Babel's extraction; it is translated where it is shown."""
    return message


# Why a question is skipped, by stable key; English msgids with %(name)s fields.
SKIP_REASONS = {
    "description": N_("Text without answers (a description) is not a question."),
    "essay": N_("Essay questions are not supported."),
    "numerical": N_("Numerical questions are not supported."),
    "matching": N_("Matching questions are not supported."),
    "short_answer": N_("Short-answer questions are not supported."),
    "missing_word": N_("Answers inside the text (missing word) are not supported."),
    "cloze": N_("Embedded answers (Cloze) are not supported."),
    "multiple_answer": N_(
        "No answer is marked right with =, so Moodle lets learners tick several answers; "
        "Trainer has exactly one right answer."
    ),
    "partial_credit": N_(
        "Answer %(number)s has the weight %(weight)s%%: Trainer has one right answer and no "
        "partial credit."
    ),
    "several_right": N_("%(count)s answers are right; Trainer has exactly one right answer."),
    "empty_answer": N_("Answer %(number)s is empty."),
    "text_before_answers": N_("There is text before the first answer (= or ~)."),
    "content": N_("The question does not meet Trainer's content rules:"),
    "partner_skipped": N_("The other half of this scenario is skipped, so this half is too."),
    "other_type": N_("A question %(key)s already exists as another type."),
}


class GiftDecodeError(ValueError):
    """The bytes are not UTF-8 text."""


@dataclass(frozen=True)
class GiftIssue:
    """An error or a warning at a line; `message` is an English msgid with %(name)s fields."""

    line: int
    message: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self) -> str:
        """The message in English."""
        return self.message % self.params if self.params else self.message

    def __str__(self) -> str:
        return f"line {self.line}: {self.text()}"


@dataclass(frozen=True)
class GiftAnswer:
    """One answer of a multiple-choice question."""

    text: str
    correct: bool
    feedback: str = ""
    line: int = 0


@dataclass(frozen=True)
class GiftQuestion:
    """A question we read: Moodle's `multichoice` (one right answer) or `truefalse`."""

    kind: str
    text: str
    title: str = ""
    line: int = 0
    answers: tuple[GiftAnswer, ...] = ()
    truth: bool | None = None
    feedback_wrong: str = ""  # true/false: shown to who answered wrongly
    feedback_right: str = ""
    general_feedback: str = ""
    category: str = ""
    # `name=value` pairs of the trainer comment right before the question.
    trainer: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class GiftSkipped:
    """A question that is not imported: where it is, and why (a key of `SKIP_REASONS`)."""

    line: int
    reason: str
    title: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    details: tuple[GiftIssue, ...] = ()

    @property
    def message(self) -> str:
        """The reason as an English msgid, to be formatted with `params`."""
        return SKIP_REASONS[self.reason]

    def text(self) -> str:
        """The reason and its details in English."""
        reason = self.message % self.params if self.params else self.message
        return " ".join([reason, *(str(detail) for detail in self.details)])


@dataclass
class GiftFile:
    """What a file holds: questions, skipped ones, errors and warnings."""

    questions: list[GiftQuestion] = field(default_factory=list)
    skipped: list[GiftSkipped] = field(default_factory=list)
    errors: list[GiftIssue] = field(default_factory=list)
    warnings: list[GiftIssue] = field(default_factory=list)


def decode_gift(data: bytes) -> str:
    """UTF-8 text with or without a byte order mark; raises `GiftDecodeError`."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise GiftDecodeError(str(error)) from error


# What the import of a GIFT question means for Trainer's questions.

IMPORTED_DIFFICULTY = 2  # without a trainer comment that says otherwise


@dataclass(frozen=True)
class Target:
    """Where imported questions go: the lesson chosen for the import, and the links allowed."""

    lesson: str
    dimension: str | None = None
    # `slug` and `slug#anchor` of every lesson and section a question may link to.
    links: frozenset[str] = frozenset()
    # The course's dimensions (named by categories) and the markets of its scenarios.
    taxonomy: Taxonomy = field(default_factory=Taxonomy)

    def dimension_of(self, category: str) -> str | None:
        """The course dimension a `$CATEGORY:` names in its last part, if any."""
        last = category.rstrip("/").rsplit("/", 1)[-1].strip()
        return last if last in self.taxonomy.dimension_keys else None


@dataclass(frozen=True)
class Taken:
    """What a question type made of the GIFT question(s) at one place of a file."""

    consumed: int  # how many GIFT questions it took
    title: str = ""
    question: QuestionData | None = None  # None: skipped, as `skipped` says
    answer_lines: tuple[int, ...] = ()
    trainer: dict[str, str] = field(default_factory=dict)  # the trainer comment
    skipped: GiftSkipped | None = None
    warnings: tuple[GiftIssue, ...] = ()


# Allocates the id of an imported question from its title (or text, when untitled).
KeyFor = Callable[[str, str], str]
