"""Running Trainer: health checks, request logs with ids, HSTS, backups."""

import json
import logging
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.logging import default_handler
from flask_migrate import upgrade
from sqlalchemy import text

from tests.conftest import BASE_URL, make_app
from trainer.extensions import db
from trainer.models import User


class TestHealth:
    def test_healthz_answers_without_signing_in(self, client) -> None:
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.json == {"status": "ok"}
        assert response.headers["Cache-Control"] == "no-store"

    def test_readyz_is_ready_on_a_migrated_database(self, client) -> None:
        response = client.get("/readyz")
        assert response.status_code == 200
        assert response.json == {"status": "ok"}

    def test_readyz_is_unavailable_while_migrations_are_pending(self, app: Flask, client) -> None:
        with app.app_context():
            (head,) = db.session.execute(text("SELECT version_num FROM alembic_version")).one()
            db.session.execute(text("UPDATE alembic_version SET version_num = '0001'"))
            db.session.commit()
        try:
            response = client.get("/readyz")
            assert response.status_code == 503
            assert response.json == {"status": "unavailable", "database": "migrations pending"}
            assert client.get("/healthz").status_code == 200
        finally:
            with app.app_context():
                db.session.execute(
                    text("UPDATE alembic_version SET version_num = :head"), {"head": head}
                )
                db.session.commit()

    def test_readyz_is_unavailable_when_the_database_is_unreachable(self, tmp_path: Path) -> None:
        missing = f"sqlite:///{tmp_path / 'no such folder' / 'trainer.db'}"
        app = make_app(missing, tmp_path / "instance")
        response = app.test_client().get("/readyz")
        assert response.status_code == 503
        assert response.json == {"status": "unavailable", "database": "unreachable"}
        assert app.test_client().get("/healthz").status_code == 200


@pytest.fixture
def logged_app(database_url: str, tmp_path: Path) -> Flask:
    """An app that handles errors as in production."""
    app = make_app(
        database_url, tmp_path / "instance", TESTING=False, PROPAGATE_EXCEPTIONS=False,
        BASE_URL=BASE_URL, REGISTRATION_OPEN=False,  # outside testing it needs mail
    )  # fmt: skip

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret internals")

    return app


def records(caplog: pytest.LogCaptureFixture, path: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "trainer" and f" {path} " in r.getMessage()]


class TestRequestLog:
    def test_every_request_is_one_line_with_its_id(self, logged_app: Flask, caplog) -> None:
        response = logged_app.test_client().get("/login")
        request_id = response.headers["X-Request-ID"]
        assert re.fullmatch(r"[0-9a-f]{32}", request_id)
        (record,) = records(caplog, "/login")
        assert record.request_id == request_id
        assert record.getMessage().startswith("GET /login 200 ")
        assert f"[{request_id}] GET /login 200" in default_handler.format(record)

    def test_a_proxys_request_id_is_kept_and_a_forged_one_replaced(self, logged_app) -> None:
        client = logged_app.test_client()
        given = "nginx-4f2a9c1b77"
        assert (
            client.get("/login", headers={"X-Request-ID": given}).headers["X-Request-ID"] == given
        )
        forged = "] INFO forged line ["
        assert (
            client.get("/login", headers={"X-Request-ID": forged}).headers["X-Request-ID"] != forged
        )

    def test_json_lines(self, database_url: str, tmp_path: Path, caplog) -> None:
        app = make_app(database_url, tmp_path / "instance", LOG_FORMAT="json")
        try:
            request_id = app.test_client().get("/healthz").headers["X-Request-ID"]
            (record,) = records(caplog, "/healthz")
            line = json.loads(default_handler.format(record))
        finally:
            make_app(database_url, tmp_path / "instance")  # the plain format back for the rest
        assert line["request_id"] == request_id
        assert line["status"] == 200 and line["method"] == "GET" and line["path"] == "/healthz"
        assert line["levelname"] == "INFO" and isinstance(line["duration_ms"], float)

    def test_a_server_error_shows_the_reference_of_its_logged_traceback(
        self, logged_app: Flask, caplog
    ) -> None:
        response = logged_app.test_client().get("/boom")
        assert response.status_code == 500
        request_id = response.headers["X-Request-ID"]
        assert request_id in response.text
        assert "secret internals" not in response.text and "Traceback" not in response.text
        (error,) = [r for r in caplog.records if r.getMessage() == "Exception on /boom [GET]"]
        assert error.request_id == request_id
        assert "RuntimeError: secret internals" in default_handler.format(error)

    def test_an_api_server_error_carries_its_reference(self, logged_app: Flask) -> None:
        @logged_app.get("/api/v1/boom")
        def api_boom() -> str:
            raise RuntimeError("secret internals")

        response = logged_app.test_client().get("/api/v1/boom")
        assert response.status_code == 500
        assert response.json["reference"] == response.headers["X-Request-ID"]

    def test_client_errors_carry_no_reference(self, logged_app: Flask) -> None:
        response = logged_app.test_client().get("/no-such-page")
        assert response.status_code == 404
        assert response.headers["X-Request-ID"] not in response.text

    def test_the_factory_run_twice_stamps_records_once(self, database_url, tmp_path) -> None:
        make_app(database_url, tmp_path / "again")
        for stamped in (logging.getLogger("trainer"), default_handler):
            assert sum(type(f).__name__ == "_RequestIdFilter" for f in stamped.filters) == 1


