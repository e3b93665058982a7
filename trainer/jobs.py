"""Work that leaves the request: queued for the worker when Redis is configured, else inline.

This module alone decides. `enqueue("trainer.people.mail:send_queued", ...)` puts the call on
the RQ queue of REDIS_URL, where `flask --app trainer worker` runs it; with no REDIS_URL it
runs the call at once, in the request or command that asked (so `make run` stays one
process). Functions are named by "module:name" strings: the queue holds names, never code,
and this module imports nothing of Trainer's above it.

The worker creates the app once per process; each job runs in an app context of its own
(a fresh database session, removed when the job ends).
"""

import importlib
import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import Flask, current_app, has_app_context

log = logging.getLogger(__name__)
# How long RQ keeps a finished job's result, and a failed job's traceback, in Redis.
RESULT_TTL_SECONDS = 3600
FAILURE_TTL_SECONDS = 7 * 24 * 3600
_connections: dict[str, Any] = {}
# The worker process's app: set by `work`, read by `perform`.
_worker_app: Flask | None = None


class NoWorkerApp(RuntimeError):
    """A queued job ran outside `flask --app trainer worker` (no app to run it in)."""


def configured(config: Mapping[str, Any] | None = None) -> bool:
    """Whether jobs go to a worker (REDIS_URL is set) rather than run inline."""
    return bool((current_app.config if config is None else config).get("REDIS_URL"))


def connection(config: Mapping[str, Any]) -> Any:
    """The Redis client of REDIS_URL, one per URL and process (it pools its connections)."""
    from redis import Redis

    url = str(config["REDIS_URL"])
    if url not in _connections:
        _connections[url] = Redis.from_url(url)
    return _connections[url]


def queue(config: Mapping[str, Any]) -> Any:
    """The RQ queue jobs go to."""
    from rq import Queue

    return Queue(
        str(config.get("JOB_QUEUE") or "trainer"),
        connection=connection(config),
        default_timeout=int(config.get("JOB_TIMEOUT_SECONDS") or 3600),
    )


def enqueue(
    function: str, *args: Any, config: Mapping[str, Any] | None = None,
    delay_seconds: float = 0, retries: int = 0,
) -> str | None:  # fmt: skip
    """Run `function` ("module:name") with `args` on the worker; its job id.

    Without REDIS_URL it runs now, here, and the answer is None. `args` must be plain values
    (ids, strings, bytes): they are pickled into Redis. `retries` further tries of a failed
    job, a minute apart (the worker's scheduler re-queues them).
    """
    config = current_app.config if config is None else config
    if not configured(config):
        call(function, args)
        return None
    from rq import Retry

    options: dict[str, Any] = {
        "result_ttl": RESULT_TTL_SECONDS,
        "failure_ttl": FAILURE_TTL_SECONDS,
        "description": function,
    }
    if retries:
        options["retry"] = Retry(max=retries, interval=60)
    jobs = queue(config)
    if delay_seconds > 0:
        job = jobs.enqueue_in(timedelta(seconds=delay_seconds), perform, function, list(args),
                              **options)  # fmt: skip
    else:
        job = jobs.enqueue(perform, function, list(args), **options)
    return str(job.id)


def call(function: str, args: Any) -> Any:
    """Call the function a "module:name" string names."""
    module, _, name = function.partition(":")
    return getattr(importlib.import_module(module), name)(*args)


def perform(function: str, args: list[Any]) -> Any:
    """What the worker runs for each job: `function` in an app context of its own."""
    if has_app_context():
        return call(function, args)
    if _worker_app is None:
        raise NoWorkerApp("jobs run in `flask --app trainer worker`, which creates the app")
    with _worker_app.app_context():
        return call(function, args)


def work(app: Flask, burst: bool = False) -> bool:
    """Serve the queue in this process until stopped (or, with `burst`, until it is empty).

    A SimpleWorker: jobs run in this process, one after another, so the app is created once
    per worker process and its database pool is reused; run several workers for more at once.
    """
    from rq import SimpleWorker

    global _worker_app
    _worker_app = app
    jobs = queue(app.config)
    worker = SimpleWorker([jobs], connection=jobs.connection)
    # The scheduler moves delayed jobs (a debounced xAPI push, a retry) onto the queue.
    return bool(worker.work(burst=burst, with_scheduler=True, logging_level="INFO"))
