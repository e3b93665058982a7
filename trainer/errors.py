"""Error pages in the site's layout (JSON under /api/); never a stack trace."""

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, InternalServerError

# What each status means to a user, in their language.
MESSAGES = {
    400: lambda: _("The request could not be understood. Please go back and try again."),
    403: lambda: _("You do not have permission to open this page."),
    404: lambda: _("We could not find this page."),
    405: lambda: _("This action is not allowed here."),
    413: lambda: _("The file you sent is too large."),
    429: lambda: _("Too many requests. Please wait a moment and try again."),
    500: lambda: _("Something went wrong on our side. Please try again later."),
}


def wants_json() -> bool:
    """Whether the caller is an API client rather than a browser."""
    return request.path.startswith("/api/")


def json_error(status: int, name: str, message: str, **extra: str) -> Response:
    """The API's one shape of error body: `{"error", "message", "status"}` and any extras."""
    response = jsonify(error=name, message=message, status=status, **extra)
    response.status_code = status
    return response


def render_error(error: HTTPException) -> tuple[Response | str, int]:
    """Render `error` as a page, or as JSON for the API."""
    status = error.code or 500
    message = MESSAGES.get(status, lambda: error.name)()
    if wants_json():
        return json_error(status, error.name, message), status
    return render_template("errors/error.html", status=status, message=message), status


def init_app(app: Flask) -> None:
    """Register the handlers."""

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException) -> tuple[Response | str, int]:
        return render_error(error)

    @app.errorhandler(Exception)
    def handle_unexpected_error(error: Exception) -> tuple[Response | str, int]:
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(InternalServerError())
