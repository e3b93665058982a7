"""Moodle GIFT: write plain question objects as a file Moodle and Trainer read back. No Flask."""

import re
from urllib.parse import quote

from trainer.content.gift import TRAINER_COMMENT, GiftQuestion
from trainer.content.gift_text import FORMATS

# Text a reader would take for a format tag or an answer weight rather than for words.
_LOOKS_LIKE_MARKUP = re.compile(rf"^(?:\[(?:{'|'.join(FORMATS)})\]|%-*[0-9])")


def escape(text: str) -> str:
    """`text` safe inside a GIFT question, escaped as Moodle's exporter escapes it.

    Every `\\ # = ~ { } :` gets a backslash (`:` too, though only a title needs it, so that
    strict readers take the file) and a line break becomes `\\n`.
    """
    text = text.replace("\\", "\\\\")
    for char in "~=#{}:":
        text = text.replace(char, "\\" + char)
    return text.replace("\r\n", "\n").replace("\r", "").replace("\n", "\\n")


def escape_text(text: str) -> str:
    """`text` escaped, behind an explicit `[markdown]` if it starts like a tag or a weight."""
    return ("[markdown]" if _LOOKS_LIKE_MARKUP.match(text) else "") + escape(text)


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


def trainer_comment(fields: dict[str, str]) -> str:
    """`// trainer: name=value …` and a line break; white space and `%` percent-encoded."""
    values = (re.sub(r"[%\s]", lambda match: quote(match[0]), value) for value in fields.values())
    pairs = " ".join(f"{name}={value}" for name, value in zip(fields, values, strict=True))
    return f"// {TRAINER_COMMENT} {pairs}\n"


def serialise_question(question: GiftQuestion) -> str:
    """One question in GIFT, Markdown text, one answer per line, its trainer comment first."""
    head = trainer_comment(question.trainer) if question.trainer else ""
    head += f"::{escape(question.title)}::" if question.title else ""
    head += f"[markdown]{escape(question.text)}"
    general = question.general_feedback and f"####{escape_text(question.general_feedback)}"
    if question.kind == "truefalse":
        word = "TRUE" if question.truth else "FALSE"
        feedback = ""
        if question.feedback_wrong or question.feedback_right:
            feedback = (
                f"#{escape_text(question.feedback_wrong)}#{escape_text(question.feedback_right)}"
            )
        return f"{head}{{{word}{feedback}{general}}}"
    lines = [
        ("=" if answer.correct else "~")
        + escape_text(answer.text)
        + (f"#{escape_text(answer.feedback)}" if answer.feedback else "")
        for answer in question.answers
    ]
    if general:
        lines.append(general)
    return head + "{\n" + "\n".join(lines) + "\n}"
