"""Sending the statement log to an LRS: batches, retries with back-off, never twice, and
what HR sees of it. The LRS here is a small server on loopback (tests/xapi/fake_lrs.py)."""

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, update

from tests.conftest import PASSWORD
from tests.reporting.test_xapi import complete_lessons, take
from tests.xapi import fake_lrs
from tests.xapi.fake_lrs import FakeLrs
from trainer.extensions import db
from trainer.models import XapiStatement
from trainer.xapi import lrs


@pytest.fixture
def logged(synced: Flask, make_user) -> int:
    """Two learners' lessons and attempts: 17 statements in the log; how many."""
    anna = make_user("anna@example.com", department="Sprzedaż")
    ben = make_user("ben@example.com")
    complete_lessons(synced, anna)
    take(synced, anna, "sprawdzian", right=False)
    take(synced, anna, "egzamin", right=True)
    take(synced, ben, "sprawdzian", right=False)
    with synced.app_context():
        return db.session.execute(db.select(func.count(XapiStatement.id))).scalar_one()


@pytest.fixture
def server(synced: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeLrs]:
    with fake_lrs.running() as fake:
        synced.config.update(LRS_ENDPOINT=fake.url + "/", LRS_USERNAME=fake_lrs.USERNAME)
        # As the environment gives it: TRAINER_* values are read as JSON where they parse.
        monkeypatch.setenv("TRAINER_LRS_PASSWORD", fake_lrs.PASSWORD)
        synced.config["LRS_PASSWORD"] = 100000.0
        yield fake


def push(app: Flask, **options: Any) -> lrs.PushReport:
    pauses: list[float] = []
    with app.app_context():
        report = lrs.push(app, sleep=pauses.append, **options)
    report.pauses = pauses  # type: ignore[attr-defined]
    return report


def rows(app: Flask) -> list[XapiStatement]:
    with app.app_context():
        found = db.session.execute(db.select(XapiStatement).order_by(XapiStatement.id)).scalars()
        found = list(found)
        db.session.expunge_all()
        return found


def test_batches_deliver_the_log_once(synced: Flask, logged: int, server: FakeLrs) -> None:
    report = push(synced, batch_size=5)
    assert (report.delivered, report.known, report.rejected, report.batches) == (logged, 0, 0, 4)
    assert report.ok
    assert [len(seen.body) for seen in server.requests] == [5, 5, 5, 2]
    assert all(
        seen.method == "POST" and seen.path == "/xAPI/statements" for seen in server.requests
    )
    assert {seen.authorization for seen in server.requests} == {fake_lrs.basic()}
    assert {seen.version for seen in server.requests} == {"1.0.3"}
    log = rows(synced)
    assert all(row.delivered_at is not None and row.send_attempts == 1 for row in log)
    # What the LRS got is the log's statement as exported, but for `stored`, which is the LRS's.
    assert server.stored == {row.statement_id: row.statement for row in log}
    assert not any("stored" in statement for statement in server.stored.values())

    again = push(synced)
    assert (again.delivered, again.batches) == (0, 0)
    assert len(server.sent_ids) == logged  # nothing was sent twice


def test_new_statements_go_in_the_next_run(
    synced: Flask, logged: int, server: FakeLrs, make_user
) -> None:
    push(synced)
    take(synced, make_user("cezary@example.com"), "sprawdzian", right=True)
    report = push(synced)
    assert report.delivered == 4  # started, two answers, passed
    assert len(server.sent_ids) == len(set(server.sent_ids)) == logged + 4


def test_ids_the_lrs_already_holds_count_as_delivered(
    synced: Flask, logged: int, server: FakeLrs
) -> None:
    """A 409 on a batch: each statement alone, and a 409 on one means the LRS has it."""
    first, second = rows(synced)[:2]
    server.stored[first.statement_id] = first.statement
    server.stored[second.statement_id] = {"actor": "what someone else sent"}
    report = push(synced, batch_size=10)
    assert (report.delivered, report.known, report.rejected) == (logged - 2, 2, 0)
    puts = [seen for seen in server.requests if seen.method == "PUT"]
    assert len(puts) == 10  # the refused batch, one by one; the second batch went whole
    log = rows(synced)
    assert all(row.delivered_at is not None and row.last_error is None for row in log)
    assert [row.send_attempts for row in log[:10]] == [2] * 10
    assert push(synced).batches == 0


def test_an_lrs_that_does_not_answer_is_retried_with_back_off(
    synced: Flask, logged: int, server: FakeLrs
) -> None:
    server.script = [503, 500, 429]
    report = push(synced, batch_size=100, retries=3, backoff=0.5)
    assert report.ok and report.delivered == logged
    assert report.pauses == [0.5, 1.0, 2.0]
    assert {row.send_attempts for row in rows(synced)} == {4}


