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
grows. A sync is planned first (nothing written, so a dry run changes nothing), then applied;
the caller commits.
"""

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from trainer.content.model import CourseData, LessonData, QuestionData, QuizData
from trainer.content.snapshot import (
    fingerprint,
    lesson_snapshot,
    question_snapshot,
    quiz_snapshot,
)
from trainer.extensions import db
from trainer.models import Course, Lesson, Origin, Question, QuestionOption, Quiz
from trainer.services import versions


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
class _Kind:
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


LESSONS = _Kind(
    "lessons", Lesson, "slug",
    file_state=lambda data: {**lesson_snapshot(data), "position": data.position},
    row_state=lambda row: {**versions.snapshot(row), "position": row.position},
)  # fmt: skip
QUESTIONS = _Kind(
    "questions", Question, "key", file_state=question_snapshot, row_state=versions.snapshot
)
# Quizzes have no editor in the browser yet: the files are their only home.
QUIZZES = _Kind(
    "quizzes", Quiz, "slug",
    file_state=lambda data: {**quiz_snapshot(data), "status": "active"},
    row_state=_quiz_row_state, editable=False,
)  # fmt: skip


def _hash(kind: _Kind, item: Any, row: bool = False) -> str:
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


def _course_values(data: CourseData) -> dict[str, Any]:
    return {"slug": data.slug, "title": data.title, "language": data.language,
            "description": data.description}  # fmt: skip


def _course_step(course: Course | None, data: CourseData) -> Step:
    if course is None:
        return Step("courses", data.slug, Outcome.CREATED, data=data)
    values = _course_values(data)
    same = all(getattr(course, name) == value for name, value in values.items())
    return Step("courses", data.slug, Outcome.UNCHANGED if same else Outcome.UPDATED, course, data)


def _rows(kind: _Kind, course: Course | None) -> list[Any]:
    if course is None:
        return []
    query = db.select(kind.model).where(kind.model.course_id == course.id)
    return list(db.session.execute(query).scalars())


def _plan_kind(kind: _Kind, rows: list[Any], items: Iterable[Any], prefer: bool) -> list[Step]:
    by_key = {getattr(row, kind.key): row for row in rows}
    unmatched = {row.id: row for row in rows}
    steps = []
    for item in items:
        key = getattr(item, kind.key)
        file_hash = _hash(kind, item)
        row = by_key.get(key)
        if row is None or row.id not in unmatched:
            # Renamed in the browser while its file stayed as it was: still the same row.
            row = next((r for r in unmatched.values() if r.file_hash == file_hash), None)
        if row is None:
            steps.append(Step(kind.name, key, Outcome.CREATED, data=item, file_hash=file_hash))
            continue
        del unmatched[row.id]
        outcome = _decide(kind, _hash(kind, row, row=True), file_hash, row.file_hash, prefer)
        steps.append(Step(kind.name, key, outcome, row, item, file_hash, why=_why(outcome)))
    for row in unmatched.values():
        step = _plan_missing(kind, row, prefer)
        if step is not None:
            steps.append(step)
    return steps


def _decide(kind: _Kind, row_hash: str, file_hash: str, last: str | None, prefer: bool) -> Outcome:
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


def _plan_missing(kind: _Kind, row: Any, prefer: bool) -> Step | None:
    """A row the files do not hold: retired only if the files made it and nobody edited it."""
    key = getattr(row, kind.key)
    if row.status == "retired":
        return None
    if row.origin == Origin.BROWSER:
        return Step(kind.name, key, Outcome.KEPT, row, why="made in Trainer, not in the files")
    edited = kind.editable and _hash(kind, row, row=True) != row.file_hash
    if edited and not prefer:
        return Step(kind.name, key, Outcome.KEPT, row,
                    why="edited in the browser; its file was removed")  # fmt: skip
    return Step(kind.name, key, Outcome.RETIRED, row, why="no longer in the files")


# Applying: every write goes through here.


def apply_sync(plan: SyncPlan) -> SyncPlan:
    """Carry out `plan`; raises `SyncRace` if a row was saved meanwhile. The caller commits."""
    for course_plan in plan.courses:
        course = _apply_course(course_plan.course)
        for step in course_plan.items:
            if step.kind == "lessons":
                _apply_lesson(course, step)
        db.session.flush()
        lessons = _lessons_by_slug(course)
        for step in course_plan.items:
            if step.kind == "questions":
                _apply_question(course, step, lessons)
            elif step.kind == "quizzes":
                _apply_quiz(course, step, lessons)
        db.session.flush()
        _fill_pools(course)
    db.session.flush()
    return plan


def _set(row: Any, values: dict[str, Any]) -> None:
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)


def _apply_course(step: Step) -> Course:
    values = _course_values(step.data)
    course = step.row
    if step.outcome is Outcome.CREATED:
        course = Course(**values)
        db.session.add(course)
    else:
        _set(course, values)
    db.session.flush()
    return course


def _save_from_files(step: Step, new_state: dict[str, Any], write: Callable[[], None]) -> None:
    """Write the files' content over a row, through the versions service when it differs."""
    row = step.row
    if versions.snapshot(row) != new_state:
        before = row.version
        if not versions.begin_save(row, before, None, versions.FROM_FILES):
            raise SyncRace(f"{step.kind} {step.key}")
        if step.outcome is Outcome.REPLACED:
            step.version = before
    write()


