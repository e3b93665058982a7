"""A course's taxonomy: the dimensions its content is tagged with and the categories of its
classification step. Each course declares its own in `course.yaml`; no code names them.

For the first course the dimensions are the seven on which B2B and B2C selling differ, and
the categories are B2B and B2C; another course brings its own, with no change to the code.
"""

from dataclasses import dataclass, field
from typing import Any

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
