"""The application factory: configuration order, secret key, database settings."""

from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.cli import cli as flask_cli
from sqlalchemy import func, select, text

from tests.conftest import BASE_URL
from trainer import MissingSecretKey, create_app
from trainer.config import SettingError
from trainer.database import database_url, execute_core
from trainer.extensions import db
from trainer.models import User
from trainer.xapi.settings import MissingSetting


@pytest.fixture(autouse=True)
def one_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """As `make run` starts Trainer: its address set (conftest sets TRAINER_XAPI_BASE_IRI for
    every app), no TRAINER_SECRET_KEY, a generated key allowed."""
    monkeypatch.setenv("TRAINER_BASE_URL", BASE_URL)
    monkeypatch.delenv("TRAINER_SECRET_KEY", raising=False)
    monkeypatch.setenv("TRAINER_INSTANCE_SECRET_KEY", "true")


def test_defaults_apply(tmp_path: Path) -> None:
    app = create_app(instance_path=str(tmp_path))
    assert app.config["REGISTRATION_OPEN"] is False
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'trainer.db'}"


def test_config_order_defaults_instance_env_mapping(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "config.py").write_text(
        "REGISTRATION_OPEN = True\nMAIL_SERVER = 'localhost'\nLESSONS_DIR = '/from/instance'\n"
        "QUIZZES_DIR = '/from/instance'\nBABEL_DEFAULT_LOCALE = 'en'\n"
    )
    monkeypatch.setenv("TRAINER_LESSONS_DIR", "/from/env")
    monkeypatch.setenv("TRAINER_QUIZZES_DIR", "/from/env")
    app = create_app({"QUIZZES_DIR": "/from/mapping"}, instance_path=str(tmp_path))
    assert app.config["REGISTRATION_OPEN"] is True  # instance over defaults
    assert app.config["BABEL_DEFAULT_LOCALE"] == "en"
    assert app.config["LESSONS_DIR"] == "/from/env"  # environment over instance
    assert app.config["QUIZZES_DIR"] == "/from/mapping"  # mapping over environment


def test_database_url_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAINER_DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("env.db")


def test_secret_key_generated_once_and_kept(tmp_path: Path) -> None:
    first = create_app(instance_path=str(tmp_path)).config["SECRET_KEY"]
    second = create_app(instance_path=str(tmp_path)).config["SECRET_KEY"]
    assert first == second
    assert len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_start_up_refuses_without_a_secret_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TRAINER_INSTANCE_SECRET_KEY")
    with pytest.raises(MissingSecretKey, match="TRAINER_SECRET_KEY is not set"):
        create_app(instance_path=str(tmp_path))
    assert not (tmp_path / "secret_key").exists()
    debugging = create_app({"DEBUG": True}, instance_path=str(tmp_path))
    assert len(debugging.config["SECRET_KEY"]) == 64


def test_secret_key_from_environment_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAINER_SECRET_KEY", "from-env")
    assert create_app(instance_path=str(tmp_path)).config["SECRET_KEY"] == "from-env"
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_database_url_uses_psycopg(given: str, expected: str) -> None:
    assert database_url(given) == expected


@pytest.mark.parametrize("given", ["mysql://root:s3cret@h/db", "mongodb://h/db", "trainer.db", ""])
def test_a_database_trainer_does_not_run_on_is_refused_by_the_setting_s_name(
    given: str,
) -> None:
    with pytest.raises(SettingError, match="TRAINER_DATABASE_URL starts with") as refused:
        database_url(given)
    assert "s3cret" not in str(refused.value)


def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    app = create_app(instance_path=str(tmp_path))
    with app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 30000
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        db.engine.dispose()


def test_a_core_read_sees_what_the_session_has_pending_as_the_session_would(app) -> None:
    """`execute_core` skips the ORM, not its autoflush: a read sees the pending user; inside
    `no_autoflush` it does not, as the session's own reads would not."""
    count = select(func.count()).select_from(User).where(User.email == "pending@example.com")
    with app.app_context():
        with db.session.no_autoflush:
            db.session.add(User(email="pending@example.com", display_name="Pending"))
            assert execute_core(count).scalar() == 0
        assert execute_core(count).scalar() == 1
        db.session.rollback()
        assert execute_core(count).scalar() == 0


def test_blueprints_by_area(app) -> None:
    assert {"auth", "learn", "author", "hr", "admin", "api"} <= set(app.blueprints)


@pytest.mark.parametrize("name", ["TRAINER_XAPI_BASE_IRI", "TRAINER_BASE_URL"])
def test_production_refuses_to_start_without_the_xapi_identity(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.delenv(name)
    with pytest.raises(MissingSetting, match=f"{name} is not set"):
        create_app(instance_path=str(tmp_path))


def test_a_malformed_base_iri_is_refused_even_when_testing(tmp_path: Path) -> None:
    with pytest.raises(MissingSetting, match="not an absolute http"):
        create_app({"TESTING": True, "XAPI_BASE_IRI": "trainer/xapi"}, instance_path=str(tmp_path))


def test_debug_and_testing_fall_back_to_placeholders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TRAINER_XAPI_BASE_IRI")
    monkeypatch.delenv("TRAINER_BASE_URL")
    assert create_app({"DEBUG": True}, instance_path=str(tmp_path)).debug
    assert create_app({"TESTING": True}, instance_path=str(tmp_path)).testing


@pytest.mark.parametrize(
    ("unset", "message"),
    [
        ("TRAINER_INSTANCE_SECRET_KEY", "Error: TRAINER_SECRET_KEY is not set."),
        ("TRAINER_BASE_URL", "Error: TRAINER_BASE_URL is not set."),
    ],
)
def test_the_flask_command_prints_a_missing_setting_without_a_traceback(
    tmp_path: Path, unset: str, message: str
) -> None:
    """An operator who forgot a setting reads what to set, not forty lines of traceback."""
    runner = CliRunner()
    app = f"trainer:create_app(instance_path={str(tmp_path)!r})"
    result = runner.invoke(flask_cli, ["--app", app, "bootstrap"], env={unset: None})
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output
