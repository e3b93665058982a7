"""An attempt's score from its items' grades, and what passing means: one place for both."""

from collections.abc import Iterable
from dataclasses import dataclass

from trainer.quiz.types import Grade


@dataclass(frozen=True)
class Totals:
    """The points of an attempt, out of the most possible, as a percent, and passed or not."""

    score: int
    max_score: int
    percent: float
    passed: bool


def passed(percent: float | None, pass_mark: int) -> bool:
    """Whether `percent` reaches the pass mark (no score never passes)."""
    return percent is not None and percent >= pass_mark


def totals(grades: Iterable[Grade], pass_mark: int) -> Totals:
    """Add up the items' grades; the percent is rounded to one decimal, as shown."""
    score = max_score = 0
    for grade in grades:
        score += grade.points
        max_score += grade.max_points
    percent = round(100 * score / max_score, 1) if max_score else 0.0
    return Totals(score, max_score, percent, passed(percent, pass_mark))
