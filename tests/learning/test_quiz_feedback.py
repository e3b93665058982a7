"""Feedback at once in a lesson's check, none before the end in the final exam; button names."""

from flask import Flask
from flask.testing import FlaskClient

from tests.learning.test_quiz import items, quiz_id, start
from trainer.extensions import db
from trainer.models import AttemptItem

JSON = {"Accept": "application/json"}


def answer_first(
    app: Flask, client: FlaskClient, attempt_id: int, right: bool, **post: object
) -> tuple[object, object]:
    """Answer item 1 (rightly or not); the question and the last step's response."""
    position, question, _ = items(app, attempt_id)[0]
    base = f"/attempts/{attempt_id}/items/{position}"
    if question.market:
        market = question.market if right else ("B2C" if question.market == "B2B" else "B2B")
        client.post(f"{base}/market", data={"market": market}, **post)
    option = next(o.id for o in question.options if o.is_correct == right)
    return question, client.post(f"{base}/option", data={"option": option}, **post)


def test_a_check_shows_each_answers_feedback_at_once(
    synced: Flask, client: FlaskClient, login_as
) -> None:
    login_as("learner")
    attempt_id = start(client, quiz_id(synced, "sprawdzian"))
    question, response = answer_first(synced, client, attempt_id, right=False)
    assert response.location == f"/attempts/{attempt_id}/items/1#feedback"
    page = client.get(f"/attempts/{attempt_id}/items/1").text
    assert 'id="feedback"' in page and "Not quite." in page
    assert question.explanation in page
    chosen = next(o for o in question.options if not o.is_correct)
    assert chosen.feedback in page
    assert "Next question" in page and "<form" not in page.split('id="feedback"')[1]


def test_a_check_tells_the_script_where_the_feedback_is(
    synced: Flask, client: FlaskClient, login_as
) -> None:
    login_as("learner")
    attempt_id = start(client, quiz_id(synced, "sprawdzian"))
    _, response = answer_first(synced, client, attempt_id, right=True, headers=JSON)
    assert response.json == {
        "saved": True, "step": "option", "complete": True,
        "next": f"/attempts/{attempt_id}/items/1#feedback",
    }  # fmt: skip
    assert "Right!" in client.get(f"/attempts/{attempt_id}/items/1").text


def test_an_answered_check_item_cannot_be_changed_after_its_feedback(
    synced: Flask, client: FlaskClient, login_as
) -> None:
    login_as("learner")
    attempt_id = start(client, quiz_id(synced, "sprawdzian"))
    question, _ = answer_first(synced, client, attempt_id, right=False)
    right = next(o.id for o in question.options if o.is_correct)
    again = client.post(f"/attempts/{attempt_id}/items/1/option", data={"option": right})
    assert again.status_code == 302
    assert "This question is answered" in client.get(again.location).text
    refused = client.post(
        f"/attempts/{attempt_id}/items/1/option", data={"option": right}, headers=JSON
    )
    assert refused.status_code == 409
    with synced.app_context():
        item = db.session.execute(
            db.select(AttemptItem).where(
                AttemptItem.attempt_id == attempt_id, AttemptItem.position == 1
            )
        ).scalar_one()
        assert item.answer["option"] != right


def test_the_final_exam_keeps_feedback_for_the_end(
    synced: Flask, client: FlaskClient, login_as
) -> None:
    login_as("learner")
    attempt_id = start(client, quiz_id(synced, "egzamin"))
    question, response = answer_first(synced, client, attempt_id, right=False)
    assert response.location == f"/attempts/{attempt_id}/items/2"
    page = client.get(f"/attempts/{attempt_id}/items/1").text
    assert 'id="feedback"' not in page and question.explanation not in page
    right = next(o.id for o in question.options if o.is_correct)  # may still change it
    changed = client.post(f"/attempts/{attempt_id}/items/1/option", data={"option": right})
    assert changed.location == f"/attempts/{attempt_id}/items/2"


def test_buttons_say_what_they_do(synced: Flask, client: FlaskClient, login_as) -> None:
    login_as("learner")
    check = start(client, quiz_id(synced, "sprawdzian"))
    page = client.get(f"/attempts/{check}/items/1").text
    assert "Save and show step 2" in page and "Check the answer" in page
    exam = start(client, quiz_id(synced, "egzamin"))
    total = len(items(synced, exam))
    assert "Save and go to question 2" in client.get(f"/attempts/{exam}/items/1").text
    last = client.get(f"/attempts/{exam}/items/{total}").text
    assert "Save and review your answers" in last


def test_another_learner_sees_no_feedback(
    synced: Flask, client: FlaskClient, login_as, make_user, auth
) -> None:
    login_as("learner")
    attempt_id = start(client, quiz_id(synced, "sprawdzian"))
    answer_first(synced, client, attempt_id, right=True)
    client.post("/logout")
    make_user("other@example.com")
    auth.login("other@example.com")
    assert client.get(f"/attempts/{attempt_id}/items/1").status_code == 404
