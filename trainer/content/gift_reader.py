"""Moodle GIFT: read a file into plain question objects, as Moodle's own importer reads it.

Moodle's `qformat_gift` is the reference. What Moodle refuses (a title without its closing
`::`, unbalanced braces, a multiple-choice question with fewer than two answers…) is an
error, and a file with errors is refused whole. What Moodle reads but Trainer cannot hold
(multiple answers, partial credit, essays, matching, numerical, short answer, missing word,
embedded answers…) is skipped with its line and a reason; the rest of the file imports.
Nothing is dropped silently. No Flask, no database.
"""

import re
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import unquote

from trainer.content.gift import (
    N_,
    TRAINER_COMMENT,
    TRUE_WORDS,
    GiftAnswer,
    GiftFile,
    GiftIssue,
    GiftQuestion,
    GiftSkipped,
)
from trainer.content.gift_text import (
    Char,
    chars_of,
    find,
    formatted,
    raw,
    rfind,
    skip_space,
    split,
    text,
)

# Moodle's own test for an answer weight: `%50%`, `%-33.3%`; anything else is answer text.
_WEIGHT = re.compile(r"^%(-*)([0-9]{1,2}\.?[0-9]*)%")
# A Cloze (embedded answers) field: `{1:MULTICHOICE:…}`, `{:SA:…}`.
_CLOZE = re.compile(r"^\s*[0-9]*:[A-Z][A-Z_]*:")
_NUMBER = re.compile(r"^\s*[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\s*$")


@dataclass
class _Block:
    """One question's lines (comments left out) and the trainer comments right before it."""

    lines: list[tuple[int, str]] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)


def parse_gift(text: str) -> GiftFile:
    """Every question of a GIFT text, in file order."""
    result = GiftFile()
    category = ""
    for block in _blocks(text.removeprefix("\ufeff"), result):
        if block.lines and block.lines[0][1].strip().startswith("$CATEGORY:"):
            category = block.lines[0][1].strip().removeprefix("$CATEGORY:").strip()
            block.lines = block.lines[1:]
        if block.lines:
            _parse_question(block, category, result)
        else:
            result.warnings += [_stray_note(number) for number, _ in block.notes]
    result.warnings.sort(key=lambda issue: issue.line)
    return result


def _blocks(source: str, result: GiftFile) -> list[_Block]:
    """Questions are separated by blank lines; comment lines belong to no question's text."""
    blocks = [_Block()]
    lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if not stripped:
            blocks.append(_Block())
        elif not stripped.startswith("//"):
            blocks[-1].lines.append((number, line))
        elif (comment := stripped[2:].strip()).startswith(TRAINER_COMMENT):
            block = blocks[-1]
            # A trainer comment belongs to the question it comes right before.
            if any(not seen.strip().startswith("$CATEGORY:") for _, seen in block.lines):
                result.warnings.append(_stray_note(number))
            else:
                block.notes.append((number, comment.removeprefix(TRAINER_COMMENT)))
    return [block for block in blocks if block.lines or block.notes]


def _stray_note(line: int) -> GiftIssue:
    return GiftIssue(
        line, N_("This trainer comment is not right before a question, so it is ignored.")
    )


def _trainer_fields(block: _Block, result: GiftFile) -> dict[str, str]:
    """The `name=value` pairs of a question's trainer comments (values percent-encoded)."""
    fields: dict[str, str] = {}
    for number, note in block.notes:
        for part in note.split():
            name, equals, value = part.partition("=")
            if name and equals:
                fields[name] = unquote(value)
            else:
                result.warnings.append(
                    GiftIssue(number, N_("The trainer comment has a part that is not "
                                         "name=value: %(part)s; it is ignored."), {"part": part})
                )  # fmt: skip
    return fields


def _parse_question(block: _Block, category: str, result: GiftFile) -> None:
    chars = chars_of(block.lines)
    index = skip_space(chars, 0)
    line = chars[index][2] if index < len(chars) else block.lines[0][0]
    title = ""
    if find(chars, "::", index, index + 2) == index:
        end = find(chars, "::", index + 2)
        if end < 0:
            result.errors.append(GiftIssue(line, N_("The title is not closed with ::.")))
            return
        title = text(chars[index + 2 : end])
        index = skip_space(chars, end + 2)
    groups = _brace_groups(chars, index, result)
    if groups is None:
        return
    if not groups:
        result.skipped.append(GiftSkipped(line, "description", title))
        return
    if any(_CLOZE.match(raw(chars[start + 1 : end])) for start, end in groups):
        result.skipped.append(GiftSkipped(line, "cloze", title))
        return
    opening, closing = groups[0]
    question_text, fmt = formatted(chars[index:opening], "moodle")
    question = GiftQuestion(
        kind="", text=question_text, title=title, line=line, category=category,
        trainer=_trainer_fields(block, result),
    )  # fmt: skip
    read = _read_answers(question, chars[opening + 1 : closing], fmt, chars[opening][2], result)
    if read is None:
        return
    if len(groups) > 1 or text(chars[closing + 1 :]):
        result.skipped.append(GiftSkipped(line, "missing_word", title))
    elif isinstance(read, GiftQuestion):
        result.questions.append(read)
    else:
        result.skipped.append(GiftSkipped(line, read[0], title, read[1]))


