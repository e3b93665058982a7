"""The question editor: the bank's rules, errors next to fields, stable option ids."""

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.authoring.test_versions import records, second_trainer
from trainer.extensions import db
from trainer.models import Attempt, AttemptItem, Question, QuestionOption, Quiz


@pytest.fixture
def trainer(synced: Flask, client: FlaskClient, login_as) -> FlaskClient:
    login_as("trainer")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def options(*rows: tuple[str, str]) -> dict[str, str]:
    data = {}
    for index, (text, feedback) in enumerate(rows):
        data[f"options-{index}-text"] = text
        data[f"options-{index}-feedback"] = feedback
    return data


def scenario_form(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "version": 1,
        "key": "mk-b2b-01",
        "dimension": "decision_process",
        "difficulty": "3",
        "market": "B2B",
        "situation": "Dział zakupów sieci hoteli prosi o ofertę na 400 ekspresów.",
        "prompt": "",
        **options(
            ("Przygotuję ofertę z kosztami serwisu.", "Tak, liczy się koszt całkowity."),
            ("Opowiem o aromacie kawy.", "Emocje działają w B2C."),
            ("Dam rabat do jutra.", "Presja czasu nie przekona komisji."),
        ),
        "correct": "1",
        "explanation": "Zakup dla firmy, decyduje dział zakupów: to B2B.",
        "lesson": "proces-decyzyjny#b2b",
        "submit": "Save",
    }
    data.update(changes)
    return data


def get_question(app: Flask, key: str) -> Question:
    with app.app_context():
        question = db.session.execute(db.select(Question).where(Question.key == key)).scalar_one()
        question.options  # noqa: B018 (load before the session closes)
        question.lesson  # noqa: B018
        db.session.expunge_all()
        return question


def question_count(app: Flask) -> int:
    with app.app_context():
        return db.session.query(Question).count()


def errors_of(html: str, field: str) -> str:
    match = re.search(rf'<ul class="errors" id="{field}-errors">(.*?)</ul>', html, re.S)
    assert match, f"no errors shown for {field}"
    return match.group(1)


def test_lists_questions_and_links_to_new_ones(trainer: FlaskClient) -> None:
    html = trainer.get("/author/questions/courses/sample").text
    assert all(key in html for key in ("dp-1", "dp-2", "mc-1", "tf-1"))
    for kind in ("scenario", "multiple_choice", "true_false"):
        assert f'href="/author/questions/courses/sample/new/{kind}"' in html


def test_lesson_select_offers_lessons_and_their_sections(trainer: FlaskClient) -> None:
    html = trainer.get("/author/questions/courses/sample/new/scenario").text
    values = re.findall(r'<option (?:selected )?value="([^"]*)"', html)
    assert {"wstep", "wstep#czym-jest-b2b", "proces-decyzyjny", "proces-decyzyjny#b2b",
            "proces-decyzyjny#b2c", "szkic"} <= set(values)  # fmt: skip
    assert 'name="options-3-text"' in html
    assert 'name="options-4-text"' not in html  # a scenario has at most four options


def test_create_scenario(synced: Flask, trainer: FlaskClient) -> None:
    response = trainer.post("/author/questions/courses/sample/new/scenario", data=scenario_form())
    assert response.status_code == 302
    question = get_question(synced, "mk-b2b-01")
    assert response.location == f"/author/questions/{question.id}"
    assert (question.type, question.market, question.difficulty) == ("scenario", "B2B", 3)
    assert (question.lesson.slug, question.lesson_anchor) == ("proces-decyzyjny", "b2b")
    assert (question.status, question.version, question.prompt) == ("active", 1, "")
    assert [(o.position, o.is_correct) for o in question.options] == [
        (1, True), (2, False), (3, False)
    ]  # fmt: skip
    assert question.options[1].feedback == "Emocje działają w B2C."


def test_create_multiple_choice_and_true_false(synced: Flask, trainer: FlaskClient) -> None:
    response = trainer.post(
        "/author/questions/courses/sample/new/multiple_choice",
        data={
            "key": "mc-2", "difficulty": "1", "prompt": "Co liczy się w B2B?",
            **options(("Styl życia", "Nie."), ("", ""), ("ROI", "Tak.")),
            "correct": "3", "explanation": "ROI.", "lesson": "wstep",
        },
    )  # fmt: skip
    assert response.status_code == 302
    question = get_question(synced, "mc-2")
    assert (question.market, question.dimension, question.lesson_anchor) == (None, None, None)
    assert [(o.text, o.is_correct) for o in question.options] == [
        ("Styl życia", False),
        ("ROI", True),
    ]  # fmt: skip, the blank row is not an option
    response = trainer.post(
        "/author/questions/courses/sample/new/true_false",
        data={
            "key": "tf-2", "difficulty": "2", "prompt": "W B2B decyduje jedna osoba.",
            "answer": "false", "feedback_true": "Nie.", "explanation": "Zespół.",
            "lesson": "proces-decyzyjny#b2b", "dimension": "decision_process",
        },
    )  # fmt: skip
    assert response.status_code == 302
    question = get_question(synced, "tf-2")
    assert [(o.text, o.is_correct, o.feedback) for o in question.options] == [
        ("Prawda", False, "Nie."), ("Fałsz", True, "")
    ]  # fmt: skip


