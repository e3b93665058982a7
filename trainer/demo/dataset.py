"""Demo data: synthetic learners with realistic progress on the loaded courses, in bulk.

Runs are repeatable: the same seed (and reference date) gives the same rows, because every
date is reckoned back from a fixed reference date, not from the clock. The default,
REFERENCE_DATE, is a constant; `today=` moves it.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select

from trainer.demo.simulation import CoursePlan, QuestionFacts, Rows, Simulation
from trainer.extensions import db
from trainer.learning import catalogue, progress
from trainer.models import (
    Assignment,
    Attempt,
    AttemptItem,
    CourseCompletion,
    LessonProgress,
    PracticeItem,
    QuestionStatus,
    Quiz,
    User,
    UserRole,
    XapiStatement,
    summary,
)
from trainer.people import audit
from trainer.xapi import record

DEMO_DOMAIN = "demo.trainer.invalid"
REFERENCE_DATE = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
CHUNK = 1000  # learners written per batch: bounded memory, few round trips


class DemoRefused(Exception):
    """Demo data cannot be generated here; the message says why."""


@dataclass
class DemoReport:
    """How many rows of each kind were written, and how many old demo learners replaced."""

    replaced: int = 0
    learners: int = 0
    lessons: int = 0
    attempts: int = 0
    answers: int = 0
    completions: int = 0
    assignments: int = 0
    practice: int = 0
    statements: int = 0


def _is_demo() -> Any:
    return User.email.like(f"%@{DEMO_DOMAIN}")


def real_users() -> int:
    """Accounts that are neither demo learners nor admins: people demo data must not mix with."""
    admins = select(UserRole.user_id).where(UserRole.role == "admin")
    return db.session.execute(
        select(func.count()).select_from(User).where(~_is_demo(), User.id.not_in(admins))
    ).scalar_one()


def generate(
    learners: int, seed: int, force: bool = False, today: datetime = REFERENCE_DATE
) -> DemoReport:
    """Replace earlier demo learners with `learners` new ones; refuses beside real users."""
    people = real_users()
    if people and not force:
        raise DemoRefused(
            f"the database holds {people} real (non-demo, non-admin) account(s); "
            "use --force to add demo learners anyway"
        )
    plans = course_plans()
    if not plans:
        raise DemoRefused("no course is loaded; run `flask --app trainer content sync` first")
    report = DemoReport(replaced=delete_demo_users())
    simulation = Simulation(seed, plans, today, _certificate_codes())
    numbers = _free_employee_numbers(learners)
    for start in range(0, learners, CHUNK):
        _write_chunk(
            simulation, range(start + 1, min(start + CHUNK, learners) + 1), numbers, report
        )
    audit.record("cli", "demo.generate", {"learners": learners, "seed": seed}, learners)
    return report


def course_plans() -> list[CoursePlan]:
    """Every course with published lessons: its lessons, per-lesson checks and final exam."""
    plans = []
    for course in sorted(catalogue.courses(), key=lambda course: course.slug):
        lessons = catalogue.published_lessons(course)
        quizzes = db.session.execute(
            select(Quiz).where(Quiz.course_id == course.id, Quiz.status == QuestionStatus.ACTIVE)
            .order_by(Quiz.position, Quiz.slug)
        ).scalars()  # fmt: skip
        checks = {}
        for quiz in quizzes:
            pool = [
                QuestionFacts.of(q) for q in quiz.questions if q.status == QuestionStatus.ACTIVE
            ]
            if pool and quiz.lesson_id is not None and not quiz.is_final:
                checks.setdefault(quiz.lesson_id, (quiz, pool))
        final = progress.final_exam(course)
        final_pool = (
            [QuestionFacts.of(q) for q in final.questions if q.status == QuestionStatus.ACTIVE]
            if final
            else []
        )
        plans.append(
            CoursePlan(course.id, lessons, checks, (final, final_pool) if final_pool else None)
        )
    return plans


def delete_demo_users() -> int:
    """Remove every demo learner and all their rows, children first; how many were removed."""
    demo_ids = select(User.id).where(_is_demo()).scalar_subquery()
    count = db.session.execute(
        select(func.count()).select_from(User).where(_is_demo())
    ).scalar_one()
    if not count:
        return 0
    attempt_ids = select(Attempt.id).where(Attempt.user_id.in_(demo_ids))
    db.session.execute(delete(AttemptItem).where(AttemptItem.attempt_id.in_(attempt_ids)))
    for model in (
        XapiStatement,
        Attempt,
        LessonProgress,
        CourseCompletion,
        PracticeItem,
        Assignment,
        UserRole,
    ):
        db.session.execute(delete(model).where(model.user_id.in_(demo_ids)))
    db.session.execute(delete(User).where(_is_demo()))
    return count


def _certificate_codes() -> set[str]:
    return set(db.session.execute(select(CourseCompletion.certificate_code)).scalars())


def _free_employee_numbers(count: int) -> Iterator[int]:
    """P-000001, P-000002, ...: skipping numbers a real employee already holds."""
    taken = set(
        db.session.execute(
            select(User.employee_id).where(User.employee_id.like("P-%"), ~_is_demo())
        ).scalars()
    )
    number = 0
    for _ in range(count):
        number += 1
        while f"P-{number:06d}" in taken:
            number += 1
        yield number


def _write_chunk(
    simulation: Simulation, numbers: range, employee: Iterator[int], report: DemoReport
) -> None:
    learners = [simulation.learner(n, f"P-{next(employee):06d}", DEMO_DOMAIN) for n in numbers]
    user_ids = _insert_returning(User, [learner.user for learner in learners])
    db.session.execute(insert(UserRole), [{"user_id": uid, "role": "learner"} for uid in user_ids])
    rows = Rows()
    for learner, user_id in zip(learners, user_ids, strict=True):
        simulation.simulate(learner, user_id, rows)
    attempt_ids = _insert_returning(Attempt, rows.attempts)
    answers = [
        {**item, "attempt_id": attempt_id}
        for attempt_id, items in zip(attempt_ids, rows.items, strict=True)
        for item in items
    ]
    for model, values in (
        (AttemptItem, answers),
        (LessonProgress, rows.progress),
        (CourseCompletion, rows.completions),
        (Assignment, rows.assignments),
        (PracticeItem, rows.practice),
    ):
        if values:
            db.session.execute(insert(model).execution_options(render_nulls=True), values)
    # Rows inserted in bulk bypass the services that log statements and keep the report's
    # summary: do both here, once for the chunk.
    report.statements += record.backfill(user_ids)
    summary.refresh(db.session.connection(), user_ids=user_ids)
    report.learners += len(learners)
    report.lessons += len(rows.progress)
    report.attempts += len(rows.attempts)
    report.answers += len(answers)
    report.completions += len(rows.completions)
    report.assignments += len(rows.assignments)
    report.practice += len(rows.practice)


def _insert_returning(model: type[db.Model], values: list[dict[str, Any]]) -> list[int]:
    """Bulk insert; the new ids in the order of `values`."""
    if not values:
        return []
    # render_nulls: every row names the same columns, so the rows go in large batches.
    statement = (
        insert(model)
        .returning(model.id, sort_by_parameter_order=True)
        .execution_options(render_nulls=True)
    )
    return list(db.session.execute(statement, values).scalars())
