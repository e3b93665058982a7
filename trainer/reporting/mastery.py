"""How well people do per dimension of a course, and how a quiz's scores spread, for charts.

Mastery is the share of points earned on a dimension's questions over every graded attempt:
for a scenario one point per step (the market, then the approach), for a dialogue the points
of the path taken. Practice never changes grades, so it is not counted here either. Each
figure is one grouped query, whatever the number of learners.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, func

from trainer.extensions import db
from trainer.learning.published import PublishedCourse
from trainer.models import Attempt, AttemptItem, AttemptStatus, Course, Question, Quiz, User

BINS = 10  # a score distribution in tens of percent: 0–9, 10–19, … 90–100


@dataclass(frozen=True)
class Share:
    """Points earned out of points possible; `value` from 0 to 1, None without answers."""

    earned: int
    possible: int

    @property
    def value(self) -> float | None:
        return self.earned / self.possible if self.possible else None


def learner_mastery(user_id: int, course: Course | PublishedCourse) -> dict[str, Share]:
    """Per dimension key of `course`, in its order: the learner's share of points."""
    rows = db.session.execute(
        _points_by(Question.dimension).where(
            Attempt.user_id == user_id, Quiz.course_id == course.id
        )
    ).all()
    found = {row.dimension: Share(int(row.earned), int(row.possible)) for row in rows}
    return {key: found.get(key, Share(0, 0)) for key in course.taxonomy.dimension_keys}


def department_mastery(course: Course) -> tuple[list[str], dict[tuple[str, str], Share]]:
    """The departments of active learners with graded answers, and each one's share of points
    per (department, dimension key). People without a department are grouped under ""."""
    department = func.coalesce(User.department, "")
    rows = db.session.execute(
        _points_by(department.label("department"), Question.dimension)
        .join(User, User.id == Attempt.user_id)
        .where(Quiz.course_id == course.id, User.active.is_(True))
    ).all()
    cells = {
        (row.department, row.dimension): Share(int(row.earned), int(row.possible)) for row in rows
    }
    return sorted({department for department, _ in cells}), cells


def score_distribution(quiz: Quiz) -> list[int]:
    """How many learners' best graded scores fall in each tenth of the scale (100% in the
    last)."""
    best = (
        db.select(func.max(Attempt.percent).label("percent"))
        .where(Attempt.quiz_id == quiz.id, Attempt.status == AttemptStatus.GRADED)
        .group_by(Attempt.user_id)
        .subquery()
    )
    counts = [0] * BINS
    for percent in db.session.execute(db.select(best.c.percent)).scalars():
        if percent is not None:
            counts[min(int(percent // (100 / BINS)), BINS - 1)] += 1
    return counts


def _points_by(*columns: ColumnElement[Any]) -> Select[Any]:
    """Earned and possible points of graded attempt items, grouped by `columns`."""
    return (
        db.select(
            *columns,
            func.coalesce(func.sum(AttemptItem.points), 0).label("earned"),
            func.coalesce(func.sum(AttemptItem.max_points), 0).label("possible"),
        )
        .select_from(AttemptItem)
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .join(Quiz, Quiz.id == Attempt.quiz_id)
        .join(Question, Question.id == AttemptItem.question_id)
        .where(Attempt.status == AttemptStatus.GRADED, Question.dimension.is_not(None))
        .group_by(*columns)
    )
