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
    `balance_markets`, as many of each category of the classification step (B2B and B2C in
    the first course) as the others, give or take one, taking turns across dimensions, and
    falling back to what the pool holds when it runs short. When the pool holds items with
    mixed signals, at least one of them is drawn.
    """
    balance = bool(rules.get("balance_markets"))
    per_dimension = rules.get("per_dimension")
    categories = sorted({q.market for q in pool if q.market})
    first = rng.randrange(len(categories)) if categories else 0
    if per_dimension:
        groups: dict[str | None, list[Question]] = defaultdict(list)
        for question in pool:
            groups[question.dimension].append(question)
        drawn: list[Question] = []
        for dimension in sorted(groups, key=str):
            drawn += _pick(groups[dimension], per_dimension, balance, categories, first, rng)
            # The category that got one more this time waits its turn next time.
            first = (first + per_dimension % max(len(categories), 1)) % max(len(categories), 1)
    else:
        drawn = _pick(list(pool), items, balance, categories, first, rng)
    drawn = drawn[:items]
    _include_mixed(drawn, pool, rng)
    rng.shuffle(drawn)
    return drawn


def _pick(
    questions: list[Question], count: int, balance: bool, categories: list[str], first: int,
    rng: random.Random,
) -> list[Question]:  # fmt: skip
    """`count` of `questions`; balanced, each category gets its share, from `first` on."""
    shuffled = rng.sample(questions, len(questions))
    if not balance or len(categories) < 2:
        return shuffled[:count]
    share, extra = divmod(count, len(categories))
    chosen: list[Question] = []
    for offset in range(len(categories)):
        index = (first + offset) % len(categories)
        want = share + (1 if offset < extra else 0)
        chosen += [q for q in shuffled if q.market == categories[index]][:want]
    rest = [q for q in shuffled if q not in chosen]
    return chosen + rest[: count - len(chosen)]


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
