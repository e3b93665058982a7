"""The background worker on a real Redis: an export, mail and the xAPI push leave the request.

A real RQ worker (SimpleWorker, in this process, in burst mode: it stops when the queue is
empty) runs the jobs, in an app context of its own. Each test uses its own queue name on
Redis database 14 and empties that database afterwards. The tests skip without a server on
127.0.0.1:6379, unless TRAINER_REQUIRE_REDIS=1 (set by CI), which makes that a failure.
"""

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import PASSWORD, make_app
from tests.db_state import empty_redis
from tests.people.mailbox import body, start_server
from tests.reporting.hr_rows import seed
from tests.reporting.test_exports import parse_csv
from trainer import jobs
from trainer.authoring.content_files import sync_configured_content
from trainer.extensions import db
from trainer.models import AuditEvent, ExportJob, XapiStatement
from trainer.reporting import exports
from trainer.xapi import lrs

REDIS_URL = "redis://127.0.0.1:6379/14"


@pytest.fixture
def worker_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """An app whose jobs go to Redis, with the sample course loaded."""
    empty_redis(REDIS_URL)
    app = make_app(database_url, tmp_path / "instance", REDIS_URL=REDIS_URL,
                   JOB_QUEUE=f"test-{uuid.uuid4().hex}", XAPI_PUSH_DELAY_SECONDS=0)  # fmt: skip
    with app.app_context():
        sync_configured_content()
        db.session.commit()
    yield app
    from tests.db_state import empty_database

    empty_database(app)
    empty_redis(REDIS_URL)


def run_worker(app: Flask) -> None:
    """Run every queued job, as `flask --app trainer worker --burst` does, then stop."""
    jobs.work(app, burst=True)


def queued(app: Flask) -> int:
    return len(jobs.queue(app.config))


def sign_in(client: FlaskClient, email: str) -> FlaskClient:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


@pytest.fixture
def mailbox(worker_app: Flask) -> Iterator[Any]:
    """A local SMTP server that worker_app mails through; its received messages."""
    controller, box = start_server()
    worker_app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port,
                             BASE_URL="https://trainer.firma.pl/")  # fmt: skip
    try:
        yield box
    finally:
        controller.stop()


def test_a_large_export_is_written_by_the_worker(worker_app: Flask) -> None:
    worker_app.config["EXPORT_DIRECT_MAX_ROWS"] = 3
    seed(worker_app)
    client = sign_in(worker_app.test_client(), "halina@example.com")
    response = client.get("/hr/export?format=csv")
    assert response.status_code == 302
    page_url = response.location

    page = client.get(page_url)
    assert "Waiting for the worker" in page.text
    assert '<meta http-equiv="refresh"' in page.text
    assert client.get(f"{page_url}/download").status_code == 404
    assert queued(worker_app) == 1

    run_worker(worker_app)
    page = client.get(page_url)
    assert "Done" in page.text and '<meta http-equiv="refresh"' not in page.text
    download = client.get(f"{page_url}/download")
    assert download.status_code == 200
    assert len(parse_csv(download.data)) == 1 + 10
    download.close()
    with worker_app.app_context():
        [job] = db.session.execute(db.select(ExportJob)).scalars().all()
        assert (job.status, job.rows_written) == ("done", 10)
        actions = (
            db.session.execute(db.select(AuditEvent.action).order_by(AuditEvent.id)).scalars().all()
        )
    assert actions == ["export.csv", "export.download"]


