"""Drawing a quiz's questions from its pool, following its balance rules."""

import random
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from trainer.models import Question


def draw_questions(
    pool: Sequence[Question], items: int, rules: dict[str, Any], rng: random.Random
) -> list[Question]:
    """`items` questions of `pool` in random order.

    With `per_dimension`, exactly that many from each dimension of the pool; with
    `balance_markets`, as many B2B as B2C scenarios (one more of either when odd, taking
    turns across dimensions), falling back to what the pool holds when it runs short. When
    the pool holds items with mixed signals, at least one of them is drawn.
    """
    balance = bool(rules.get("balance_markets"))
    per_dimension = rules.get("per_dimension")
    if per_dimension:
        groups: dict[str | None, list[Question]] = defaultdict(list)
        for question in pool:
            groups[question.dimension].append(question)
        drawn: list[Question] = []
        b2b_first = True
        for dimension in sorted(groups, key=str):
            drawn += _pick(groups[dimension], per_dimension, balance, b2b_first, rng)
            b2b_first = not b2b_first if per_dimension % 2 else b2b_first
    else:
        drawn = _pick(list(pool), items, balance, rng.random() < 0.5, rng)
    drawn = drawn[:items]
    _include_mixed(drawn, pool, rng)
    rng.shuffle(drawn)
    return drawn


def _include_mixed(drawn: list[Question], pool: Sequence[Question], rng: random.Random) -> None:
    """Swap one drawn item for a mixed-signal one, of the same dimension and market if any."""
    mixed = [q for q in pool if q.signals == "mixed" and q not in drawn]
    if not drawn or not mixed or any(q.signals == "mixed" for q in drawn):
        return
    for index in rng.sample(range(len(drawn)), len(drawn)):
        alike = [
            q
            for q in mixed
            if (q.dimension, q.market) == (drawn[index].dimension, drawn[index].market)
        ]
        if alike:
            drawn[index] = rng.choice(alike)
            return
    drawn[rng.randrange(len(drawn))] = rng.choice(mixed)


def _pick(
    questions: list[Question], count: int, balance: bool, b2b_first: bool, rng: random.Random
) -> list[Question]:
    shuffled = rng.sample(questions, len(questions))
    if not balance:
        return shuffled[:count]
    b2b = [q for q in shuffled if q.market == "B2B"]
    b2c = [q for q in shuffled if q.market == "B2C"]
    want_b2b = count // 2 + (count % 2 if b2b_first else 0)
    chosen = b2b[:want_b2b] + b2c[: count - want_b2b]
    rest = [q for q in shuffled if q not in chosen]
    return chosen + rest[: count - len(chosen)]
