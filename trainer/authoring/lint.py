"""Item quality before an item reaches a learner: `content lint` and the "Item quality" page.

Pure functions over a loaded `CourseData`; no Flask, no database, no learner data. Per item:

- `key_longest`: the keyed option is longer than every wrong one by more than 10 %
  (`KEY_LONGER`); an error above 30 % (`KEY_MUCH_LONGER`).
- `option_form`: options start in different grammatical forms (`lint_text.option_form`), or
  in a gendered past tense; an error when the keyed option alone differs.
- `wrong_only_word`: a wrong option uses a word or two-word phrase that wrong options of at
  least `WRONG_ONLY_MIN_ITEMS` items use and no keyed option of the bank does.
- `market_giveaway`: the situation's only market cues (`lint_text.GIVEAWAYS`) point at its
  own market.
- `near_duplicate`: two situations' word 2-shingles (`lint_text.shingles`) have a Jaccard
  similarity of at least `NEAR_DUPLICATE`: a copied, lightly reworded situation (two stories
  of the same idea in other words are a reviewer's catch); an error from `NEAR_IDENTICAL`.
- `name_reused`: a person's or firm's name (`lint_text.names`) that an earlier item uses.

Only the errors named above are errors; every other finding is a warning.

Per bank: leave-one-out option-only guessability and market from situation words
(`lint_bayes`), each beside its chance level, the share of items whose key is the longest
option, and the words found only in wrong options. A warning kept on purpose is waived in
course.yaml (`lint: {question-id: {check: reason}}`) and reported apart; errors cannot be
waived.
"""

from collections import Counter
from dataclasses import dataclass, field
from itertools import combinations, pairwise
from typing import Any

from trainer.authoring import lint_text
from trainer.authoring.lint_bayes import Figure, market_from_words, option_guessability
from trainer.content.model import CourseData, QuestionData
from trainer.quiz.types import question_type

ERROR, WARNING = "error", "warning"
CHECKS = (
    "key_longest", "option_form", "wrong_only_word", "market_giveaway", "near_duplicate",
    "name_reused",
)  # fmt: skip
KEY_LONGER = 1.10  # warning: the key this much longer than the longest wrong option
KEY_MUCH_LONGER = 1.30  # error
NEAR_DUPLICATE = 0.20  # warning: Jaccard similarity of the situations' word 2-shingles
NEAR_IDENTICAL = 0.50  # error
WRONG_ONLY_MIN_ITEMS = 10  # a phrase in wrong options of this many items, never in a key
TOP_WRONG_ONLY = 15  # how many such phrases the bank figures list

# English texts of the findings, by code; the page translates the same texts.
MESSAGES = {
    "key_longer": "the keyed option is the longest, {ratio}× the longest wrong one",
    "key_much_longer": "the keyed option is much the longest, {ratio}× the longest wrong one",
    "forms_differ": "options start in different forms: {words}",
    "key_form_alone": "the keyed option alone starts in another form: {words}",
    "gendered": "an option assumes the learner's gender: {words}",
    "wrong_only": "wrong options use words no keyed option in the bank uses: {phrases}",
    "giveaway": "the situation's only market cues point at {market}: {cues}",
    "near_duplicate": "situation {similarity} similar to {other}",
    "near_identical": "situation nearly identical to {other} ({similarity})",
    "name_reused": "{name} also names someone or something in {other}",
}


