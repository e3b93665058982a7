"""Taking quizzes through the web: drawing, two steps, secrecy, grading once, policy."""

import re
import threading
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import PASSWORD
from trainer.extensions import db
from trainer.learning import attempts
from trainer.models import Attempt, AttemptItem, CourseCompletion, PracticeItem, Question, Quiz
from trainer.quiz.types import question_type


def quiz_id(app: Flask, slug: str) -> int:
    with app.app_context():
        return db.session.execute(db.select(Quiz.id).where(Quiz.slug == slug)).scalar_one()


def start(client: FlaskClient, quiz: int) -> int:
    response = client.post(f"/quizzes/{quiz}/start")
    assert response.status_code == 302, response.text
    return int(re.search(r"/attempts/(\d+)/", response.location).group(1))


def items(app: Flask, attempt_id: int) -> list[tuple[int, Question, list[int]]]:
    """(position, question, option order) of each drawn item."""
    with app.app_context():
        rows = db.session.execute(
            db.select(AttemptItem).where(AttemptItem.attempt_id == attempt_id)
            .order_by(AttemptItem.position)
        ).scalars().all()  # fmt: skip
        result = [(row.position, row.question, list(row.option_order)) for row in rows]
        for _, question, _ in result:
            question.options  # noqa: B018 (load before the session closes)
            db.session.expunge(question)
        return result


def answer_all(app: Flask, client: FlaskClient, attempt_id: int, right: bool = True) -> None:
    for position, question, _ in items(app, attempt_id):
        base = f"/attempts/{attempt_id}/items/{position}"
        if question.type == "scenario":
            market = question.market if right else ("B2C" if question.market == "B2B" else "B2B")
            assert client.post(f"{base}/market", data={"market": market}).status_code == 302
        option = next(o.id for o in question.options if o.is_correct == right)
        assert client.post(f"{base}/option", data={"option": option}).status_code == 302


def result_of(app: Flask, attempt_id: int) -> Attempt:
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        db.session.expunge(attempt)
        return attempt


@pytest.fixture
def learner(synced: Flask, login_as) -> int:
    return login_as("learner")


def test_start_draws_balanced_items_and_resume_returns_the_same(
    synced: Flask, client: FlaskClient, learner: int
) -> None:
    check = quiz_id(synced, "sprawdzian")
    attempt_id = start(client, check)
    drawn = items(synced, attempt_id)
    assert sorted(q.market for _, q, _ in drawn) == ["B2B", "B2C"]
    assert start(client, check) == attempt_id  # resume, not a second attempt
    assert [q.key for _, q, _ in items(synced, attempt_id)] == [q.key for _, q, _ in drawn]
    with synced.app_context():
        assert db.session.query(Attempt).count() == 1


def test_nothing_reveals_the_answer_before_submission(
    synced: Flask, client: FlaskClient, learner: int
) -> None:
    attempt_id = start(client, quiz_id(synced, "egzamin"))
    secrets: list[str] = []
    pages: list[str] = []
    for position, question, _ in items(synced, attempt_id):
        secrets += [question.explanation, *(o.feedback for o in question.options)]
        base = f"/attempts/{attempt_id}/items/{position}"
        pages.append(client.get(base).text)
        if question.type == "scenario":
            pages.append(client.post(f"{base}/market", data={"market": "B2B"},
                                     headers={"Accept": "application/json"}).text)  # fmt: skip
            pages.append(client.get(base).text)
        pages.append(client.post(f"{base}/option", data={"option": question.options[0].id},
                                 headers={"Accept": "application/json"}).text)  # fmt: skip
    pages.append(client.get(f"/attempts/{attempt_id}").text)
    for page in pages:
        assert "correct" not in page.lower().replace("incorrect", "")
        for secret in secrets:
            assert secret not in page


def test_two_steps_then_result_page(synced: Flask, client: FlaskClient, learner: int) -> None:
    attempt_id = start(client, quiz_id(synced, "sprawdzian"))
    first = client.get(f"/attempts/{attempt_id}/items/1").text
    assert 'id="step-2"' in first and "hidden" in first.split('id="step-2"')[1].split(">")[0]
    answer_all(synced, client, attempt_id)
    response = client.post(f"/attempts/{attempt_id}/submit")
    assert response.location == f"/attempts/{attempt_id}/result"
    attempt = result_of(synced, attempt_id)
    assert (attempt.score, attempt.max_score, attempt.percent, attempt.passed) == (4, 4, 100, True)
    page = client.get(f"/attempts/{attempt_id}/result").text
    assert "Kilku decydentów to sygnał B2B." in page or "Jedna osoba i emocje" in page
    assert "/courses/sample/lessons/proces-decyzyjny#b2" in page
    assert "Tak, decyduje zespół." in page  # per-option feedback