def _retire(step: Step, kind: _Kind) -> None:
    row = step.row
    if kind.editable and not versions.begin_save(row, row.version, None, versions.FROM_FILES):
        raise SyncRace(f"{step.kind} {step.key}")
    row.status = "retired"
    db.session.flush()
    # The files now say "retired": a file that comes back is a change of the files.
    row.file_hash = _hash(kind, row, row=True)


def _apply_existing(step: Step, kind: _Kind, save: Callable[[], None]) -> None:
    """Apply a step to a row that exists: alike for every kind but for how it is saved."""
    if step.outcome is Outcome.UNCHANGED:
        step.row.file_hash = step.file_hash  # the same content: remember the files say it
    elif step.outcome is Outcome.RETIRED:
        _retire(step, kind)
    elif step.outcome is Outcome.CONFLICT:
        step.version = versions.offer(step.row, kind.file_state(step.data))
    elif step.outcome in (Outcome.UPDATED, Outcome.REPLACED):
        save()
        step.row.file_hash = step.file_hash


def _lesson_values(course: Course, item: LessonData) -> dict[str, Any]:
    return {
        "course_id": course.id, "slug": item.slug, "title": item.title,
        "dimension": item.dimension, "position": item.position, "summary": item.summary,
        "estimated_minutes": item.estimated_minutes, "body": item.body,
        "objectives": list(item.objectives), "takeaways": list(item.takeaways),
        "status": item.status,
    }  # fmt: skip


def _apply_lesson(course: Course, step: Step) -> None:
    def save() -> None:
        values = _lesson_values(course, step.data)
        _save_from_files(step, lesson_snapshot(step.data), lambda: _set(step.row, values))

    if step.outcome is Outcome.CREATED:
        lesson = Lesson(**_lesson_values(course, step.data), origin=Origin.FILES,
                        file_hash=step.file_hash)  # fmt: skip
        db.session.add(lesson)
    else:
        _apply_existing(step, LESSONS, save)


def _lessons_by_slug(course: Course) -> dict[str, Lesson]:
    """The course's lessons by slug, a live one before a retired one of the same slug."""
    lessons = db.session.execute(db.select(Lesson).where(Lesson.course_id == course.id)).scalars()
    return {
        lesson.slug: lesson
        for lesson in sorted(lessons, key=lambda lesson: lesson.status != "retired", reverse=True)
    }


