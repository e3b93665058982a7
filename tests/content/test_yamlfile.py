"""Content YAML: hostile files (alias bombs, deep nesting, duplicate keys) are refused quickly,
as ordinary content problems with file and line, and a sync of them changes nothing."""

import shutil
import time
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import SAMPLE_CONTENT
from tests.quiz.test_dialogue import dialogue_form
from trainer.authoring.sync import sync_content
from trainer.content.loader import load_content
from trainer.content.model import ContentError
from trainer.content.yamlfile import MAX_DEPTH, YamlError, parse_yaml, quoted
from trainer.extensions import db
from trainer.models import Course, Lesson, Question

# "Billion laughs" on one line: nine levels of nine aliases, 9**9 strings once expanded.
BOMB = "{a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol], " + ", ".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]"
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
) + "}"  # fmt: skip
DEEP = "[" * 5000 + "]" * 5000

LESSON = "lessons/sample/02-proces.md"
BANK = "quizzes/sample/bank.yaml"
COURSE = "lessons/sample/course.yaml"
# (file, line replaced, its hostile replacement, the line the problem is reported on)
HOSTILE = {
    "lesson-bomb": (LESSON, "dimension: decision_process", f"dimension: {BOMB}", 4),
    "lesson-deep": (LESSON, "dimension: decision_process", f"dimension: {DEEP}", 4),
    "lesson-duplicate": (
        LESSON, "dimension: decision_process", "dimension: decision_process\ndimension: x", 5,
    ),
    "quiz-bomb": (BANK, "    market: B2B", f"    market: {BOMB}", 6),
    "quiz-deep": (BANK, "    difficulty: 2", f"    difficulty: {DEEP}", 5),
    "quiz-duplicate": (BANK, "    market: B2B", "    market: B2B\n    market: B2C", 7),
    "course-bomb": (COURSE, "title: Kurs próbny", f"title: {BOMB}", 2),
    "course-deep": (COURSE, "title: Kurs próbny", f"title: {DEEP}", 2),
    "course-duplicate": (COURSE, "title: Kurs próbny", "title: Kurs próbny\ntitle: Inny", 3),
}  # fmt: skip
WORDS = {"bomb": "aliases", "deep": f"more than {MAX_DEPTH} levels", "duplicate": "duplicate key"}


@pytest.fixture
def content(tmp_path: Path) -> Path:
    shutil.copytree(SAMPLE_CONTENT, tmp_path / "content")
    return tmp_path / "content"


def make_hostile(root: Path, case: str) -> None:
    file, old, new, _ = HOSTILE[case]
    path = root / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_file_is_a_quick_content_problem_with_file_and_line(
    content: Path, case: str
) -> None:
    make_hostile(content, case)
    started = time.monotonic()
    with pytest.raises(ContentError) as caught:
        load_content(content / "lessons", content / "quizzes")
    assert time.monotonic() - started < 2
    file, _, _, line = HOSTILE[case]
    found = [str(problem) for problem in caught.value.problems]
    assert any(
        p.startswith(f"{file}:{line}: yaml: ") and WORDS[case.split("-")[1]] in p for p in found
    ), found
    assert all(len(p) < 300 for p in found)


def snapshot(app: Flask) -> list[tuple]:
    with app.app_context():
        return [
            *db.session.execute(db.select(Lesson.slug, Lesson.title, Lesson.dimension)).all(),
            *db.session.execute(db.select(Question.key, Question.market)).all(),
            *db.session.execute(db.select(Course.slug, Course.title)).all(),
        ]


@pytest.mark.parametrize("case", ["lesson-bomb", "quiz-deep", "course-duplicate"])
def test_a_sync_with_a_hostile_file_changes_nothing(app: Flask, content: Path, case: str) -> None:
    with app.app_context():
        sync_content(load_content(content / "lessons", content / "quizzes"))
        db.session.commit()
    before = snapshot(app)
    make_hostile(content, case)
    with app.app_context(), pytest.raises(ContentError):
        sync_content(load_content(content / "lessons", content / "quizzes"))
    assert snapshot(app) == before


