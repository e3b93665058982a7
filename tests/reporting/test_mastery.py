"""Charts: a learner's mastery per dimension, the department × dimension heat map, and each
quiz's spread of best scores, on the hand-computed data of the item analysis tests."""

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import PASSWORD
from tests.reporting.test_item_analysis import HAND_DATA, hand_data, learner, make_attempt, quiz
from trainer.extensions import db
from trainer.learning import catalogue
from trainer.models import User
from trainer.reporting.mastery import (
    Share,
    department_mastery,
    learner_mastery,
    score_distribution,
)

__all__ = ["hand_data"]  # the fixture, shared with the item analysis tests

# dp-1 (decision process, 2 points) in HAND_DATA earns 2, 2, 2, 1, 1, 1, 0, 0; mc-1 and tf-1
# have no dimension. "other" scored 0 of 2 on dp-1 in the course's other quiz.


def user_id(email: str) -> int:
    return db.session.execute(db.select(User.id).where(User.email == email)).scalar_one()


def test_a_learners_share_per_dimension_in_the_courses_order(hand_data: Flask) -> None:
    with hand_data.app_context():
        course = catalogue.course_by_slug("sample")
        shares = learner_mastery(user_id("a4@example.com"), course)
        assert list(shares) == list(course.taxonomy.dimension_keys)
        assert shares["decision_process"] == Share(1, 2)
        assert shares["decision_process"].value == 0.5
        assert shares["relationships"] == Share(0, 0) and shares["relationships"].value is None
        # An unfinished attempt counts for nothing.
        assert (
            learner_mastery(user_id("open@example.com"), course)["decision_process"].possible == 0
        )


def test_departments_by_dimension_count_active_learners_only(hand_data: Flask) -> None:
    with hand_data.app_context():
        for number in range(1, 5):
            db.session.get(User, user_id(f"a{number}@example.com")).department = "Sprzedaż"
        db.session.commit()
        course = catalogue.course_by_slug("sample")
        departments, cells = department_mastery(course)
        assert departments == ["", "Sprzedaż"]
        assert cells[("Sprzedaż", "decision_process")] == Share(7, 8)
        assert cells[("", "decision_process")] == Share(2, 10)  # a5–a8 and "other"
        db.session.get(User, user_id("a1@example.com")).active = False
        db.session.commit()
        assert department_mastery(course)[1][("Sprzedaż", "decision_process")] == Share(5, 6)


def test_best_scores_per_learner_in_tenths(hand_data: Flask) -> None:
    with hand_data.app_context():
        # Best percents: 100, 75, 66.7, 50, 33.3, 25, 0, 0.
        assert score_distribution(quiz("egzamin")) == [2, 0, 1, 1, 0, 1, 1, 1, 0, 1]
        make_attempt(user_id("a8@example.com"), "egzamin", HAND_DATA[0])  # a8 retakes: 100%
        db.session.commit()
        assert score_distribution(quiz("egzamin")) == [1, 0, 1, 1, 0, 1, 1, 1, 0, 2]


def test_the_learners_mastery_page(hand_data: Flask, auth) -> None:
    with hand_data.app_context():
        a1 = db.session.get(User, user_id("a1@example.com"))
        a1.set_password(PASSWORD)
        a1.language = "pl"
        db.session.get(User, learner("nowy@example.com")).set_password(PASSWORD)
        db.session.commit()
    client = auth.client
    assert client.get("/courses/sample/mastery").status_code == 302  # sign in first
    auth.login("a1@example.com")
    page = client.get("/courses/sample/mastery")
    assert page.status_code == 200
    assert '<svg class="chart-svg"' in page.text and 'aria-hidden="true"' in page.text
    assert "<td>2 / 2</td><td>100%</td>" in page.text
    assert "Proces decyzyjny" in page.text  # the course's own label, in the user's language
    assert 'href="/courses/sample/mastery"' in client.get("/courses/sample").text
    assert client.get("/courses/no-such-course/mastery").status_code == 404
    auth.logout()
    auth.login("nowy@example.com")
    assert "Nothing graded yet" in client.get("/courses/sample/mastery").text
    assert "Nothing graded yet" not in page.text


def test_the_charts_page_for_trainers_and_hr(
    hand_data: Flask, client: FlaskClient, login_as
) -> None:
    login_as("learner")
    assert client.get("/author/analysis/courses/sample/charts").status_code == 403
    client.post("/logout")
    for role in ("trainer", "hr"):
        login_as(role)
        page = client.get("/author/analysis/courses/sample/charts")
        assert page.status_code == 200, role
        assert "Mastery by department and dimension" in page.text
        assert '<th scope="row">90–100%</th><td>1</td>' in page.text  # a1's best on the exam
        assert client.get("/author/analysis/courses/nothing/charts").status_code == 404
        if role == "hr":
            assert 'href="/author/analysis/courses/sample/charts"' in client.get("/hr/").text
        client.post("/logout")
