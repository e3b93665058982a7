"""Demo data: repeatable for a seed, plausible, graded by the real rules, and careful."""

import re
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from trainer.demo.dataset import DEMO_DOMAIN, REFERENCE_DATE
from trainer.demo.names import DEPARTMENTS
from trainer.extensions import db
from trainer.learning.certificates import CODE_PATTERN
from trainer.models import (
    Assignment,
    Attempt,
    AttemptItem,
    CourseCompletion,
    LessonProgress,
    PracticeItem,
    Question,
    QuestionOption,
    User,
)
from trainer.quiz.types import question_type


def generate(runner: FlaskCliRunner, *args: str) -> str:
    result = runner.invoke(args=["demo", "generate", *args])
    assert result.exit_code == 0, result.output
    return result.output


def snapshot(app: Flask) -> dict[str, list]:
    """Every demo row, keyed by e-mail, slugs and keys instead of database ids."""
    with app.app_context():
        email = dict(db.session.execute(db.select(User.id, User.email)).all())
        question = dict(db.session.execute(db.select(Question.id, Question.key)).all())
        option = dict(
            db.session.execute(db.select(QuestionOption.id, QuestionOption.position)).all()
        )
        users = db.session.execute(db.select(User).order_by(User.email)).scalars().all()
        items: dict[int, list] = {}
        for item in db.session.execute(db.select(AttemptItem)).scalars():
            items.setdefault(item.attempt_id, []).append((
                item.position, question[item.question_id],
                [option[o] for o in item.option_order], item.answer.get("market"),
                option.get(item.answer.get("option")), item.answered_at, item.result,
                item.points, item.max_points,
            ))  # fmt: skip
        return {
            "users": [
                (u.email, u.display_name, u.employee_id, u.department, u.created_at,
                 sorted(u.role_names), u.password_hash)
                for u in users
            ],
            "lessons": sorted(
                (email[p.user_id], p.lesson.slug, p.first_opened_at, p.completed_at)
                for p in db.session.execute(db.select(LessonProgress)).scalars()
            ),
            "attempts": sorted(
                (email[a.user_id], a.quiz.slug, a.status, a.started_at, str(a.submitted_at),
                 a.score, a.max_score, a.percent, a.passed, sorted(items.get(a.id, [])))
                for a in db.session.execute(db.select(Attempt)).scalars()
            ),
            "completions": sorted(
                (email[c.user_id], c.course.slug, c.completed_at, c.score, c.certificate_code)
                for c in db.session.execute(db.select(CourseCompletion)).scalars()
            ),
            "assignments": sorted(
                (email[a.user_id], a.course.slug, a.due_at, str(a.department), a.created_at)
                for a in db.session.execute(db.select(Assignment)).scalars()
            ),
            "practice": sorted(
                (email[p.user_id], question[p.question_id], p.box, p.due_at, p.reviews)
                for p in db.session.execute(db.select(PracticeItem)).scalars()
            ),
        }  # fmt: skip


def test_same_seed_gives_the_same_rows(synced: Flask, runner: FlaskCliRunner) -> None:
    generate(runner, "--learners", "30", "--seed", "7")
    first = snapshot(synced)
    output = generate(runner, "--learners", "30", "--seed", "7")
    assert "removed 30 earlier demo learner(s)" in output
    assert snapshot(synced) == first
    generate(runner, "--learners", "30", "--seed", "8")
    assert snapshot(synced)["users"] != first["users"]


def test_a_learner_does_not_depend_on_how_many_are_made(
    synced: Flask, runner: FlaskCliRunner
) -> None:
    generate(runner, "--learners", "5", "--seed", "3")
    few = snapshot(synced)
    generate(runner, "--learners", "12", "--seed", "3")
    many = snapshot(synced)
    five = {row[0] for row in few["users"]}
    assert [u for u in many["users"] if u[0] in five] == few["users"]
    assert [a for a in many["attempts"] if a[0] in five] == few["attempts"]


