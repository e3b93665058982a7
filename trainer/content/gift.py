"""Moodle GIFT: read a file into plain question objects and write them back. No Flask, no db.

Read: single-choice multiple choice and true/false, with titles, `$CATEGORY:` lines, `//`
comments, the escapes `\\: \\= \\~ \\# \\{ \\} \\\\ \\n`, the `[markdown]`, `[html]`, `[plain]` and
`[moodle]` formats and general feedback (`####`). Other question types are reported as
skipped with their line, and malformed questions as errors; nothing is dropped silently.
"""

import html
import re
from dataclasses import dataclass, field, replace
from typing import Any

import nh3

FORMATS = ("markdown", "html", "plain", "moodle")
TRUE_WORDS = {"T": True, "TRUE": True, "F": False, "FALSE": False}
SKIPPED_KINDS = ("description", "essay", "numerical", "matching", "short_answer", "missing_word")
_ESCAPABLE = set(":=~#{}\\")
_BLOCK_END = re.compile(r"<br\s*/?>|</(?:p|div|li|h[1-6]|tr|blockquote)\s*>", re.IGNORECASE)


def N_(message: str) -> str:
    """Mark `message` for Babel's extraction; it is translated where it is shown."""
    return message


class GiftDecodeError(ValueError):
    """The bytes are not UTF-8 text."""


@dataclass(frozen=True)
class GiftIssue:
    """An error or a warning at a line; `message` is an English msgid with %(name)s fields."""

    line: int
    message: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self) -> str:
        """The message in English."""
        return self.message % self.params if self.params else self.message

    def __str__(self) -> str:
        return f"line {self.line}: {self.text()}"


@dataclass(frozen=True)
class GiftAnswer:
    """One answer of a multiple-choice question."""

    text: str
    correct: bool
    feedback: str = ""
    line: int = 0


@dataclass(frozen=True)
class GiftQuestion:
    """A question we support: `multiple_choice` (one right answer) or `true_false`."""

    kind: str
    text: str
    title: str = ""
    line: int = 0
    answers: tuple[GiftAnswer, ...] = ()
    truth: bool | None = None
    feedback_wrong: str = ""  # true/false: shown to who answered wrongly
    feedback_right: str = ""
    general_feedback: str = ""
    category: str = ""


@dataclass(frozen=True)
class GiftSkipped:
    """A question of a type we do not import, and where it is."""

    line: int
    kind: str
    title: str = ""


@dataclass
class GiftFile:
    """What a file holds: questions, skipped ones, errors and warnings."""

    questions: list[GiftQuestion] = field(default_factory=list)
    skipped: list[GiftSkipped] = field(default_factory=list)
    errors: list[GiftIssue] = field(default_factory=list)
    warnings: list[GiftIssue] = field(default_factory=list)


# One character of a question: its text, whether it was escaped, and its line.
Char = tuple[str, bool, int]


