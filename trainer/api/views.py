"""The read-only HR API: completions, transcripts and xAPI statements, paged by cursor."""

from datetime import date, datetime
from itertools import islice
from typing import Any

from flask import Blueprint, Response, jsonify, request, send_from_directory, url_for
from flask_babel import gettext as _

from trainer.api import params
from trainer.api.auth import current_token, token_required
from trainer.api.params import BadParameter
from trainer.errors import json_error
from trainer.extensions import db
from trainer.models.types import iso_timestamp, utcnow
from trainer.people import assignments, audit
from trainer.reporting import hr_api, report, xapi
from trainer.reporting.report import FilterError
from trainer.reporting.transcript import transcript as learner_transcript

bp = Blueprint("api", __name__, url_prefix="/api/v1")
SCOPE = "hr:read"


@bp.get("/")
def index() -> Response:
    """Name and version; the description is public, every data route needs a bearer token."""
    return jsonify(name="Trainer API", version="v1", openapi="/api/v1/openapi.json")


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 description of this API."""
    return send_from_directory(bp.root_path, "openapi.json", mimetype="application/json")


@bp.get("/completions")
@token_required(SCOPE)
def completions() -> Response:
    """The completion report, one row per learner and course, a page at a time."""
    values = params.checked(request.args, (*params.REPORT_PARAMETERS, *params.PAGE_PARAMETERS))
    filters = params.report_filter(values)
    limit = params.page_size(values)
    after = params.completions_cursor(values)
    report.check_filter(filters)
    rows = hr_api.completions_page(filters, limit + 1, after)
    page = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        next_cursor = params.encode_cursor("completions", [page[-1].user_id, page[-1].course_slug])
    data = [_report_row(row) for row in page]
    _record("completions", {"filters": filters.as_dict(), "limit": limit}, len(data))
    return jsonify(data=data, next_cursor=next_cursor)


@bp.get("/users/<employee_id>/transcript")
@token_required(SCOPE)
def transcript(employee_id: str) -> Response | tuple[Response, int]:
    """Every lesson and attempt of the learner with this employee id."""
    params.checked(request.args, ())
    user_id = hr_api.user_id_by_employee_id(employee_id)
    found = learner_transcript(user_id) if user_id is not None else None
    if found is None:
        # Audited too: asking about people is use of the API, whether or not they exist.
        _record("transcript", {"employee_id": employee_id, "found": False}, 0)
        return _error(404, "Not Found", _("No learner has this employee id."))
    learner = found.learner
    data = {
        "learner": {
            "employee_id": learner.employee_id, "name": learner.display_name,
            "email": learner.email, "department": learner.department,
        },
        "lessons": [_plain_row(row) for row in found.lessons],
        "attempts": [_plain_row(row) for row in found.attempts],
        "completions": [_plain_row(row) for row in found.completions],
    }  # fmt: skip
    rows = len(found.lessons) + len(found.attempts) + len(found.completions)
    _record("transcript", {"employee_id": employee_id}, rows)
    return jsonify(data)


@bp.get("/xapi/statements")
@token_required(SCOPE)
def statements() -> Response:
    """xAPI statements of the report's learners, stored in (since, until], a page at a time,
    answered as xAPI's StatementResult: `statements`, and `more` (empty on the last page)."""
    values = params.checked(request.args, (*params.STATEMENT_PARAMETERS, *params.PAGE_PARAMETERS))
    filters = params.statement_filter(values)
    since, until = params.moment(values, "since"), params.moment(values, "until")
    limit = params.page_size(values)
    after = params.statements_cursor(values)
    report.check_filter(filters)
    # Read first: what is stored from now on belongs to a later pull.
    consistent_through = utcnow()
    found = list(islice(xapi.positioned_statements(filters, since, until, after), limit + 1))
    page = found[:limit]
    more = ""
    if len(found) > limit:
        cursor = params.encode_cursor("statements", [page[-1][0]])
        more = url_for(".statements", **{**values, "cursor": cursor})
    details = {"filters": filters.as_dict(), "limit": limit}
    for name, moment in (("since", since), ("until", until)):
        if moment is not None:
            details[name] = iso_timestamp(moment)
    _record("xapi_statements", details, len(page))
    response = jsonify(statements=[statement for _position, statement in page], more=more)
    response.headers["X-Experience-API-Version"] = "1.0.3"
    response.headers["X-Experience-API-Consistent-Through"] = iso_timestamp(consistent_through)
    return response


@bp.after_request
def not_cached(response: Response) -> Response:
    """Personal data: no shared or browser cache may keep a copy."""
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.errorhandler(BadParameter)
def bad_parameter(error: BadParameter) -> tuple[Response, int]:
    """400 naming the parameter that cannot be used."""
    return _error(400, "Bad Request", str(error), error.parameter)


@bp.errorhandler(FilterError)
def bad_filter(error: FilterError) -> tuple[Response, int]:
    """400 naming the filter that cannot be applied (unknown course, dates reversed, ...)."""
    return _error(400, "Bad Request", str(error), error.field)


def _record(endpoint: str, details: dict[str, Any], rows: int) -> None:
    """Audit the request as one batch under the token's name, with its last use; commit."""
    token = current_token()
    audit.record(f"token:{token.name}", f"api.{endpoint}", {**details, "token_id": token.id}, rows)
    db.session.commit()


def _error(
    status: int, name: str, message: str, parameter: str | None = None
) -> tuple[Response, int]:
    extra = {"parameter": parameter} if parameter is not None else {}
    return json_error(status, name, message, **extra), status


def _plain_row(row: Any) -> dict[str, Any]:
    return {key: _plain(value) for key, value in row._mapping.items()}


def _report_row(row: Any) -> dict[str, Any]:
    plain = {column: _plain(row._mapping[column]) for column in report.COLUMNS}
    if row.due_at is not None:  # the instant the due day ends, as the exports give it
        plain["due_at"] = _plain(assignments.due_day_end(row.due_at))
    return plain


def _plain(value: Any) -> Any:
    """JSON-ready: instants as ISO 8601 UTC with Z, days as YYYY-MM-DD."""
    if isinstance(value, datetime):
        return iso_timestamp(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
