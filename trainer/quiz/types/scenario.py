"""The two-step scenario: read a situation, classify it (B2B or B2C), then choose an approach.

YAML: `market` (a category of the course), `situation`, an optional `prompt`, and 3 to 4
`options`, each with feedback, exactly one correct. GIFT: a pair of multiple-choice
questions, `<id> [rynek]` (the categories) then `<id> [podejście]` (the options).
"""

import random
import re
from collections.abc import Callable
from typing import Any

from flask_babel import lazy_gettext as _l

from trainer.content.fields import Fields
from trainer.content.gift import (
    IMPORTED_DIFFICULTY,
    N_,
    GiftAnswer,
    GiftIssue,
    GiftQuestion,
    GiftSkipped,
    KeyFor,
    Taken,
    Target,
)
from trainer.content.model import OptionData, QuestionData
from trainer.quiz.types import choices
from trainer.quiz.types.base import Grade, InvalidAnswer, QuestionRow, QuestionType, Step
from trainer.taxonomy import Taxonomy

MARKET_TAG = "rynek"
APPROACH_TAG = "podejście"
_PAIR_TITLE = re.compile(rf"^(?P<stem>.*\S)\s*\[(?P<tag>{MARKET_TAG}|{APPROACH_TAG})\]$")


class Scenario(QuestionType):
    """A situation, its category (step 1) and the best approach to it (step 2)."""

    name = "scenario"
    label = _l("scenario")
    new_label = _l("New scenario")
    template = "quiz/types/scenario.html"
    steps = (Step("market", _l("market")), Step("option", _l("approach")))
    yaml_keys = frozenset({"market", "situation", "prompt", "options"})

    def parse(self, fields: Fields, taxonomy: Taxonomy) -> dict[str, Any]:
        """Market, situation, prompt and options."""
        return {
            "market": fields.choice("market", taxonomy.category_keys),
            "situation": fields.text("situation"),
            "prompt": fields.text("prompt", required=False),
            "options": choices.parse_options(fields, 3, 4, feedback_required=True),
        }

    def yaml(self, question: QuestionData) -> tuple[dict[str, Any], dict[str, Any]]:
        """`market` before `signals`; the situation, prompt and options after."""
        body: dict[str, Any] = {"situation": question.situation}
        if question.prompt:
            body["prompt"] = question.prompt
        body["options"] = choices.options_yaml(question)
        return {"market": question.market}, body

    def editor_mapping(self, values: dict[str, Any]) -> dict[str, Any]:
        """Market, situation, prompt and the option rows."""
        return {
            "market": choices.form_text(values.get("market")),
            "situation": choices.form_text(values.get("situation")),
            "prompt": choices.form_text(values.get("prompt")),
            "options": choices.editor_options(values),
        }

    def to_gift(
        self, question: QuestionData, category: str, trainer: dict[str, str], taxonomy: Taxonomy
    ) -> list[GiftQuestion] | None:
        """A pair: `<id> [rynek]` (the categories, the explanation as their feedback), then
        `<id> [podejście]` (the situation and prompt, the options)."""
        markets = tuple(
            GiftAnswer(key, key == question.market, question.explanation)
            for key in taxonomy.category_keys
        )
        text = question.situation + (f"\n\n{question.prompt}" if question.prompt else "")
        return [
            GiftQuestion("multichoice", question.situation, f"{question.key} [{MARKET_TAG}]",
                         answers=markets, category=category, trainer=trainer),
            GiftQuestion("multichoice", text, f"{question.key} [{APPROACH_TAG}]",
                         answers=choices.gift_answers(question), category=category),
        ]  # fmt: skip

    def from_gift(
        self, items: list[GiftQuestion], index: int, target: Target, key_for: KeyFor,
        skipped_titles: set[str],
    ) -> Taken | None:  # fmt: skip
        """A `[rynek]` question followed by its `[podejście]` partner. A half whose partner
        was skipped is skipped too; a half alone is left to the plain types, with a warning."""
        item = items[index]
        partner = items[index + 1] if index + 1 < len(items) else None
        stem = _pair_stem(item, partner)
        if stem is not None and partner is not None:
            warnings: list[GiftIssue] = []
            question = _scenario(item, partner, key_for(stem, item.text), target, warnings)
            lines = tuple(answer.line for answer in partner.answers)
            return Taken(2, stem, question, lines, {**partner.trainer, **item.trainer},
                         warnings=tuple(warnings))  # fmt: skip
        if _partner_title(item.title) in skipped_titles:
            skipped = GiftSkipped(item.line, "partner_skipped", item.title)
            return Taken(1, item.title, skipped=skipped)
        if _PAIR_TITLE.match(item.title):
            lone = GiftIssue(item.line, N_("This half of a scenario has no partner question "
                                           "next to it; it is imported as a question of its "
                                           "own."))  # fmt: skip
            return Taken(0, warnings=(lone,))
        return None

    def option_order(self, question: QuestionRow, rng: random.Random) -> list[int]:
        """Shuffled, so the position of the right approach tells nothing."""
        return choices.shuffled(question, rng)

    def accept(
        self, question: QuestionRow, answer: dict[str, Any], step: str, value: str,
        taxonomy: Taxonomy,
    ) -> dict[str, Any]:  # fmt: skip
        """Step `market` takes a category of the course, step `option` an option id."""
        if step == "market" and value in taxonomy.category_keys:
            return {**answer, "market": value}
        if step == "option":
            return {**answer, "option": choices.accept_option(question, value)}
        raise InvalidAnswer(step)

    def grade(self, question: QuestionRow, answer: dict[str, Any]) -> Grade:
        """A point for the right category and a point for the right approach."""
        result = {
            "market": answer.get("market") is not None and answer.get("market") == question.market,
            "option": choices.right_option(question, answer),
        }
        return Grade(sum(result.values()), 2, result)

    def xapi(
        self, question: QuestionRow, answer: dict[str, Any], taxonomy: Taxonomy
    ) -> tuple[dict[str, Any], str]:
        """A choice interaction of two parts: `B2B[,]option-2` (the category, the option)."""
        options = choices.choice_ids(question)
        right = [key for (key, _), o in zip(options, question.options, strict=True) if o.is_correct]
        definition = {
            "interactionType": "choice",
            "choices": [*((key, key) for key in taxonomy.category_keys), *options],
            "correctResponsesPattern": [f"{question.market}[,]{key}" for key in right],
        }
        parts = [answer.get("market"), choices.choice_id(question, answer.get("option"))]
        return definition, "[,]".join(part for part in parts if part)

    def simulate(
        self, question: QuestionRow, rng: random.Random, right: Callable[[str], bool],
        taxonomy: Taxonomy, lure: float,
    ) -> dict[str, Any]:  # fmt: skip
        """The right category or another one, then an option."""
        others = [key for key in taxonomy.category_keys if key != question.market]
        market = question.market if right("market") or not others else rng.choice(others)
        return {"market": market, "option": choices.simulate_option(question, rng, right, lure)}


