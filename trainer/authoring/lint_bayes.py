"""How far a bank can be answered without judgement: two leave-one-out word classifiers.

Both are multinomial naive Bayes with Laplace (add-one) smoothing over lowercased words,
trained on every item but the one being predicted:

- **option-only guessability**: two classes, keyed option and wrong option, trained on the
  options' words alone (the situation is never shown). For the held-out item it picks the
  option with the highest log-odds of being keyed; a tie of k options scores 1/k if the key is
  among them. Chance is the mean of 1/(number of options).
- **market from situation words**: two classes, B2B and B2C, trained on the situations'
  words, with the class priors of the training items. Chance is the share of the larger
  market: what always answering it would score.

No Flask, no database, no learner data.
"""

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from trainer.authoring.lint_text import words


@dataclass(frozen=True)
class Figure:
    """A classifier's score on a bank: hits out of items, beside the chance level."""

    hits: float
    items: int
    chance: float

    @property
    def rate(self) -> float:
        """The share of items the classifier got right (0 for an empty bank)."""
        return self.hits / self.items if self.items else 0.0

    def as_dict(self) -> dict[str, float | int]:
        """The figure for JSON: rates as fractions rounded to four places."""
        return {
            "hits": round(self.hits, 2),
            "items": self.items,
            "rate": round(self.rate, 4),
            "chance": round(self.chance, 4),
        }


class _Counts:
    """Word counts per class, from which one item's own counts can be taken away."""

    def __init__(self) -> None:
        self.words: dict[str, Counter[str]] = {}
        self.docs: Counter[str] = Counter()

    def add(self, label: str, tokens: Sequence[str], sign: int = 1) -> None:
        counter = self.words.setdefault(label, Counter())
        for token in tokens:
            counter[token] += sign
        self.docs[label] += sign

    def log_likelihood(self, label: str, tokens: Sequence[str], vocabulary: set[str]) -> float:
        counter = self.words.get(label, Counter())
        total = sum(counter.values())
        size = len(vocabulary)
        return sum(
            math.log((counter[token] + 1) / (total + size))
            for token in tokens
            if token in vocabulary
        )

    def vocabulary(self) -> set[str]:
        return {token for counter in self.words.values() for token, n in counter.items() if n > 0}


def option_guessability(items: Sequence[tuple[Sequence[str], int]]) -> Figure:
    """Leave-one-out option-only guessing: `items` are (option texts, index of the key)."""
    tokenised = [([words(text) for text in options], key) for options, key in items]
    counts = _Counts()
    for options, key in tokenised:
        for index, tokens in enumerate(options):
            counts.add("key" if index == key else "wrong", tokens)
    hits = 0.0
    for options, key in tokenised:
        for index, tokens in enumerate(options):
            counts.add("key" if index == key else "wrong", tokens, -1)
        vocabulary = counts.vocabulary()
        scores = [
            counts.log_likelihood("key", tokens, vocabulary)
            - counts.log_likelihood("wrong", tokens, vocabulary)
            for tokens in options
        ]
        best = max(scores)
        tied = [i for i, score in enumerate(scores) if math.isclose(score, best, abs_tol=1e-9)]
        if key in tied:
            hits += 1 / len(tied)
        for index, tokens in enumerate(options):
            counts.add("key" if index == key else "wrong", tokens)
    chance = sum(1 / len(options) for options, _ in items) / len(items) if items else 0.0
    return Figure(hits, len(items), chance)


def market_from_words(items: Sequence[tuple[str, str]]) -> Figure:
    """Leave-one-out market prediction from the situation: `items` are (situation, market)."""
    tokenised = [(words(text), market) for text, market in items]
    labels = sorted({market for _, market in items})
    counts = _Counts()
    for tokens, market in tokenised:
        counts.add(market, tokens)
    hits = 0.0
    for tokens, market in tokenised:
        counts.add(market, tokens, -1)
        vocabulary = counts.vocabulary()
        documents = sum(counts.docs.values())
        scores = [
            math.log((counts.docs[label] + 1) / (documents + len(labels)))
            + counts.log_likelihood(label, tokens, vocabulary)
            for label in labels
        ]
        best = max(scores)
        tied = [label for label, score in zip(labels, scores, strict=True) if score == best]
        if market in tied:
            hits += 1 / len(tied)
        counts.add(market, tokens)
    shares = Counter(market for _, market in items)
    chance = max(shares.values()) / len(items) if items else 0.0
    return Figure(hits, len(items), chance)