@pytest.mark.parametrize("seed", ["1", "2"])
def test_history_is_plausible(synced: Flask, runner: FlaskCliRunner, seed: str) -> None:
    generate(runner, "--learners", "30", "--seed", seed)
    with synced.app_context():
        users = db.session.execute(db.select(User)).scalars().all()
        assert len(users) == 30
        assert all(
            u.email.endswith("@" + DEMO_DOMAIN) and u.role_names == {"learner"} for u in users
        )
        assert sorted(u.employee_id for u in users) == [f"P-{n:06d}" for n in range(1, 31)]
        assert {u.department for u in users} <= {name for name, _ in DEPARTMENTS}
        assert all(re.fullmatch(r"[A-ZŁŚŻ][a-ząćęłńóśźż]+ [A-ZŁŚŻ][a-ząćęłńóśźż]+", u.display_name)
                   for u in users)  # fmt: skip

        completed = {c.user_id for c in db.session.execute(db.select(CourseCompletion)).scalars()}
        started = set(db.session.execute(db.select(LessonProgress.user_id)).scalars())
        assert completed and started - completed and {u.id for u in users} - started
        overdue = [
            a for a in db.session.execute(db.select(Assignment)).scalars()
            if a.due_at < REFERENCE_DATE and a.user_id not in completed
        ]  # fmt: skip
        assert overdue

        oldest = REFERENCE_DATE - timedelta(days=90)
        for p in db.session.execute(db.select(LessonProgress)).scalars():
            assert oldest <= p.first_opened_at < REFERENCE_DATE
            assert p.completed_at is None or p.first_opened_at < p.completed_at < REFERENCE_DATE

        graded = db.session.execute(db.select(Attempt).where(Attempt.status == "graded")).scalars()
        percents = Counter()
        for attempt in graded:
            # The stored grade is what the real grading rules give for the stored answers.
            score = max_score = 0
            for item in attempt.items:
                grade = question_type(item.question.type).grade(item.question, item.answer)
                assert (item.result, item.points, item.max_points) == (
                    grade.result, grade.points, grade.max_points,
                )  # fmt: skip
                chosen = item.answer.get("option")
                assert chosen is None or chosen in item.option_order
                score, max_score = score + grade.points, max_score + grade.max_points
            assert (attempt.score, attempt.max_score) == (score, max_score)
            assert attempt.percent == round(100 * score / max_score, 1)
            assert attempt.passed == (attempt.percent >= attempt.quiz.pass_mark)
            assert attempt.started_at < attempt.submitted_at < REFERENCE_DATE
            percents[attempt.passed] += 1
        assert percents[True] and percents[False]  # some pass, some fail

        for completion in db.session.execute(db.select(CourseCompletion)).scalars():
            assert CODE_PATTERN.fullmatch(completion.certificate_code)
            passed = db.session.execute(
                db.select(Attempt).where(Attempt.user_id == completion.user_id,
                                         Attempt.passed.is_(True))
                .order_by(Attempt.submitted_at)
            ).scalars().all()  # fmt: skip
            finals = [a for a in passed if a.quiz.is_final]
            assert finals and completion.completed_at == finals[0].submitted_at


def test_item_difficulty_varies(synced: Flask, runner: FlaskCliRunner) -> None:
    generate(runner, "--learners", "60", "--seed", "5")
    with synced.app_context():
        rows = db.session.execute(
            db.select(AttemptItem.question_id, AttemptItem.points, AttemptItem.result)
            .join(Attempt).where(Attempt.status == "graded")
        ).all()  # fmt: skip
    right = Counter(q for q, _, result in rows if result.get("market"))
    seen = Counter(q for q, _, result in rows if "market" in result)
    shares = {q: right[q] / seen[q] for q in seen if seen[q] >= 10}
    assert max(shares.values()) - min(shares.values()) > 0.1


def test_refuses_beside_real_people_unless_forced(
    synced: Flask, runner: FlaskCliRunner, make_user
) -> None:
    make_user("admin@firma.pl", "admin")
    generate(runner, "--learners", "3")  # admins alone are not in the way
    make_user("ewa@firma.pl", employee_id="P-000004")
    result = runner.invoke(args=["demo", "generate", "--learners", "3"])
    assert result.exit_code != 0
    assert "real" in result.output and "--force" in result.output
    with synced.app_context():
        assert db.session.query(User).filter(User.email.like(f"%@{DEMO_DOMAIN}")).count() == 3
    generate(runner, "--learners", "5", "--force")
    with synced.app_context():
        ids = db.session.execute(db.select(User.email, User.employee_id)).all()
    assert ("ewa@firma.pl", "P-000004") in ids
    demo_ids = sorted(e for m, e in ids if m.endswith(DEMO_DOMAIN))
    assert demo_ids == ["P-000001", "P-000002", "P-000003", "P-000005", "P-000006"]


def test_refuses_without_content(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["demo", "generate", "--learners", "3"])
    assert result.exit_code != 0
    assert "content sync" in result.output


@pytest.mark.parametrize(
    "bad", [["--learners", "0"], ["--learners", "x"], ["--today", "2026-13-01"]]
)
def test_bad_options_are_refused(synced: Flask, runner: FlaskCliRunner, bad: list[str]) -> None:
    result = runner.invoke(args=["demo", "generate", *bad])
    assert result.exit_code != 0
    with synced.app_context():
        assert db.session.query(User).count() == 0


def test_reference_date_can_be_moved(synced: Flask, runner: FlaskCliRunner) -> None:
    output = generate(runner, "--learners", "10", "--today", "2025-03-15")
    assert "history up to 2025-03-15" in output
    with synced.app_context():
        latest = db.session.execute(db.select(db.func.max(LessonProgress.first_opened_at))).scalar()
    assert latest < datetime(2025, 3, 15, 12, tzinfo=UTC)
