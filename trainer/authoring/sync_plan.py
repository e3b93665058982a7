"""Content files to database rows, without losing what trainers made in the browser.

Content has two homes: the files in git and the browser editor. Each lesson, question and
quiz row remembers where it was born (`origin`) and the fingerprint of the file content the
last sync loaded (`file_hash`). The row, the file and that fingerprint tell, per row, who
changed what since the last sync:

- only the file changed: the file is applied;
- only the row changed (edited in the browser): the row is kept;
- both changed: the row is kept, and the file's text is stored beside it as a version that
  is not applied, for the trainer to compare and perhaps restore (a conflict);
- the file is gone: a row born in the files and not edited since is retired; a row born in
  Trainer, or edited there, is kept.

Preferring the files applies them over browser edits; each edit is kept as a version first.
Every change to a lesson or question goes through the versions service, so history only
grows. A sync is planned here (nothing written, so a dry run changes nothing), then applied
by `trainer.authoring.sync`; the caller commits.
"""

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from trainer.authoring import versions
from trainer.content.model import CourseData, QuizData
from trainer.content.snapshot import (
    fingerprint,
    lesson_snapshot,
    question_snapshot,
    quiz_snapshot,
)
from trainer.extensions import db
from trainer.models import Course, Lesson, LessonStatus, Origin, Question, QuestionStatus, Quiz


class Outcome(StrEnum):
    """What a sync does, or would do, with one row."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    RETIRED = "retired"
    KEPT = "kept"  # a browser edit (or a row born in Trainer) the files did not touch
    CONFLICT = "conflict"  # both changed: the row kept, the file's text stored beside it
    REPLACED = "replaced"  # both changed, files preferred: the edit kept as a version


CHANGES = {Outcome.CREATED, Outcome.UPDATED, Outcome.RETIRED, Outcome.REPLACED}
KINDS = ("courses", "lessons", "questions", "quizzes")


class SyncRace(Exception):
    """Someone saved a row while the sync was applying; the caller must roll back."""


SINGULAR = {"courses": "course", "lessons": "lesson", "questions": "question", "quizzes": "quiz"}


@dataclass
class Step:
    """One row's part in a sync: what happens to it and why."""

    kind: str
    key: str
    outcome: Outcome
    row: Any = None
    data: Any = None
    file_hash: str | None = None
    why: str = ""  # why a row was kept or retired
    version: int | None = None  # the version holding the text that did not win

    @property
    def name(self) -> str:
        """`lesson wprowadzenie`, `question dp-01`."""
        return f"{SINGULAR[self.kind]} {self.key}"

    @property
    def source(self) -> str:
        """Where the files hold it (`path:line`), or "" if they do not."""
        return self.data.source if self.data is not None else ""

    def describe(self) -> str:
        """One line for a person: what happened to which row, and where its file is."""
        name = self.name
        where = f" ({self.source})" if self.source else ""
        if self.outcome is Outcome.CONFLICT:
            kept = (f"is version {self.version}" if self.version
                    else "would be kept as a version")  # fmt: skip
            return (
                f"conflict: {name}{where} changed in the files and in the browser; kept the "
                f"browser edit, the files' text {kept}, not applied"
            )
        if self.outcome is Outcome.REPLACED:
            kept = f"; the browser edit is kept as version {self.version}" if self.version else ""
            return f"replaced browser edit: {name}{where} now holds the files' text{kept}"
        return f"{self.outcome}: {name}{where}" + (f": {self.why}" if self.why else "")


@dataclass
class CoursePlan:
    """The steps of one course: the course row first, then its lessons, questions, quizzes."""

    course: Step
    items: list[Step] = field(default_factory=list)


@dataclass
class SyncPlan:
    """What a sync does, course by course."""

    courses: list[CoursePlan] = field(default_factory=list)

    @property
    def steps(self) -> list[Step]:
        """Every step, in order."""
        return [step for plan in self.courses for step in (plan.course, *plan.items)]

    @property
    def counts(self) -> dict[str, Counter[str]]:
        """Outcomes counted per kind."""
        counts: dict[str, Counter[str]] = {}
        for step in self.steps:
            counts.setdefault(step.kind, Counter())[step.outcome] += 1
        return counts

    @property
    def changed(self) -> bool:
        """Whether the sync changes (or changed) any content."""
        return any(step.outcome in CHANGES for step in self.steps)

    @property
    def conflicts(self) -> int:
        """How many rows have both a browser edit and a file change."""
        return sum(step.outcome is Outcome.CONFLICT for step in self.steps)

    def lines(self) -> list[str]:
        """One line per kind: `lessons: 2 created, 0 updated, ... 1 conflict, 0 replaced`."""
        counts = self.counts
        return [
            f"{kind}: " + ", ".join(f"{counts[kind][o]} {o}" for o in Outcome)
            for kind in KINDS
            if kind in counts
        ]

    def details(self) -> list[str]:
        """A line for every row that was not simply created, updated or left alone."""
        shown = (Outcome.RETIRED, Outcome.KEPT, Outcome.CONFLICT, Outcome.REPLACED)
        return [step.describe() for step in self.steps if step.outcome in shown]


@dataclass(frozen=True)
class Kind:
    """How the sync reads one kind of row: its key, and the state a fingerprint is made of."""

    name: str
    model: type
    key: str
    file_state: Callable[[Any], dict[str, Any]]
    row_state: Callable[[Any], dict[str, Any]]
    # Whether the browser edits (and versions) such rows; if not, any difference from the
    # files is a change of the files.
    editable: bool = True


