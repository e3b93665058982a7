"""Content objects to files: the canonical text of course.yaml, lessons and question banks.

The loader reads what this writes back into equal objects, and the files in `lessons/` and
`quizzes/` are kept in exactly this form, so an export of unchanged content changes no byte.
No Flask, no database.
"""

import re
from collections.abc import Iterable
from typing import Any

import yaml

from trainer.content.model import CourseData, LessonData, QuestionData, QuizData
from trainer.quiz.types import question_type

# Folded (`>`) lines fit in this many characters, indentation included.
WIDTH = 95
# Prose fields are written as folded blocks; every other text stays on its key's line.
FOLDED = frozenset(
    {"description", "summary", "situation", "explanation", "feedback", "feedback_true",
     "feedback_false", "customer", "closing"}
)  # fmt: skip
PLAIN_QUESTIONS_FILE = "questions.yaml"
QUIZZES_FILE = "quizzes.yaml"
COURSE_FILE = "course.yaml"
# Text a folded block cannot carry unchanged: line breaks, tabs, runs of spaces, edge spaces,
# and characters YAML escapes or reads as line breaks.
_NOT_FOLDABLE = re.compile(r"[\n\r\t\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]|  |^ | $")
_NO_LIMIT = 10**9


class Flow(list[str]):
    """A list written on one line, `[a, b]` (the pool of a quiz)."""


def course_files(course: CourseData) -> dict[str, str]:
    """Every file of `course`, by path relative to the content root (`lessons/...`)."""
    lessons = f"lessons/{course.slug}"
    files = {f"{lessons}/{COURSE_FILE}": course_yaml(course)}
    for lesson in course.lessons:
        files[f"{lessons}/{lesson_filename(lesson)}"] = lesson_file(lesson)
    for name, text in bank_files(course).items():
        files[f"quizzes/{course.slug}/{name}"] = text
    return files


def course_yaml(course: CourseData) -> str:
    """The text of `lessons/<course>/course.yaml`."""
    fields: dict[str, Any] = {"slug": course.slug, "title": course.title}
    fields["language"] = course.language
    if course.description:
        fields["description"] = course.description
    taxonomy = course.taxonomy.to_json()
    for name in ("dimensions", "categories"):
        if taxonomy[name]:
            fields[name] = taxonomy[name]
    if course.lint:
        fields["lint"] = {key: dict(checks) for key, checks in sorted(course.lint.items())}
    return "".join(_mapping(fields, 0))


def lesson_filename(lesson: LessonData) -> str:
    """`NN-slug.md`: the position first, so that folders list in course order."""
    return f"{lesson.position:02d}-{lesson.slug}.md"


def lesson_file(lesson: LessonData) -> str:
    """A lesson file: front matter between `---` lines, a blank line, the Markdown body."""
    fields: dict[str, Any] = {"title": lesson.title, "slug": lesson.slug}
    if lesson.dimension:
        fields["dimension"] = lesson.dimension
    fields |= {
        "position": lesson.position,
        "summary": lesson.summary,
        "estimated_minutes": lesson.estimated_minutes,
        "status": lesson.status,
    }
    if lesson.objectives:
        fields["objectives"] = list(lesson.objectives)
    if lesson.takeaways:
        fields["takeaways"] = list(lesson.takeaways)
    body = lesson.body.replace("\r\n", "\n").strip()
    return "---\n" + "".join(_mapping(fields, 0)) + "---\n" + (f"\n{body}\n" if body else "")


def question_file(question: QuestionData) -> str:
    """The bank file a question belongs in: one per dimension, the rest together."""
    return f"{question.dimension}.yaml" if question.dimension else PLAIN_QUESTIONS_FILE


