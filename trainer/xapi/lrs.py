"""Send the statement log's queued statements to a learning record store, in batches.

A batch is POSTed to the LRS's statements resource. A network error, a 429 or a 5xx is
tried again after an exponentially growing pause (`backoff`, then twice that, ...); when the
tries run out the run stops, since the LRS is not answering, and the batch stays queued.
Any other refusal of a batch (a 409 because the LRS already holds one of its ids, a 400 for
one bad statement) sends its statements one by one with PUT, so that each gets its own
answer: a 204 or a 409 (the LRS already has that id) both mean delivered, anything else
leaves that statement queued with its error while the rest go on. 401 and 403 stop the run.

Each statement is marked delivered in the run's transaction, committed after every batch,
and a delivered statement is never sent again. Every try is counted on the statement, with
the moment and the last error, for the HR page.
"""

import base64
import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

from flask import Flask, current_app
from sqlalchemy import func

from trainer import jobs
from trainer.extensions import db
from trainer.models import XapiStatement
from trainer.models.types import utcnow

VERSION = "1.0.3"
MAX_PAUSE = 300.0  # seconds: the longest wait between two tries of one batch
ERROR_LENGTH = 500  # characters of an LRS answer kept as the last error


class LrsNotConfigured(RuntimeError):
    """TRAINER_LRS_ENDPOINT is not set."""


@dataclass(frozen=True)
class Lrs:
    """Where and as whom to send: the LRS's xAPI endpoint and Basic credentials."""

    endpoint: str
    username: str
    password: str
    timeout: float = 30.0

    @classmethod
    def from_config(cls, app: Flask) -> "Lrs":
        """The LRS the configuration names; raises LrsNotConfigured without an endpoint."""
        endpoint = app.config.get("LRS_ENDPOINT")
        if not endpoint:
            raise LrsNotConfigured("set TRAINER_LRS_ENDPOINT (and the Basic credentials)")
        return cls(
            str(endpoint).rstrip("/"), _text(app, "LRS_USERNAME"), _text(app, "LRS_PASSWORD"),
            float(app.config.get("LRS_TIMEOUT_SECONDS") or 30),
        )  # fmt: skip

    @property
    def statements(self) -> str:
        """The statements resource under the endpoint."""
        return f"{self.endpoint}/statements"

    def send(self, method: str, url: str, body: Any) -> tuple[int | None, str]:
        """One request: the HTTP status (None when none came back) and the answer's text."""
        headers = {
            "Content-Type": "application/json",
            "X-Experience-API-Version": VERSION,
        }
        if self.username or self.password:
            pair = f"{self.username}:{self.password}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        request = urllib.request.Request(url, data=data, headers=headers, method=method)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")
        except (OSError, ValueError) as error:  # refused, unreachable, timed out, bad URL
            return None, f"{type(error).__name__}: {error}"


@dataclass
class PushReport:
    """What one run did."""

    delivered: int = 0  # accepted now
    known: int = 0  # the LRS already held the id (409): delivered too
    rejected: int = 0  # refused one by one; they stay queued with their error
    batches: int = 0
    stopped: str | None = None  # why the run ended before the queue did
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.stopped is None and not self.rejected


class _Stop(Exception):
    """The LRS cannot take statements now: end the run, keep the queue."""


@dataclass
class Pusher:
    """Sends the queue in batches; `sleep` waits between tries (tests pass their own)."""

    lrs: Lrs
    batch_size: int = 100
    retries: int = 3
    backoff: float = 1.0
    sleep: Callable[[float], None] = time.sleep
    report: PushReport = field(default_factory=PushReport)

    def run(self) -> PushReport:
        """Send every queued statement, a batch per transaction, until none is left."""
        last = 0
        while True:
            batch = _queued_after(last, self.batch_size)
            if not batch:
                break
            last = batch[-1].id
            self.report.batches += 1
            try:
                self._batch(batch)
            except _Stop as stop:
                self.report.stopped = str(stop)
                break
            finally:
                db.session.commit()
        return self.report

    def _batch(self, batch: Sequence[XapiStatement]) -> None:
        status, text = self._with_retries(
            batch, "POST", self.lrs.statements, [row.statement for row in batch]
        )
        if status in (200, 204):
            for row in batch:
                _delivered(row)
                self.report.delivered += 1
            return
        # Refused as a whole: one statement's answer each, so one bad apple spoils nothing.
        for row in batch:
            url = f"{self.lrs.statements}?statementId={quote(row.statement_id)}"
            status, text = self._with_retries([row], "PUT", url, row.statement)
            if status in (200, 204):
                _delivered(row)
                self.report.delivered += 1
            elif status == 409:
                _delivered(row)
                self.report.known += 1
            else:
                row.last_error = _error(status, text)
                self.report.rejected += 1
                self.report.errors.append(f"{row.statement_id}: {row.last_error}")

    def _with_retries(
        self, rows: Sequence[XapiStatement], method: str, url: str, body: Any
    ) -> tuple[int, str]:
        """Send until an answer that is not worth waiting out; stop the run if none comes."""
        for attempt in range(self.retries + 1):
            if attempt:
                self.sleep(min(self.backoff * 2 ** (attempt - 1), MAX_PAUSE))
            status, text = self.lrs.send(method, url, body)
            now = utcnow()
            for row in rows:
                row.send_attempts += 1
                row.last_attempt_at = now
            if status in (401, 403):
                message = _error(status, text)
                _failed(rows, message)
                raise _Stop(f"the LRS refused the credentials: {message}")
            if status is not None and status != 429 and status < 500:
                return status, text
            _failed(rows, _error(status, text))
        raise _Stop(f"the LRS did not take the batch after {self.retries + 1} tries: "
                    f"{rows[0].last_error}")  # fmt: skip