def decode_gift(data: bytes) -> str:
    """UTF-8 text with or without a byte order mark; raises `GiftDecodeError`."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise GiftDecodeError(str(error)) from error


def parse_gift(text: str) -> GiftFile:
    """Every question of a GIFT text, in file order."""
    result = GiftFile()
    category = ""
    for block in _blocks(text.removeprefix("\ufeff")):
        first = block[0][1]
        if first.strip().startswith("$CATEGORY:"):
            category = first.strip().removeprefix("$CATEGORY:").strip()
            block = block[1:]
            if not block:
                continue
        _parse_question(block, category, result)
    return result


def _blocks(text: str) -> list[list[tuple[int, str]]]:
    """Questions are separated by blank lines; comment lines belong to no question."""
    blocks: list[list[tuple[int, str]]] = [[]]
    for number, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        if not line.strip():
            blocks.append([])
        elif not line.lstrip().startswith("//"):
            blocks[-1].append((number, line))
    return [block for block in blocks if block]


def _chars(block: list[tuple[int, str]]) -> list[Char]:
    chars: list[Char] = []
    for index, (number, line) in enumerate(block):
        if index:
            chars.append(("\n", False, number))
        position = 0
        while position < len(line):
            char = line[position]
            following = line[position + 1] if position + 1 < len(line) else ""
            if char == "\\" and following in _ESCAPABLE:
                chars.append((following, True, number))
                position += 2
            elif char == "\\" and following == "n":
                chars.append(("\n", True, number))
                position += 2
            else:
                chars.append((char, char == "\\", number))
                position += 1
    return chars


def _find(chars: list[Char], wanted: str, start: int = 0, end: int | None = None) -> int:
    """Index of the first unescaped `wanted` in chars[start:end], or -1."""
    end = len(chars) if end is None else end
    for index in range(start, end - len(wanted) + 1):
        if all(
            chars[index + k][0] == wanted[k] and not chars[index + k][1] for k in range(len(wanted))
        ):
            return index
    return -1


def _skip_space(chars: list[Char], index: int) -> int:
    while index < len(chars) and chars[index][0].isspace() and not chars[index][1]:
        index += 1
    return index


def _text(chars: list[Char], fmt: str = "plain") -> str:
    """The text of `chars`: a line break is a space, an escaped `\\n` a real line break."""
    raw = "".join("\x00" if char == "\n" and not escaped else char for char, escaped, _ in chars)
    text = re.sub(r"[ \t]*\x00[ \t]*", " ", raw)
    if fmt == "html":
        text = html.unescape(nh3.clean(_BLOCK_END.sub("\n", text), tags=set()))
        text = "\n".join(" ".join(line.split()) for line in text.split("\n"))
        text = re.sub(r"\n{2,}", "\n\n", text)
    return text.strip()


def _parse_question(block: list[tuple[int, str]], category: str, result: GiftFile) -> None:
    chars = _chars(block)
    index = _skip_space(chars, 0)
    line = chars[index][2] if index < len(chars) else block[0][0]
    title = ""
    if _find(chars, "::", index, index + 2) == index:
        end = _find(chars, "::", index + 2)
        if end < 0:
            result.errors.append(GiftIssue(line, N_("The title is not closed with ::.")))
            return
        title = _text(chars[index + 2 : end])
        index = _skip_space(chars, end + 2)
    fmt = "moodle"
    for name in FORMATS:
        tag = f"[{name}]"
        if _find(chars, tag, index, index + len(tag)) == index:
            fmt, index = name, index + len(tag)
            break
    opening = _find(chars, "{", index)
    if opening < 0:
        result.skipped.append(GiftSkipped(line, "description", title))
        return
    closing = _find(chars, "}", opening + 1)
    nested = _find(chars, "{", opening + 1, closing if closing >= 0 else None)
    if closing < 0 or nested >= 0:
        result.errors.append(
            GiftIssue(chars[opening][2], N_("A { is not closed with } before the question ends."))
        )
        return
    after = _text(chars[closing + 1 :])
    if after:
        result.skipped.append(GiftSkipped(line, "missing_word", title))
        return
    question = GiftQuestion(
        kind="", text=_text(chars[index:opening], fmt), title=title, line=line, category=category
    )
    _parse_answers(question, chars[opening + 1 : closing], fmt, chars[opening][2], result)


def _parse_answers(
    question: GiftQuestion, chars: list[Char], fmt: str, line: int, result: GiftFile
) -> None:
    general = ""
    marker = _find(chars, "####")
    if marker >= 0:
        general = _text(chars[marker + 4 :], fmt)
        chars = chars[:marker]
    first = _skip_space(chars, 0)
    # The order in which Moodle itself tells the types apart.
    if first == len(chars):
        kind = "essay"
    elif chars[first][0] == "#" and not chars[first][1]:
        kind = "numerical"
    elif _find(chars, "~") >= 0:
        kind = "multiple_choice"
    elif _text(_split(chars, "#")[0]).upper() in TRUE_WORDS:
        kind = "true_false"
    elif _find(chars, "->") >= 0 and _find(chars, "=") >= 0:
        kind = "matching"
    else:
        kind = "short_answer"
    if kind in SKIPPED_KINDS:
        result.skipped.append(GiftSkipped(question.line, kind, question.title))
        return
    if kind == "true_false":
        parts = _split(chars, "#", 2)
        feedback = [_text(part, fmt) for part in parts[1:]] + ["", ""]
        result.questions.append(
            replace(question, kind=kind, truth=TRUE_WORDS[_text(parts[0]).upper()],
                     feedback_wrong=feedback[0], feedback_right=feedback[1],
                     general_feedback=general)
        )  # fmt: skip
        return
    answers = _answers(chars, fmt, line, result)
    if answers is None:
        return
    correct = sum(answer.correct for answer in answers)
    if correct == 0:
        result.errors.append(GiftIssue(question.line, N_("No answer is marked right (=).")))
    elif correct > 1:
        result.errors.append(
            GiftIssue(
                question.line,
                N_("%(count)s answers are marked right; only one may be (single choice)."),
                {"count": correct},
            )
        )
    else:
        result.questions.append(
            replace(question, kind=kind, answers=tuple(answers), general_feedback=general)
        )


def _answers(chars: list[Char], fmt: str, line: int, result: GiftFile) -> list[GiftAnswer] | None:
    starts = [i for i, (char, escaped, _) in enumerate(chars) if char in "=~" and not escaped]
    before = _text(chars[: starts[0]]) if starts else ""
    if before:
        result.errors.append(GiftIssue(line, N_("Text before the first answer (= or ~).")))
        return None
    answers, failed = [], False
    for number, (start, end) in enumerate(zip(starts, [*starts[1:], len(chars)], strict=True), 1):
        part = chars[start + 1 : end]
        at = chars[start][2]
        right = chars[start][0] == "="
        offset = _skip_space(part, 0)
        if offset < len(part) and part[offset][0] == "%" and not part[offset][1]:
            close = _find(part, "%", offset + 1)
            weight_text = _text(part[offset + 1 : close]) if close > 0 else ""
            try:
                weight = float(weight_text)
            except ValueError:
                result.errors.append(
                    GiftIssue(at, N_("Answer %(number)s has an unreadable weight."),
                              {"number": number})
                )  # fmt: skip
                failed = True
                continue
            right = weight == 100
            part = part[close + 1 :]
            if weight not in (0, 100):
                result.warnings.append(
                    GiftIssue(
                        at,
                        N_("Answer %(number)s has the weight %(weight)s%%: partial credit is "
                           "not supported, so it is read as wrong."),
                        {"number": number, "weight": weight_text},
                    )
                )  # fmt: skip
        pieces = _split(part, "#", 1)
        text = _text(pieces[0], fmt)
        if not text:
            result.errors.append(
                GiftIssue(at, N_("Answer %(number)s is empty."), {"number": number})
            )
            failed = True
            continue
        feedback = _text(pieces[1], fmt) if len(pieces) > 1 else ""
        answers.append(GiftAnswer(text, right, feedback, at))
    return None if failed else answers


def _split(chars: list[Char], separator: str, maxsplit: int = -1) -> list[list[Char]]:
    """Split at unescaped `separator`s, at most `maxsplit` times (-1: no limit)."""
    parts: list[list[Char]] = [[]]
    for char in chars:
        if char[0] == separator and not char[1] and (maxsplit < 0 or len(parts) <= maxsplit):
            parts.append([])
        else:
            parts[-1].append(char)
    return parts


def escape(text: str, title: bool = False) -> str:
    """`text` safe inside a GIFT question: specials escaped, line breaks as `\\n`."""
    text = text.replace("\\", "\\\\")
    for char in "~=#{}" + (":" if title else ""):
        text = text.replace(char, "\\" + char)
    return text.replace("\r\n", "\n").replace("\n", "\\n")


def serialise_gift(questions: list[GiftQuestion], comment: str = "") -> str:
    """A GIFT file: an optional comment, then each question, with `$CATEGORY:` on change."""
    parts = [f"// {line}\n" for line in comment.splitlines()]
    if parts:
        parts.append("\n")
    category = ""
    for question in questions:
        if question.category and question.category != category:
            category = question.category
            parts.append(f"$CATEGORY: {category}\n\n")
        parts.append(serialise_question(question) + "\n\n")
    return "".join(parts).rstrip("\n") + "\n"


def serialise_question(question: GiftQuestion) -> str:
    """One question in GIFT, Markdown text, one answer per line."""
    head = f"::{escape(question.title, title=True)}::" if question.title else ""
    head += f"[markdown]{escape(question.text)}"
    general = f"####{escape(question.general_feedback)}" if question.general_feedback else ""
    if question.kind == "true_false":
        word = "TRUE" if question.truth else "FALSE"
        feedback = ""
        if question.feedback_wrong or question.feedback_right:
            feedback = f"#{escape(question.feedback_wrong)}#{escape(question.feedback_right)}"
        return f"{head}{{{word}{feedback}{general}}}"
    lines = [
        ("=" if answer.correct else "~")
        + escape(answer.text)
        + (f"#{escape(answer.feedback)}" if answer.feedback else "")
        for answer in question.answers
    ]
    if general:
        lines.append(general)
    return head + "{\n" + "\n".join(lines) + "\n}"