def test_the_navigation_tells_screen_readers_which_items_are_answered(
    synced: Flask, client: FlaskClient, learner: int
) -> None:
    attempt_id = start(client, quiz_id(synced, "egzamin"))
    drawn = len(items(synced, attempt_id))
    page = f"/attempts/{attempt_id}/items/1"

    def labelled(label: str, language: str) -> int:
        html = client.get(page, headers={"Accept-Language": language}).text
        return html.count(f'<span class="visually-hidden"> {label}</span>')

    assert labelled("not answered", "en") == drawn
    assert labelled("bez odpowiedzi", "pl") == drawn
    answer_all(synced, client, attempt_id)
    assert labelled("answered", "en") == drawn
    assert labelled("odpowiedziano", "pl") == drawn


def test_wrong_answers_score_zero_and_fail(synced: Flask, client: FlaskClient, learner) -> None:
    attempt_id = start(client, quiz_id(synced, "sprawdzian"))
    answer_all(synced, client, attempt_id, right=False)
    client.post(f"/attempts/{attempt_id}/submit")
    attempt = result_of(synced, attempt_id)
    assert (attempt.score, attempt.passed) == (0, False)


def test_half_right_scenario_gets_one_point(synced: Flask, client: FlaskClient, learner) -> None:
    attempt_id = start(client, quiz_id(synced, "sprawdzian"))
    for position, question, _ in items(synced, attempt_id):
        base = f"/attempts/{attempt_id}/items/{position}"
        client.post(f"{base}/market", data={"market": question.market})
        wrong = next(o.id for o in question.options if not o.is_correct)
        client.post(f"{base}/option", data={"option": wrong})
    client.post(f"/attempts/{attempt_id}/submit")
    assert result_of(synced, attempt_id).score == 2


def test_forged_option_is_rejected_and_nothing_saved(
    synced: Flask, client: FlaskClient, learner: int
) -> None:
    attempt_id = start(client, quiz_id(synced, "sprawdzian"))
    with synced.app_context():
        foreign = (
            db.session.execute(db.select(Question).where(Question.key == "mc-1"))
            .scalar_one()
            .options[0]
            .id
        )
    base = f"/attempts/{attempt_id}/items/1"
    for data in ({"option": foreign}, {"option": "abc"}, {}):
        assert client.post(f"{base}/option", data=data).status_code == 400
    assert client.post(f"{base}/market", data={"market": "B2X"}).status_code == 400
    with synced.app_context():
        item = (
            db.session.execute(db.select(AttemptItem).where(AttemptItem.attempt_id == attempt_id))
            .scalars()
            .first()
        )
        assert item.answer == {}


@pytest.mark.parametrize("path", ["/attempts/{id}", "/attempts/{id}/items/1",
                                  "/attempts/{id}/result"])  # fmt: skip
def test_someone_elses_attempt_is_not_found(
    synced: Flask, client: FlaskClient, make_user, auth, path: str
) -> None:
    make_user("owner@example.com")
    make_user("other@example.com")
    auth.login("owner@example.com")
    attempt_id = start(client, quiz_id(synced, "sprawdzian"))
    auth.logout()
    auth.login("other@example.com")
    assert client.get(path.format(id=attempt_id)).status_code == 404
    assert client.post(f"/attempts/{attempt_id}/submit").status_code == 404
    assert client.post(f"/attempts/{attempt_id}/items/1/market",
                       data={"market": "B2B"}).status_code == 404  # fmt: skip


def test_missing_item_and_quiz_are_404(synced: Flask, client: FlaskClient, learner) -> None:
    attempt_id = start(client, quiz_id(synced, "sprawdzian"))
    assert client.get(f"/attempts/{attempt_id}/items/99").status_code == 404
    assert (
        client.post(f"/attempts/{attempt_id}/items/99/market", data={"market": "B2B"}).status_code
        == 404
    )
    assert client.post(f"/attempts/{attempt_id}/items/1/no-such-step", data={}).status_code == 404
    assert client.get("/quizzes/999999").status_code == 404


