"""Plain objects for course content as the files describe it; no Flask, no database."""

from dataclasses import dataclass, field
from typing import Any

from trainer.taxonomy import Taxonomy


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a content file, and where."""

    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.message}"


class ContentError(Exception):
    """Content that cannot be loaded; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


@dataclass(frozen=True)
class LessonData:
    """A lesson file: front matter and Markdown body."""

    slug: str
    title: str
    position: int
    summary: str
    estimated_minutes: int
    body: str
    dimension: str | None = None
    status: str = "published"
    objectives: tuple[str, ...] = ()
    takeaways: tuple[str, ...] = ()
    # Where the files hold it (`path:line`), for messages; not part of the content.
    source: str = field(default="", compare=False)


@dataclass(frozen=True)
class OptionData:
    """One answer option."""

    text: str
    feedback: str = ""
    correct: bool = False


@dataclass(frozen=True)
class ReplyData:
    """A reply the learner may give in a dialogue: where it leads, and what it earns."""

    text: str
    feedback: str
    points: int
    next: str | None = None  # the turn it leads to…
    end: str | None = None  # …or the end of the conversation: "good" or "bad"
    closing: str = ""  # at an end: the customer's last words


@dataclass(frozen=True)
class TurnData:
    """What the customer says at one point of a dialogue, and the replies offered."""

    key: str
    customer: str
    replies: tuple[ReplyData, ...]


def turns_json(turns: tuple[TurnData, ...]) -> list[dict[str, Any]]:
    """A dialogue's turns as plain JSON, in the order and shape the files write them."""
    return [
        {"id": turn.key, "customer": turn.customer,
         "replies": [
             {"text": reply.text, "points": reply.points, "feedback": reply.feedback,
              **({"next": reply.next} if reply.next else {"end": reply.end}),
              **({"closing": reply.closing} if reply.closing else {})}
             for reply in turn.replies
         ]}
        for turn in turns
    ]  # fmt: skip


def turns_from_json(turns: list[dict[str, Any]]) -> tuple[TurnData, ...]:
    """The turns `turns_json` gave."""
    return tuple(
        TurnData(turn["id"], turn["customer"], tuple(
            ReplyData(reply["text"], reply["feedback"], reply["points"], reply.get("next"),
                      reply.get("end"), reply.get("closing", ""))
            for reply in turn["replies"]
        ))
        for turn in turns
    )  # fmt: skip


@dataclass(frozen=True)
class QuestionData:
    """One question of a bank."""

    key: str
    type: str
    difficulty: int
    explanation: str
    lesson: str
    anchor: str | None = None
    dimension: str | None = None
    market: str | None = None
    situation: str = ""
    prompt: str = ""
    options: tuple[OptionData, ...] = ()
    # "mixed" when the situation's surface cue points the wrong way or is buried.
    signals: str = "clear"
    turns: tuple[TurnData, ...] = ()  # a dialogue's
    # Where the files hold it (`path:line`), for messages; not part of the content.
    source: str = field(default="", compare=False)


@dataclass(frozen=True)
class QuizData:
    """A quiz definition: its pool and its rules."""

    slug: str
    title: str
    items: int
    pass_mark: int
    position: int = 0
    after_lesson: str | None = None
    final: bool = False
    attempts_allowed: int | None = None
    cooldown_minutes: int = 0
    time_limit_minutes: int | None = None
    pool_dimensions: tuple[str, ...] = ()
    pool_questions: tuple[str, ...] = ()
    per_dimension: int | None = None
    balance_markets: bool = False
    # Where the files hold it (`path:line`), for messages; not part of the content.
    source: str = field(default="", compare=False)


@dataclass(frozen=True)
class CourseData:
    """A course with everything its files hold."""

    slug: str
    title: str
    language: str = "pl"
    description: str = ""
    lessons: tuple[LessonData, ...] = ()
    questions: tuple[QuestionData, ...] = ()
    quizzes: tuple[QuizData, ...] = ()
    source: str = field(default="", compare=False)
    # Item-quality checks waived on purpose: question id -> {check: reason}.
    lint: dict[str, dict[str, str]] = field(default_factory=dict)
    taxonomy: Taxonomy = field(default_factory=Taxonomy)

    def pool(self, quiz: QuizData) -> list[QuestionData]:
        """The questions a quiz draws from, in bank order."""
        return [
            question
            for question in self.questions
            if question.dimension in quiz.pool_dimensions or question.key in quiz.pool_questions
        ]
