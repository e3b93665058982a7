"""Item analysis of a quiz from its graded attempts: how each question performs.

For each question: facility (share right) on the market step and on the approach step (a
plain question has one step), the most chosen wrong option, and the discrimination index:
the graded attempts of the quiz are ranked by total percent, the top 27% and the bottom 27%
(at least one attempt each, rounded half up) form two groups, and discrimination is the
item's score in the top group minus its score in the bottom group, where an item's score is
its points over its maximum (both steps of a scenario count). Every figure comes with the
number of attempts behind it; questions are flagged only with enough attempts. Five SQL
queries per quiz, whatever the number of attempts.
"""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func

from trainer.content.writer import natural_key
from trainer.extensions import db
from trainer.models import (
    Attempt,
    AttemptItem,
    AttemptStatus,
    Course,
    Question,
    QuestionStatus,
    Quiz,
    QuizQuestion,
    User,
)
from trainer.people import audit
from trainer.quiz.types import TYPES, question_type
from trainer.reporting.exports import formula_safe

# Every step any type grades; each gets its count of right answers.
STEP_KEYS = sorted({step.key for kind in TYPES.values() for step in kind.steps})
GROUP_SHARE = 0.27
MIN_ATTEMPTS_TO_FLAG = 20
TOO_HARD, TOO_EASY, LOW_DISCRIMINATION = 0.3, 0.95, 0.2
FLAGS: tuple[str, ...] = (
    "market_too_hard", "market_too_easy", "too_hard", "too_easy", "low_discrimination",
)  # fmt: skip
CSV_HEADER: tuple[str, ...] = (
    "question", "type", "dimension", "attempts", "market_facility", "approach_facility",
    "wrong_option", "wrong_option_share", "discrimination", "top_group", "bottom_group", "flags",
)  # fmt: skip


@dataclass(frozen=True)
class ItemStats:
    """How one question performed in one quiz's graded attempts."""

    question: Question
    attempts: int
    market_facility: float | None  # None: no market step, or no attempts
    approach_facility: float | None
    wrong_option: str | None
    wrong_share: float | None
    discrimination: float | None
    top_count: int  # attempts of the top group in which the question was drawn
    bottom_count: int
    flags: tuple[str, ...]
    # Where a type branches (a dialogue): the customer's line, a reply, how many took it.
    branches: tuple[tuple[str, str, int], ...] = ()


@dataclass(frozen=True)
class QuizAnalysis:
    """The analysis of one quiz."""

    quiz: Quiz
    attempts: int  # graded attempts of the quiz
    group_size: int  # attempts in each of the top and bottom groups
    items: list[ItemStats]


def quiz_overview() -> list[tuple[Quiz, Course, int]]:
    """Every quiz with its course and number of graded attempts, by course and position."""
    graded = (
        db.select(Attempt.quiz_id, func.count().label("graded"))
        .where(Attempt.status == AttemptStatus.GRADED)
        .group_by(Attempt.quiz_id)
        .subquery()
    )
    rows = db.session.execute(
        db.select(Quiz, Course, func.coalesce(graded.c.graded, 0))
        .join(Course, Course.id == Quiz.course_id)
        .outerjoin(graded, graded.c.quiz_id == Quiz.id)
        .order_by(Course.title, Quiz.position, Quiz.slug)
    ).all()
    return [(quiz, course, count) for quiz, course, count in rows]


def find_quiz(quiz_id: int) -> Quiz | None:
    """The quiz with `quiz_id`, if any."""
    return db.session.get(Quiz, quiz_id)


def group_size(attempts: int) -> int:
    """Attempts in each extreme group: 27% rounded half up, at least one; none below two."""
    return max(1, int(GROUP_SHARE * attempts + 0.5)) if attempts >= 2 else 0


