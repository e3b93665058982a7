"""The part the choice types share: options with one right answer, chosen by their id."""

import random
from collections.abc import Callable
from typing import Any

from trainer.content.fields import Fields
from trainer.content.gift import IMPORTED_DIFFICULTY, GiftAnswer, GiftQuestion, Target
from trainer.content.model import OptionData, QuestionData
from trainer.content.yamlfile import Mapping
from trainer.quiz.types.base import InvalidAnswer, QuestionRow

OPTION_KEYS = {"text", "feedback", "correct"}


def parse_options(
    fields: Fields, low: int, high: int, feedback_required: bool
) -> tuple[OptionData, ...]:
    """The `options` list: `low` to `high` options, exactly one of them correct."""
    raw = fields.mapping.get("options")
    if not isinstance(raw, list) or not all(isinstance(item, Mapping) for item in raw):
        fields.problem("options", "required: a list of options with text and feedback")
        return ()
    options = []
    for item in raw:
        option = Fields(fields.path, item, fields.problems)
        option.unknown(OPTION_KEYS)
        options.append(
            OptionData(
                text=option.text("text"),
                feedback=option.text("feedback", required=feedback_required),
                correct=option.boolean("correct"),
            )
        )
    if not low <= len(options) <= high:
        fields.problem("options", f"needs {low} to {high} options, has {len(options)}")
    correct = sum(option.correct for option in options)
    if correct != 1:
        fields.problem("options", f"needs exactly one correct option, has {correct}")
    return tuple(options)


def options_yaml(question: QuestionData) -> list[dict[str, Any]]:
    """The `options` list as a bank file writes it."""
    return [
        {"text": option.text, **({"correct": True} if option.correct else {}),
         "feedback": option.feedback}
        for option in question.options
    ]  # fmt: skip


def editor_options(values: dict[str, Any]) -> list[Mapping]:
    """The option rows of the editor that hold anything, as file entries whose line is the
    row's number, so that each problem can be shown next to its row."""
    options = []
    for number, row in enumerate(values.get("options") or [], 1):
        option = Mapping(
            {"text": form_text(row.get("text")), "feedback": form_text(row.get("feedback")),
             "correct": bool(row.get("correct"))}
        )  # fmt: skip
        if option["text"] or option["feedback"]:
            option.line, option.key_lines = number, {}
            options.append(option)
    return options


def form_text(value: Any) -> str:
    """Form text as the files hold it: Unix line ends, no outer blanks."""
    return ("" if value is None else str(value)).replace("\r\n", "\n").strip()


def gift_answers(question: QuestionData) -> tuple[GiftAnswer, ...]:
    """The options as GIFT answers."""
    return tuple(GiftAnswer(o.text, o.correct, o.feedback) for o in question.options)


def general_feedback(question: QuestionData) -> str:
    """The explanation as GIFT's general feedback, unless it only repeats the right answer's."""
    right = next((option for option in question.options if option.correct), None)
    return "" if right and right.feedback == question.explanation else question.explanation


def imported(
    item: GiftQuestion, type_name: str, key: str, target: Target,
    options: tuple[OptionData, ...], explanation: str,
) -> QuestionData:  # fmt: skip
    """A plain question made from one GIFT question."""
    return QuestionData(
        key=key, type=type_name, difficulty=IMPORTED_DIFFICULTY, explanation=explanation,
        lesson=target.lesson, dimension=target.dimension_of(item.category), prompt=item.text,
        options=options,
    )  # fmt: skip


def shuffled(question: QuestionRow, rng: random.Random) -> list[int]:
    """The option ids in a random order."""
    ids = [option.id for option in question.options]
    rng.shuffle(ids)
    return ids


def accept_option(question: QuestionRow, value: str) -> int:
    """The option id `value` names, if it is one of the question's; raises `InvalidAnswer`."""
    try:
        option_id = int(value)
    except (TypeError, ValueError):
        raise InvalidAnswer("not an option") from None
    if option_id not in {option.id for option in question.options}:
        raise InvalidAnswer("not an option")
    return option_id


def right_option(question: QuestionRow, answer: dict[str, Any]) -> bool:
    """Whether the chosen option is the right one."""
    return answer.get("option") in {option.id for option in question.options if option.is_correct}


def choice_ids(question: QuestionRow) -> list[tuple[str, str]]:
    """(xAPI choice id, text) of each option: its position, stable across exports."""
    return [(f"option-{n}", option.text) for n, option in enumerate(question.options, 1)]


def choice_id(question: QuestionRow, option_id: Any) -> str | None:
    """The xAPI choice id of the option `option_id`, if it is one of the question's."""
    for n, option in enumerate(question.options, 1):
        if option.id == option_id:
            return f"option-{n}"
    return None


def simulate_option(
    question: QuestionRow, rng: random.Random, right: Callable[[str], bool], lure: float
) -> int | None:
    """The option a simulated learner picks: the right one, or most often the wrong option
    the question lures people to (`lure` in [0, 1) says which)."""
    correct = [option.id for option in question.options if option.is_correct]
    wrong = [option.id for option in question.options if not option.is_correct]
    if not wrong or right("option"):
        return rng.choice(correct) if correct else None
    tempting = int(lure * len(wrong))
    return rng.choices(wrong, [3 if index == tempting else 1 for index in range(len(wrong))])[0]