def test_when_the_tries_run_out_the_queue_stays_with_its_error(
    synced: Flask, client: FlaskClient, login_as, logged: int, server: FakeLrs
) -> None:
    server.script = [503] * 3
    report = push(synced, batch_size=10, retries=2, backoff=1)
    assert report.stopped and "HTTP 503" in report.stopped
    assert report.pauses == [1, 2]
    assert len(server.requests) == 3  # the first batch only: the LRS is down
    log = rows(synced)
    assert all(row.delivered_at is None for row in log)
    assert [row.send_attempts for row in log] == [3] * 10 + [0] * (logged - 10)
    assert all(row.last_error.startswith("HTTP 503") for row in log[:10])

    login_as("hr")
    page = client.get("/hr/xapi")
    assert page.status_code == 200
    assert f'<dd id="xapi-queued">{logged}</dd>' in page.text
    assert '<dd id="xapi-delivered">0</dd>' in page.text
    assert '<dd id="xapi-failing">10</dd>' in page.text
    assert log[0].statement_id in page.text and "HTTP 503" in page.text
    assert server.url.removesuffix("/xAPI") in page.text

    report = push(synced)  # back up: everything goes, the failed batch first
    assert report.ok and report.delivered == logged
    assert server.sent_ids[-logged:] == [row.statement_id for row in log]
    page = client.get("/hr/xapi")
    assert f'<dd id="xapi-delivered">{logged}</dd>' in page.text
    assert '<dd id="xapi-failing">0</dd>' in page.text


def test_refused_credentials_stop_at_once(synced: Flask, logged: int, server: FakeLrs) -> None:
    synced.config["LRS_USERNAME"] = "someone"
    report = push(synced, retries=5)
    assert report.stopped and "credentials" in report.stopped
    assert len(server.requests) == 1 and report.pauses == []
    assert all(row.delivered_at is None for row in rows(synced))


def test_one_bad_statement_does_not_hold_up_the_rest(
    synced: Flask, logged: int, server: FakeLrs
) -> None:
    bad = rows(synced)[3]
    with synced.app_context():
        broken = {key: value for key, value in bad.statement.items() if key != "actor"}
        db.session.execute(
            update(XapiStatement).where(XapiStatement.id == bad.id).values(statement=broken)
        )
        db.session.commit()
    report = push(synced, batch_size=8)
    assert (report.delivered, report.rejected) == (logged - 1, 1)
    assert not report.ok
    left = [row for row in rows(synced) if row.delivered_at is None]
    assert [row.id for row in left] == [bad.id]
    assert left[0].last_error.startswith("HTTP 400")


def test_an_unreachable_lrs_is_an_error_on_the_queue(synced: Flask, logged: int) -> None:
    with fake_lrs.running() as gone:
        url = gone.url
    synced.config["LRS_ENDPOINT"] = url
    report = push(synced, retries=1, backoff=0)
    assert report.stopped
    assert rows(synced)[0].last_error  # the connection error, as the client saw it


def test_push_command(synced: Flask, logged: int, server: FakeLrs) -> None:
    runner = synced.test_cli_runner()
    result = runner.invoke(args=["xapi", "push", "--batch-size", "7"])
    assert result.exit_code == 0, result.output
    assert f"{logged} statements delivered, 0 already in the LRS, 0 refused, 0 still queued" in (
        result.output
    )
    server.script = [503] * 4
    with synced.app_context():
        db.session.execute(update(XapiStatement).values(delivered_at=None))
        db.session.commit()
    result = runner.invoke(args=["xapi", "push", "--retries", "1", "--backoff", "0"])
    assert result.exit_code == 1
    assert "stopped: the LRS did not take the batch after 2 tries: HTTP 503" in result.output


def test_push_without_an_endpoint_says_what_to_set(synced: Flask) -> None:
    result = synced.test_cli_runner().invoke(args=["xapi", "push"])
    assert result.exit_code == 1
    assert "TRAINER_LRS_ENDPOINT" in result.output


def test_the_page_without_an_lrs(client: FlaskClient, login_as) -> None:
    login_as("hr")
    page = client.get("/hr/xapi")
    assert page.status_code == 200
    assert "not set: statements are logged" in page.text
    assert '<dd id="xapi-queued">0</dd>' in page.text


def test_the_page_speaks_polish(polish_client: FlaskClient, make_user) -> None:
    make_user("kadry@example.com", "hr")
    polish_client.post("/login", data={"email": "kadry@example.com", "password": PASSWORD})
    page = polish_client.get("/hr/xapi")
    assert "Wpisy xAPI i LRS" in page.text and "Czekają na wysłanie" in page.text
    assert "nie ustawiono" in page.text
    report = polish_client.get("/hr/")
    assert 'href="/hr/xapi"' in report.text