def question_columns(course: Course, item: QuestionData, lessons: dict[str, Lesson]) -> dict:
    """A question's columns as `item` gives them (options aside); it is active."""
    lesson = lessons.get(item.lesson)
    return {
        "course_id": course.id, "key": item.key, "type": item.type,
        "dimension": item.dimension, "difficulty": item.difficulty, "market": item.market,
        "situation": item.situation, "prompt": item.prompt, "explanation": item.explanation,
        "lesson_id": lesson.id if lesson else None, "lesson_anchor": item.anchor,
        "status": "active",
    }  # fmt: skip


def set_options(row: Question, item: QuestionData) -> None:
    """Update options in place by position, so answers already given keep their option."""
    for position, option in enumerate(item.options, 1):
        values = {"text": option.text, "feedback": option.feedback, "is_correct": option.correct}
        if position <= len(row.options):
            _set(row.options[position - 1], values)
        else:
            row.options.append(QuestionOption(position=position, **values))
    del row.options[len(item.options) :]


def _apply_question(course: Course, step: Step, lessons: dict[str, Lesson]) -> None:
    values = question_columns(course, step.data, lessons) if step.data is not None else {}

    def write() -> None:
        _set(step.row, values)
        set_options(step.row, step.data)

    def save() -> None:
        _save_from_files(step, question_snapshot(step.data), write)

    if step.outcome is Outcome.CREATED:
        question = Question(**values, origin=Origin.FILES, file_hash=step.file_hash)
        set_options(question, step.data)
        db.session.add(question)
    else:
        _apply_existing(step, QUESTIONS, save)


def _quiz_values(course: Course, item: QuizData, lessons: dict[str, Lesson]) -> dict:
    lesson = lessons.get(item.after_lesson or "")
    return {
        "course_id": course.id, "slug": item.slug, "title": item.title,
        "position": item.position, "lesson_id": lesson.id if lesson else None,
        "is_final": item.final, "items_per_attempt": item.items, "pass_mark": item.pass_mark,
        "attempts_allowed": item.attempts_allowed, "cooldown_minutes": item.cooldown_minutes,
        "time_limit_minutes": item.time_limit_minutes, "status": "active",
        # The pool as rules, so that questions made in the browser join it too.
        "draw_rules": {"per_dimension": item.per_dimension,
                       "balance_markets": item.balance_markets,
                       "dimensions": list(item.pool_dimensions),
                       "questions": list(item.pool_questions)},
    }  # fmt: skip


def _apply_quiz(course: Course, step: Step, lessons: dict[str, Lesson]) -> None:
    values = _quiz_values(course, step.data, lessons) if step.data is not None else {}
    if step.outcome is Outcome.CREATED:
        db.session.add(Quiz(**values, origin=Origin.FILES, file_hash=step.file_hash))
    else:
        _apply_existing(step, QUIZZES, lambda: _set(step.row, values))


def _fill_pools(course: Course) -> None:
    """Every live quiz draws from the active questions its rules name, from any origin."""
    questions = list(
        db.session.execute(
            db.select(Question).where(Question.course_id == course.id, Question.status == "active")
        ).scalars()
    )
    quizzes = db.session.execute(
        db.select(Quiz).where(Quiz.course_id == course.id, Quiz.status == "active")
    ).scalars()
    for quiz in quizzes:
        rules = quiz.draw_rules or {}
        dimensions, keys = set(rules.get("dimensions", ())), set(rules.get("questions", ()))
        pool = [q for q in questions if q.dimension in dimensions or q.key in keys]
        if {q.id for q in quiz.questions} != {q.id for q in pool}:
            quiz.questions = pool


def sync_content(courses: list[CourseData], prefer_files: bool = False) -> SyncPlan:
    """Plan and apply a sync of `courses`; the caller commits (or rolls back) the whole."""
    return apply_sync(plan_sync(courses, prefer_files))
