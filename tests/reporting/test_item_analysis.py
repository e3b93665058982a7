"""Item analysis: figures checked against a hand-computed data set, flags, pages, CSV, roles."""

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from trainer.extensions import db
from trainer.models import Attempt, AttemptItem, AuditEvent, Question, Quiz
from trainer.models.types import utcnow
from trainer.people import accounts
from trainer.quiz.types import question_type
from trainer.reporting.item_analysis import analyse_quiz, analysis_csv, group_size, sort_items

# One answered item: (question key, market answer or None, option position or None).
Answer = tuple[str, str | None, int | None]


def question(key: str) -> Question:
    return db.session.execute(db.select(Question).where(Question.key == key)).scalar_one()


def quiz(slug: str) -> Quiz:
    return db.session.execute(db.select(Quiz).where(Quiz.slug == slug)).scalar_one()


def make_attempt(user_id: int, quiz_slug: str, answers: list[Answer], graded: bool = True) -> int:
    """An attempt written straight to the database, graded by the rules of the question types."""
    attempt = Attempt(user_id=user_id, quiz_id=quiz(quiz_slug).id, status="in_progress")
    score = max_score = 0
    for position, (key, market, option) in enumerate(answers, 1):
        row = question(key)
        chosen = row.options[option - 1] if option else None
        answer = {"market": market} if market else {}
        if chosen:
            answer["option"] = chosen.id
        item = AttemptItem(
            question_id=row.id, position=position, option_order=[o.id for o in row.options],
            answer=answer,
        )  # fmt: skip
        if graded:
            grade = question_type(row.type).grade(row, answer)
            item.result, item.points, item.max_points = grade.result, grade.points, grade.max_points
            score += grade.points
            max_score += grade.max_points
        attempt.items.append(item)
    if graded:
        attempt.status, attempt.submitted_at = "graded", utcnow() + timedelta(seconds=1)
        attempt.score, attempt.max_score = score, max_score
        attempt.percent = round(100 * score / max_score, 1)
        attempt.passed = attempt.percent >= 80
    db.session.add(attempt)
    db.session.flush()
    return attempt.id


def learner(email: str) -> int:
    user = accounts.create_user(email, email.split("@")[0], None, {"learner"})
    db.session.flush()
    return user.id


# The hand-computed data set, on the sample course's final exam "egzamin"
# (pool: dp-1 and dp-2, scenarios; mc-1, multiple choice; tf-1, true/false).
# dp-1: market B2B, option 1 right; mc-1: option 1 right; tf-1: option 1 ("Prawda") right.
#
#        dp-1 (max 2)       mc-1 (max 1)   tf-1 (max 1)   total
#   A1   B2B ✓ opt1 ✓ = 2   opt1 ✓ = 1     opt1 ✓ = 1     4/4 = 100.0 %
#   A2   B2B ✓ opt1 ✓ = 2   opt2 ✗ = 0     opt1 ✓ = 1     3/4 =  75.0 %
#   A3   B2B ✓ opt1 ✓ = 2   opt2 ✗ = 0     –              2/3 =  66.7 %
#   A4   B2B ✓ opt2 ✗ = 1   opt1 ✓ = 1     opt2 ✗ = 0     2/4 =  50.0 %
#   A5   B2B ✓ opt2 ✗ = 1   opt2 ✗ = 0     –              1/3 =  33.3 %
#   A6   B2C ✗ opt1 ✓ = 1   opt2 ✗ = 0     opt2 ✗ = 0     1/4 =  25.0 %
#   A7   B2C ✗ opt3 ✗ = 0   opt2 ✗ = 0     –              0/3 =   0.0 %
#   A8   B2C ✗ opt2 ✗ = 0   none   ✗ = 0   opt2 ✗ = 0     0/4 =   0.0 %
HAND_DATA: list[list[Answer]] = [
    [("dp-1", "B2B", 1), ("mc-1", None, 1), ("tf-1", None, 1)],
    [("dp-1", "B2B", 1), ("mc-1", None, 2), ("tf-1", None, 1)],
    [("dp-1", "B2B", 1), ("mc-1", None, 2)],
    [("dp-1", "B2B", 2), ("mc-1", None, 1), ("tf-1", None, 2)],
    [("dp-1", "B2B", 2), ("mc-1", None, 2)],
    [("dp-1", "B2C", 1), ("mc-1", None, 2), ("tf-1", None, 2)],
    [("dp-1", "B2C", 3), ("mc-1", None, 2)],
    [("dp-1", "B2C", 2), ("mc-1", None, None), ("tf-1", None, 2)],
]


