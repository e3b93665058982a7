"""Each course brings its taxonomy: dimensions and classification categories from course.yaml.

A second course with three dimensions of its own and the categories IN and OUT is loaded and
taken as a learner would, with no change to the code.
"""

import shutil
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import COURSE_TAXONOMY, RESOURCES, SAMPLE_CONTENT
from tests.learning.test_quiz import items, quiz_id, result_of, start
from trainer.authoring.content_files import sync_configured_content
from trainer.content.loader import load_content
from trainer.content.model import ContentError
from trainer.extensions import db
from trainer.learning import catalogue
from trainer.taxonomy import Taxonomy, Term

SECOND_COURSE = RESOURCES / "second-course"


def test_a_term_is_labelled_in_the_interface_language() -> None:
    term = Term("otwarcie", (("pl", "Otwarcie rozmowy"), ("en", "Opening the call")))
    assert (term.label("pl"), term.label("en"), term.label("de")) == (
        "Otwarcie rozmowy", "Opening the call", "Otwarcie rozmowy",
    )  # fmt: skip
    assert Term("x", ()).label("pl") == "x"


def test_taxonomy_goes_to_json_and_back() -> None:
    assert Taxonomy.from_json(COURSE_TAXONOMY.to_json()) == COURSE_TAXONOMY
    assert Taxonomy.from_json(None) == Taxonomy()
    assert COURSE_TAXONOMY.category_keys == ("B2B", "B2C")
    assert COURSE_TAXONOMY.dimension_for_heading("RÓŻNICE  w komunikacji") == "communication"
    assert COURSE_TAXONOMY.dimension_for_heading("Wprowadzenie") is None


@pytest.fixture
def content(tmp_path: Path) -> Path:
    shutil.copytree(SAMPLE_CONTENT, tmp_path / "content")
    return tmp_path / "content"


COURSE_FILE = "lessons/sample/course.yaml"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("  - key: marketing\n", "  - key: decision_process\n", "duplicate key 'decision_process'"),
        ("  - key: marketing\n", "  - key: Marketing Mix\n", "key:"),
        ("    label:\n      pl: Komunikacja\n      en: Communication\n", "", "label: required"),
        ("    lesson: proces-decyzyjny\n", "    lesson: nie-ma\n", "no lesson with slug 'nie-ma'"),
        ("categories:\n", "categories: {}\nold_categories:\n", "must be a list"),
        ("  - key: B2C\n    label:\n      pl: \"B2C: sprzedaż konsumentowi\"\n"
         "      en: \"B2C: selling to a consumer\"\n", "", "at least two categories"),
        ("    lesson: proces-decyzyjny\n", "    lesson: proces-decyzyjny\n    colour: red\n",
         "unknown field"),
    ],
    ids=["duplicate", "bad key", "no label", "no lesson", "not a list", "one category",
         "unknown field"],
)  # fmt: skip
def test_a_bad_taxonomy_is_refused_with_its_line(
    content: Path, old: str, new: str, message: str
) -> None:
    path = content / COURSE_FILE
    path.write_text(path.read_text("utf-8").replace(old, new, 1), "utf-8")
    with pytest.raises(ContentError) as error:
        load_content(content / "lessons", content / "quizzes")
    found = [str(problem) for problem in error.value.problems]
    assert any(p.startswith(f"{COURSE_FILE}:") and message in p for p in found), found


def test_content_outside_the_taxonomy_is_refused(content: Path) -> None:
    bank = content / "quizzes/sample/bank.yaml"
    bank.write_text(bank.read_text("utf-8").replace("market: B2B", "market: IN", 1), "utf-8")
    with pytest.raises(ContentError) as error:
        load_content(content / "lessons", content / "quizzes")
    assert any("market: unknown value 'IN'" in str(p) for p in error.value.problems)


@pytest.fixture
def second(app: Flask) -> Flask:
    """The app with the second course loaded from its own folders."""
    app.config.update(
        LESSONS_DIR=str(SECOND_COURSE / "lessons"), QUIZZES_DIR=str(SECOND_COURSE / "quizzes")
    )
    with app.app_context():
        sync_configured_content()
        db.session.commit()
    return app


def test_a_second_course_with_its_own_taxonomy_is_taken_like_the_first(
    second: Flask, polish_client: FlaskClient, make_user
) -> None:
    make_user("ola@example.com", "learner")
    polish_client.post(
        "/login", data={"email": "ola@example.com", "password": "correct horse battery"}
    )
    with second.app_context():
        course = catalogue.course_by_slug("telefon")
        assert course is not None
        assert course.taxonomy.category_keys == ("IN", "OUT")
        assert course.taxonomy.dimension_keys == ("otwarcie", "potrzeby", "zamkniecie")

    lesson = polish_client.get("/courses/telefon/lessons/potrzeby").text
    assert "Badanie potrzeb" in lesson  # the dimension's label, in Polish

    attempt_id = start(polish_client, quiz_id(second, "egzamin"))
    drawn = items(second, attempt_id)
    assert sorted(question.dimension for _, question, _ in drawn) == [
        "otwarcie", "potrzeby", "zamkniecie",
    ]  # fmt: skip
    assert {question.market for _, question, _ in drawn} == {"IN", "OUT"}
    page = polish_client.get(f"/attempts/{attempt_id}/items/1").text
    assert "Czy to IN czy OUT?" in page and "IN: klient dzwoni sam" in page
    for position, question, _ in drawn:
        base = f"/attempts/{attempt_id}/items/{position}"
        refused = polish_client.post(f"{base}/market", data={"market": "B2B"})
        assert refused.status_code == 400  # not a category of this course
        assert (
            polish_client.post(f"{base}/market", data={"market": question.market}).status_code
            == 302
        )
        option = next(o.id for o in question.options if o.is_correct)
        assert polish_client.post(f"{base}/option", data={"option": option}).status_code == 302
    assert polish_client.post(f"/attempts/{attempt_id}/submit").status_code == 302
    graded = result_of(second, attempt_id)
    assert (graded.percent, graded.passed) == (100.0, True)


def test_the_trainer_sees_the_second_course_in_its_own_terms(
    second: Flask, client: FlaskClient, login_as
) -> None:
    login_as("trainer")
    overview = client.get("/author/").text
    assert "Opening the call" in overview and ">IN<" in overview and ">OUT<" in overview
    editor = client.get("/author/questions/courses/telefon/new/scenario").text
    assert 'value="zamkniecie"' in editor and 'value="OUT"' in editor
    assert 'value="decision_process"' not in editor and 'value="B2B"' not in editor