def test_double_submit_grades_once(synced: Flask, client: FlaskClient, learner: int) -> None:
    attempt_id = start(client, quiz_id(synced, "sprawdzian"))
    answer_all(synced, client, attempt_id)
    client.post(f"/attempts/{attempt_id}/submit")
    first = result_of(synced, attempt_id)
    client.post(f"/attempts/{attempt_id}/items/1/market", data={"market": "B2C"})
    second = client.post(f"/attempts/{attempt_id}/submit")
    assert second.location == f"/attempts/{attempt_id}/result"
    again = result_of(synced, attempt_id)
    assert (again.score, again.submitted_at) == (first.score, first.submitted_at)


def test_a_started_attempt_rolls_back_with_the_rest_of_its_transaction(
    synced: Flask, make_user
) -> None:
    """The savepoint that guards a concurrent start stays inside the transaction: on SQLite
    its release used to commit the new attempt on its own, before its xAPI statement."""
    learner = make_user()
    quiz = quiz_id(synced, "sprawdzian")
    with synced.app_context():
        attempts.start_attempt(learner, db.session.get(Quiz, quiz))
        db.session.rollback()
        assert db.session.execute(db.select(db.func.count(Attempt.id))).scalar() == 0


def test_concurrent_submits_grade_once(synced: Flask, client: FlaskClient, learner: int) -> None:
    attempt_id = start(client, quiz_id(synced, "sprawdzian"))
    answer_all(synced, client, attempt_id)
    barrier = threading.Barrier(2)
    claimed: list[int] = []

    def submit() -> None:
        with synced.app_context():
            attempt = db.session.get(Attempt, attempt_id)
            barrier.wait()
            before = attempt.submitted_at
            attempts.submit(attempt)
            db.session.commit()
            if before is None and attempt.score is not None:
                claimed.append(1)
            db.session.remove()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    attempt = result_of(synced, attempt_id)
    assert attempt.status == "graded" and attempt.score == 4
    with synced.app_context():
        assert db.session.query(PracticeItem).count() == 0


def _wrong_option(item: AttemptItem) -> str:
    return str(next(o.id for o in item.question.options if not o.is_correct))


def test_a_save_that_read_the_attempt_before_a_submit_is_refused(
    synced: Flask, client: FlaskClient, learner: int
) -> None:
    attempt_id = start(client, quiz_id(synced, "egzamin"))
    answer_all(synced, client, attempt_id)
    with synced.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        item = attempt.items[0]
        item_id, before = item.id, dict(item.answer)
        with synced.app_context():  # another request submits in between
            attempts.submit(db.session.get(Attempt, attempt_id))
            db.session.commit()
        with pytest.raises(attempts.AttemptRefused, match="already_submitted"):
            attempts.save_answer(attempt, item, "option", _wrong_option(item))
        db.session.commit()
    with synced.app_context():
        stored = db.session.get(AttemptItem, item_id)
        assert stored.answer == before and stored.points == stored.max_points