def push(
    app: Flask, batch_size: int = 100, retries: int = 3, backoff: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
) -> PushReport:  # fmt: skip
    """Send the queue to the configured LRS; what happened."""
    pusher = Pusher(Lrs.from_config(app), batch_size, retries, backoff, sleep)
    return pusher.run()


def push_soon(app: Flask) -> str | None:
    """After statements were committed: one push on the worker, XAPI_PUSH_DELAY_SECONDS after
    the first of them, for all recorded meanwhile; its job id, or None when one is pending.

    Only with a worker (REDIS_URL) and an LRS: inline, the request would wait for the LRS,
    so without a worker `flask --app trainer xapi push` (e.g. from cron) sends the log.
    """
    config = app.config
    if not config.get("LRS_ENDPOINT") or not jobs.configured(config):
        return None
    delay = float(config.get("XAPI_PUSH_DELAY_SECONDS") or 0)
    # Set until the push starts (or expires, should a worker die with the job).
    if not jobs.connection(config).set(_pending_key(app), "1", nx=True, ex=int(delay) + 3600):
        return None
    return jobs.enqueue("trainer.xapi.lrs:push_job", config=config, delay_seconds=delay)


def push_job() -> int:
    """The worker's push: whatever is queued now; how many statements were delivered."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    # Statements committed from now on ask for a push of their own.
    jobs.connection(app.config).delete(_pending_key(app))
    config = app.config
    report = push(app, int(config["LRS_BATCH_SIZE"]), int(config["LRS_RETRIES"]),
                  float(config["LRS_BACKOFF_SECONDS"]))  # fmt: skip
    if not report.ok:
        # The statements stay queued; the next push (or `flask xapi push`) tries them again.
        raise RuntimeError(report.stopped or f"{report.rejected} statements refused")
    return report.delivered


def _pending_key(app: Flask) -> str:
    return f"{app.config.get('JOB_QUEUE') or 'trainer'}:xapi-push-pending"


def _text(app: Flask, name: str) -> str:
    """A credential as text. TRAINER_* variables are read as JSON where they parse, so a
    password such as `1e5` or `true` arrives as a number or a boolean: take its own text."""
    value = app.config.get(name)
    raw = os.environ.get(f"TRAINER_{name}")
    if raw is not None and not isinstance(value, str):
        try:
            if json.loads(raw) == value:
                return raw
        except ValueError:
            pass
    return "" if value is None else str(value)


def _queued_after(last: int, limit: int) -> list[XapiStatement]:
    """The next queued statements, oldest first. On PostgreSQL a concurrent run skips the
    rows this one is sending (SQLite has one writer at a time anyway)."""
    query = (
        db.select(XapiStatement)
        .where(XapiStatement.delivered_at.is_(None), XapiStatement.id > last)
        .order_by(XapiStatement.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(db.session.execute(query).scalars())


def _delivered(row: XapiStatement) -> None:
    row.delivered_at = utcnow()
    row.last_error = None


def _failed(rows: Sequence[XapiStatement], message: str) -> None:
    for row in rows:
        row.last_error = message


def _error(status: int | None, text: str) -> str:
    flat = " ".join(text.split())[:ERROR_LENGTH]
    return f"HTTP {status}: {flat}" if status is not None else flat


@dataclass(frozen=True)
class QueueState:
    """The HR page's view of the log: what waits, what went, what failed last."""

    queued: int
    delivered: int
    last_delivered_at: Any
    failing: int
    errors: list[XapiStatement]


def queue_state(errors: int = 20) -> QueueState:
    """Counts of queued and delivered statements, and the latest failures."""
    queued, delivered, last, failing = db.session.execute(
        db.select(
            func.count().filter(XapiStatement.delivered_at.is_(None)),
            func.count(XapiStatement.delivered_at),
            func.max(XapiStatement.delivered_at),
            func.count().filter(
                XapiStatement.delivered_at.is_(None), XapiStatement.last_error.is_not(None)
            ),
        )
    ).one()
    latest = db.session.execute(
        db.select(XapiStatement)
        .where(XapiStatement.delivered_at.is_(None), XapiStatement.last_error.is_not(None))
        .order_by(XapiStatement.last_attempt_at.desc(), XapiStatement.id.desc())
        .limit(errors)
    ).scalars()
    return QueueState(queued, delivered, last, failing, list(latest))


def endpoint_label(app: Flask) -> str | None:
    """The configured endpoint without credentials or query, to show; None when unset."""
    endpoint = app.config.get("LRS_ENDPOINT")
    if not endpoint:
        return None
    parts = urlsplit(str(endpoint))
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"
