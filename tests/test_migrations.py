"""Migrations: from empty to head and back, and the models match what they build."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from trainer.extensions import db

TABLES = {"user", "user_role", "course", "lesson", "question", "question_option", "quiz",
          "quiz_question", "attempt", "attempt_item", "lesson_progress",
          "course_completion"}  # fmt: skip


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
