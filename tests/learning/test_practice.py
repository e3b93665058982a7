"""Practice: wrong answers come back, right ones move up the boxes, grades never change."""

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient

from tests.learning.test_quiz import answer_all, quiz_id, result_of, start
from trainer.extensions import db
from trainer.models import Attempt, PracticeItem
from trainer.models.types import utcnow


def practice_items(app: Flask) -> list[tuple[str, int]]:
    with app.app_context():
        return [
            (item.question.key, item.box)
            for item in db.session.execute(db.select(PracticeItem)).scalars()
        ]


def failed_check(synced: Flask, client: FlaskClient) -> int:
    attempt_id = start(client, quiz_id(synced, "sprawdzian"))
    answer_all(synced, client, attempt_id, right=False)
    client.post(f"/attempts/{attempt_id}/submit")
    return attempt_id


def answer_practice(app: Flask, client: FlaskClient, right: bool):
    """Answer the practice item due first, all right or all wrong."""
    with app.app_context():
        item = db.session.execute(
            db.select(PracticeItem).order_by(PracticeItem.due_at, PracticeItem.id)
        ).scalars().first()  # fmt: skip
        question = item.question
        data = {"option": next(o.id for o in question.options if o.is_correct == right)}
        if question.type == "scenario":
            other = "B2C" if question.market == "B2B" else "B2B"
            data["market"] = question.market if right else other
        item_id = item.id
    return client.post(f"/practice/{item_id}", data=data), item_id


def test_wrong_answers_enter_the_queue(synced: Flask, client: FlaskClient, login_as) -> None:
    login_as("learner")
    failed_check(synced, client)
    assert sorted(practice_items(synced)) == [("dp-1", 1), ("dp-2", 1)]
    page = client.get("/practice/").text
    assert 'name="market"' in page and 'name="option"' in page


def test_the_dashboard_counts_what_is_due_now_apart_from_the_queue(
    synced: Flask, client: FlaskClient, login_as
) -> None:
    login_as("learner")
    failed_check(synced, client)
    english = {"Accept-Language": "en"}
    assert "practise now: 2 (in your queue: 2)" in client.get("/", headers=english).text
    with synced.app_context():
        later = db.session.execute(db.select(PracticeItem)).scalars().first()
        later.due_at = utcnow() + timedelta(hours=1)
        db.session.commit()
    assert "practise now: 1 (in your queue: 2)" in client.get("/", headers=english).text


def test_right_answer_moves_up_and_wrong_goes_back(
    synced: Flask, client: FlaskClient, login_as
) -> None:
    login_as("learner")
    attempt_id = failed_check(synced, client)
    before = result_of(synced, attempt_id)
    response, item_id = answer_practice(synced, client, right=True)
    assert response.status_code == 200
    with synced.app_context():
        item = db.session.get(PracticeItem, item_id)
        assert item.box == 2 and item.reviews == 1
        item.due_at -= timedelta(days=2)
        db.session.commit()
    answer_practice(synced, client, right=False)
    with synced.app_context():
        assert db.session.get(PracticeItem, item_id).box == 1
        after = db.session.get(Attempt, attempt_id)
        assert (after.score, after.percent, after.passed) == (
            before.score, before.percent, before.passed,
        )  # fmt: skip


def test_mastered_question_leaves_the_queue(synced: Flask, client: FlaskClient, login_as) -> None:
    login_as("learner")
    failed_check(synced, client)
    with synced.app_context():
        for item in db.session.execute(db.select(PracticeItem)).scalars():
            item.box = 5
        db.session.commit()
    response, _ = answer_practice(synced, client, right=True)
    assert response.status_code == 200
    assert len(practice_items(synced)) == 1


def test_bad_practice_answers(synced: Flask, client: FlaskClient, login_as, make_user, auth):
    login_as("learner")
    failed_check(synced, client)
    with synced.app_context():
        item_id = db.session.execute(db.select(PracticeItem.id)).scalars().first()
    assert client.post(f"/practice/{item_id}", data={"option": 999999}).status_code == 400
    assert client.post("/practice/999999", data={}).status_code == 404
    make_user("other@example.com")
    auth.logout()
    auth.login("other@example.com")
    assert client.post(f"/practice/{item_id}", data={"option": 1}).status_code == 404
    assert "Nothing to practise" in client.get("/practice/", headers={"Accept-Language": "en"}).text
