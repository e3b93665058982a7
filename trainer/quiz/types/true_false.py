"""A statement to judge true or false: two fixed options, "Prawda" then "Fałsz".

YAML: `prompt`, `answer` (true or false) and optional `feedback_true` and `feedback_false`;
the two options are made from them, always in that order (shuffling two fixed answers only
confuses).
"""

import random
from typing import Any

from flask_babel import lazy_gettext as _l

from trainer.content.fields import Fields
from trainer.content.gift import GiftQuestion, KeyFor, Taken, Target
from trainer.content.model import OptionData, QuestionData
from trainer.quiz.types import choices
from trainer.quiz.types.base import QuestionRow
from trainer.quiz.types.multiple_choice import MultipleChoice
from trainer.taxonomy import Taxonomy

TEXTS = ("Prawda", "Fałsz")


class TrueFalse(MultipleChoice):
    """A multiple choice of exactly "Prawda" and "Fałsz", in that order."""

    name = "true_false"
    label = _l("true/false")
    new_label = _l("New true/false question")
    template = "quiz/types/true_false.html"
    yaml_keys = frozenset({"prompt", "answer", "feedback_true", "feedback_false"})
    authored_options = False  # always "Prawda" and "Fałsz"

    def parse(self, fields: Fields, taxonomy: Taxonomy) -> dict[str, Any]:
        """Prompt, answer and the feedback on each answer."""
        answer = fields.boolean("answer")
        if not isinstance(fields.mapping.get("answer"), bool):
            fields.problem("answer", "required: true or false")
        return {
            "prompt": fields.text("prompt"),
            "options": (
                OptionData(TEXTS[0], fields.text("feedback_true", required=False), answer),
                OptionData(TEXTS[1], fields.text("feedback_false", required=False), not answer),
            ),
        }

    def yaml(self, question: QuestionData) -> tuple[dict[str, Any], dict[str, Any]]:
        """Nothing before `signals`; the prompt, answer and feedback after."""
        true, false = (*question.options, None, None)[:2]
        body: dict[str, Any] = {"prompt": question.prompt, "answer": bool(true and true.correct)}
        if true and true.feedback:
            body["feedback_true"] = true.feedback
        if false and false.feedback:
            body["feedback_false"] = false.feedback
        return {}, body

    def editor_mapping(self, values: dict[str, Any]) -> dict[str, Any]:
        """Prompt, answer and feedback."""
        return {
            "prompt": choices.form_text(values.get("prompt")),
            "answer": values.get("answer"),
            "feedback_true": choices.form_text(values.get("feedback_true")),
            "feedback_false": choices.form_text(values.get("feedback_false")),
        }

    def editor_values(self, snapshot: dict[str, Any]) -> dict[str, Any]:
        """The answer and the feedback on each answer, from the two options."""
        options = snapshot.get("options") or []
        if len(options) != 2:
            return {}
        return {
            "answer": bool(options[0]["correct"]),
            "feedback_true": options[0]["feedback"],
            "feedback_false": options[1]["feedback"],
        }

    def to_gift(
        self, question: QuestionData, category: str, trainer: dict[str, str], taxonomy: Taxonomy
    ) -> list[GiftQuestion] | None:
        """One GIFT true/false question, with the feedback for each answer."""
        true, false = question.options[0], question.options[1]
        right, wrong = (true, false) if true.correct else (false, true)
        return [
            GiftQuestion("truefalse", question.prompt, question.key, truth=true.correct,
                         feedback_right=right.feedback, feedback_wrong=wrong.feedback,
                         general_feedback=choices.general_feedback(question), category=category,
                         trainer=trainer)
        ]  # fmt: skip

    def from_gift(
        self, items: list[GiftQuestion], index: int, target: Target, key_for: KeyFor,
        skipped_titles: set[str],
    ) -> Taken | None:  # fmt: skip
        """A GIFT true/false question; its explanation is the general feedback, else the
        feedback on the right answer."""
        item = items[index]
        if item.kind != "truefalse":
            return None
        right, wrong = item.feedback_right, item.feedback_wrong
        options = (
            OptionData(TEXTS[0], right if item.truth else wrong, bool(item.truth)),
            OptionData(TEXTS[1], wrong if item.truth else right, not item.truth),
        )
        question = choices.imported(item, self.name, key_for(item.title, item.text), target,
                                    options, item.general_feedback or right)  # fmt: skip
        return Taken(1, item.title, question, (), item.trainer)

    def option_order(self, question: QuestionRow, rng: random.Random) -> list[int]:
        """Always "Prawda" first."""
        return [option.id for option in question.options]

    def xapi(
        self, question: QuestionRow, answer: dict[str, Any], taxonomy: Taxonomy
    ) -> tuple[dict[str, Any], str]:
        """xAPI's own `true-false` interaction: the response is `true` or `false`."""
        truth = [option.id for option in question.options[:1]]  # "Prawda" comes first
        right = any(option.is_correct for option in question.options[:1])
        chosen = answer.get("option")
        response = "" if chosen is None else str(chosen in truth).lower()
        return {
            "interactionType": "true-false",
            "correctResponsesPattern": [str(right).lower()],
        }, response


TYPE = TrueFalse()
