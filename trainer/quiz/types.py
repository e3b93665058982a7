"""A registry of question types: what steps each has and how an answer is graded."""

from dataclasses import dataclass

from trainer.models import Question


@dataclass(frozen=True)
class ItemGrade:
    """The grade of one answered item."""

    market_correct: bool | None
    option_correct: bool
    points: int


@dataclass(frozen=True)
class QuestionType:
    """How one type of question is asked and graded."""

    name: str
    has_market_step: bool
    shuffle_options: bool

    @property
    def max_points(self) -> int:
        """One point per step."""
        return 2 if self.has_market_step else 1

    def grade(
        self, question: Question, market_answer: str | None, chosen_option_id: int | None
    ) -> ItemGrade:
        """Points for the given answers; an unanswered step scores nothing."""
        correct_ids = {option.id for option in question.options if option.is_correct}
        option_correct = chosen_option_id in correct_ids
        market_correct = market_answer == question.market if self.has_market_step else None
        return ItemGrade(market_correct, option_correct, int(option_correct) + bool(market_correct))


QUESTION_TYPES: dict[str, QuestionType] = {
    "scenario": QuestionType("scenario", has_market_step=True, shuffle_options=True),
    "multiple_choice": QuestionType("multiple_choice", has_market_step=False, shuffle_options=True),
    # "Prawda" before "Fałsz", always: shuffling two fixed answers only confuses.
    "true_false": QuestionType("true_false", has_market_step=False, shuffle_options=False),
}


def question_type(question: Question) -> QuestionType:
    """The type object of `question`."""
    return QUESTION_TYPES[question.type]
