"""A course's taxonomy: the dimensions its content is tagged with and the categories of its
classification step, as `course.yaml` declares them. No Flask, no database.

For the first course the dimensions are the seven on which B2B and B2C selling differ, and
the categories are B2B and B2C; another course brings its own, with no change to the code.
"""

from dataclasses import dataclass, field
from typing import Any

from trainer.content.fields import KEY, Fields
from trainer.content.model import Problem
from trainer.content.yamlfile import Mapping

LANGUAGES = ("pl", "en")


@dataclass(frozen=True)
class Term:
    """A dimension or a category: a stable key and its label in each interface language."""

    key: str
    labels: tuple[tuple[str, str], ...]  # (language, label), in LANGUAGES order
    lesson: str | None = None  # a dimension: the lesson that teaches it
    heading: str | None = None  # a dimension: its section heading in a source document
    line: int = field(default=0, compare=False)  # where course.yaml declares it

    def label(self, language: str) -> str:
        """The label in `language`, else the first one written."""
        labels = dict(self.labels)
        return labels.get(language) or next(iter(labels.values()), self.key)


@dataclass(frozen=True)
class Taxonomy:
    """The dimensions and classification categories of one course."""

    dimensions: tuple[Term, ...] = ()
    categories: tuple[Term, ...] = ()

    @property
    def dimension_keys(self) -> tuple[str, ...]:
        """Every dimension key, in the course's order."""
        return tuple(term.key for term in self.dimensions)

    @property
    def category_keys(self) -> tuple[str, ...]:
        """Every category key, in the course's order."""
        return tuple(term.key for term in self.categories)

    def dimension(self, key: str | None) -> Term | None:
        """The dimension `key`, if the course has it."""
        return next((term for term in self.dimensions if term.key == key), None)

    def category(self, key: str | None) -> Term | None:
        """The category `key`, if the course has it."""
        return next((term for term in self.categories if term.key == key), None)

    def dimension_for_heading(self, heading: str) -> str | None:
        """The dimension whose source heading is `heading` (case and spacing aside)."""
        wanted = " ".join(heading.split()).casefold()
        for term in self.dimensions:
            if term.heading and " ".join(term.heading.split()).casefold() == wanted:
                return term.key
        return None

    def to_json(self) -> dict[str, Any]:
        """Plain JSON, as the database keeps it."""
        return {
            "dimensions": [_term_json(term) for term in self.dimensions],
            "categories": [_term_json(term) for term in self.categories],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> "Taxonomy":
        """The taxonomy `to_json` gave (an empty one for None)."""
        data = data or {}
        return cls(
            dimensions=tuple(_term_from_json(item) for item in data.get("dimensions", ())),
            categories=tuple(_term_from_json(item) for item in data.get("categories", ())),
        )


def _term_json(term: Term) -> dict[str, Any]:
    data: dict[str, Any] = {"key": term.key, "label": dict(term.labels)}
    if term.lesson:
        data["lesson"] = term.lesson
    if term.heading:
        data["heading"] = term.heading
    return data


def _term_from_json(data: dict[str, Any]) -> Term:
    return Term(
        key=data["key"],
        labels=tuple((language, data["label"][language]) for language in LANGUAGES
                     if language in data.get("label", {})),
        lesson=data.get("lesson"),
        heading=data.get("heading"),
    )  # fmt: skip


def parse_taxonomy(fields: Fields) -> Taxonomy:
    """The `dimensions` and `categories` lists of a course.yaml; problems go to `fields`."""
    dimensions = _terms(fields, "dimensions", {"key", "label", "lesson", "heading"})
    categories = _terms(fields, "categories", {"key", "label"})
    if len(categories) == 1:
        fields.problem("categories", "needs at least two categories, or none")
    return Taxonomy(dimensions, categories)


def _terms(fields: Fields, name: str, allowed: set[str]) -> tuple[Term, ...]:
    raw = fields.mapping.get(name)
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(item, Mapping) for item in raw):
        fields.problem(name, "must be a list of entries with key and label")
        return ()
    terms: list[Term] = []
    for item in raw:
        entry = Fields(fields.path, item, fields.problems, fields.line_offset)
        entry.unknown(allowed)
        key = entry.pattern("key", KEY, "key")
        if key and key in {term.key for term in terms}:
            entry.problem("key", f"duplicate key {key!r}")
        terms.append(
            Term(
                key=key,
                labels=_labels(entry),
                lesson=entry.text("lesson", required=False) or None,
                heading=entry.text("heading", required=False) or None,
                line=item.line + fields.line_offset,
            )
        )
    return tuple(terms)


def _labels(entry: Fields) -> tuple[tuple[str, str], ...]:
    """`label: {pl: ..., en: ...}`, or one plain label for every language."""
    raw = entry.mapping.get("label")
    if isinstance(raw, str) and raw.strip():
        return tuple((language, raw.strip()) for language in LANGUAGES)
    if isinstance(raw, Mapping):
        labels = Fields(entry.path, raw, entry.problems, entry.line_offset)
        labels.unknown(set(LANGUAGES))
        found = tuple(
            (language, labels.text(language, required=False))
            for language in LANGUAGES
            if labels.text(language, required=False)
        )
        if found:
            return found
    entry.problem("label", "required: a label, or labels by language (pl, en)")
    return ()


def check_lessons(
    taxonomy: Taxonomy, lessons: set[str], path: str, problems: list[Problem]
) -> None:
    """A dimension that names the lesson teaching it must name one of the course's lessons."""
    for term in taxonomy.dimensions:
        if term.lesson and term.lesson not in lessons:
            problems.append(
                Problem(path, term.line, "lesson", f"no lesson with slug {term.lesson!r}")
            )