TYPE = Scenario()


def _partner_title(title: str) -> str | None:
    """The title of the other half of a scenario, if `title` names one half."""
    match = _PAIR_TITLE.match(title)
    if not match:
        return None
    other = APPROACH_TAG if match["tag"] == MARKET_TAG else MARKET_TAG
    return f"{match['stem']} [{other}]"


def _pair_stem(item: GiftQuestion, partner: GiftQuestion | None) -> str | None:
    """The shared title stem when `item` and `partner` are the two halves of a scenario."""
    first = _PAIR_TITLE.match(item.title)
    second = _PAIR_TITLE.match(partner.title) if partner else None
    paired = bool(
        partner and first and second
        and first["tag"] == MARKET_TAG and second["tag"] == APPROACH_TAG
        and first["stem"] == second["stem"]
        and item.kind == partner.kind == "multichoice"
    )  # fmt: skip
    return first["stem"] if paired and first else None


def _scenario(
    market: GiftQuestion, approach: GiftQuestion, key: str, target: Target,
    warnings: list[GiftIssue],
) -> QuestionData:  # fmt: skip
    right = next((answer for answer in market.answers if answer.correct), None)
    explanation = market.general_feedback or (right.feedback if right else "")
    if any(a.feedback and a.feedback != explanation for a in market.answers if not a.correct):
        warnings.append(
            GiftIssue(market.line, N_("The feedback on the wrong market is not kept: a scenario "
                                      "has one explanation for its market step."))
        )  # fmt: skip
    if approach.general_feedback and approach.general_feedback != explanation:
        warnings.append(
            GiftIssue(approach.line, N_("The general feedback of the approach question is not "
                                        "kept: the market question's feedback explains the "
                                        "scenario."))
        )  # fmt: skip
    prompt = approach.text
    if prompt == market.text:
        prompt = ""
    elif prompt.startswith(market.text + "\n\n"):
        prompt = prompt[len(market.text) + 2 :].strip()
    return QuestionData(
        key=key,
        type=TYPE.name,
        difficulty=IMPORTED_DIFFICULTY,
        explanation=explanation,
        lesson=target.lesson,
        dimension=target.dimension_of(market.category) or target.dimension,
        market=_market(market, target.taxonomy.category_keys),
        situation=market.text,
        prompt=prompt,
        options=tuple(OptionData(a.text, a.feedback, a.correct) for a in approach.answers),
    )


def _market(market: GiftQuestion, markets: tuple[str, ...]) -> str | None:
    """The right answer of a scenario's market question, if it offers exactly `markets`."""
    texts = sorted(answer.text.upper() for answer in market.answers)
    right = [answer.text.upper() for answer in market.answers if answer.correct]
    return right[0] if texts == sorted(markets) and len(right) == 1 else None