def _quiz_row_state(quiz: Quiz) -> dict[str, Any]:
    rules = quiz.draw_rules or {}
    data = QuizData(
        slug=quiz.slug, title=quiz.title, items=quiz.items_per_attempt,
        pass_mark=quiz.pass_mark, position=quiz.position,
        after_lesson=quiz.lesson.slug if quiz.lesson else None, final=quiz.is_final,
        attempts_allowed=quiz.attempts_allowed, cooldown_minutes=quiz.cooldown_minutes,
        time_limit_minutes=quiz.time_limit_minutes,
        pool_dimensions=tuple(rules.get("dimensions", ())),
        pool_questions=tuple(rules.get("questions", ())),
        per_dimension=rules.get("per_dimension"),
        balance_markets=bool(rules.get("balance_markets", False)),
    )  # fmt: skip
    return {**quiz_snapshot(data), "status": quiz.status}


LESSONS = Kind(
    "lessons", Lesson, "slug",
    file_state=lambda data: {**lesson_snapshot(data), "position": data.position},
    row_state=lambda row: {**versions.snapshot(row), "position": row.position},
)  # fmt: skip
QUESTIONS = Kind(
    "questions", Question, "key", file_state=question_snapshot, row_state=versions.snapshot
)
# Quizzes have no editor in the browser yet: the files are their only home.
QUIZZES = Kind(
    "quizzes", Quiz, "slug",
    file_state=lambda data: {**quiz_snapshot(data), "status": QuestionStatus.ACTIVE.value},
    row_state=_quiz_row_state, editable=False,
)  # fmt: skip


def state_hash(kind: Kind, item: Any, row: bool = False) -> str:
    """The fingerprint of a file item, or with `row` of a database row, of this kind."""
    return fingerprint(kind.row_state(item) if row else kind.file_state(item))


# Planning: reads the database, writes nothing.


def plan_sync(courses: list[CourseData], prefer_files: bool = False) -> SyncPlan:
    """What syncing `courses` would do; nothing is written."""
    plan = SyncPlan()
    for data in courses:
        course = db.session.execute(
            db.select(Course).where(Course.slug == data.slug)
        ).scalar_one_or_none()
        course_plan = CoursePlan(_course_step(course, data))
        for kind, items in ((LESSONS, data.lessons), (QUESTIONS, data.questions),
                            (QUIZZES, data.quizzes)):  # fmt: skip
            course_plan.items += _plan_kind(kind, _rows(kind, course), items, prefer_files)
        plan.courses.append(course_plan)
    return plan


def course_values(data: CourseData) -> dict[str, Any]:
    """The course row's columns as course.yaml gives them."""
    return {"slug": data.slug, "title": data.title, "language": data.language,
            "description": data.description, "lint_waivers": data.lint,
            "taxonomy_data": data.taxonomy.to_json()}  # fmt: skip


def _course_step(course: Course | None, data: CourseData) -> Step:
    if course is None:
        return Step("courses", data.slug, Outcome.CREATED, data=data)
    values = course_values(data)
    same = all(getattr(course, name) == value for name, value in values.items())
    return Step("courses", data.slug, Outcome.UNCHANGED if same else Outcome.UPDATED, course, data)


def _rows(kind: Kind, course: Course | None) -> list[Any]:
    if course is None:
        return []
    query = db.select(kind.model).where(kind.model.course_id == course.id)
    return list(db.session.execute(query).scalars())


def _plan_kind(kind: Kind, rows: list[Any], items: Iterable[Any], prefer: bool) -> list[Step]:
    by_key = {getattr(row, kind.key): row for row in rows}
    unmatched = {row.id: row for row in rows}
    steps = []
    for item in items:
        key = getattr(item, kind.key)
        file_hash = state_hash(kind, item)
        row = by_key.get(key)
        if row is None or row.id not in unmatched:
            # Renamed in the browser while its file stayed as it was: still the same row.
            row = next((r for r in unmatched.values() if r.file_hash == file_hash), None)
        if row is None:
            steps.append(Step(kind.name, key, Outcome.CREATED, data=item, file_hash=file_hash))
            continue
        del unmatched[row.id]
        outcome = _decide(kind, state_hash(kind, row, row=True), file_hash, row.file_hash, prefer)
        steps.append(Step(kind.name, key, outcome, row, item, file_hash, why=_why(outcome)))
    for row in unmatched.values():
        step = _plan_missing(kind, row, prefer)
        if step is not None:
            steps.append(step)
    return steps


def _decide(kind: Kind, row_hash: str, file_hash: str, last: str | None, prefer: bool) -> Outcome:
    """The three-way decision for a row the files still hold; `last` is what the files said."""
    if row_hash == file_hash:
        return Outcome.UNCHANGED
    if not kind.editable or row_hash == last:
        return Outcome.UPDATED
    if prefer:
        return Outcome.REPLACED
    return Outcome.KEPT if file_hash == last else Outcome.CONFLICT


def _why(outcome: Outcome) -> str:
    return "edited in the browser since the last sync" if outcome is Outcome.KEPT else ""


def _plan_missing(kind: Kind, row: Any, prefer: bool) -> Step | None:
    """A row the files do not hold: retired only if the files made it and nobody edited it."""
    key = getattr(row, kind.key)
    if row.status == LessonStatus.RETIRED:  # the same word for every kind of row
        return None
    if row.origin == Origin.BROWSER:
        return Step(kind.name, key, Outcome.KEPT, row, why="made in Trainer, not in the files")
    edited = kind.editable and state_hash(kind, row, row=True) != row.file_hash
    if edited and not prefer:
        return Step(kind.name, key, Outcome.KEPT, row,
                    why="edited in the browser; its file was removed")  # fmt: skip
    return Step(kind.name, key, Outcome.RETIRED, row, why="no longer in the files")