def analyse_quiz(quiz: Quiz) -> QuizAnalysis:
    """Figures for every question of the quiz's pool and every question drawn in it."""
    graded = and_(Attempt.quiz_id == quiz.id, Attempt.status == AttemptStatus.GRADED)
    total = db.session.execute(db.select(func.count()).where(graded)).scalar_one()
    size = group_size(total)
    ranked = (
        db.select(
            Attempt.id.label("attempt_id"),
            func.row_number().over(order_by=(Attempt.percent.desc(), Attempt.id)).label("top"),
            func.row_number()
            .over(order_by=(Attempt.percent.asc(), Attempt.id.desc()))
            .label("bottom"),
        )
        .where(graded)
        .subquery()
    )
    in_top, in_bottom = ranked.c.top <= size, ranked.c.bottom <= size
    points = func.coalesce(AttemptItem.points, 0)
    most = func.coalesce(AttemptItem.max_points, 0)
    figures = {
        row.question_id: row
        for row in db.session.execute(
            db.select(
                AttemptItem.question_id,
                func.count().label("n"),
                *(func.count(case((_right(key), 1))).label(f"step_{key}") for key in STEP_KEYS),
                func.count(case((in_top, 1))).label("top_n"),
                func.sum(case((in_top, points), else_=0)).label("top_points"),
                func.sum(case((in_top, most), else_=0)).label("top_most"),
                func.count(case((in_bottom, 1))).label("bottom_n"),
                func.sum(case((in_bottom, points), else_=0)).label("bottom_points"),
                func.sum(case((in_bottom, most), else_=0)).label("bottom_most"),
            )
            .join(ranked, ranked.c.attempt_id == AttemptItem.attempt_id)
            .group_by(AttemptItem.question_id)
        )
    }
    wrong = _wrong_choices(quiz)
    pool = db.select(QuizQuestion.question_id).where(QuizQuestion.quiz_id == quiz.id)
    questions = (
        db.session.execute(
            db.select(Question).where(
                Question.id.in_(pool) | Question.id.in_(list(figures)),
                (Question.status == QuestionStatus.ACTIVE) | Question.id.in_(list(figures)),
            )
        )
        .scalars()
        .all()
    )
    branches = _branches(quiz, [q for q in questions if question_type(q.type).branches])
    items = [
        replace(_stats(question, figures.get(question.id), wrong),
                branches=tuple(branches.get(question.id, ())))
        for question in questions
    ]  # fmt: skip
    return QuizAnalysis(quiz, total, size, sort_items(items, "question"))


def _right(step: str) -> ColumnElement[bool]:
    """Whether an item's grade says `step` was right (false where the type has no such step)."""
    return AttemptItem.result[step].as_boolean().is_(True)


def _wrong_choices(quiz: Quiz) -> dict[int, tuple[int, int]]:
    """The most chosen wrong option of each question: (option id, times chosen)."""
    chosen = AttemptItem.answer["option"].as_integer()
    rows = db.session.execute(
        db.select(AttemptItem.question_id, chosen, func.count())
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .where(
            Attempt.quiz_id == quiz.id,
            Attempt.status == AttemptStatus.GRADED,
            AttemptItem.result["option"].as_boolean().is_(False),
            chosen.is_not(None),
        )
        .group_by(AttemptItem.question_id, chosen)
        .order_by(AttemptItem.question_id, func.count().desc(), chosen)
    ).all()
    most: dict[int, tuple[int, int]] = {}
    for question_id, option_id, count in rows:
        most.setdefault(question_id, (option_id, count))
    return most