@pytest.fixture
def hand_data(synced: Flask) -> Flask:
    with synced.app_context():
        for number, answers in enumerate(HAND_DATA, 1):
            make_attempt(learner(f"a{number}@example.com"), "egzamin", answers)
        # Neither an unfinished attempt nor another quiz's attempts count.
        make_attempt(learner("open@example.com"), "egzamin", HAND_DATA[0], graded=False)
        make_attempt(learner("other@example.com"), "sprawdzian", [("dp-1", "B2C", 3)])
        db.session.commit()
    return synced


def test_group_size_is_27_percent_rounded_half_up_at_least_one() -> None:
    assert [group_size(n) for n in (0, 1, 2, 3, 5, 8, 20, 50, 100)] == [0, 0, 1, 1, 1, 2, 5, 14, 27]


def test_figures_match_the_hand_computation(hand_data: Flask) -> None:
    with hand_data.app_context():
        analysis = analyse_quiz(quiz("egzamin"))
        # 8 graded attempts; groups of int(0.27 × 8 + 0.5) = 2: top A1 (100), A2 (75);
        # bottom A7 and A8 (both 0).
        assert (analysis.attempts, analysis.group_size) == (8, 2)
        items = {item.question.key: item for item in analysis.items}
        assert list(items) == ["dp-1", "dp-2", "mc-1", "tf-1"]

        dp1 = items["dp-1"]
        assert dp1.attempts == 8
        assert dp1.market_facility == pytest.approx(5 / 8)  # A1–A5 said B2B
        assert dp1.approach_facility == pytest.approx(4 / 8)  # A1, A2, A3, A6 chose option 1
        # Option 2 wrongly chosen by A4, A5, A8 (3 of 8); option 3 only by A7.
        assert dp1.wrong_option == "Skupię się na kierowniku magazynu."
        assert dp1.wrong_share == pytest.approx(3 / 8)
        # Top: (2 + 2) / (2 × 2) = 1.0; bottom: (0 + 0) / (2 × 2) = 0.0.
        assert dp1.discrimination == pytest.approx(1.0)
        assert (dp1.top_count, dp1.bottom_count) == (2, 2)

        mc1 = items["mc-1"]
        assert mc1.market_facility is None  # a plain question has one step
        assert mc1.approach_facility == pytest.approx(2 / 8)  # A1, A4
        # Option 2 chosen by A2, A3, A5, A6, A7; A8 left it unanswered: 5 of 8.
        assert (mc1.wrong_option, mc1.wrong_share) == ("Styl życia.", pytest.approx(5 / 8))
        # Top: (1 + 0) / 2 = 0.5; bottom: (0 + 0) / 2 = 0.0.
        assert mc1.discrimination == pytest.approx(0.5)

        tf1 = items["tf-1"]
        assert tf1.attempts == 5  # drawn in A1, A2, A4, A6, A8
        assert tf1.approach_facility == pytest.approx(2 / 5)
        assert (tf1.wrong_option, tf1.wrong_share) == ("Fałsz", pytest.approx(3 / 5))
        # Top: A1 and A2 both right = 1.0; bottom: only A8 drew it, wrong = 0.0.
        assert tf1.discrimination == pytest.approx(1.0)
        assert (tf1.top_count, tf1.bottom_count) == (2, 1)

        dp2 = items["dp-2"]  # in the pool, never drawn
        assert (dp2.attempts, dp2.market_facility, dp2.approach_facility) == (0, None, None)
        assert (dp2.wrong_option, dp2.discrimination) == (None, None)
        assert all(not item.flags for item in analysis.items)  # fewer than 20 attempts


