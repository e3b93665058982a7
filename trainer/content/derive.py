"""Derive draft lesson files from a source document split at its section headings."""

import math
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from slugify import slugify

from trainer.taxonomy import Taxonomy

INTRODUCTION = "Wprowadzenie"
MAX_HEADING_LENGTH = 80
MAX_SUMMARY_LENGTH = 200
WORDS_PER_MINUTE = 150

_ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
# A side of a comparison, such as `B2B:` or `B2C:` at the start of a line: emphasised.
_SIDE_PREFIX = re.compile(r"^([A-Z][A-Z0-9]{1,7}):\s*")
_LIST_ITEM = re.compile(r"^([-*+•]|\d+[.)])\s")
_CLOSING_PUNCTUATION = (".", "!", "?", ":", ";", ",", "…")
_MARKUP_STARTS = ("#", "```", "~~~", "- ", "* ", "+ ", ">", "|")  # not prose for a summary
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s")
_LEADING_BLANK_LINES = re.compile(r"^(?:[ \t]*\n)+")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Section:
    """One section of a document: heading, Markdown body and 1-based line of the heading."""

    title: str
    body: str
    line: int = 1


@dataclass(frozen=True)
class DerivedLesson:
    """A draft lesson file for a course: its file name and its full text."""

    filename: str
    text: str
    course_slug: str


def split_sections(text: str) -> list[Section]:
    """Split Markdown or plain text at its section headings; a blank document gives []."""
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not any(line.strip() for line in lines):
        return []
    headings = _markdown_headings(lines)
    if headings:
        return _split_markdown(lines, headings)
    return _split_plain(lines)


def _markdown_headings(lines: list[str]) -> list[tuple[int, int, str]]:
    """Return (line index, level, title) of every ATX heading outside fenced code."""
    headings = []
    fence = None
    for index, line in enumerate(lines):
        if fence_match := _FENCE.match(line):
            if fence is None:
                fence = fence_match.group(1)
            elif fence_match.group(1) == fence:
                fence = None
        elif fence is None and (match := _ATX_HEADING.match(line)):
            headings.append((index, len(match.group(1)), match.group(2).strip()))
    return headings


def _split_markdown(lines: list[str], headings: list[tuple[int, int, str]]) -> list[Section]:
    """Split at the shallowest heading level, treating a lone leading top heading as a title."""
    top = _shallowest(headings)
    first_content = next(index for index, line in enumerate(lines) if line.strip())
    intro_start = 0
    if len(top) == 1 < len(headings) and top[0][0] == first_content:  # a document title
        intro_start, top = first_content + 1, _shallowest(headings[1:])
    starts = [index for index, _, _ in top]
    sections = []
    if intro := _markdown_body(lines[intro_start : starts[0]]):
        sections.append(Section(INTRODUCTION, intro))
    for (index, _, title), end in zip(top, [*starts[1:], len(lines)], strict=True):
        sections.append(Section(title, _markdown_body(lines[index + 1 : end]), index + 1))
    return sections


def _shallowest(headings: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Return the headings of the shallowest level present."""
    level = min(level for _, level, _ in headings)
    return [heading for heading in headings if heading[1] == level]


def _markdown_body(lines: list[str]) -> str:
    """Join body lines as they are, without leading or trailing blank lines."""
    return _LEADING_BLANK_LINES.sub("", "\n".join(lines)).rstrip()


def _split_plain(lines: list[str]) -> list[Section]:
    """Split plain text at heading-like lines; each source line becomes a paragraph."""
    entries = [(index + 1, line.strip()) for index, line in enumerate(lines) if line.strip()]
    groups: list[tuple[str, int, list[str]]] = [(INTRODUCTION, 1, [])]
    for position, (line_number, line) in enumerate(entries):
        following = entries[position + 1][1] if position + 1 < len(entries) else ""
        if _is_heading_candidate(line) and following and not _is_heading_candidate(following):
            groups.append((line, line_number, []))
        else:
            groups[-1][2].append(_SIDE_PREFIX.sub(r"**\1:** ", line))
    # A heading always has a body line, so only an empty introduction is dropped here.
    return [Section(title, "\n\n".join(body), line) for title, line, body in groups if body]


def _is_heading_candidate(line: str) -> bool:
    """Tell whether a stripped plain-text line looks like a heading on its own."""
    return (
        len(line) <= MAX_HEADING_LENGTH
        and not line.endswith(_CLOSING_PUNCTUATION)
        and not _SIDE_PREFIX.match(line)
        and not _LIST_ITEM.match(line)
        and not line.startswith("Podsumowując")
    )


def derive_lessons(
    text: str, course_slug: str, taxonomy: Taxonomy | None = None
) -> list[DerivedLesson]:
    """Turn each section of `text` into a draft lesson file for the course `course_slug`.

    A section whose heading is a dimension's `heading` in `taxonomy` gets that dimension.
    """
    taxonomy = taxonomy or Taxonomy()
    if not _SLUG.match(course_slug):
        raise ValueError(f"course slug {course_slug!r} is not lowercase letters, digits, hyphens")
    lessons = []
    used_slugs: set[str] = set()
    for position, section in enumerate(split_sections(text), start=1):
        slug = _unique_slug(section.title, used_slugs)
        minutes = min(max(math.ceil(len(section.body.split()) / WORDS_PER_MINUTE), 1), 240)
        front_matter: dict[str, object] = {"title": section.title, "slug": slug}
        front_matter["position"] = position
        if dimension := taxonomy.dimension_for_heading(section.title):
            front_matter["dimension"] = dimension
        front_matter |= {"summary": _summary(section), "estimated_minutes": minutes}
        front_matter["status"] = "draft"
        header = yaml.safe_dump(front_matter, allow_unicode=True, sort_keys=False)
        lesson_text = f"---\n{header}---\n\n{section.body}".rstrip() + "\n"
        lessons.append(DerivedLesson(f"{position:02d}-{slug}.md", lesson_text, course_slug))
    return lessons


def _unique_slug(title: str, used: set[str]) -> str:
    """Slugify `title` (Polish letters transliterated), suffixing -2, -3… until unused."""
    base = slugify(title) or "lekcja"
    slug, suffix = base, 2
    while slug in used:
        slug, suffix = f"{base}-{suffix}", suffix + 1
    used.add(slug)
    return slug


def _summary(section: Section) -> str:
    """Return the first sentence of the body's first prose paragraph, or else the title."""
    paragraphs = (paragraph.strip() for paragraph in section.body.split("\n\n"))
    prose = next((p for p in paragraphs if p and not p.startswith(_MARKUP_STARTS)), "")
    plain = " ".join(prose.replace("**", "").replace("`", "").split())
    sentence = _SENTENCE_END.split(plain, maxsplit=1)[0] or section.title
    if len(sentence) > MAX_SUMMARY_LENGTH:
        sentence = sentence[: MAX_SUMMARY_LENGTH - 1].rsplit(" ", 1)[0] + "…"
    return sentence


def write_lessons(lessons: list[DerivedLesson], out_dir: Path, force: bool = False) -> list[Path]:
    """Write every lesson into `out_dir`, all or nothing: existing files need `force`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / lesson.filename for lesson in lessons]
    existing = [path.name for path in paths if path.exists()]
    if existing and not force:
        raise FileExistsError(f"{out_dir}: would overwrite {', '.join(existing)} (use force)")
    for path, lesson in zip(paths, lessons, strict=True):
        path.write_text(lesson.text, encoding="utf-8")
    return paths
