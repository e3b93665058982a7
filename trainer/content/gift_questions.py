"""GIFT questions to Trainer's questions and back. No Flask, no database.

A scenario travels as a pair of multiple-choice questions that share a title stem: first
`::<id> [rynek]::` (the situation, answers B2B and B2C, the explanation as their feedback),
then `::<id> [podejście]::` (the situation and prompt, the approach options). Such a pair
reads back as one scenario; every other question as a question of its own. A question that
lacks what our format requires and GIFT may leave out (feedback on each option of a
scenario, an explanation, a dimension) is skipped with the reasons, so that everything
imported can be written to files and loaded again.
"""

import hashlib
import re
from dataclasses import dataclass, field, replace
from typing import Any

from slugify import slugify

from trainer.content.bank import SIGNALS, TRUE_FALSE_TEXTS, parse_question
from trainer.content.fields import Fields
from trainer.content.gift import N_, GiftAnswer, GiftIssue, GiftQuestion, GiftSkipped
from trainer.content.model import OptionData, Problem, QuestionData
from trainer.content.writer import question_fields
from trainer.content.yamlfile import Mapping
from trainer.dimensions import DIMENSION_KEYS, MARKETS

MARKET_TAG = "rynek"
APPROACH_TAG = "podejście"
IMPORTED_DIFFICULTY = 2
_PAIR_TITLE = re.compile(rf"^(?P<stem>.*\S)\s*\[(?P<tag>{MARKET_TAG}|{APPROACH_TAG})\]$")
_KEY_LENGTH = 90


@dataclass(frozen=True)
class Converted:
    """A question made from the GIFT question(s) starting at `line`, titled `title`."""

    line: int
    question: QuestionData
    title: str = ""
    # What the file says of the fields GIFT itself lacks (from the trainer comment).
    carried: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Target:
    """Where imported questions go: the lesson chosen for the import, and the links allowed."""

    lesson: str
    dimension: str | None = None
    # `slug` and `slug#anchor` of every lesson and section a question may link to.
    links: frozenset[str] = frozenset()


@dataclass
class Conversion:
    """The questions made from a file, those that break our rules, and what is not kept."""

    questions: list[Converted] = field(default_factory=list)
    skipped: list[GiftSkipped] = field(default_factory=list)
    warnings: list[GiftIssue] = field(default_factory=list)


def category_for(course_slug: str, dimension: str | None) -> str:
    """The `$CATEGORY:` of a question: the course, then its dimension."""
    return f"{course_slug}/{dimension}" if dimension else course_slug


def dimension_of(category: str) -> str | None:
    """The dimension a category names in its last part, if any."""
    last = category.rstrip("/").rsplit("/", 1)[-1].strip()
    return last if last in DIMENSION_KEYS else None


def trainer_fields(question: QuestionData) -> dict[str, str]:
    """What only Trainer knows of a question, for its trainer comment: difficulty, lesson."""
    fields = {"difficulty": str(question.difficulty)}
    if question.signals != "clear":
        fields["signals"] = question.signals
    if question.lesson:
        fields["lesson"] = question.lesson + (f"#{question.anchor}" if question.anchor else "")
    return fields


def to_gift(question: QuestionData, course_slug: str) -> list[GiftQuestion]:
    """One question as GIFT: a pair for a scenario, one question otherwise."""
    category = category_for(course_slug, question.dimension)
    trainer = trainer_fields(question)
    answers = tuple(GiftAnswer(o.text, o.correct, o.feedback) for o in question.options)
    if question.type == "scenario":
        markets = tuple(
            GiftAnswer(market, market == question.market, question.explanation)
            for market in MARKETS
        )
        text = question.situation + (f"\n\n{question.prompt}" if question.prompt else "")
        return [
            GiftQuestion("multiple_choice", question.situation, f"{question.key} [{MARKET_TAG}]",
                         answers=markets, category=category, trainer=trainer),
            GiftQuestion("multiple_choice", text, f"{question.key} [{APPROACH_TAG}]",
                         answers=answers, category=category),
        ]  # fmt: skip
    right = next((option for option in question.options if option.correct), None)
    # The explanation is left out when it only repeats the right answer's feedback.
    general = "" if right and right.feedback == question.explanation else question.explanation
    if question.type == "true_false":
        true, false = question.options[0], question.options[1]
        wrong = false if true.correct else true
        return [
            GiftQuestion("true_false", question.prompt, question.key, truth=true.correct,
                         feedback_right=right.feedback if right else "",
                         feedback_wrong=wrong.feedback, general_feedback=general,
                         category=category, trainer=trainer)
        ]  # fmt: skip
    return [
        GiftQuestion("multiple_choice", question.prompt, question.key, answers=answers,
                     general_feedback=general, category=category, trainer=trainer)
    ]  # fmt: skip