@contextmanager
def queries(app: Flask) -> Iterator[list[str]]:
    """The SQL statements run inside the block."""
    statements: list[str] = []

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            event.remove(db.engine, "before_cursor_execute", record)


def test_the_number_of_queries_does_not_grow_with_attempts(hand_data: Flask) -> None:
    with hand_data.app_context():
        exam = quiz("egzamin")
        with queries(hand_data) as few:
            analyse_quiz(exam)
        for number in range(30):
            make_attempt(learner(f"more{number}@example.com"), "egzamin", HAND_DATA[number % 8])
        db.session.commit()
        exam = quiz("egzamin")
        with queries(hand_data) as many:
            analyse_quiz(exam)
    assert len(few) == len(many) <= 5


def flag_data(count: int) -> None:
    """`count` attempts at "sprawdzian" (dp-1 and dp-2); see the flag test for the figures."""
    for number in range(count):
        dp1_option = 1 if number < 5 else 2
        make_attempt(
            learner(f"f{number}@example.com"), "sprawdzian",
            [("dp-1", "B2B", dp1_option), ("dp-2", "B2C", 2)],
        )  # fmt: skip
    db.session.commit()


def test_questions_are_flagged_from_twenty_attempts(synced: Flask) -> None:
    with synced.app_context():
        flag_data(20)
        items = {item.question.key: item for item in analyse_quiz(quiz("sprawdzian")).items}
    # dp-1: market right 20/20 = 1.0 > 0.95; option right 5/20 = 0.25 < 0.3.
    # Top 5 (int(5.4 + 0.5) = 5) are the 100% attempts (2 + 2 points): 1.0; the bottom 5 have
    # 75% (1 + 2 points): dp-1 scores 0.5 there; discrimination 0.5, not flagged.
    assert items["dp-1"].flags == ("market_too_easy", "too_hard")
    assert items["dp-1"].discrimination == pytest.approx(0.5)
    # dp-2: always right on both steps: 1.0 and 1.0, discrimination 1.0 − 1.0 = 0 < 0.2.
    assert items["dp-2"].flags == ("market_too_easy", "too_easy", "low_discrimination")


def test_nineteen_attempts_are_too_few_to_flag(synced: Flask) -> None:
    with synced.app_context():
        flag_data(19)
        assert all(not item.flags for item in analyse_quiz(quiz("sprawdzian")).items)


def test_sorting_puts_empty_figures_last_both_ways(hand_data: Flask) -> None:
    with hand_data.app_context():
        items = analyse_quiz(quiz("egzamin")).items
        up = [item.question.key for item in sort_items(items, "approach")]
        down = [item.question.key for item in sort_items(items, "approach", descending=True)]
    assert up == ["mc-1", "tf-1", "dp-1", "dp-2"]  # 0.25, 0.4, 0.5, none
    assert down == ["dp-1", "tf-1", "mc-1", "dp-2"]


def test_csv_is_formula_safe(hand_data: Flask) -> None:
    with hand_data.app_context():
        question("mc-1").options[1].text = '=HYPERLINK("http://x")'
        db.session.flush()
        rows = list(csv.reader(io.StringIO(analysis_csv(analyse_quiz(quiz("egzamin"))))))
    assert rows[0][:4] == ["question", "type", "dimension", "attempts"]
    mc1 = next(row for row in rows if row[0] == "mc-1")
    assert mc1[6] == '\'=HYPERLINK("http://x")'
    assert mc1[5] == "0.250" and mc1[8] == "0.500"


# --- The pages ------------------------------------------------------------------------------


@pytest.fixture
def trainer(hand_data: Flask, login_as) -> int:
    return login_as("trainer")