@pytest.mark.parametrize(
    ("turns", "line"),
    [(BOMB, 1), (DEEP, 1), ("- id: a\n  id: b\n", 2)],
    ids=["bomb", "deep", "dup"],
)
def test_the_dialogue_editor_refuses_hostile_turns(
    synced: Flask, client: FlaskClient, login_as, turns: str, line: int
) -> None:
    """The one YAML a trainer types in the browser: a dialogue's turns."""
    login_as("trainer")
    started = time.monotonic()
    page = client.post(
        "/author/questions/courses/sample/new/dialogue", data=dialogue_form(turns=turns)
    )
    assert time.monotonic() - started < 2
    assert page.status_code == 200 and f"malformed YAML at line {line}:" in page.text
    with synced.app_context():
        assert (
            db.session.execute(db.select(Question).where(Question.key == "dlg-nowy")).first()
            is None
        )


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("a: &x 1\nb: *x\n", 1, "aliases"),
        ("a: 1\nb: *x\n", 2, "aliases"),
        ("a:\n  b: 1\n  b: 2\n", 3, "duplicate key 'b'"),
        ("a: 1\n<<: {a: 2}\n", 2, "merge keys"),
        ("? [a]\n: 1\n", 1, "single value"),
        ("a: " + "1" * 5000 + "\n", 1, "number longer"),
        ("a: 1" + ":00" * 100_000 + "\n", 1, "number longer"),
        ("".join("  " * depth + f"k{depth}:\n" for depth in range(100)), MAX_DEPTH + 1, "levels"),
        ("".join("  " * depth + "-\n" for depth in range(5000)), MAX_DEPTH + 1, "levels"),
        ("a: " + "[" * 1_000_000, 1, "levels"),
        ("a: " + "{b: " * 5000, 1, "levels"),
    ],
    ids=[
        "anchor", "alias", "duplicate", "merge", "list-key", "long-integer", "sexagesimal",
        "deep-block-mapping", "deep-block-sequence", "deep-flow-sequence", "deep-flow-mapping",
    ],
)  # fmt: skip
def test_parse_yaml_refuses_what_only_an_attack_needs(text: str, line: int, words: str) -> None:
    started = time.monotonic()
    with pytest.raises(YamlError) as caught:
        parse_yaml(text)
    assert time.monotonic() - started < 2
    assert caught.value.line == line
    assert words in str(caught.value) and len(str(caught.value)) < 200


def test_nesting_up_to_the_limit_is_accepted() -> None:
    text = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert parse_yaml(text) is not None
    assert parse_yaml("a:\n  b: [1, {c: 2}]\n") == {"a": {"b": [1, {"c": 2}]}}


def test_every_mapping_knows_the_lines_of_its_keys() -> None:
    document = parse_yaml("a: 1\nb:\n  c: 2\n")
    assert (document.line_of("a"), document.line_of("b"), document["b"].line_of("c")) == (1, 2, 3)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("B2X", "'B2X'"),
        ("x" * 10_000, "'" + "x" * 60 + "…'"),
        (12, "12"),
        (["a"] * 10_000, "a list"),
        ({"a": 1}, "a mapping"),
    ],
)
def test_a_quoted_value_stays_short(value: object, shown: str) -> None:
    assert quoted(value) == shown


def test_a_huge_bad_value_gives_a_short_message(content: Path) -> None:
    path = content / LESSON
    huge = "[" + ", ".join(["pricing"] * 100_000) + "]"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("dimension: decision_process", f"dimension: {huge}"))
    with pytest.raises(ContentError) as caught:
        load_content(content / "lessons", content / "quizzes")
    assert max(len(str(problem)) for problem in caught.value.problems) < 300
