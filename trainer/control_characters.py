"""Refuse a request carrying control characters before any view, or the database, sees it.

PostgreSQL cannot store NUL in text at all, and no name, filter, slug or answer needs the
others. Form fields keep tab and line breaks, which a text area legitimately sends.
"""

import json
import re
from collections.abc import Iterator
from typing import Any

from flask import Flask, Request, Response, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

from trainer.errors import json_error, render_error, wants_json

# C0, DEL and C1: Unicode's category Cc.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
CONTROL_IN_FORM = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def refused_part(req: Request) -> str | None:
    """The name of the first part of `req` holding a control character, or None."""
    if CONTROL.search(req.path):
        return "path"
    for name, value in req.args.items(multi=True):
        if _holds(CONTROL, name, value):
            return name
    for name, value in req.form.items(multi=True):
        if _holds(CONTROL, name) or _holds(CONTROL_IN_FORM, value):
            return name or "form"
    for name, upload in req.files.items(multi=True):
        if _holds(CONTROL, name, upload.filename):
            return name or "file"
    if req.is_json and any(CONTROL.search(text) for text in _json_strings(req)):
        return "body"
    return None


def _holds(pattern: re.Pattern[str], *texts: str | None) -> bool:
    # A multipart part whose header was cut by a line break arrives with no name (None).
    return any(text and pattern.search(text) for text in texts)


def _json_strings(req: Request) -> Iterator[str]:
    """Every key and string of a JSON body; nothing when the body is not JSON at all."""
    try:
        stack: list[Any] = [json.loads(req.get_data(cache=True))]
    except (ValueError, RecursionError):  # malformed or absurdly deep: left to the view
        return
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            yield from value
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)


def init_app(app: Flask) -> None:
    """Answer 400 (the error page, or the API's JSON error) to any request `refused_part` names."""

    @app.before_request
    def refuse_control_characters() -> Response | tuple[Response | str, int] | None:
        part = refused_part(request)
        if part is None:
            return None
        if wants_json():
            name = CONTROL.sub("", part)  # a parameter's own name may be the culprit
            message = _("%(name)s contains control characters.", name=name)
            return json_error(400, "Bad Request", message, parameter=name), 400
        return render_error(BadRequest())
