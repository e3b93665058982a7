"""Error pages in the site's layout (JSON under /api/); never a stack trace."""

import contextlib
import json

from flask import Flask, Response, current_app, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from trainer.extensions import db, login_manager
from trainer.ops.request_log import request_id

# What each status means to a user, in their language.
MESSAGES = {
    400: lambda: _("The request could not be understood. Please go back and try again."),
    403: lambda: _("You do not have permission to open this page."),
    404: lambda: _("We could not find this page."),
    405: lambda: _("This action is not allowed here."),
    413: lambda: _("The file you sent is too large."),
    429: lambda: _("Too many requests. Please wait a moment and try again."),
    500: lambda: _("Something went wrong on our side. Please try again later."),
    503: lambda: _("Trainer cannot reach its database just now. Please try again in a moment."),
}
# How long a client (or the proxy's passive check) should leave an instance whose database
# did not answer before it asks again.
RETRY_AFTER_SECONDS = 5


def wants_json() -> bool:
    """Whether the caller is an API client rather than a browser."""
    return request.path.startswith("/api/")


def json_error(status: int, title: str, detail: str, **extra: str) -> Response:
    """The API's errors as RFC 9457 problem details: `type`, `title`, `status`, `detail`, and
    extension members such as `parameter`; the detail is in the request's language."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    response = current_app.response_class(
        json.dumps(body, ensure_ascii=False), status=status, mimetype="application/problem+json"
    )
    response.headers["Content-Language"] = str(get_locale() or "pl")
    return response


def render_error(error: HTTPException) -> tuple[Response | str, int]:
    """Render `error` as a page, or as JSON for the API. A server error carries the request's
    id, which a user can quote and which leads to the logged traceback."""
    status = error.code or 500
    message = MESSAGES.get(status, lambda: error.name)()
    reference = request_id() if status >= 500 else None
    if wants_json():
        extra = {"reference": reference} if reference else {}
        response = json_error(status, error.name, message, **extra)
        # What the error itself says the client needs: Allow on a 405, for one.
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response, status
    page = render_template("errors/error.html", status=status, message=message, reference=reference)
    return page, status


def init_app(app: Flask) -> None:
    """Register the handlers."""

    # An unhandled exception reaches this handler too: Flask logs it with its traceback (and,
    # through the log filter, the request id), then passes it on as an InternalServerError.
    # Nothing catches `Exception` itself, which would hide the traceback from the log.
    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException) -> tuple[Response | str, int]:
        return render_error(error)

    @app.errorhandler(OperationalError)
    def handle_database_unavailable(error: OperationalError) -> tuple[Response | str, int]:
        """The database did not answer (down, unreachable, out of connections, a deadlock):
        503, which tells a reverse proxy to send the request to another instance (nginx's
        `proxy_next_upstream http_503`), instead of a 500 that means a bug."""
        current_app.logger.error("database unavailable", exc_info=error)
        with contextlib.suppress(SQLAlchemyError):
            db.session.rollback()
        # The page's layout asks who is signed in; loading the user would fail the same way.
        login_manager._update_request_context_with_user()
        body, status = render_error(ServiceUnavailable())
        response = current_app.make_response((body, status))
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response, status