@dataclass(frozen=True)
class Finding:
    """One check that fired on one item."""

    key: str
    source: str  # path:line of the item
    check: str
    severity: str
    code: str
    params: dict[str, str] = field(default_factory=dict)
    waived: str | None = None  # the reason from course.yaml, when waived

    @property
    def message(self) -> str:
        """The finding in English, as the command line prints it."""
        return MESSAGES[self.code].format(**self.params)

    def line(self) -> str:
        """`path:line: id: check: message`, with the severity or the waiver in front."""
        if self.waived:
            return (
                f"{self.source}: {self.key}: {self.check}: waived: {self.waived} ({self.message})"
            )
        return f"{self.source}: {self.key}: {self.check}: {self.severity}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        """The finding for JSON."""
        path, _, line = self.source.rpartition(":")
        return {
            "id": self.key, "path": path, "line": int(line) if line.isdigit() else None,
            "check": self.check, "severity": self.severity, "code": self.code,
            "message": self.message, "params": self.params, "waived": self.waived,
        }  # fmt: skip


@dataclass
class CourseReport:
    """Everything `content lint` says about one course."""

    slug: str
    items: int
    scenarios: int
    findings: list[Finding]
    guessability: Figure
    market: Figure
    key_longest: Figure
    wrong_only: list[tuple[str, int]]
    unused_waivers: list[tuple[str, str]]

    @property
    def errors(self) -> list[Finding]:
        """Findings that fail the lint."""
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        """Warnings not waived."""
        return [f for f in self.findings if f.severity == WARNING and not f.waived]

    @property
    def waived(self) -> list[Finding]:
        """Warnings waived in course.yaml, with their reasons."""
        return [f for f in self.findings if f.severity == WARNING and f.waived]

    def lines(self) -> list[str]:
        """The human report: findings, waived ones, then the bank figures."""
        out = [f.line() for f in self.errors + self.warnings]
        out += [f.line() for f in self.waived]
        out += [f"{self.slug}: unused waiver: {key}: {check}" for key, check in self.unused_waivers]
        phrases = ", ".join(f"„{phrase}” ({count})" for phrase, count in self.wrong_only)
        out += [
            f"{self.slug}: {self.items} items with options, {self.scenarios} scenarios",
            f"  option-only guessability: {_figure(self.guessability)}",
            f"  market from situation words: {_figure(self.market)}",
            f"  keyed option the longest: {_figure(self.key_longest)}",
            f"  words only in wrong options: {phrases or 'none'}",
            f"  {len(self.errors)} error(s), {len(self.warnings)} warning(s), "
            f"{len(self.waived)} waived",
        ]
        return out

    def as_dict(self) -> dict[str, Any]:
        """The report for JSON."""
        return {
            "course": self.slug,
            "items": self.items,
            "scenarios": self.scenarios,
            "figures": {
                "option_guessability": self.guessability.as_dict(),
                "market_from_words": self.market.as_dict(),
                "key_longest": self.key_longest.as_dict(),
            },
            "wrong_only_words": [{"phrase": p, "items": n} for p, n in self.wrong_only],
            "counts": {
                "errors": len(self.errors),
                "warnings": len(self.warnings),
                "waived": len(self.waived),
            },
            "errors": [f.as_dict() for f in self.errors],
            "warnings": [f.as_dict() for f in self.warnings],
            "waived": [f.as_dict() for f in self.waived],
            "unused_waivers": [{"id": k, "check": c} for k, c in self.unused_waivers],
        }


def _figure(figure: Figure) -> str:
    return f"{figure.rate:.1%} ({figure.hits:g} of {figure.items}), chance {figure.chance:.1%}"


def lint_courses(courses: list[CourseData]) -> list[CourseReport]:
    """A report for each course."""
    return [lint_course(course) for course in courses]


def lint_course(course: CourseData) -> CourseReport:
    """Run every check on `course` and compute its bank figures."""
    items = [
        q for q in course.questions
        if question_type(q.type).authored_options and len(q.options) >= 2
    ]  # fmt: skip
    # Items that classify a situation into a category (the scenarios, in the first course).
    scenarios = [q for q in items if q.situation and q.market]
    wrong_only = wrong_only_phrases(items)
    findings: list[Finding] = []
    for question in items:
        findings += check_key_length(question) + check_forms(question)
        findings += check_wrong_only(question, dict(wrong_only))
    for question in scenarios:
        findings += check_giveaway(question)
    findings += check_near_duplicates(scenarios) + check_names(scenarios)
    findings, unused = _apply_waivers(findings, course.lint)
    order = {question.key: index for index, question in enumerate(course.questions)}
    findings.sort(key=lambda f: (order.get(f.key, 0), CHECKS.index(f.check)))
    keyed = [([o.text for o in q.options], _key_index(q)) for q in items]
    return CourseReport(
        slug=course.slug,
        items=len(items),
        scenarios=len(scenarios),
        findings=findings,
        guessability=option_guessability(keyed),
        market=market_from_words([(q.situation, q.market or "") for q in scenarios]),
        key_longest=_key_longest_share(keyed),
        wrong_only=sorted(wrong_only.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_WRONG_ONLY],
        unused_waivers=unused,
    )


def _key_index(question: QuestionData) -> int:
    return next(i for i, option in enumerate(question.options) if option.correct)


def _key_longest_share(keyed: list[tuple[list[str], int]]) -> Figure:
    hits = 0.0
    for options, key in keyed:
        lengths = [len(text.strip()) for text in options]
        longest = [i for i, n in enumerate(lengths) if n == max(lengths)]
        hits += 1 / len(longest) if key in longest else 0
    chance = sum(1 / len(options) for options, _ in keyed) / len(keyed) if keyed else 0.0
    return Figure(hits, len(keyed), chance)


def _finding(question: QuestionData, check: str, severity: str, code: str, **params: str):
    return Finding(question.key, question.source, check, severity, code, params)


def check_key_length(question: QuestionData) -> list[Finding]:
    """`key_longest`: the keyed option stands out by its length."""
    key = _key_index(question)
    lengths = [len(option.text.strip()) for option in question.options]
    others = max(n for i, n in enumerate(lengths) if i != key)
    ratio = lengths[key] / others if others else float("inf")
    if ratio <= KEY_LONGER:
        return []
    severity, code = (
        (ERROR, "key_much_longer") if ratio > KEY_MUCH_LONGER else (WARNING, "key_longer")
    )
    return [_finding(question, "key_longest", severity, code, ratio=f"{ratio:.2f}")]


def check_forms(question: QuestionData) -> list[Finding]:
    """`option_form`: options in different grammatical forms, or in a gendered past tense."""
    forms = [lint_text.option_form(option.text) for option in question.options]
    firsts = " / ".join(
        (lint_text.WORD.findall(option.text) or ["?"])[0] for option in question.options
    )
    if lint_text.PAST in forms:
        return [_finding(question, "option_form", WARNING, "gendered", words=firsts)]
    if len(set(forms)) == 1:
        return []
    key = _key_index(question)
    wrong = {form for i, form in enumerate(forms) if i != key}
    if len(wrong) == 1 and forms[key] not in wrong:
        return [_finding(question, "option_form", ERROR, "key_form_alone", words=firsts)]
    return [_finding(question, "option_form", WARNING, "forms_differ", words=firsts)]


def _phrases(text: str) -> set[str]:
    tokens = lint_text.words(text)
    return set(tokens) | {" ".join(pair) for pair in pairwise(tokens)}


def wrong_only_phrases(items: list[QuestionData]) -> dict[str, int]:
    """Words and two-word phrases in wrong options of many items and in no keyed option.

    Counted by items: a phrase counts once per item whose wrong options use it. A phrase
    needs `WRONG_ONLY_MIN_ITEMS` items; a two-word phrase made of a listed word is left out.
    """
    in_keys: set[str] = set()
    in_wrong: Counter[str] = Counter()
    for question in items:
        key = _key_index(question)
        in_keys |= _phrases(question.options[key].text)
        wrong: set[str] = set()
        for index, option in enumerate(question.options):
            if index != key:
                wrong |= _phrases(option.text)
        in_wrong.update(wrong)
    found = {
        phrase: count
        for phrase, count in in_wrong.items()
        if count >= WRONG_ONLY_MIN_ITEMS and phrase not in in_keys
    }
    return {
        phrase: count
        for phrase, count in found.items()
        if " " not in phrase or not any(word in found for word in phrase.split())
    }


def check_wrong_only(question: QuestionData, wrong_only: dict[str, int]) -> list[Finding]:
    """`wrong_only_word`: a wrong option of this item uses a bank-wide wrong-only phrase."""
    key = _key_index(question)
    used: set[str] = set()
    for index, option in enumerate(question.options):
        if index != key:
            used |= _phrases(option.text) & wrong_only.keys()
    if not used:
        return []
    listed = sorted(used, key=lambda p: (-wrong_only[p], p))[:3]
    phrases = ", ".join(f"„{p}” ({wrong_only[p]} items)" for p in listed)
    return [_finding(question, "wrong_only_word", WARNING, "wrong_only", phrases=phrases)]


def check_giveaway(question: QuestionData) -> list[Finding]:
    """`market_giveaway`: every market cue of the situation points at its own market."""
    cues = lint_text.giveaways(question.situation)
    own = cues.get(question.market or "", [])
    other = [cue for market, found in cues.items() if market != question.market for cue in found]
    if not own or other:
        return []
    listed = ", ".join(f"„{cue}”" for cue in own)
    return [
        _finding(
            question, "market_giveaway", WARNING, "giveaway", market=question.market or "",
            cues=listed,
        )
    ]  # fmt: skip


def check_near_duplicates(scenarios: list[QuestionData]) -> list[Finding]:
    """`near_duplicate`: two situations sharing many word 2-shingles; reported on the later."""
    shingled = [(q, lint_text.shingles(q.situation)) for q in scenarios]
    findings = []
    for (first, a), (second, b) in combinations(shingled, 2):
        similarity = lint_text.jaccard(a, b)
        if similarity < NEAR_DUPLICATE:
            continue
        severity, code = (
            (ERROR, "near_identical")
            if similarity >= NEAR_IDENTICAL
            else (WARNING, "near_duplicate")
        )
        findings.append(
            _finding(second, "near_duplicate", severity, code, other=first.key,
                     similarity=f"{similarity:.2f}")
        )  # fmt: skip
    return findings


def check_names(scenarios: list[QuestionData]) -> list[Finding]:
    """`name_reused`: a name of this item's situation that an earlier item also uses."""
    seen: list[tuple[str, str]] = []  # (name, item key), in bank order
    findings = []
    for question in scenarios:
        mine = dict.fromkeys(lint_text.names(f"{question.situation} {question.prompt}"))
        reported: dict[str, list[str]] = {}
        for name in mine:
            for other_name, other_key in seen:
                others = reported.get(name, [])
                if other_key in others or not lint_text.same_name(name, other_name):
                    continue
                reported[name] = [*others, other_key]
        for name, others in reported.items():
            findings.append(
                _finding(question, "name_reused", WARNING, "name_reused", name=f"„{name}”",
                         other=", ".join(others))
            )  # fmt: skip
        seen += [(name, question.key) for name in mine]
    return findings


def _apply_waivers(
    findings: list[Finding], waivers: dict[str, dict[str, str]]
) -> tuple[list[Finding], list[tuple[str, str]]]:
    """Mark the warnings that course.yaml waives; list the waivers that waive nothing."""
    used: set[tuple[str, str]] = set()
    out = []
    for finding in findings:
        reason = waivers.get(finding.key, {}).get(finding.check)
        if reason and finding.severity == WARNING:
            used.add((finding.key, finding.check))
            finding = Finding(**{**finding.__dict__, "waived": reason})
        out.append(finding)
    unused = [
        (key, check)
        for key, checks in sorted(waivers.items())
        for check in sorted(checks)
        if (key, check) not in used
    ]
    return out, unused
