"""Migrations: from empty to head and back, and the models match what they build."""

import json
import random

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from trainer.extensions import db
from trainer.learning import attempts
from trainer.models import Quiz

TABLES = {"user", "user_role", "course", "lesson", "question", "question_option", "quiz",
          "quiz_question", "attempt", "attempt_item", "lesson_progress",
          "course_completion"}  # fmt: skip


# A migration run prints no warning a newcomer would take for a fault (env.py silences the
# one about SQLite's expression index, which 0008 makes again).
@pytest.mark.filterwarnings("error:Skipped unsupported reflection")
def test_downgrade_to_empty_and_upgrade_again(app: Flask) -> None:
    with app.app_context():
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert set(inspect(db.engine).get_table_names()) >= TABLES


@pytest.mark.filterwarnings("ignore:.*expression-based index")
def test_models_match_the_migrated_schema(app: Flask) -> None:
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        differences = [
            diff
            for diff in compare_metadata(context, db.metadata)
            # Expression indexes cannot be reflected on SQLite; the index is in the migration.
            if not (diff[0] == "add_index" and diff[1].name == "uq_user_email_lower")
        ]
        assert differences == []


def test_graded_answers_survive_the_move_to_json_and_back(synced: Flask, make_user) -> None:
    """0007 moves answers from the scenario-only columns into JSON: nothing is lost either way."""
    learner = make_user()
    with synced.app_context():
        quiz = db.session.execute(db.select(Quiz).where(Quiz.is_final)).scalar_one()
        attempt = attempts.start_attempt(learner, quiz, random.Random(3))
        for n, item in enumerate(attempt.items):
            question = item.question
            if question.market:
                attempts.save_answer(attempt, item, "market", question.market)
            option = next(o for o in question.options if o.is_correct == (n % 2 == 0))
            attempts.save_answer(attempt, item, "option", str(option.id))
        attempts.submit(attempt)
        db.session.commit()
        query = text("SELECT id, answer, result, points, max_points FROM attempt_item ORDER BY id")
        before = [tuple(row) for row in db.session.execute(query)]
        db.session.remove()

        downgrade(revision="0006")
        old = db.session.execute(
            text("SELECT market_answer, chosen_option_id, market_correct, option_correct, points "
                 "FROM attempt_item ORDER BY id")
        ).all()  # fmt: skip
        db.session.remove()
        assert [(row[0], row[1]) for row in old] == [
            (json_of(answer).get("market"), json_of(answer)["option"])
            for _, answer, _, _, _ in before
        ]
        assert [(row[2], row[3]) for row in old] == [
            (json_of(result).get("market"), json_of(result)["option"])
            for _, _, result, _, _ in before
        ]

        upgrade()
        after = [tuple(row) for row in db.session.execute(query)]
        db.session.remove()
    assert [(i, json_of(a), json_of(r), p, m) for i, a, r, p, m in after] == [
        (i, json_of(a), json_of(r), p, m) for i, a, r, p, m in before
    ]


def json_of(value: object) -> dict:
    """A JSON column as read by raw SQL: a dict on PostgreSQL, text on SQLite."""
    return value if isinstance(value, dict) else json.loads(str(value))


def test_0008_gives_every_existing_user_their_own_learner_id(app: Flask, make_user) -> None:
    """The opaque id xAPI names a learner by: one per user, distinct, kept across upgrades."""
    for n in range(3):
        make_user(f"l{n}@example.com")
    with app.app_context():
        downgrade(revision="0007")
        db.session.remove()
        upgrade()
        ids = db.session.execute(text('SELECT learner_id FROM "user"')).scalars().all()
        db.session.remove()
    assert len(ids) == len(set(ids)) == 3
    assert all(ids)
