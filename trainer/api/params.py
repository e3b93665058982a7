"""Query parameters of the API, read by webargs with the schemas of `schemas`: strict as the
OpenAPI document says, with every refusal naming its parameter in the user's language."""

import base64
import binascii
import json
from typing import Any, NoReturn

from flask import Request
from flask_babel import gettext as _
from marshmallow import Schema, ValidationError, fields
from webargs.flaskparser import FlaskParser

from trainer.api.schemas import MAX_LIMIT, Moment, WholeNumber
from trainer.reporting.hr_api import RowKey
from trainer.reporting.report import STATUSES, ReportFilter
from trainer.routing import ID_MAX


class BadParameter(ValueError):
    """A query parameter that cannot be used; `parameter` names it, the message says why."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter


class QueryParser(FlaskParser):
    """webargs' parser, stricter where the document is: a parameter given twice is refused
    (webargs would take the first), and an unknown one too (webargs would drop it)."""

    def __init__(self) -> None:
        super().__init__(unknown=None)  # None: the schema's own rule, which refuses unknowns

    def load_querystring(self, req: Request, schema: Schema) -> Any:
        """The query string, once each parameter is known to be given once."""
        for name, given in req.args.lists():
            if len(given) > 1:
                raise BadParameter(name, _("Give the parameter %(name)s once.", name=name))
        return super().load_querystring(req, schema)

    def handle_error(  # type: ignore[override]
        self, error: ValidationError, req: Request, schema: Schema, **_kwargs: Any
    ) -> NoReturn:
        """Raise BadParameter for the first parameter the schema refused."""
        messages = error.messages
        if isinstance(messages, dict):
            messages = messages.get("query", messages)
        name = next(iter(messages)) if isinstance(messages, dict) and messages else ""
        raise BadParameter(name, refusal(name, req.args.get(name, ""), schema.fields.get(name)))


def refusal(name: str, given: str, field: fields.Field | None) -> str:
    """Why the value `given` for the parameter `name` cannot be used."""
    if field is None:
        return _("Unknown parameter %(name)s.", name=name)
    if not given:
        return _("Give a value for %(name)s, or leave it out.", name=name)
    if any(ord(char) < 32 or 127 <= ord(char) < 160 for char in given):
        return _("%(name)s contains control characters.", name=name)
    if isinstance(field, WholeNumber):
        return _("limit must be a whole number from 1 to %(max)d.", max=MAX_LIMIT)
    if isinstance(field, Moment):
        return _("%(name)s must be an ISO 8601 date or date and time.", name=name)
    if isinstance(field, fields.Date):
        return _("%(name)s must be a date written YYYY-MM-DD.", name=name)
    if name == "status":
        return _(
            "Unknown status %(status)s; use one of: %(statuses)s.",
            status=given, statuses=", ".join(STATUSES),
        )  # fmt: skip
    return _("%(name)s is not valid here.", name=name)


def report_filter(values: dict[str, Any]) -> ReportFilter:
    """The report's filter from `course`, `department`, `status`, `since`, `until`, `search`."""
    return ReportFilter(
        course=values.get("course"),
        department=values.get("department"),
        status=values.get("status"),
        since=values.get("since"),
        until=values.get("until"),
        search=values.get("search"),
    )


def statement_filter(values: dict[str, Any]) -> ReportFilter:
    """The report's filter from `course`, `department` and `status`, for statements."""
    return ReportFilter(
        course=values.get("course"), department=values.get("department"),
        status=values.get("status"),
    )  # fmt: skip


def encode_cursor(kind: str, key: list[Any]) -> str:
    """An opaque cursor: base64url of the key of the last row a page ended with."""
    raw = json.dumps({kind: key}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(values: dict[str, Any], kind: str) -> Any:
    raw = values.get("cursor")
    if not raw:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    except (binascii.Error, ValueError):
        data = None
    if not isinstance(data, dict) or set(data) != {kind}:
        raise BadParameter("cursor", _("The cursor is not valid here; start without one."))
    return data[kind]


def completions_cursor(values: dict[str, Any]) -> RowKey | None:
    """Where a page of completions starts: after (user id, course slug)."""
    key = _decode(values, "completions")
    if key is None:
        return None
    if not (isinstance(key, list) and len(key) == 2 and _is_id(key[0]) and _is_slug(key[1])):
        raise BadParameter("cursor", _("The cursor is not valid here; start without one."))
    return key[0], key[1]


def statements_cursor(values: dict[str, Any]) -> int | None:
    """Where a page of statements starts: after this position in the statement log."""
    key = _decode(values, "statements")
    if key is None:
        return None
    if not (isinstance(key, list) and len(key) == 1 and _is_id(key[0])):
        raise BadParameter("cursor", _("The cursor is not valid here; start without one."))
    return key[0]


def _is_id(value: Any) -> bool:
    """Zero (before the first row) up to the largest id an integer column holds."""
    return type(value) is int and 0 <= value <= ID_MAX


def _is_slug(value: Any) -> bool:
    # A cursor is decoded from the query string: its text may hold what the string may not.
    return isinstance(value, str) and value.isprintable()
