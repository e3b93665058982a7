"""Drawing questions: counts per dimension and the B2B/B2C balance."""

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import DIMENSION_KEYS
from trainer.models import Question
from trainer.quiz.drawing import draw_questions
from trainer.quiz.leitner import LAST_BOX, next_review


def bank(per_market: int = 6) -> list[Question]:
    return [
        Question(key=f"{d}-{m}-{i}", type="scenario", dimension=d, market=m)
        for d in DIMENSION_KEYS
        for m in ("B2B", "B2C")
        for i in range(per_market)
    ]


@pytest.mark.parametrize("seed", range(20))
def test_final_exam_two_per_dimension_balanced(seed: int) -> None:
    drawn = draw_questions(
        bank(), 14, {"per_dimension": 2, "balance_markets": True}, random.Random(seed)
    )
    assert len(drawn) == len(set(drawn)) == 14
    assert Counter(q.dimension for q in drawn) == dict.fromkeys(DIMENSION_KEYS, 2)
    assert Counter(q.market for q in drawn) == {"B2B": 7, "B2C": 7}


@pytest.mark.parametrize("seed", range(20))
def test_odd_count_is_balanced_within_one(seed: int) -> None:
    pool = [q for q in bank() if q.dimension == "marketing"]
    drawn = draw_questions(pool, 3, {"balance_markets": True}, random.Random(seed))
    markets = Counter(q.market for q in drawn)
    assert len(drawn) == 3 and abs(markets["B2B"] - markets["B2C"]) == 1


def test_short_pool_is_filled_from_the_other_market() -> None:
    pool = [q for q in bank() if q.market == "B2B"][:5]
    drawn = draw_questions(pool, 4, {"balance_markets": True}, random.Random(1))
    assert len(drawn) == 4


@pytest.mark.parametrize("seed", range(20))
def test_an_item_with_mixed_signals_is_always_drawn_keeping_the_balance(seed: int) -> None:
    pool = bank()
    mixed = pool[13]  # one of 84 questions
    mixed.signals = "mixed"
    rules = {"per_dimension": 2, "balance_markets": True}
    drawn = draw_questions(pool, 14, rules, random.Random(seed))
    assert mixed in drawn and len(set(drawn)) == 14
    assert Counter(q.dimension for q in drawn) == dict.fromkeys(DIMENSION_KEYS, 2)
    assert Counter(q.market for q in drawn) == {"B2B": 7, "B2C": 7}


def test_without_rules_any_distinct_questions() -> None:
    drawn = draw_questions(bank(), 10, {}, random.Random(3))
    assert len(set(drawn)) == 10


def test_order_varies_between_attempts() -> None:
    orders = {
        tuple(q.key for q in draw_questions(bank(), 5, {}, random.Random(seed)))
        for seed in range(5)
    }
    assert len(orders) > 1


@pytest.mark.parametrize(
    ("box", "correct", "expected_box", "days"),
    [(1, True, 2, 1), (2, True, 3, 3), (4, True, 5, 14), (3, False, 1, 0), (1, False, 1, 0)],
)
def test_leitner_boxes(box: int, correct: bool, expected_box: int, days: int) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert next_review(box, correct, now) == (expected_box, now + timedelta(days=days))


def test_leitner_last_box_right_means_mastered() -> None:
    assert next_review(LAST_BOX, True, datetime.now(UTC))[0] is None
