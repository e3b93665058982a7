"""Question types as plug-ins: each module holds its type, and nothing else names one.

The unit tests here need no database: a type reads plain values and plain stand-ins of rows.
"""

import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import COURSE_TAXONOMY
from trainer.content.fields import Fields
from trainer.content.model import Problem
from trainer.content.yamlfile import parse_yaml
from trainer.quiz.types import TYPES, Grade, InvalidAnswer, question_type

PACKAGE = Path(__file__).resolve().parents[2] / "trainer"
TYPE_HOMES = (PACKAGE / "quiz" / "types", PACKAGE / "templates" / "quiz" / "types")
SKIPPED = ("migrations", "translations")


def test_no_code_outside_the_type_modules_names_a_type() -> None:
    """Adding a type means adding its module; no other file branches on a type's name."""
    named = re.compile("[\"'](" + "|".join(map(re.escape, TYPES)) + ")[\"']")
    found = [
        f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}"
        for path in sorted(PACKAGE.rglob("*"))
        if path.suffix in (".py", ".html")
        and not any(path.is_relative_to(home) for home in TYPE_HOMES)
        and not any(part in SKIPPED for part in path.parts)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if named.search(line)
    ]
    assert found == []


def test_every_type_is_complete() -> None:
    for name, kind in TYPES.items():
        assert kind.name == name and kind.steps and kind.yaml_keys
        assert (PACKAGE / "templates" / kind.template).exists(), kind.template


@dataclass
class Option:
    id: int
    text: str
    is_correct: bool = False


@dataclass
class Row:
    """A plain stand-in of a question row."""

    key: str = "q-1"
    market: str | None = "B2B"
    options: list[Option] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


def three_options() -> list[Option]:
    return [Option(11, "A"), Option(12, "B", True), Option(13, "C")]


@pytest.mark.parametrize(
    ("answer", "points", "result"),
    [
        ({"market": "B2B", "option": 12}, 2, {"market": True, "option": True}),
        ({"market": "B2C", "option": 12}, 1, {"market": False, "option": True}),
        ({"market": "B2B", "option": 13}, 1, {"market": True, "option": False}),
        ({}, 0, {"market": False, "option": False}),
    ],
)
def test_scenario_grades_each_step(answer: dict, points: int, result: dict) -> None:
    grade = question_type("scenario").grade(Row(options=three_options()), answer)
    assert grade == Grade(points, 2, result)
    assert grade.full == (points == 2)


def test_scenario_accepts_only_the_course_categories_and_its_own_options() -> None:
    kind, row = question_type("scenario"), Row(options=three_options())
    answer = kind.accept(row, {}, "market", "B2C", COURSE_TAXONOMY)
    answer = kind.accept(row, answer, "option", "13", COURSE_TAXONOMY)
    assert answer == {"market": "B2C", "option": 13}
    assert kind.is_complete(row, answer) and not kind.is_complete(row, {"market": "B2C"})
    for step, value in (("market", "IN"), ("option", "99"), ("option", "x"), ("nope", "1")):
        with pytest.raises(InvalidAnswer):
            kind.accept(row, answer, step, value, COURSE_TAXONOMY)


@pytest.mark.parametrize("name", ["multiple_choice", "true_false"])
def test_choice_types_grade_one_step(name: str) -> None:
    kind, row = question_type(name), Row(market=None, options=three_options()[:2])
    assert kind.grade(row, {"option": 12}) == Grade(1, 1, {"option": True})
    assert kind.grade(row, {"option": 11}) == Grade(0, 1, {"option": False})
    with pytest.raises(InvalidAnswer):
        kind.accept(row, {}, "market", "B2B", COURSE_TAXONOMY)


def test_true_false_keeps_its_order_and_others_shuffle() -> None:
    row = Row(options=[Option(n, str(n)) for n in range(1, 7)])
    assert question_type("true_false").option_order(row, random.Random(1)) == [1, 2, 3, 4, 5, 6]
    orders = {
        tuple(question_type("scenario").option_order(row, random.Random(s))) for s in range(5)
    }
    assert len(orders) > 1


def parse(text: str, name: str) -> tuple[dict[str, Any], list[Problem]]:
    problems: list[Problem] = []
    values = question_type(name).parse(
        Fields("t.yaml", parse_yaml(text), problems), COURSE_TAXONOMY
    )
    return values, problems


GOOD_OPTIONS = (
    "options:\n  - {text: A, feedback: a}\n  - {text: B, correct: true, feedback: b}\n"
    "  - {text: C, feedback: c}\n"
)


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("scenario", "market: B2B\nsituation: S\n" + GOOD_OPTIONS, None),
        ("scenario", "market: IN\nsituation: S\n" + GOOD_OPTIONS, "market: unknown value"),
        ("scenario", "market: B2B\n" + GOOD_OPTIONS, "situation: required"),
        ("scenario", "market: B2B\nsituation: S\noptions:\n  - {text: A, correct: true}\n",
         "needs 3 to 4 options"),
        ("multiple_choice", "prompt: P\noptions:\n  - {text: A, correct: true}\n  - {text: B}\n",
         None),
        ("multiple_choice", "prompt: P\noptions:\n  - {text: A}\n  - {text: B}\n",
         "exactly one correct option, has 0"),
        ("true_false", "prompt: P\nanswer: true\n", None),
        ("true_false", "prompt: P\nanswer: maybe\n", "answer:"),
    ],
)  # fmt: skip
def test_each_type_validates_its_fields(name: str, text: str, message: str | None) -> None:
    _, problems = parse(text, name)
    if message is None:
        assert problems == []
    else:
        assert any(message in str(problem) for problem in problems), problems


def test_xapi_names_options_by_position() -> None:
    row = Row(options=three_options())
    interaction, response = question_type("scenario").xapi(
        row, {"market": "B2C", "option": 13}, COURSE_TAXONOMY
    )
    assert interaction["correctResponsesPattern"] == ["B2B[,]option-2"]
    assert [key for key, _ in interaction["choices"]] == [
        "B2B", "B2C", "option-1", "option-2", "option-3",
    ]  # fmt: skip
    assert response == "B2C[,]option-3"


@pytest.mark.parametrize(
    ("truth", "chosen", "pattern", "response"),
    [(True, 21, "true", "true"), (True, 22, "true", "false"), (False, 22, "false", "false"),
     (False, 21, "false", "true")],
)  # fmt: skip
def test_true_false_is_xapis_own_true_false_interaction(
    truth: bool, chosen: int, pattern: str, response: str
) -> None:
    row = Row(options=[Option(21, "Prawda", truth), Option(22, "Fałsz", not truth)])
    interaction, answered = question_type("true_false").xapi(
        row, {"option": chosen}, COURSE_TAXONOMY
    )
    assert interaction == {"interactionType": "true-false", "correctResponsesPattern": [pattern]}
    assert answered == response


def test_a_simulated_learner_answers_every_step() -> None:
    row = Row(options=three_options())
    for name in TYPES:
        answer = question_type(name).simulate(
            row, random.Random(2), lambda step: True, COURSE_TAXONOMY, 0.5
        )
        assert question_type(name).grade(row, answer).full, name
