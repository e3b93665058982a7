"""Logging: one line per request, each carrying a request id that the 500 page shows too.

A user who reports "reference 3f2a…" leads straight to the line of the failed request and its
traceback. The id comes from the proxy's `X-Request-ID` when that looks like an id, so one
request can be followed through nginx and Trainer; otherwise it is made here. Lines are plain
text, or JSON objects when `LOG_FORMAT` is `json` (for a log collector).
"""

import logging
import re
import time
import uuid

from flask import Flask, Response, g, has_request_context, request, session
from flask.logging import default_handler
from pythonjsonlogger.json import JsonFormatter

# What an id from a proxy may look like: short, and nothing that could forge a log line.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
_TEXT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
_JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s"


def request_id() -> str:
    """The current request's id ("-" outside a request)."""
    if has_request_context() and "request_id" in g:
        return str(g.request_id)
    return "-"


class _RequestIdFilter(logging.Filter):
    """Stamp every record with the request id, so each formatter can print it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id()
        return True


def init_app(app: Flask) -> None:
    """Format Flask's log handler as configured, stamp records with the request id, and log
    every request. A deployment that configures logging itself keeps its handlers (Flask then
    adds none) and the records' `request_id`."""
    json_lines = str(app.config["LOG_FORMAT"]).lower() == "json"
    default_handler.setFormatter(
        JsonFormatter(_JSON_FIELDS) if json_lines else logging.Formatter(_TEXT)
    )
    # The factory runs more than once in a process (tests, the CLI): one filter each, not many.
    for stamped in (app.logger, default_handler):
        if not any(isinstance(f, _RequestIdFilter) for f in stamped.filters):
            stamped.addFilter(_RequestIdFilter())
    app.logger.setLevel(app.config["LOG_LEVEL"])

    @app.before_request
    def start_request() -> None:
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response: Response) -> Response:
        milliseconds = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
        # Flask-Login's session key, not current_user: a view that committed has expired the
        # user, and reading it here would load it again.
        user = session.get("_user_id")
        app.logger.info(
            "%s %s %s %.1fms user=%s",
            request.method,
            request.path,
            response.status_code,
            milliseconds,
            user or "-",
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round(milliseconds, 1),
                "user_id": user,
            },
        )
        response.headers["X-Request-ID"] = request_id()
        return response