def from_gift(
    items: list[GiftQuestion], target: Target, skipped: list[GiftSkipped] | None = None
) -> Conversion:
    """Our questions for `items`, with ids from their titles, linked as `target` says.

    A trainer comment gives the difficulty and lesson link; without one a question links to
    the target's lesson. `skipped` are the questions the reader skipped: a scenario half
    whose partner is among them is skipped too, rather than imported on its own.
    """
    result = Conversion()
    taken: set[str] = set()
    skipped_titles = {item.title for item in skipped or ()}
    index = 0
    while index < len(items):
        item, warned = items[index], len(result.warnings)
        partner = items[index + 1] if index + 1 < len(items) else None
        stem = _pair_stem(item, partner)
        if partner is not None and stem is not None:
            key = _key(stem, item.text, taken)
            question = _scenario(item, partner, key, target.lesson, target.dimension, result)
            answers, title, notes = partner.answers, stem, {**partner.trainer, **item.trainer}
            index += 2
        else:
            index += 1
            if _partner_title(item.title) in skipped_titles:
                result.skipped.append(GiftSkipped(item.line, "partner_skipped", item.title))
                continue
            if _PAIR_TITLE.match(item.title):
                result.warnings.append(
                    GiftIssue(item.line, N_("This half of a scenario has no partner question "
                                            "next to it; it is imported as a question of its "
                                            "own."))
                )  # fmt: skip
            question = _plain(item, _key(item.title, item.text, taken), target.lesson)
            answers, title, notes = item.answers, item.title, item.trainer
        question, carried = _with_trainer_fields(question, notes, item.line, target, result)
        problems = _check(item.line, question, [answer.line for answer in answers])
        if problems:
            del result.warnings[warned:]  # what would not be kept matters only if it is imported
            result.skipped.append(GiftSkipped(item.line, "content", title, details=problems))
        else:
            result.questions.append(Converted(item.line, question, title, carried))
    return result


def _with_trainer_fields(
    question: QuestionData, fields: dict[str, str], line: int, target: Target,
    result: Conversion,
) -> tuple[QuestionData, frozenset[str]]:  # fmt: skip
    """`question` with the difficulty and lesson link its trainer comment gives, and which."""
    values: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "difficulty" and value in {"1", "2", "3"}:
            values["difficulty"] = int(value)
        elif name == "difficulty":
            result.warnings.append(
                GiftIssue(line, N_("The difficulty %(value)s of the trainer comment is not 1, 2 "
                                   "or 3, so it is ignored."), {"value": value})
            )  # fmt: skip
        elif name == "signals" and value in SIGNALS:
            values["signals"] = value
        elif name == "lesson":
            link = value if value in target.links else target.lesson
            if link != value:
                result.warnings.append(
                    GiftIssue(line, N_("The lesson link %(link)s of the trainer comment is not "
                                       "in this course, so the question links to %(lesson)s."),
                              {"link": value, "lesson": target.lesson})
                )  # fmt: skip
            lesson, _, anchor = link.partition("#")
            values |= {"lesson": lesson, "anchor": anchor or None}
        else:
            result.warnings.append(
                GiftIssue(line, N_("The trainer comment has an unknown field %(name)s, so it "
                                   "is ignored."), {"name": name})
            )  # fmt: skip
    carried = frozenset(name for name in ("difficulty", "signals", "lesson") if name in values)
    return replace(question, **values), carried


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
        and item.kind == partner.kind == "multiple_choice"
    )  # fmt: skip
    return first["stem"] if paired and first else None


def _key(title: str, text: str, taken: set[str]) -> str:
    """An id from the title, slugified (underscores kept); from the text when untitled.

    The same file gives the same ids every time, so that importing it again updates the
    questions it created: an untitled question is `gift-` and a hash of its text, and a
    second question of the same id in the file gets `-2`, and so on.
    """
    base = "_".join(slugify(part, max_length=_KEY_LENGTH) for part in title.split("_"))
    base = re.sub(r"^[_-]+|[_-]+$", "", re.sub(r"_+(?=-|$)", "", base))[:_KEY_LENGTH]
    base = base or "gift-" + hashlib.sha256(text.encode()).hexdigest()[:10]
    candidates = (f"{base}-{n}" if n > 1 else base for n in range(1, 10**6))
    key = next(candidate for candidate in candidates if candidate.casefold() not in taken)
    taken.add(key.casefold())
    return key


