"""A plain multiple-choice question: a prompt and 2 to 6 options, exactly one right.

Imported from other LMSs as often as written here, so it may come without a dimension, an
explanation or feedback on its options.
"""

import random
from collections.abc import Callable
from typing import Any

from flask_babel import lazy_gettext as _l

from trainer.content.fields import Fields
from trainer.content.gift import GiftQuestion, KeyFor, Taken, Target
from trainer.content.model import OptionData, QuestionData
from trainer.quiz.types import choices
from trainer.quiz.types.base import Grade, InvalidAnswer, QuestionRow, QuestionType, Step
from trainer.taxonomy import Taxonomy


class MultipleChoice(QuestionType):
    """One question, one right option among its options."""

    name = "multiple_choice"
    label = _l("multiple choice")
    new_label = _l("New multiple-choice question")
    template = "quiz/types/multiple_choice.html"
    steps = (Step("option", _l("answer")),)
    yaml_keys = frozenset({"prompt", "options"})
    complete_content = False

    def parse(self, fields: Fields, taxonomy: Taxonomy) -> dict[str, Any]:
        """Prompt and options."""
        return {
            "prompt": fields.text("prompt"),
            "options": choices.parse_options(fields, 2, 6, feedback_required=False),
        }

    def yaml(self, question: QuestionData) -> tuple[dict[str, Any], dict[str, Any]]:
        """Nothing before `signals`; the prompt and options after."""
        return {}, {"prompt": question.prompt, "options": choices.options_yaml(question)}

    def editor_mapping(self, values: dict[str, Any]) -> dict[str, Any]:
        """Prompt and the option rows."""
        return {
            "prompt": choices.form_text(values.get("prompt")),
            "options": choices.editor_options(values),
        }

    def to_gift(
        self, question: QuestionData, category: str, trainer: dict[str, str], taxonomy: Taxonomy
    ) -> list[GiftQuestion] | None:
        """One GIFT multiple-choice question."""
        return [
            GiftQuestion("multichoice", question.prompt, question.key,
                         answers=choices.gift_answers(question),
                         general_feedback=choices.general_feedback(question), category=category,
                         trainer=trainer)
        ]  # fmt: skip

    def from_gift(
        self, items: list[GiftQuestion], index: int, target: Target, key_for: KeyFor,
        skipped_titles: set[str],
    ) -> Taken | None:  # fmt: skip
        """A GIFT multiple-choice question; its explanation is the general feedback, else the
        right answer's feedback."""
        item = items[index]
        if item.kind != "multichoice":
            return None
        options = tuple(OptionData(a.text, a.feedback, a.correct) for a in item.answers)
        right = next((a.feedback for a in item.answers if a.correct), "")
        question = choices.imported(item, self.name, key_for(item.title, item.text), target,
                                    options, item.general_feedback or right)  # fmt: skip
        return Taken(1, item.title, question, tuple(a.line for a in item.answers), item.trainer)

    def option_order(self, question: QuestionRow, rng: random.Random) -> list[int]:
        """Shuffled."""
        return choices.shuffled(question, rng)

    def accept(
        self, question: QuestionRow, answer: dict[str, Any], step: str, value: str,
        taxonomy: Taxonomy,
    ) -> dict[str, Any]:  # fmt: skip
        """The one step, `option`, takes an option id."""
        if step != "option":
            raise InvalidAnswer(step)
        return {**answer, "option": choices.accept_option(question, value)}

    def grade(self, question: QuestionRow, answer: dict[str, Any]) -> Grade:
        """A point for the right option."""
        right = choices.right_option(question, answer)
        return Grade(int(right), 1, {"option": right})

    def xapi(
        self, question: QuestionRow, answer: dict[str, Any], taxonomy: Taxonomy
    ) -> tuple[dict[str, Any], str]:
        """A choice interaction over the options."""
        options = choices.choice_ids(question)
        definition = {
            "interactionType": "choice",
            "choices": options,
            "correctResponsesPattern": [
                key for (key, _), o in zip(options, question.options, strict=True) if o.is_correct
            ],
        }
        return definition, choices.choice_id(question, answer.get("option")) or ""

    def simulate(
        self, question: QuestionRow, rng: random.Random, right: Callable[[str], bool],
        taxonomy: Taxonomy, lure: float,
    ) -> dict[str, Any]:  # fmt: skip
        """An option, right or tempting."""
        return {"option": choices.simulate_option(question, rng, right, lure)}


TYPE = MultipleChoice()
