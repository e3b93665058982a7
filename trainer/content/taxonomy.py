"""Reading a course's taxonomy (dimensions and categories) from its course.yaml."""

from trainer.content.fields import KEY, Fields
from trainer.content.model import Problem
from trainer.content.yamlfile import Mapping, quoted
from trainer.taxonomy import LANGUAGES, Taxonomy, Term


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
            entry.problem("key", f"duplicate key {quoted(key)}")
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
                Problem(path, term.line, "lesson", f"no lesson with slug {quoted(term.lesson)}")
            )
