"""Every command, with its failures."""

import json
import shutil
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from tests.conftest import PASSWORD, RESOURCES, SAMPLE_CONTENT, make_app
from trainer.extensions import db
from trainer.models import Lesson, User
from trainer.people import accounts


def user(app: Flask, email: str) -> User | None:
    with app.app_context():
        found = accounts.find_user_by_email(email)
        if found is not None:
            db.session.expunge(found)
        return found


def test_users_create_with_password_from_stdin(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["users", "create", "--email", "Ewa@Example.com", "--name", "Ewa Nowak",
              "--role", "trainer", "--role", "hr", "--employee-id", "E-17",
              "--password-stdin"],
        input=PASSWORD + "\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    created = user(app, "ewa@example.com")
    assert created and created.role_names == {"trainer", "hr"}
    assert created.check_password(PASSWORD)
    assert created.employee_id == "E-17"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--email", "not-an-email", "--name", "X"], "not an e-mail address"),
        (["--email", "a@example.com", "--name", "X", "--role", "boss"], "Invalid value"),
        (["--email", "a@example.com", "--name", " "], "a name is required"),
    ],
)
def test_users_create_refuses_bad_input(runner: FlaskCliRunner, args: list, message: str) -> None:
    result = runner.invoke(args=["users", "create", *args])
    assert result.exit_code != 0
    assert message in result.output


def test_users_create_refuses_duplicate(runner: FlaskCliRunner, make_user) -> None:
    make_user("ewa@example.com")
    result = runner.invoke(args=["users", "create", "--email", "EWA@example.com", "--name", "E"])
    assert result.exit_code != 0
    assert "already exists" in result.output


def test_users_create_needs_a_password_on_stdin(runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["users", "create", "--email", "a@example.com", "--name", "A", "--password-stdin"],
        input="",
    )
    assert result.exit_code != 0
    assert "no password" in result.output


def test_users_set_roles_and_deactivate(app: Flask, runner: FlaskCliRunner, make_user) -> None:
    make_user("ewa@example.com")
    result = runner.invoke(
        args=["users", "set-roles", "--email", "ewa@example.com", "--role", "hr"]
    )
    assert result.exit_code == 0, result.output
    assert user(app, "ewa@example.com").role_names == {"hr"}
    result = runner.invoke(args=["users", "deactivate", "--email", "ewa@example.com"])
    assert result.exit_code == 0
    assert user(app, "ewa@example.com").active is False


@pytest.mark.parametrize(
    "args",
    [
        ["users", "set-roles", "--email", "nobody@example.com", "--role", "hr"],
        ["users", "deactivate", "--email", "nobody@example.com"],
    ],
)
def test_users_commands_on_unknown_user(runner: FlaskCliRunner, args: list) -> None:
    result = runner.invoke(args=args)
    assert result.exit_code != 0
    assert "no user with e-mail" in result.output


def test_set_roles_needs_a_role(runner: FlaskCliRunner, make_user) -> None:
    make_user("ewa@example.com")
    result = runner.invoke(args=["users", "set-roles", "--email", "ewa@example.com"])
    assert result.exit_code != 0


def test_content_check_ok_and_json(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0
    assert "content OK" in result.output
    result = runner.invoke(args=["content", "check", "--json"])
    summary = json.loads(result.output)
    assert summary["sample"]["lessons"] == 3
    assert summary["sample"]["questions"] == 4
    assert summary["sample"]["by_type"] == {"multiple_choice": 1, "scenario": 2, "true_false": 1}
    assert summary["sample"]["by_dimension"]["decision_process"] == {"B2B": 1, "B2C": 1}


@pytest.fixture
def broken_app(database_url: str, tmp_path: Path) -> Flask:
    shutil.copytree(SAMPLE_CONTENT, tmp_path / "content")
    bank = tmp_path / "content/quizzes/sample/bank.yaml"
    bank.write_text(bank.read_text(encoding="utf-8").replace("market: B2B", "market: B2X"))
    return make_app(
        database_url, tmp_path / "instance",
        LESSONS_DIR=str(tmp_path / "content/lessons"),
        QUIZZES_DIR=str(tmp_path / "content/quizzes"),
    )  # fmt: skip


def test_content_check_fails_with_locations(broken_app: Flask) -> None:
    result = broken_app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 1
    assert "quizzes/sample/bank.yaml:6: market: unknown value 'B2X'" in result.output


def test_content_sync_reports_and_is_idempotent(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["content", "sync"])
    assert result.exit_code == 0
    assert "lessons: 3 created, 0 updated, 0 unchanged, 0 retired" in result.output
    result = runner.invoke(args=["content", "sync"])
    assert "no changes" in result.output


def test_content_sync_failure_changes_nothing(app: Flask, broken_app: Flask) -> None:
    result = broken_app.test_cli_runner().invoke(args=["content", "sync"])
    assert result.exit_code == 1
    assert "nothing was changed" in result.output
    with app.app_context():
        assert db.session.query(Lesson).count() == 0


@pytest.mark.parametrize("setting", ["LESSONS_DIR", "QUIZZES_DIR"])
def test_bootstrap_refuses_a_content_folder_that_does_not_exist(
    app: Flask, database_url: str, tmp_path: Path, setting: str
) -> None:
    """A wrong folder (or an install without the content) loaded no course, and bootstrap
    said "content: no changes"."""
    wrong = tmp_path / "nowhere"
    misconfigured = make_app(database_url, tmp_path / "instance", **{setting: str(wrong)})
    result = misconfigured.test_cli_runner().invoke(args=["bootstrap"])
    assert result.exit_code == 1
    assert f"{wrong}:1: folder: no such folder" in result.output
    assert "nothing was changed" in result.output
    with app.app_context():
        assert db.session.query(Lesson).count() == 0


def test_content_derive_writes_drafts_and_refuses_overwrite(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    source = RESOURCES / "source" / "sprzedaz-b2b-b2c.txt"
    out = tmp_path / "derived"
    result = runner.invoke(
        args=["content", "derive", str(source), "--course", "b2b-b2c", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert len(list(out.glob("*.md"))) == 9
    again = runner.invoke(
        args=["content", "derive", str(source), "--course", "b2b-b2c", "--out", str(out)]
    )
    assert again.exit_code != 0
    forced = runner.invoke(
        args=["content", "derive", str(source), "--course", "b2b-b2c", "--out", str(out),
              "--force"],
    )  # fmt: skip
    assert forced.exit_code == 0


def test_content_derive_refuses_missing_source(runner: FlaskCliRunner, tmp_path: Path) -> None:
    result = runner.invoke(args=["content", "derive", str(tmp_path / "nope.txt"), "--course", "x"])
    assert result.exit_code != 0


def test_bootstrap_creates_one_admin_and_loads_content(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["bootstrap", "--admin-email", "boss@example.com"])
    assert result.exit_code == 0, result.output
    password = result.output.split("One-time password:")[1].split()[0]
    admin = user(app, "boss@example.com")
    assert admin and admin.check_password(password) and admin.must_change_password
    assert len(password) >= 12
    again = runner.invoke(args=["bootstrap", "--admin-email", "boss@example.com"])
    assert again.exit_code == 0
    assert "already exists" in again.output
    with app.app_context():
        assert db.session.query(User).count() == 1
        assert db.session.query(Lesson).count() == 3