def _branches(quiz: Quiz, questions: list[Question]) -> dict[int, list[tuple[str, str, int]]]:
    """For `questions`, whose type branches: how many graded answers took each branch."""
    if not questions:
        return {}
    answers: dict[int, list[dict[str, Any]]] = {q.id: [] for q in questions}
    rows = db.session.execute(
        db.select(AttemptItem.question_id, AttemptItem.answer)
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .where(
            Attempt.quiz_id == quiz.id,
            Attempt.status == AttemptStatus.GRADED,
            AttemptItem.question_id.in_(list(answers)),
        )
    )
    for question_id, answer in rows:
        answers[question_id].append(answer or {})
    return {q.id: question_type(q.type).branch_counts(q, answers[q.id]) for q in questions}


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _stats(question: Question, row: Any, wrong: dict[int, tuple[int, int]]) -> ItemStats:
    steps = [step.key for step in question_type(question.type).steps]
    n = row.n if row else 0
    market = _share(row.step_market, n) if row and "market" in steps else None
    # The approach: the step that decides the outcome, the last one.
    approach = _share(getattr(row, f"step_{steps[-1]}"), n) if row else None
    top = _share(row.top_points, row.top_most) if row else None
    bottom = _share(row.bottom_points, row.bottom_most) if row else None
    discrimination = top - bottom if top is not None and bottom is not None else None
    option_id, times = wrong.get(question.id, (None, 0))
    option = next((o for o in question.options if o.id == option_id), None)
    flags: list[str] = []
    if n >= MIN_ATTEMPTS_TO_FLAG:
        for prefix, value in (("market_", market), ("", approach)):
            if value is not None and value < TOO_HARD:
                flags.append(f"{prefix}too_hard")
            if value is not None and value > TOO_EASY:
                flags.append(f"{prefix}too_easy")
        if discrimination is not None and discrimination < LOW_DISCRIMINATION:
            flags.append("low_discrimination")
    return ItemStats(
        question=question,
        attempts=n,
        market_facility=market,
        approach_facility=approach,
        wrong_option=option.text if option else None,
        wrong_share=_share(times, n) if option else None,
        discrimination=discrimination,
        top_count=row.top_n if row else 0,
        bottom_count=row.bottom_n if row else 0,
        flags=tuple(flags),
    )


SORT_KEYS: dict[str, Callable[[ItemStats], Any]] = {
    "question": lambda item: natural_key(item.question.key),
    "attempts": lambda item: item.attempts,
    "market": lambda item: item.market_facility,
    "approach": lambda item: item.approach_facility,
    "wrong": lambda item: item.wrong_share,
    "discrimination": lambda item: item.discrimination,
    "flags": lambda item: len(item.flags),
}


def sort_items(items: list[ItemStats], key: str, descending: bool = False) -> list[ItemStats]:
    """Items sorted by a column of `SORT_KEYS`; empty figures last in both directions."""
    get = SORT_KEYS.get(key, SORT_KEYS["question"])
    present = [item for item in items if get(item) is not None]
    missing = [item for item in items if get(item) is None]
    tie = SORT_KEYS["question"]
    present.sort(key=tie)
    present.sort(key=get, reverse=descending)  # stable: ties stay in question order
    return present + sorted(missing, key=tie)


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def analysis_csv(analysis: QuizAnalysis) -> str:
    """The analysis as CSV (RFC 4180, UTF-8): one row per question, text cells formula-safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for item in analysis.items:
        question = item.question
        writer.writerow([
            formula_safe(question.key), question.type, question.dimension or "", item.attempts,
            _number(item.market_facility), _number(item.approach_facility),
            formula_safe(item.wrong_option or ""), _number(item.wrong_share),
            _number(item.discrimination), item.top_count, item.bottom_count,
            " ".join(item.flags),
        ])  # fmt: skip
    return out.getvalue()


def export_csv(quiz: Quiz, actor: User | str) -> tuple[str, str]:
    """(file name, CSV text) of a quiz's analysis; recorded in the audit log."""
    analysis = analyse_quiz(quiz)
    audit.record(
        actor, "analysis.export_csv", {"course": quiz.course.slug, "quiz": quiz.slug},
        row_count=len(analysis.items),
    )  # fmt: skip
    return f"analiza-{quiz.course.slug}-{quiz.slug}.csv", analysis_csv(analysis)