NO_ANCHOR = "proces-decyzyjny#nie-ma"
BAD_QUESTIONS = [
    ("no correct option", "scenario", {"correct": ""}, "correct", "exactly one"),
    ("two correct", "scenario", {"correct": ["1", "2"]}, "correct", "2 are marked"),
    ("correct mark on a blank row", "scenario", {"correct": "4"}, "correct", "0 are marked"),
    ("two options for a scenario", "scenario", options(("A", "a"), ("B", "b")) | {
        "options-2-text": "", "options-2-feedback": ""}, "correct", "Give 3 to 4 options (now: 2)"),
    ("unknown dimension", "scenario", {"dimension": "pricing"}, "dimension", "pricing"),
    ("no dimension for a scenario", "scenario", {"dimension": ""}, "dimension", "required"),
    ("bad anchor", "scenario", {"lesson": NO_ANCHOR}, "lesson", "no section #nie-ma"),
    ("unknown lesson", "scenario", {"lesson": "nie-ma"}, "lesson", "no lesson"),
    ("no lesson", "scenario", {"lesson": ""}, "lesson", "required"),
    ("no market", "scenario", {"market": ""}, "market", "required"),
    ("bad market", "scenario", {"market": "B2G"}, "market", "B2G"),
    ("no situation", "scenario", {"situation": " "}, "situation", "required"),
    ("difficulty 5", "scenario", {"difficulty": "5"}, "difficulty", "from 1 to 3"),
    ("difficulty 0", "scenario", {"difficulty": "0"}, "difficulty", "from 1 to 3"),
    ("long id", "scenario", {"key": "k" * 101}, "key", "at most 100"),
    ("difficulty text", "scenario", {"difficulty": "trudne"}, "difficulty", "whole number"),
    ("bad id", "scenario", {"key": "zły klucz"}, "key", "letters, digits"),
    ("taken id", "scenario", {"key": "dp-2"}, "key", "already has this id"),
    ("no explanation", "scenario", {"explanation": ""}, "explanation", "required"),
    ("option without feedback", "scenario", {"options-1-feedback": ""}, "options-1-feedback",
     "required"),
    ("feedback without option", "scenario", {"options-3-feedback": "Po co?"}, "options-3-text",
     "required"),
    ("plain question without prompt", "multiple_choice", {"prompt": ""}, "prompt", "required"),
    ("true/false without answer", "true_false", {"prompt": "Zdanie."}, "answer", "true or false"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "changes", "field", "message"),
    [case[1:] for case in BAD_QUESTIONS],
    ids=[case[0] for case in BAD_QUESTIONS],
)
def test_bad_question_shows_errors_by_field_and_saves_nothing(
    synced: Flask, trainer: FlaskClient, kind: str, changes: dict, field: str, message: str
) -> None:
    before = question_count(synced)
    data = scenario_form(**changes)
    if kind != "scenario":
        data.pop("market")
    response = trainer.post(f"/author/questions/courses/sample/new/{kind}", data=data)
    assert response.status_code == 200
    assert message in errors_of(response.text, field)
    assert question_count(synced) == before


def test_bad_edit_saves_nothing(synced: Flask, trainer: FlaskClient) -> None:
    question = get_question(synced, "dp-1")
    response = trainer.post(
        f"/author/questions/{question.id}", data=scenario_form(key="dp-1", correct=["1", "3"])
    )
    assert "2 are marked" in errors_of(response.text, "correct")
    after = get_question(synced, "dp-1")
    assert after.version == 1 and after.situation == question.situation
    assert records(synced, "question") == []


def test_edit_keeps_option_ids_by_position(synced: Flask, trainer: FlaskClient) -> None:
    question = get_question(synced, "dp-1")
    ids = [option.id for option in question.options]
    page = trainer.get(f"/author/questions/{question.id}").text
    assert '<input checked id="correct-0" name="correct" type="radio" value="1">' in page
    assert "Przygotuję argumenty dla każdej z trzech osób." in page
    response = trainer.post(
        f"/author/questions/{question.id}",
        data=scenario_form(
            key="dp-1",
            **options(("Nowe A", "fa"), ("Nowe B", "fb"), ("Nowe C", "fc"), ("Nowe D", "fd")),
            correct="2",
        ),
    )
    assert response.status_code == 302
    after = get_question(synced, "dp-1")
    assert [o.id for o in after.options][:3] == ids  # the first three keep their ids
    assert [(o.text, o.is_correct) for o in after.options] == [
        ("Nowe A", False), ("Nowe B", True), ("Nowe C", False), ("Nowe D", False)
    ]  # fmt: skip
    assert after.version == 2 and after.id == question.id
    kept = records(synced, "question")
    assert [o["text"] for o in kept[0].data["options"]] == [o.text for o in question.options]