def quiz_id(app: Flask, slug: str) -> int:
    with app.app_context():
        return quiz(slug).id


def test_overview_lists_quizzes_with_attempts(
    hand_data: Flask, client: FlaskClient, trainer: int
) -> None:
    page = client.get("/author/analysis/")
    assert page.status_code == 200
    assert f"/author/analysis/quizzes/{quiz_id(hand_data, 'egzamin')}" in page.text
    assert "/author/analysis/courses/sample/progress" in page.text


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("", "dp-1"), ("?sort=approach", "mc-1"), ("?sort=approach&order=desc", "dp-1"),
        ("?sort=attempts&order=desc", "dp-1"), ("?sort=nonsense&order=sideways", "dp-1"),
    ],
)  # fmt: skip
def test_quiz_page_sorts_on_the_server(
    hand_data: Flask, client: FlaskClient, trainer: int, query: str, first: str
) -> None:
    page = client.get(f"/author/analysis/quizzes/{quiz_id(hand_data, 'egzamin')}{query}")
    assert page.status_code == 200
    rows = page.text.split("<tbody>", 1)[1]
    assert rows.index(f"<code>{first}</code>") == min(
        rows.index(f"<code>{key}</code>") for key in ("dp-1", "dp-2", "mc-1", "tf-1")
    )
    assert "<svg" in page.text and "style=" not in page.text
    assert 'aria-sort="' in page.text


def test_csv_download_is_audited(hand_data: Flask, client: FlaskClient, trainer: int) -> None:
    response = client.get(f"/author/analysis/quizzes/{quiz_id(hand_data, 'egzamin')}.csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="analiza-sample-egzamin.csv"'
    )
    assert response.get_data(as_text=True).startswith("question,type,dimension")
    with hand_data.app_context():
        event_row = db.session.execute(db.select(AuditEvent)).scalar_one()
        assert (event_row.action, event_row.row_count) == ("analysis.export_csv", 4)


@pytest.mark.parametrize(
    "url",
    [
        "/author/analysis/quizzes/999999",
        "/author/analysis/quizzes/999999.csv",
        "/author/analysis/quizzes/x",
    ],
)
def test_unknown_quiz_is_404(hand_data: Flask, client: FlaskClient, trainer: int, url: str) -> None:
    assert client.get(url).status_code == 404


# --- Permissions ------------------------------------------------------------------------------


def analysis_requests(app: Flask) -> list[tuple[str, str]]:
    """(method, url) of every page of the blueprint."""
    values = {"quiz_id": quiz_id(app, "egzamin"), "course_slug": "sample"}
    with app.test_request_context():
        return sorted(
            (method, rule.build(values, append_unknown=False)[1])  # type: ignore[index]
            for rule in app.url_map.iter_rules()
            if rule.endpoint.startswith("analysis.")
            for method in rule.methods - {"HEAD", "OPTIONS"}
        )


def test_every_analysis_request_is_covered(synced: Flask) -> None:
    assert sorted(url.rsplit("/", 1)[-1] for _, url in analysis_requests(synced)) == sorted([
        "", "progress", "charts", str(quiz_id(synced, "egzamin")),
        f"{quiz_id(synced, 'egzamin')}.csv",
    ])  # fmt: skip


@pytest.mark.parametrize("role", ["learner", "hr"])
def test_learners_and_hr_get_403_everywhere(
    synced: Flask, client: FlaskClient, login_as, role: str
) -> None:
    login_as(role)
    for method, url in analysis_requests(synced):
        if role == "hr" and url.endswith("/charts"):
            continue  # HR reads the charts too (tests/reporting/test_mastery.py)
        assert client.open(url, method=method).status_code == 403, (method, url)


def test_anonymous_users_are_sent_to_sign_in(synced: Flask, client: FlaskClient) -> None:
    for method, url in analysis_requests(synced):
        response = client.open(url, method=method)
        assert response.status_code == 302 and response.location.startswith("/login"), url
