"""What a question type is: the contract every type module fulfils, and the shared parts.

A type stays pure: it reads plain values and the rows it is given, and returns plain values;
it never reads the request, never writes to the session and never commits. The file loader,
the GIFT import and the editor validate through its `parse`; attempts save answers through
`accept` and grade through `grade`; reports read `steps`, `xapi` and `simulate`.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from flask_babel import LazyString

from trainer.content.fields import Fields
from trainer.content.gift import GiftQuestion, KeyFor, Taken, Target
from trainer.content.model import QuestionData
from trainer.taxonomy import Taxonomy


class InvalidAnswer(ValueError):
    """An answer the item does not accept (an unknown option, a step it does not have)."""


@dataclass(frozen=True)
class Grade:
    """The grade of one answered item: points, the most it could get, each step right or not."""

    points: int
    max_points: int
    result: dict[str, bool]

    @property
    def full(self) -> bool:
        """Whether every point was earned: the one meaning of "fully right"."""
        return self.points >= self.max_points


@dataclass(frozen=True)
class Step:
    """A part of an item the learner answers, and how reports name it."""

    key: str
    label: LazyString


class OptionRow(Protocol):
    """What a type reads of an answer option (an ORM row or a plain stand-in)."""

    id: int
    text: str
    is_correct: bool


class QuestionRow(Protocol):
    """What a type reads of a question (an ORM row or a plain stand-in)."""

    key: str
    market: str | None
    options: Any
    details: dict[str, Any]


class QuestionType:
    """One kind of question. Subclasses set the class attributes and override what differs."""

    name: ClassVar[str]
    label: ClassVar[LazyString]
    new_label: ClassVar[LazyString]  # the editor's button that starts one
    # The template holding the type's macros: ask, result, practice, editor.
    template: ClassVar[str]
    steps: ClassVar[tuple[Step, ...]]
    # YAML keys of the type, besides id, type, dimension, difficulty, signals, explanation
    # and lesson, which every question has.
    yaml_keys: ClassVar[frozenset[str]]
    # Whether a question needs a dimension and an explanation (its imported relatives may not).
    complete_content: ClassVar[bool] = True
    # Whether Moodle's GIFT can hold it.
    gift: ClassVar[bool] = True
    # Whether its answers take branches that item analysis counts (`branch_counts`).
    branches: ClassVar[bool] = False
    # Whether its options are texts the author wrote (which `content lint` compares).
    authored_options: ClassVar[bool] = True

    # Content: parsing (files, GIFT, the editor) and writing back

    def parse(self, fields: Fields, taxonomy: Taxonomy) -> dict[str, Any]:
        """The type's part of a `QuestionData`, read from `fields` (problems go there)."""
        raise NotImplementedError

    def yaml(self, question: QuestionData) -> tuple[dict[str, Any], dict[str, Any]]:
        """The type's fields of a bank file entry: those before `signals`, and those after."""
        raise NotImplementedError

    def editor_mapping(self, values: dict[str, Any]) -> dict[str, Any]:
        """The type's part of a file entry, from the editor form's plain values."""
        raise NotImplementedError

    def to_gift(
        self, question: QuestionData, category: str, trainer: dict[str, str], taxonomy: Taxonomy
    ) -> list[GiftQuestion] | None:
        """The question as GIFT under `category`, the trainer comment on the first; None if
        GIFT cannot hold this type."""
        return None

    def from_gift(
        self, items: list[GiftQuestion], index: int, target: Target, key_for: KeyFor,
        skipped_titles: set[str],
    ) -> Taken | None:  # fmt: skip
        """What this type makes of the GIFT question(s) at `index`; None if they are not its.

        A `Taken` that consumes nothing only carries warnings for the type that takes them.
        """
        return None

    def editor_values(self, snapshot: dict[str, Any]) -> dict[str, Any]:
        """The editor form's plain values of the type's part of a version snapshot."""
        return {}

    # Answering and grading

    def option_order(self, question: QuestionRow, rng: random.Random) -> list[int]:
        """The options in the order this attempt shows them (none for a type without)."""
        return []

    def accept(
        self, question: QuestionRow, answer: dict[str, Any], step: str, value: str,
        taxonomy: Taxonomy,
    ) -> dict[str, Any]:  # fmt: skip
        """`answer` with `value` saved for `step`; raises `InvalidAnswer`."""
        raise NotImplementedError

    def answer_steps(self, answer: dict[str, Any]) -> list[tuple[str, str]]:
        """The (step, value) pairs that give `answer` when accepted in order."""
        return [(step.key, str(answer[step.key])) for step in self.steps if step.key in answer]

    def is_complete(self, question: QuestionRow, answer: dict[str, Any]) -> bool:
        """Whether every step is answered."""
        return all(answer.get(step.key) is not None for step in self.steps)

    def grade(self, question: QuestionRow, answer: dict[str, Any]) -> Grade:
        """Points for `answer`; an unanswered step scores nothing."""
        raise NotImplementedError

    def max_points(self, question: QuestionRow) -> int:
        """The most an item of this question can score."""
        return self.grade(question, {}).max_points

    # Reporting

    def xapi(
        self, question: QuestionRow, answer: dict[str, Any], taxonomy: Taxonomy
    ) -> tuple[dict[str, Any], str]:
        """The xAPI interaction definition (type, choices, correct pattern) and the response."""
        raise NotImplementedError

    def branch_counts(
        self, question: QuestionRow, answers: list[dict[str, Any]]
    ) -> list[tuple[str, str, int]]:
        """For item analysis: how many took each branch, where a type has branches."""
        return []

    def simulate(
        self, question: QuestionRow, rng: random.Random, right: Callable[[str], bool],
        taxonomy: Taxonomy, lure: float,
    ) -> dict[str, Any]:  # fmt: skip
        """An answer a simulated learner gives (demo data): `right(step)` says whether they get
        a step right; `lure` in [0, 1) picks the wrong answer the question tempts people to."""
        raise NotImplementedError
