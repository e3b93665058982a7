"""GIFT text one character at a time: escapes, unescaped markers, format tags, HTML to text.

A question is read as a list of `Char`s so that an escaped `\\=` never counts as a marker
while the line of every character stays known for messages. No Flask, no database.
"""

import html
import re

import nh3

FORMATS = ("markdown", "html", "plain", "moodle")
ESCAPABLE = frozenset(":=~#{}\\")
_BLOCK_END = re.compile(r"<br\s*/?>|</(?:p|div|li|h[1-6]|tr|blockquote)\s*>", re.IGNORECASE)

# One character of a question: its text, whether it was escaped, and its line.
Char = tuple[str, bool, int]


def chars_of(lines: list[tuple[int, str]]) -> list[Char]:
    """The characters of numbered lines, escapes resolved, a line break between two lines."""
    chars: list[Char] = []
    for index, (number, line) in enumerate(lines):
        if index:
            chars.append(("\n", False, number))
        position = 0
        while position < len(line):
            char = line[position]
            following = line[position + 1] if position + 1 < len(line) else ""
            if char == "\\" and following in ESCAPABLE:
                chars.append((following, True, number))
                position += 2
            elif char == "\\" and following == "n":
                chars.append(("\n", True, number))
                position += 2
            else:
                chars.append((char, char == "\\", number))
                position += 1
    return chars


def find(chars: list[Char], wanted: str, start: int = 0, end: int | None = None) -> int:
    """Index of the first unescaped `wanted` in chars[start:end], or -1."""
    end = len(chars) if end is None else end
    for index in range(start, end - len(wanted) + 1):
        if _at(chars, index, wanted):
            return index
    return -1


def rfind(chars: list[Char], wanted: str) -> int:
    """Index of the last unescaped `wanted` in `chars`, or -1."""
    for index in range(len(chars) - len(wanted), -1, -1):
        if _at(chars, index, wanted):
            return index
    return -1


def _at(chars: list[Char], index: int, wanted: str) -> bool:
    return all(
        chars[index + k][0] == wanted[k] and not chars[index + k][1] for k in range(len(wanted))
    )


def skip_space(chars: list[Char], index: int) -> int:
    """The index of the first character from `index` on that is not unescaped white space."""
    while index < len(chars) and chars[index][0].isspace() and not chars[index][1]:
        index += 1
    return index


def split(chars: list[Char], separator: str, maxsplit: int = -1) -> list[list[Char]]:
    """Split at unescaped `separator`s, at most `maxsplit` times (-1: no limit)."""
    parts: list[list[Char]] = [[]]
    for char in chars:
        if char[0] == separator and not char[1] and (maxsplit < 0 or len(parts) <= maxsplit):
            parts.append([])
        else:
            parts[-1].append(char)
    return parts


def raw(chars: list[Char]) -> str:
    """The characters as written, escapes resolved, white space kept."""
    return "".join(char for char, _, _ in chars)


def format_tag(chars: list[Char], index: int = 0) -> tuple[str | None, int]:
    """The `[format]` tag at `index` and the index after it, as Moodle reads one; else None.

    Moodle takes the name up to the first `]` and keeps the text whole when the name is not
    one of its formats, so `[Uwaga] …` stays text.
    """
    if index < len(chars) and chars[index][0] == "[":
        closing = find(chars, "]", index + 1)
        name = raw(chars[index + 1 : closing]) if closing > 0 else ""
        if name in FORMATS:
            return name, closing + 1
    return None, index


def formatted(chars: list[Char], default: str) -> tuple[str, str]:
    """(text, format) of an answer, feedback or question text whose own tag overrides `default`."""
    start = skip_space(chars, 0)
    fmt, start = format_tag(chars, start)
    return text(chars[start:], fmt or default), fmt or default


def text(chars: list[Char], fmt: str = "plain") -> str:
    """The text of `chars`: a line break is a space, an escaped `\\n` a real line break."""
    joined = "".join("\x00" if char == "\n" and not escaped else char for char, escaped, _ in chars)
    result = re.sub(r"[ \t]*\x00[ \t]*", " ", joined)
    if fmt == "html":
        result = html.unescape(nh3.clean(_BLOCK_END.sub("\n", result), tags=set()))
        result = "\n".join(" ".join(line.split()) for line in result.split("\n"))
        result = re.sub(r"\n{2,}", "\n\n", result)
    return result.strip()
