"""GIFT questions to Trainer's questions and back. No Flask, no database.

Each question type converts itself (`QuestionType.to_gift` and `from_gift`: a scenario, for
one, travels as a pair of multiple-choice questions); this module walks a file, gives ids,
applies the trainer comment, and checks each question against the content format. A
question that lacks what our format requires and GIFT may leave out (feedback on each
option of a scenario, an explanation, a dimension) is skipped with the reasons, so that
everything imported can be written to files and loaded again.
"""

import hashlib
import re
from dataclasses import dataclass, field, replace
from typing import Any

from slugify import slugify

from trainer.content.bank import SIGNALS, parse_question
from trainer.content.fields import Fields
from trainer.content.gift import N_, GiftIssue, GiftQuestion, GiftSkipped, Target
from trainer.content.model import Problem, QuestionData
from trainer.content.writer import question_fields
from trainer.content.yamlfile import Mapping
from trainer.quiz.types import TYPES, question_type
from trainer.taxonomy import Taxonomy

_KEY_LENGTH = 90


@dataclass(frozen=True)
class Converted:
    """A question made from the GIFT question(s) starting at `line`, titled `title`."""

    line: int
    question: QuestionData
    title: str = ""
    # What the file says of the fields GIFT itself lacks (from the trainer comment).
    carried: frozenset[str] = frozenset()


@dataclass
class Conversion:
    """The questions made from a file, those that break our rules, and what is not kept."""

    questions: list[Converted] = field(default_factory=list)
    skipped: list[GiftSkipped] = field(default_factory=list)
    warnings: list[GiftIssue] = field(default_factory=list)


def category_for(course_slug: str, dimension: str | None) -> str:
    """The `$CATEGORY:` of a question: the course, then its dimension."""
    return f"{course_slug}/{dimension}" if dimension else course_slug


def trainer_fields(question: QuestionData) -> dict[str, str]:
    """What only Trainer knows of a question, for its trainer comment: difficulty, lesson."""
    fields = {"difficulty": str(question.difficulty)}
    if question.signals != "clear":
        fields["signals"] = question.signals
    if question.lesson:
        fields["lesson"] = question.lesson + (f"#{question.anchor}" if question.anchor else "")
    return fields


def to_gift(question: QuestionData, course: str, taxonomy: Taxonomy) -> list[GiftQuestion]:
    """One question of `course` as GIFT questions; none if GIFT cannot hold its type."""
    category = category_for(course, question.dimension)
    made = question_type(question.type).to_gift(
        question, category, trainer_fields(question), taxonomy
    )
    return made or []


def from_gift(
    items: list[GiftQuestion], target: Target, skipped: list[GiftSkipped] | None = None
) -> Conversion:
    """Our questions for `items`, with ids from their titles, linked as `target` says.

    Each type in turn is offered the questions at the current place; the first that takes
    them makes the question. A trainer comment gives the difficulty and lesson link; without
    one a question links to the target's lesson. `skipped` are the questions the reader
    skipped (a scenario half whose partner is among them is skipped too).
    """
    result = Conversion()
    taken_keys: set[str] = set()
    skipped_titles = {item.title for item in skipped or ()}

    def key_for(title: str, text: str) -> str:
        return _key(title, text, taken_keys)

    index = 0
    while index < len(items):
        item, warned = items[index], len(result.warnings)
        taken = None
        for kind in TYPES.values():
            taken = kind.from_gift(items, index, target, key_for, skipped_titles)
            if taken is not None:
                result.warnings += taken.warnings
                if taken.consumed:
                    break
        if taken is None or not taken.consumed:
            index += 1  # the reader only hands over the kinds some type takes
            continue
        index += taken.consumed
        if taken.question is None:
            result.skipped.append(taken.skipped or GiftSkipped(item.line, "content", item.title))
            continue
        question, carried = _with_trainer_fields(
            taken.question, taken.trainer, item.line, target, result
        )
        problems = _check(item.line, question, list(taken.answer_lines), target.taxonomy)
        if problems:
            del result.warnings[warned:]  # what would not be kept matters only if it is imported
            result.skipped.append(GiftSkipped(item.line, "content", taken.title, details=problems))
        else:
            result.questions.append(Converted(item.line, question, taken.title, carried))
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


def _check(
    line: int, question: QuestionData, answer_lines: list[int], taxonomy: Taxonomy
) -> tuple[GiftIssue, ...]:
    """What keeps `question` from meeting the content format, worded for a GIFT file.

    The rules are the type's own (the file loader and the editor apply the same), so that
    anything imported can be written to files and loaded again.
    """
    problems: list[Problem] = []
    parse_question(Fields("gift", _entry(question, line, answer_lines), problems), taxonomy)
    unused = list(answer_lines)
    issues = []
    for problem in problems:
        if problem.field == "feedback" and problem.line in unused:
            number = unused.index(problem.line) + 1 + (len(answer_lines) - len(unused))
            unused.remove(problem.line)
            issues.append(GiftIssue(problem.line, _NO_FEEDBACK, {"number": number}))
        else:
            issues.append(_issue(problem, line, taxonomy))
    return tuple(issues)


_NO_FEEDBACK = N_("Answer %(number)s has no feedback (#…); Trainer shows feedback on every option.")
_OPTION_COUNT = re.compile(r"needs (\d+) to (\d+) options, has (\d+)")
_HINTS = {
    "situation": N_("The question has no text."),
    "prompt": N_("The question has no text."),
    "explanation": N_("No explanation: add general feedback (####…) or feedback on the right "
                      "answer."),
    "dimension": N_("A scenario needs a dimension: put it under a $CATEGORY: that ends in a "
                    "dimension key, or choose a lesson that has one."),
    "market": N_("The market question of a scenario needs exactly the answers %(markets)s, one "
                 "of them right."),
}  # fmt: skip


def _issue(problem: Problem, line: int, taxonomy: Taxonomy) -> GiftIssue:
    """A problem of the content format as GIFT words it."""
    if problem.field in _HINTS:
        return GiftIssue(line, _HINTS[problem.field],
                         {"markets": ", ".join(taxonomy.category_keys)}
                         if problem.field == "market" else {})  # fmt: skip
    if count := _OPTION_COUNT.search(problem.message):
        low, high, has = count.groups()
        return GiftIssue(
            line, N_("This question needs %(low)s to %(high)s answers, not %(count)s."),
            {"low": low, "high": high, "count": has},
        )  # fmt: skip
    return GiftIssue(line, N_("%(field)s: %(message)s"),
                     {"field": problem.field, "message": problem.message})  # fmt: skip


def _entry(question: QuestionData, line: int, answer_lines: list[int]) -> Mapping:
    """The bank file entry of `question` as the YAML reader gives it: each mapping knows its
    line (an option its answer's), and a value left empty is absent."""
    fields = question_fields(question)
    entry = _mapping({key: value for key, value in fields.items() if value not in (None, "")})
    entry.line = line
    options = entry.get("options") or []
    for number, option in enumerate(options):
        option.line = answer_lines[number] if number < len(answer_lines) else line
    return entry


def _mapping(value: Any) -> Any:
    """Plain values as the YAML reader gives them: mappings that know their line."""
    if isinstance(value, dict):
        mapping = Mapping({key: _mapping(item) for key, item in value.items()})
        mapping.line, mapping.key_lines = 1, {}
        return mapping
    if isinstance(value, list):
        return [_mapping(item) for item in value]
    return value
