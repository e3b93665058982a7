"""The push against a real LRS: Ralph (`ralph-malph[lrs]`) on loopback, with its file backend.

Ralph runs as `ralph runserver -b fs` runs it (uvicorn serving `ralph.api:app`, the backend
named by RALPH_RUNSERVER_BACKEND), started directly so that Ralph's own command line, which
pins an older Click than Flask's, is not needed. One change: Ralph 5.1's file backend writes
its one statements file in "create" mode, so every POST after the first fails with a 500
("already exists and overwrite is not allowed"); the server here appends instead, as the
file backend's own `append` mode does. The demo data's statements are pushed in several
batches, read back through GET /xAPI/statements, and pushed again after a rename to show the
LRS gets the very same statements. Without Ralph the test is skipped, unless
TRAINER_REQUIRE_LRS=1.
"""

import base64
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from flask import Flask
from sqlalchemy import update

from trainer.demo import dataset
from trainer.extensions import db
from trainer.models import User, XapiStatement
from trainer.xapi import lrs

USERNAME, PASSWORD = "trainer", "ralph-test-password"
START_TIMEOUT = 90  # seconds: a busy machine imports FastAPI and Ralph slowly
COMPARED = ("id", "actor", "verb", "object", "result", "context", "timestamp")
SERVE = """
import sys
import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND
uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


@dataclass
class Ralph:
    endpoint: str

    def get(self, url: str) -> dict[str, Any]:
        pair = base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
        request = urllib.request.Request(  # noqa: S310 (loopback)
            urljoin(self.endpoint, url),
            headers={"Authorization": f"Basic {pair}", "X-Experience-API-Version": "1.0.3"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return json.load(response)

    def statements(self) -> list[dict[str, Any]]:
        """Every statement Ralph holds, page after page by `more`."""
        found: list[dict[str, Any]] = []
        page = self.get(f"{self.endpoint}/statements?limit=100")
        while True:
            found += page["statements"]
            if not page.get("more"):
                return found
            page = self.get(page["more"])


def _unavailable(reason: str) -> None:
    if os.environ.get("TRAINER_REQUIRE_LRS") == "1":
        pytest.fail(f"TRAINER_REQUIRE_LRS=1 but {reason}")
    pytest.skip(f"{reason}: pip install 'ralph-malph[lrs]' requests to run it")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def ralph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ralph]:
    home = tmp_path_factory.mktemp("ralph")
    env = {
        **os.environ,
        "RALPH_AUTH_FILE": str(home / "auth.json"),
        "RALPH_RUNSERVER_BACKEND": "fs",
        "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(home / "statements"),
    }
    probe = subprocess.run(
        [sys.executable, "-c", "import bcrypt, uvicorn, ralph.api"],
        capture_output=True, text=True, cwd=home, env=env,
    )  # fmt: skip
    if probe.returncode != 0:
        _unavailable(f"Ralph's LRS cannot be imported ({probe.stderr.strip().splitlines()[-1]})")
    import bcrypt

    # The credentials file `ralph auth --write-to-disk` writes: a bcrypt hash per user.
    hashed = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt()).decode()
    (home / "auth.json").write_text(json.dumps([{
        "username": USERNAME, "hash": hashed, "scopes": ["all"],
        "agent": {"objectType": "Agent",
                  "account": {"name": USERNAME, "homePage": "https://trainer.example"}},
    }]))  # fmt: skip
    (home / "statements").mkdir(exist_ok=True)
    port = _free_port()
    log = (home / "ralph.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-c", SERVE, str(port)],
        cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if server.poll() is not None:
                pytest.fail("Ralph stopped at start:\n" + (home / "ralph.log").read_text())
            try:
                with urllib.request.urlopen(f"{base}/__heartbeat__", timeout=2):  # noqa: S310
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("Ralph did not answer:\n" + (home / "ralph.log").read_text())
                time.sleep(0.5)
        yield Ralph(f"{base}/xAPI")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


def _log(app: Flask) -> list[XapiStatement]:
    with app.app_context():
        rows = list(db.session.execute(db.select(XapiStatement)).scalars())
        db.session.expunge_all()
        return rows


def _requeue(app: Flask) -> None:
    with app.app_context():
        db.session.execute(update(XapiStatement).values(delivered_at=None))
        db.session.commit()


def test_the_demo_datas_statements_reach_ralph_and_come_back(
    synced: Flask, ralph: Ralph, tmp_path: Path
) -> None:
    synced.config.update(LRS_ENDPOINT=ralph.endpoint, LRS_USERNAME=USERNAME, LRS_PASSWORD=PASSWORD)
    with synced.app_context():
        dataset.generate(4, seed=3)
        db.session.commit()
    log = _log(synced)
    assert len(log) > 40

    with synced.app_context():
        report = lrs.push(synced, batch_size=25)
    assert report.ok and report.delivered == len(log) and report.known == 0, report

    held = {statement["id"]: statement for statement in ralph.statements()}
    assert set(held) == {row.statement_id for row in log}
    for row in log:
        sent, kept = row.statement, held[row.statement_id]
        assert {key: kept.get(key) for key in COMPARED} == {key: sent.get(key) for key in COMPARED}
        assert kept["stored"]  # Ralph's own moment of storing

    with synced.app_context():
        assert lrs.push(synced).batches == 0  # nothing left to send

    # A renamed learner, everything sent again (as after a commit lost in a crash): the LRS
    # gets statements identical to what it holds, so it keeps one copy of each, no conflict.
    with synced.app_context():
        learner = db.session.execute(db.select(User).where(User.email.like("%@demo.%"))).scalar()
        learner.display_name, learner.email = "Zupełnie Nowe Nazwisko", "nowy@firma.pl"
        db.session.commit()
    _requeue(synced)
    with synced.app_context():
        again = lrs.push(synced, batch_size=100)
    assert again.ok and again.delivered + again.known == len(log), again
    assert len(ralph.statements()) == len(log)