def test_saves_racing_a_submit_never_change_a_graded_answer(
    synced: Flask, client: FlaskClient, learner: int
) -> None:
    attempt_id = start(client, quiz_id(synced, "egzamin"))
    answer_all(synced, client, attempt_id)
    positions = [position for position, _, _ in items(synced, attempt_id)]
    savers = 7
    barrier = threading.Barrier(savers + 1)
    outcomes: list[str] = []

    def save(position: int) -> None:
        with synced.app_context():
            attempt = db.session.get(Attempt, attempt_id)
            item = attempt.items[position - 1]
            barrier.wait()
            try:
                attempts.save_answer(attempt, item, "option", _wrong_option(item))
                db.session.commit()
                outcomes.append("saved")
            except attempts.AttemptRefused:
                db.session.rollback()
                outcomes.append("refused")
            db.session.remove()

    def submit() -> None:
        with synced.app_context():
            attempt = db.session.get(Attempt, attempt_id)
            barrier.wait()
            attempts.submit(attempt)
            db.session.commit()
            db.session.remove()

    threads = [threading.Thread(target=submit)] + [
        threading.Thread(target=save, args=(positions[n % len(positions)],)) for n in range(savers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == savers
    with synced.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.status == "graded"
        for item in attempt.items:  # every stored answer is the one that was graded
            grade = question_type(item.question.type).grade(item.question, item.answer)
            assert (grade.points, grade.result) == (item.points, item.result)
        assert attempt.score == sum(item.points for item in attempt.items)


def test_attempt_past_time_limit_is_graded_with_saved_answers(
    synced: Flask, client: FlaskClient, learner: int
) -> None:
    exam = quiz_id(synced, "egzamin")
    with synced.app_context():
        db.session.get(Quiz, exam).time_limit_minutes = 10
        db.session.commit()
    attempt_id = start(client, exam)
    position, question, _ = items(synced, attempt_id)[0]
    right = next(o.id for o in question.options if o.is_correct)
    client.post(f"/attempts/{attempt_id}/items/{position}/option", data={"option": right})
    with synced.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        attempt.started_at -= timedelta(minutes=11)
        db.session.commit()
    late = client.post(f"/attempts/{attempt_id}/items/2/option", data={"option": 1})
    assert late.location == f"/attempts/{attempt_id}/result"
    graded = result_of(synced, attempt_id)
    assert graded.status == "graded"
    assert graded.score == 1  # only the answer saved in time counts


def test_attempts_allowed_and_cooldown(synced: Flask, client: FlaskClient, learner) -> None:
    exam = quiz_id(synced, "egzamin")
    with synced.app_context():
        quiz = db.session.get(Quiz, exam)
        quiz.attempts_allowed, quiz.cooldown_minutes = 2, 30
        db.session.commit()
    first = start(client, exam)
    client.post(f"/attempts/{first}/submit")
    refused = client.post(f"/quizzes/{exam}/start", follow_redirects=True)
    assert refused.request.path == f"/quizzes/{exam}"
    with synced.app_context():
        attempt = db.session.get(Attempt, first)
        attempt.submitted_at -= timedelta(minutes=31)
        db.session.commit()
    second = start(client, exam)
    assert second != first
    client.post(f"/attempts/{second}/submit")
    with synced.app_context():
        db.session.get(Attempt, second).submitted_at -= timedelta(minutes=31)
        db.session.commit()
    client.post(f"/quizzes/{exam}/start")
    with synced.app_context():
        assert db.session.query(Attempt).count() == 2


def test_resume_after_logout(synced: Flask, client: FlaskClient, make_user, auth) -> None:
    make_user("ewa@example.com")
    auth.login("ewa@example.com")
    attempt_id = start(client, quiz_id(synced, "sprawdzian"))
    client.post(f"/attempts/{attempt_id}/items/1/market", data={"market": "B2B"})
    auth.logout()
    auth.login("ewa@example.com", PASSWORD)
    response = client.post(f"/quizzes/{quiz_id(synced, 'sprawdzian')}/start")
    assert response.location == f"/attempts/{attempt_id}/items/1"
    assert re.search(r'<input[^>]*checked[^>]*value="B2B"', client.get(response.location).text)


def test_completion_needs_lessons_and_the_final(
    synced: Flask, client: FlaskClient, learner: int
) -> None:
    exam = quiz_id(synced, "egzamin")
    attempt_id = start(client, exam)
    answer_all(synced, client, attempt_id)
    client.post(f"/attempts/{attempt_id}/submit")
    with synced.app_context():
        assert db.session.query(CourseCompletion).count() == 0  # lessons not done yet
    client.post("/courses/sample/lessons/wstep/done")
    response = client.post("/courses/sample/lessons/proces-decyzyjny/done")
    assert response.location.startswith("/certificates/")
    client.post("/courses/sample/lessons/proces-decyzyjny/done")
    with synced.app_context():
        [completion] = db.session.query(CourseCompletion).all()
        assert completion.score == 100
        assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", completion.certificate_code)
    assert "Completed" in client.get("/", headers={"Accept-Language": "en"}).text


def test_best_attempt_is_the_grade(synced: Flask, client: FlaskClient, learner: int) -> None:
    exam = quiz_id(synced, "egzamin")
    first = start(client, exam)
    answer_all(synced, client, first)
    client.post(f"/attempts/{first}/submit")
    second = start(client, exam)
    answer_all(synced, client, second, right=False)
    client.post(f"/attempts/{second}/submit")
    page = client.get("/courses/sample", headers={"Accept-Language": "en"}).text
    assert "Best exam score: 100%" in page