def test_hsts_on_https_answers_only(client) -> None:
    secure = client.get("/login", base_url="https://trainer.example")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in client.get("/login").headers


class TestBackup:
    @pytest.fixture
    def own_app(self, tmp_path: Path) -> Flask:
        """An app on a SQLite file of its own: a restore replaces every row."""
        app = make_app(f"sqlite:///{tmp_path / 'live.db'}", tmp_path / "instance")
        with app.app_context():
            upgrade()
        return app

    def names(self, app: Flask) -> list[str]:
        with app.app_context():
            return list(
                db.session.execute(db.select(User.display_name).order_by(User.id)).scalars()
            )

    def test_backup_then_restore_brings_back_every_row(self, own_app: Flask, tmp_path) -> None:
        runner = own_app.test_cli_runner()
        assert runner.invoke(args=["users", "create", "--email", "a@example.com", "--name",
                                   "Anna", "--role", "learner"]).exit_code == 0  # fmt: skip
        out = tmp_path / "backups" / "trainer.db"
        result = runner.invoke(args=["backup", "--out", str(out)])
        assert result.exit_code == 0, result.output
        with own_app.app_context():
            db.session.execute(db.update(User).values(display_name="Zmieniona"))
            db.session.commit()
        assert self.names(own_app) == ["Zmieniona"]
        result = runner.invoke(args=["restore", "--from", str(out), "--yes"])
        assert result.exit_code == 0, result.output
        assert self.names(own_app) == ["Anna"]

    def test_backup_never_overwrites_a_file(self, own_app: Flask, tmp_path) -> None:
        out = tmp_path / "taken.db"
        out.write_bytes(b"keep me")
        result = own_app.test_cli_runner().invoke(args=["backup", "--out", str(out)])
        assert result.exit_code != 0 and "exists" in result.output
        assert out.read_bytes() == b"keep me"

    @pytest.mark.parametrize("content", [b"not a database at all", b""])
    def test_restore_refuses_what_is_not_a_trainer_backup(
        self, own_app: Flask, tmp_path, content: bytes
    ) -> None:
        own_app.test_cli_runner().invoke(args=["users", "create", "--email", "a@example.com",
                                               "--name", "Anna", "--role", "learner"])  # fmt: skip
        bogus = tmp_path / "bogus.db"
        bogus.write_bytes(content)
        result = own_app.test_cli_runner().invoke(args=["restore", "--from", str(bogus), "--yes"])
        assert result.exit_code != 0 and "not a Trainer backup" in result.output
        assert self.names(own_app) == ["Anna"]

    def test_restore_asks_first(self, own_app: Flask, tmp_path) -> None:
        result = own_app.test_cli_runner().invoke(
            args=["restore", "--from", str(tmp_path / "x.db")], input="n\n"
        )
        assert result.exit_code != 0 and "Aborted" in result.output

    def test_postgresql_is_backed_up_with_its_own_tools(self, tmp_path: Path) -> None:
        url = "postgresql://trainer:sekret@db.internal:5432/trainer"
        app = make_app(url, tmp_path / "instance")
        result = app.test_cli_runner().invoke(args=["backup", "--out", "t.dump"])
        assert result.exit_code == 0
        assert (
            "pg_dump --format=custom --file t.dump 'postgresql://trainer@db.internal:5432/"
            "trainer'" in result.output
        )
        assert "sekret" not in result.output
        result = app.test_cli_runner().invoke(args=["restore", "--from", "t.dump", "--yes"])
        assert "pg_restore --clean --if-exists --no-owner" in result.output