def natural_key(text: str) -> tuple[Any, ...]:
    """Sort key that puts `q2` before `q10`."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text))


def bank_order(questions: Iterable[QuestionData]) -> list[QuestionData]:
    """Questions in the order the loader reads the written files back: by file, then id."""
    return sorted(questions, key=lambda q: (question_file(q), natural_key(q.key)))


def bank_files(course: CourseData) -> dict[str, str]:
    """The question banks and `quizzes.yaml` of a course, by file name."""
    groups: dict[str, list[QuestionData]] = {}
    for question in bank_order(course.questions):
        groups.setdefault(question_file(question), []).append(question)
    files = {
        name: _document("questions", [question_fields(q) for q in questions])
        for name, questions in groups.items()
    }
    if course.quizzes:
        quizzes = sorted(course.quizzes, key=lambda quiz: (quiz.position, natural_key(quiz.slug)))
        files[QUIZZES_FILE] = _document("quizzes", [quiz_fields(quiz) for quiz in quizzes])
    return dict(sorted(files.items()))


def question_fields(question: QuestionData) -> dict[str, Any]:
    """One question as its file entry: the fields in the documented order."""
    fields: dict[str, Any] = {"id": question.key, "type": question.type}
    if question.dimension:
        fields["dimension"] = question.dimension
    fields["difficulty"] = question.difficulty
    head, body = question_type(question.type).yaml(question)
    fields |= head
    if question.signals != "clear":
        fields["signals"] = question.signals
    fields |= body
    fields["explanation"] = question.explanation
    fields["lesson"] = question.lesson + (f"#{question.anchor}" if question.anchor else "")
    return fields


def quiz_fields(quiz: QuizData) -> dict[str, Any]:
    """One quiz as its file entry; optional fields only when they say something."""
    fields: dict[str, Any] = {"slug": quiz.slug, "title": quiz.title, "position": quiz.position}
    if quiz.after_lesson:
        fields["after_lesson"] = quiz.after_lesson
    if quiz.final:
        fields["final"] = True
    fields |= {"items": quiz.items, "pass_mark": quiz.pass_mark}
    if quiz.attempts_allowed is not None:
        fields["attempts_allowed"] = quiz.attempts_allowed
    fields["cooldown_minutes"] = quiz.cooldown_minutes
    if quiz.time_limit_minutes is not None:
        fields["time_limit_minutes"] = quiz.time_limit_minutes
    pool: dict[str, Any] = {}
    if quiz.pool_dimensions:
        pool["dimensions"] = Flow(quiz.pool_dimensions)
    if quiz.pool_questions:
        pool["questions"] = Flow(quiz.pool_questions)
    fields["pool"] = pool
    if quiz.per_dimension is not None:
        fields["per_dimension"] = quiz.per_dimension
    fields["balance_markets"] = quiz.balance_markets
    return fields


def _document(key: str, entries: list[dict[str, Any]]) -> str:
    """`key:` and its entries, a blank line between two entries."""
    items = ["".join(_mapping(entry, 4, first_prefix="  - ")) for entry in entries]
    return f"{key}:\n" + "\n".join(items)


def _mapping(fields: dict[str, Any], indent: int, first_prefix: str | None = None) -> list[str]:
    """Lines of a block mapping at `indent`; the first key may sit on a `- ` line."""
    lines: list[str] = []
    for key, value in fields.items():
        prefix = " " * indent
        if first_prefix is not None and not lines:
            prefix = first_prefix
        lines += _entry(prefix, key, value, indent)
    return lines


def _entry(prefix: str, key: str, value: Any, indent: int) -> list[str]:
    head = f"{prefix}{key}:"
    if isinstance(value, Flow):
        return [f"{head} {_flow(value)}\n"]
    if isinstance(value, dict):
        return [f"{head}\n", *_mapping(value, indent + 2)]
    if isinstance(value, list):
        lines = [f"{head}\n"]
        for item in value:
            if isinstance(item, dict):
                lines += _mapping(item, indent + 4, first_prefix=" " * (indent + 2) + "- ")
            else:
                lines.append(f"{' ' * (indent + 2)}- {_inline(item)}\n")
        return lines
    if isinstance(value, str) and key in FOLDED and _foldable(value):
        return [f"{head} >\n", *_fold(value, indent + 2)]
    return [f"{head} {_scalar(value)}\n"]


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    return _inline(str(value))


def _inline(text: str) -> str:
    """`text` plain where YAML reads it back unchanged, else double-quoted; on one line."""
    dumped = yaml.safe_dump(text, allow_unicode=True, width=_NO_LIMIT)
    if "\n" not in text and not dumped.startswith(("'", '"')):
        plain = dumped.removesuffix("\n...\n").removesuffix("\n")
        if plain == text:
            return plain
    quoted = yaml.safe_dump(text, allow_unicode=True, width=_NO_LIMIT, default_style='"')
    return quoted.rstrip("\n")


def _flow(items: list[str]) -> str:
    return yaml.safe_dump(
        list(items), allow_unicode=True, width=_NO_LIMIT, default_flow_style=True
    ).rstrip("\n")


def _foldable(text: str) -> bool:
    return bool(text) and not _NOT_FOLDABLE.search(text)


def _fold(text: str, indent: int) -> list[str]:
    """Greedy fill at `WIDTH`; a word longer than a line gets a line of its own."""
    lines: list[str] = []
    current: list[str] = []
    for word in text.split(" "):
        if current and indent + len(" ".join(current)) + 1 + len(word) > WIDTH:
            # Polish typesetting: a one-letter word (a, i, w, z...) never ends a line.
            carried: list[str] = []
            while len(current) > 1 and len(current[-1]) == 1 and current[-1].isalpha():
                carried.insert(0, current.pop())
            lines.append(" ".join(current))
            current = carried
        current.append(word)
    lines.append(" ".join(current))
    return [f"{' ' * indent}{line}\n" for line in lines]