def test_a_job_that_fails_on_the_worker_is_shown_failed(
    worker_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    worker_app.config["EXPORT_DIRECT_MAX_ROWS"] = 3
    seed(worker_app)
    client = sign_in(worker_app.test_client(), "halina@example.com")
    page_url = client.get("/hr/export?format=xlsx").location

    def broken(*_args: object) -> object:
        raise OSError(28, "No space left on device")

    xlsx = exports.EXPORT_FORMATS["xlsx"]
    monkeypatch.setitem(exports.EXPORT_FORMATS, "xlsx", exports.ExportFormat(
        "xlsx", xlsx.label, xlsx.suffix, xlsx.mimetype, broken))  # fmt: skip
    run_worker(worker_app)
    page = client.get(page_url)
    assert page.status_code == 200
    assert "Failed" in page.text and "No space left on device" in page.text
    assert client.get(f"{page_url}/download").status_code == 404
    assert list((Path(worker_app.instance_path) / "exports").iterdir()) == []


def test_a_queued_export_fails_cleanly_when_redis_is_away(worker_app: Flask) -> None:
    worker_app.config.update(EXPORT_DIRECT_MAX_ROWS=3, REDIS_URL="redis://127.0.0.1:1/0")
    seed(worker_app)
    client = sign_in(worker_app.test_client(), "halina@example.com")
    response = client.get("/hr/export?format=csv")
    assert response.status_code == 302
    page = client.get(response.location)
    assert page.status_code == 200
    assert "Failed" in page.text and "could not be queued" in page.text


def test_reset_mail_goes_out_from_the_worker(worker_app: Flask, mailbox, make_user) -> None:
    with worker_app.app_context():
        from trainer.people import accounts

        accounts.create_user("ewa@firma.pl", "Ewa Nowak", PASSWORD, {"learner"})
        db.session.commit()
    client = worker_app.test_client()
    page = client.post("/password/forgot", data={"email": "ewa@firma.pl"})
    assert page.status_code == 200
    assert queued(worker_app) == 1 and mailbox.messages == []
    run_worker(worker_app)
    [message] = mailbox.wait_for(1)
    assert message["To"] == "ewa@firma.pl" and "Ewa Nowak" in body(message)


def test_invitations_are_queued_for_the_worker(worker_app: Flask, mailbox) -> None:
    with worker_app.app_context():
        from trainer.people import accounts

        accounts.create_user("admin@example.com", "Ada Admin", PASSWORD, {"admin"})
        invited = accounts.create_user("nowy@firma.pl", "Nowy Pracownik", None, {"learner"})
        db.session.commit()
        invited_id = invited.id
    client = sign_in(worker_app.test_client(), "admin@example.com")
    response = client.post(f"/admin/users/{invited_id}/invite", follow_redirects=True)
    assert "is being e-mailed" in response.text
    assert mailbox.messages == []
    run_worker(worker_app)
    [message] = mailbox.wait_for(1)
    assert message["To"] == "nowy@firma.pl" and "/invitation/" in body(message)


def test_recorded_statements_ask_for_one_push(worker_app: Flask, make_user) -> None:
    from tests.reporting.test_xapi import complete_lessons
    from tests.xapi import fake_lrs

    with fake_lrs.running() as fake:
        worker_app.config.update(LRS_ENDPOINT=fake.url + "/", LRS_USERNAME=fake_lrs.USERNAME,
                                 LRS_PASSWORD=fake_lrs.PASSWORD)  # fmt: skip
        complete_lessons(worker_app, make_user("anna@example.com"))
        complete_lessons(worker_app, make_user("ben@example.com"))
        assert queued(worker_app) == 1  # one push waits for both commits' statements
        run_worker(worker_app)
        with worker_app.app_context():
            logged = db.session.execute(db.select(XapiStatement.statement_id)).scalars().all()
            assert lrs.queue_state().queued == 0
        assert sorted(fake.sent_ids) == sorted(logged) and logged
        # The next statement asks for a push of its own.
        complete_lessons(worker_app, make_user("cezary@example.com"))
        assert queued(worker_app) == 1


def test_the_worker_command_runs_queued_jobs(worker_app: Flask) -> None:
    worker_app.config["EXPORT_DIRECT_MAX_ROWS"] = 3
    seed(worker_app)
    client = sign_in(worker_app.test_client(), "halina@example.com")
    page_url = client.get("/hr/export?format=csv-excel").location
    result = worker_app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert "serving the queue" in result.output
    assert "Done" in client.get(page_url).text


def test_the_worker_command_needs_redis(runner) -> None:
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code != 0
    assert "TRAINER_REDIS_URL is not set" in result.output


def test_a_queued_job_outside_the_worker_says_so() -> None:
    jobs._worker_app = None
    with pytest.raises(jobs.NoWorkerApp):
        jobs.perform("trainer.reporting.export_jobs:run", [1])
