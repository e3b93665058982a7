"""Applying a content sync planned by `sync_plan`: every write of the sync goes through here.

Lessons and questions change through the versions service, so their history only grows; a
row both sides changed keeps the browser edit and gets the files' text as a version that is
not applied. The caller commits, or rolls back the whole.
"""

from collections.abc import Callable
from typing import Any

from trainer.authoring import versions
from trainer.authoring.sync_plan import (
    LESSONS,
    QUESTIONS,
    QUIZZES,
    Kind,
    Outcome,
    Step,
    SyncPlan,
    SyncRace,
    course_values,
    plan_sync,
    state_hash,
)
from trainer.content.model import CourseData, LessonData, QuestionData, QuizData, turns_json
from trainer.content.snapshot import lesson_snapshot, question_snapshot
from trainer.extensions import db
from trainer.models import (
    Course,
    Lesson,
    LessonStatus,
    Origin,
    Question,
    QuestionOption,
    QuestionStatus,
    Quiz,
)


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
    values = course_values(step.data)
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


def _retire(step: Step, kind: Kind) -> None:
    row = step.row
    if kind.editable and not versions.begin_save(row, row.version, None, versions.FROM_FILES):
        raise SyncRace(f"{step.kind} {step.key}")
    row.status = LessonStatus.RETIRED  # the same word for every kind of row
    db.session.flush()
    # The files now say "retired": a file that comes back is a change of the files.
    row.file_hash = state_hash(kind, row, row=True)


def _apply_existing(step: Step, kind: Kind, save: Callable[[], None]) -> None:
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
        for lesson in sorted(
            lessons, key=lambda lesson: lesson.status != LessonStatus.RETIRED, reverse=True
        )
    }


def question_columns(course: Course, item: QuestionData, lessons: dict[str, Lesson]) -> dict:
    """A question's columns as `item` gives them (options aside); it is active."""
    lesson = lessons.get(item.lesson)
    return {
        "course_id": course.id, "key": item.key, "type": item.type,
        "dimension": item.dimension, "difficulty": item.difficulty, "market": item.market,
        "signals": item.signals,
        "situation": item.situation, "prompt": item.prompt, "explanation": item.explanation,
        "lesson_id": lesson.id if lesson else None, "lesson_anchor": item.anchor,
        "details": {"turns": turns_json(item.turns)} if item.turns else {},
        "status": QuestionStatus.ACTIVE,
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
        "time_limit_minutes": item.time_limit_minutes, "status": QuestionStatus.ACTIVE,
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
            db.select(Question).where(
                Question.course_id == course.id, Question.status == QuestionStatus.ACTIVE
            )
        ).scalars()
    )
    quizzes = db.session.execute(
        db.select(Quiz).where(Quiz.course_id == course.id, Quiz.status == QuestionStatus.ACTIVE)
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