def test_attempts_keep_their_answers_after_an_edit(
    synced: Flask, trainer: FlaskClient, make_user
) -> None:
    question = get_question(synced, "dp-1")
    learner = make_user("kursant@example.com")
    with synced.app_context():
        quiz = db.session.execute(db.select(Quiz).where(Quiz.slug == "sprawdzian")).scalar_one()
        attempt = Attempt(user_id=learner, quiz_id=quiz.id, status="graded")
        attempt.items = [AttemptItem(question_id=question.id, position=1,
                                     answer={"option": question.options[0].id})]  # fmt: skip
        db.session.add(attempt)
        db.session.commit()
    trainer.post(
        f"/author/questions/{question.id}",
        data=scenario_form(key="dp-1", **options(("X", "x"), ("Y", "y"), ("Z", "z"))),
    )
    with synced.app_context():
        item = db.session.execute(db.select(AttemptItem)).scalar_one()
        assert item.answer["option"] == question.options[0].id
        assert db.session.get(QuestionOption, item.answer["option"]).text == "X"


def test_edit_conflict_on_questions(synced: Flask, trainer: FlaskClient, make_user) -> None:
    question = get_question(synced, "dp-1")
    other = second_trainer(synced, make_user)
    assert other.post(
        f"/author/questions/{question.id}", data=scenario_form(key="dp-1", situation="Ewa pisze.")
    ).status_code == 302  # fmt: skip
    response = trainer.post(
        f"/author/questions/{question.id}", data=scenario_form(key="dp-1", situation="Ja piszę.")
    )
    assert response.status_code == 200
    assert "Someone else saved in the meantime" in response.text
    assert "Ewa pisze." in response.text and "Ja piszę." in response.text
    assert 'name="version" type="hidden" value="2"' in response.text
    assert get_question(synced, "dp-1").situation == "Ewa pisze."
    response = trainer.post(
        f"/author/questions/{question.id}",
        data=scenario_form(key="dp-1", situation="Ja piszę.", version=2),
    )
    assert response.status_code == 302
    assert get_question(synced, "dp-1").situation == "Ja piszę."


def test_retire_and_reactivate(synced: Flask, trainer: FlaskClient) -> None:
    question = get_question(synced, "tf-1")
    assert trainer.post(f"/author/questions/{question.id}/retire").status_code == 302
    assert get_question(synced, "tf-1").status == "retired"
    assert "Make active" in trainer.get("/author/questions/courses/sample").text
    trainer.post(f"/author/questions/{question.id}/unretire")
    after = get_question(synced, "tf-1")
    assert (after.status, after.version) == ("active", 3)


def test_editing_a_retired_question_keeps_it_retired(synced: Flask, trainer: FlaskClient) -> None:
    question = get_question(synced, "dp-1")
    trainer.post(f"/author/questions/{question.id}/retire")
    trainer.post(f"/author/questions/{question.id}", data=scenario_form(key="dp-1", version=2))
    assert get_question(synced, "dp-1").status == "retired"


def test_restore_a_question_version(synced: Flask, trainer: FlaskClient) -> None:
    question = get_question(synced, "tf-1")
    trainer.post(
        f"/author/questions/{question.id}",
        data={"version": 1, "key": "tf-1", "difficulty": "3", "prompt": "Nowe zdanie.",
              "answer": "false", "explanation": "Inaczej.", "lesson": "wstep"},
    )  # fmt: skip
    changed = get_question(synced, "tf-1")
    assert (changed.prompt, changed.options[0].is_correct, changed.difficulty) == (
        "Nowe zdanie.", False, 3
    )  # fmt: skip
    assert trainer.post(f"/author/question/{question.id}/versions/1/restore").status_code == 302
    restored = get_question(synced, "tf-1")
    assert (restored.prompt, restored.version) == (question.prompt, 3)
    assert [(o.id, o.is_correct, o.feedback) for o in restored.options] == [
        (o.id, o.is_correct, o.feedback) for o in question.options
    ]
    assert restored.lesson_anchor == "b2c"


def test_missing_question_and_course_are_404(trainer: FlaskClient) -> None:
    assert trainer.get("/author/questions/999999").status_code == 404
    assert trainer.post("/author/questions/999999/retire").status_code == 404
    assert trainer.get("/author/questions/courses/nope").status_code == 404
    assert trainer.get("/author/questions/courses/sample/new/essay").status_code == 404


def test_new_question_joins_the_quizzes_that_pool_its_dimension(
    synced: Flask, trainer: FlaskClient
) -> None:
    trainer.post("/author/questions/courses/sample/new/scenario", data=scenario_form())
    with synced.app_context():
        pools = {
            quiz.slug: {question.key for question in quiz.questions}
            for quiz in db.session.execute(db.select(Quiz)).scalars()
        }
    assert "mk-b2b-01" in pools["sprawdzian"]
    assert "mk-b2b-01" in pools["egzamin"]