def _brace_groups(chars: list[Char], start: int, result: GiftFile) -> list[tuple[int, int]] | None:
    """(opening, closing) of each `{…}` from `start`; None (and an error) if unbalanced."""
    groups: list[tuple[int, int]] = []
    opening = -1
    for index in range(start, len(chars)):
        char, escaped, line = chars[index]
        if escaped or char not in "{}":
            continue
        if char == "{" and opening >= 0:
            result.errors.append(
                GiftIssue(chars[opening][2], N_("A { is not closed with } before the next {."))
            )
            return None
        if char == "{":
            opening = index
        elif opening < 0:
            result.errors.append(GiftIssue(line, N_("A } has no { before it.")))
            return None
        else:
            groups.append((opening, index))
            opening = -1
    if opening >= 0:
        result.errors.append(
            GiftIssue(chars[opening][2], N_("A { is not closed with } before the question ends."))
        )
        return None
    return groups


# What the answers between the braces are: a question, a skip reason, or None after an error.
Read = GiftQuestion | tuple[str, dict[str, Any]] | None


def _read_answers(
    question: GiftQuestion, chars: list[Char], fmt: str, line: int, result: GiftFile
) -> Read:
    general = ""
    marker = rfind(chars, "####")
    if marker >= 0:
        general = formatted(chars[marker + 4 :], fmt)[0]
        chars = chars[:marker]
    question = replace(question, general_feedback=general)
    first = skip_space(chars, 0)
    # The order in which Moodle itself tells the types apart.
    if first == len(chars):
        return "essay", {}
    if chars[first][0] == "#" and not chars[first][1]:
        return _numerical(chars[first + 1 :], line, result)
    if find(chars, "~") >= 0:
        return _multiple_choice(question, chars, fmt, line, result)
    if find(chars, "=") >= 0 and find(chars, "->") >= 0:
        return _matching(chars, line, result)
    parts = split(chars, "#", 2)
    word = text(parts[0])
    if word not in TRUE_WORDS:
        return "short_answer", {}
    feedback = [formatted(part, fmt)[0] for part in parts[1:]] + ["", ""]
    return replace(
        question, kind="truefalse", truth=TRUE_WORDS[word], feedback_wrong=feedback[0],
        feedback_right=feedback[1],
    )  # fmt: skip


def _multiple_choice(
    question: GiftQuestion, chars: list[Char], fmt: str, line: int, result: GiftFile
) -> Read:
    starts = [i for i, (char, escaped, _) in enumerate(chars) if char in "=~" and not escaped]
    ends = [*starts[1:], len(chars)]
    pieces = [chars[start:end] for start, end in zip(starts, ends, strict=True)]
    before = bool(text(chars[: starts[0]]))
    # Moodle reads text before the first marker as one more answer.
    if len(pieces) + before < 2:
        result.errors.append(
            GiftIssue(line, N_("A multiple-choice question needs at least 2 answers."))
        )
        return None
    if before:
        return "text_before_answers", {}
    if find(chars, "=") < 0:
        return "multiple_answer", {}
    answers = []
    for number, piece in enumerate(pieces, 1):
        part, correct = piece[1:], piece[0][0] == "="
        start = skip_space(part, 0)
        weight = _WEIGHT.match(raw(part[start:])) if not correct else None
        if weight:
            value = float(weight[2]) * (-1 if weight[1] else 1)
            if value not in (0, 100):
                return "partial_credit", {"number": number, "weight": weight[1] + weight[2]}
            correct, part = value == 100, part[start + weight.end() :]
        bits = split(part, "#", 1)
        feedback = formatted(bits[1], fmt)[0] if len(bits) > 1 else ""
        answers.append(GiftAnswer(formatted(bits[0], fmt)[0], correct, feedback, piece[0][2]))
    right = sum(answer.correct for answer in answers)
    if right > 1:
        return "several_right", {"count": right}
    empty = next((n for n, answer in enumerate(answers, 1) if not answer.text), 0)
    if empty:
        return "empty_answer", {"number": empty}
    return replace(question, kind="multichoice", answers=tuple(answers))


def _matching(chars: list[Char], line: int, result: GiftFile) -> Read:
    pairs = split(chars, "=")
    pairs = pairs if text(pairs[0]) else pairs[1:]
    if len(pairs) < 2:
        result.errors.append(GiftIssue(line, N_("A matching question needs at least 2 pairs.")))
        return None
    for number, pair in enumerate(pairs, 1):
        if find(pair, "->") < 0:
            result.errors.append(
                GiftIssue(line, N_("Pair %(number)s of the matching question has no ->."),
                          {"number": number})
            )  # fmt: skip
            return None
    return "matching", {}


def _numerical(chars: list[Char], line: int, result: GiftFile) -> Read:
    wrong = find(chars, "~")
    answers = split(chars[:wrong] if wrong >= 0 else chars, "=")
    answers = answers if text(answers[0]) else answers[1:]
    if not answers:
        result.errors.append(GiftIssue(line, N_("A numerical question needs an answer after #.")))
        return None
    for number, answer in enumerate(answers, 1):
        value = raw(split(answer, "#", 1)[0]).strip()
        weight = _WEIGHT.match(value)
        value = value[weight.end() :] if weight else value
        # As Moodle: `min..max`, `answer:margin`, or one answer it takes as it is.
        if value.find("..") > 0:
            numbers = value.split("..", 1)
        elif value.find(":") > 0:
            numbers = [value.partition(":")[2]]
        else:
            numbers = []
        if not all(_NUMBER.match(number_text) for number_text in numbers):
            result.errors.append(
                GiftIssue(line, N_("Answer %(number)s of the numerical question is not a "
                                   "number, a number:margin or a min..max range."),
                          {"number": number})
            )  # fmt: skip
            return None
    return "numerical", {}