def _scenario(
    market: GiftQuestion, approach: GiftQuestion, key: str, lesson: str,
    lesson_dimension: str | None, result: Conversion,
) -> QuestionData:  # fmt: skip
    right = next((answer for answer in market.answers if answer.correct), None)
    explanation = market.general_feedback or (right.feedback if right else "")
    if any(a.feedback and a.feedback != explanation for a in market.answers if not a.correct):
        result.warnings.append(
            GiftIssue(market.line, N_("The feedback on the wrong market is not kept: a scenario "
                                      "has one explanation for its market step."))
        )  # fmt: skip
    if approach.general_feedback and approach.general_feedback != explanation:
        result.warnings.append(
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
        type="scenario",
        difficulty=IMPORTED_DIFFICULTY,
        explanation=explanation,
        lesson=lesson,
        dimension=dimension_of(market.category) or lesson_dimension,
        market=_market(market),
        situation=market.text,
        prompt=prompt,
        options=tuple(OptionData(a.text, a.feedback, a.correct) for a in approach.answers),
    )


def _plain(item: GiftQuestion, key: str, lesson: str) -> QuestionData:
    if item.kind == "true_false":
        right, wrong = item.feedback_right, item.feedback_wrong
        options = (
            OptionData(TRUE_FALSE_TEXTS[0], right if item.truth else wrong, bool(item.truth)),
            OptionData(TRUE_FALSE_TEXTS[1], wrong if item.truth else right, not item.truth),
        )
        explanation = item.general_feedback or right
    else:
        options = tuple(OptionData(a.text, a.feedback, a.correct) for a in item.answers)
        explanation = item.general_feedback or next(
            (a.feedback for a in item.answers if a.correct), ""
        )
    return QuestionData(
        key=key,
        type=item.kind,
        difficulty=IMPORTED_DIFFICULTY,
        explanation=explanation,
        lesson=lesson,
        dimension=dimension_of(item.category),
        prompt=item.text,
        options=options,
    )


def _market(market: GiftQuestion) -> str | None:
    """The right answer of a scenario's market question, if it offers exactly B2B and B2C."""
    texts = sorted(answer.text.upper() for answer in market.answers)
    right = [answer.text.upper() for answer in market.answers if answer.correct]
    return right[0] if texts == sorted(MARKETS) and len(right) == 1 else None


def _check(line: int, question: QuestionData, answer_lines: list[int]) -> tuple[GiftIssue, ...]:
    """What keeps `question` from meeting the content format; nothing if it does."""
    errors: list[GiftIssue] = []
    if not (question.situation if question.type == "scenario" else question.prompt):
        errors.append(GiftIssue(line, N_("The question has no text.")))
    if question.type == "scenario" and question.market is None:
        errors.append(
            GiftIssue(line, N_("The market question of a scenario needs exactly the two "
                               "answers B2B and B2C."))
        )  # fmt: skip
    if question.type == "scenario" and not question.explanation:
        errors.append(
            GiftIssue(line, N_("No explanation: add general feedback (####…) or feedback on the "
                               "right answer."))
        )  # fmt: skip
    if question.type == "scenario" and not question.dimension:
        errors.append(
            GiftIssue(line, N_("A scenario needs a dimension: put it under a $CATEGORY: that "
                               "ends in a dimension key, or choose a lesson that has one."))
        )  # fmt: skip
    if question.type != "true_false":
        low, high = (3, 4) if question.type == "scenario" else (2, 6)
        if not low <= len(question.options) <= high:
            errors.append(
                GiftIssue(line, N_("This question needs %(low)s to %(high)s answers, not "
                                   "%(count)s."),
                          {"low": low, "high": high, "count": len(question.options)})
            )  # fmt: skip
        for number, option in enumerate(question.options, 1):
            if question.type == "scenario" and not option.feedback:
                at = answer_lines[number - 1] if number <= len(answer_lines) else line
                errors.append(
                    GiftIssue(at, N_("Answer %(number)s has no feedback (#…); Trainer shows "
                                       "feedback on every option."), {"number": number})
                )  # fmt: skip
    if not errors:
        # The content format's own rules, so that anything imported can be exported to files.
        problems: list[Problem] = []
        parse_question(Fields("gift", _mapping(question_fields(question), line), problems))
        errors += [
            GiftIssue(line, N_("%(field)s: %(message)s"),
                      {"field": problem.field, "message": problem.message})
            for problem in problems
        ]  # fmt: skip
    return tuple(errors)


def _mapping(value: Any, line: int) -> Any:
    """Plain values as the YAML reader gives them: mappings that know their line."""
    if isinstance(value, dict):
        mapping = Mapping({key: _mapping(item, line) for key, item in value.items()})
        mapping.line, mapping.key_lines = line, {}
        return mapping
    if isinstance(value, list):
        return [_mapping(item, line) for item in value]
    return value
