"""Query parameters of the API, checked strictly: filters, page size and opaque cursors."""

import base64
import binascii
import json
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from trainer.reporting.hr_api import RowKey
from trainer.reporting.report import ReportFilter
from trainer.routing import ID_MAX

MAX_LIMIT = 500
DEFAULT_LIMIT = 100
REPORT_PARAMETERS = ("course", "department", "status", "since", "until", "search")
# Statements take the report's population filters; `since` and `until` are moments of storing.
STATEMENT_PARAMETERS = ("course", "department", "status", "since", "until")
PAGE_PARAMETERS = ("limit", "cursor")


class BadParameter(ValueError):
    """A query parameter that cannot be used; `parameter` names it, the message says why."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter


def checked(args: MultiDict[str, str], allowed: Iterable[str]) -> dict[str, str]:
    """The parameters as a plain dict; unknown or repeated ones are refused."""
    allowed = set(allowed)
    values: dict[str, str] = {}
    for name, given in args.lists():
        if name not in allowed:
            raise BadParameter(name, _("Unknown parameter %(name)s.", name=name))
        if len(given) > 1:
            raise BadParameter(name, _("Give the parameter %(name)s once.", name=name))
        if any(ord(char) < 32 for char in given[0]):  # PostgreSQL refuses NUL in text
            raise BadParameter(name, _("%(name)s contains control characters.", name=name))
        # Taken as sent, as the OpenAPI document describes them: no value may be empty.
        if not given[0]:
            raise BadParameter(name, _("Give a value for %(name)s, or leave it out.", name=name))
        values[name] = given[0]
    return values


def report_filter(values: dict[str, str]) -> ReportFilter:
    """The report's filter from `course`, `department`, `status`, `since`, `until`, `search`."""
    return ReportFilter(
        course=values.get("course") or None,
        department=values.get("department") or None,
        status=values.get("status") or None,
        since=_day(values, "since"),
        until=_day(values, "until"),
        search=values.get("search") or None,
    )


def statement_filter(values: dict[str, str]) -> ReportFilter:
    """The report's filter from `course`, `department` and `status`, for statements."""
    return ReportFilter(
        course=values.get("course") or None,
        department=values.get("department") or None,
        status=values.get("status") or None,
    )


def page_size(values: dict[str, str]) -> int:
    """`limit`: 1 to MAX_LIMIT rows, DEFAULT_LIMIT when not given."""
    raw = values.get("limit")
    if not raw:
        return DEFAULT_LIMIT
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise BadParameter(
            "limit", _("limit must be a whole number from 1 to %(max)d.", max=MAX_LIMIT)
        )
    return int(raw)


def moment(values: dict[str, str], name: str) -> datetime | None:
    """An ISO 8601 date or date and time; without a zone it is UTC."""
    raw = values.get(name)
    if not raw:
        return None
    try:
        parsed = datetime.fromisoformat(raw)
        return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except (ValueError, OverflowError):  # overflow: a zone pushing year 1 or 9999 over the edge
        raise BadParameter(
            name, _("%(name)s must be an ISO 8601 date or date and time.", name=name)
        ) from None


def _day(values: dict[str, str], name: str) -> date | None:
    raw = values.get(name)
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        day = None
    # The last day there is has no next day, which the report's end-of-day bound needs.
    if day is None or day == date.max:
        raise BadParameter(name, _("%(name)s must be a date written YYYY-MM-DD.", name=name))
    return day


def encode_cursor(kind: str, key: list[Any]) -> str:
    """An opaque cursor: base64url of the key of the last row a page ended with."""
    raw = json.dumps({kind: key}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(values: dict[str, str], kind: str) -> Any:
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


def completions_cursor(values: dict[str, str]) -> RowKey | None:
    """Where a page of completions starts: after (user id, course slug)."""
    key = _decode(values, "completions")
    if key is None:
        return None
    if not (isinstance(key, list) and len(key) == 2 and _is_id(key[0]) and _is_slug(key[1])):
        raise BadParameter("cursor", _("The cursor is not valid here; start without one."))
    return key[0], key[1]


def statements_cursor(values: dict[str, str]) -> int | None:
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
