"""The read-only HR API: completions, transcripts and xAPI statements, paged by cursor.

Each route declares its parameters and answers with flask-smorest, which checks requests
against them and writes the OpenAPI document from them."""

import math
import time
from datetime import date, datetime, tzinfo
from itertools import islice
from typing import Any

from flask import Response, jsonify, request, url_for
from flask_babel import gettext as _
from flask_smorest import Blueprint
from flask_smorest.globals import current_api

from trainer.api import params, schemas
from trainer.api.auth import current_token, token_required
from trainer.api.params import BadParameter, QueryParser
from trainer.api.spec import PROBLEM, SHARED_ERRORS
from trainer.errors import json_error
from trainer.extensions import db, limiter
from trainer.models.types import iso_timestamp, utcnow
from trainer.people import assignments, audit, tokens
from trainer.reporting import hr_api, report, xapi
from trainer.reporting.report import FilterError
from trainer.reporting.transcript import transcript as learner_transcript


class ApiBlueprint(Blueprint):
    """flask-smorest's Blueprint with Trainer's strict query parser."""

    ARGUMENTS_PARSER = QueryParser()


bp = ApiBlueprint("api", __name__, url_prefix="/api/v1", description="HR data.")
SCOPE = "hr:read"
JSON = "application/json"
PUBLIC = bp.doc(security=[])
TRANSCRIPT_PATH = [{
    "in": "path", "name": "employee_id", "description": "The learner's employee id.",
    "schema": {"type": "string", "minLength": 1, "pattern": schemas.PRINTABLE},
}]  # fmt: skip


def errors(*statuses: int) -> Any:
    """Document on a route the errors any route can answer (`spec.SHARED_ERRORS`)."""

    def decorator(view: Any) -> Any:
        for status in statuses:
            view = bp.alt_response(status, response=SHARED_ERRORS[status])(view)
        return view

    return decorator


PUBLIC_ERRORS = errors(405, 429)
GUARDED_ERRORS = errors(401, 405, 429)


@bp.route("/")
@PUBLIC
@PUBLIC_ERRORS
@bp.arguments(schemas.NoParameters, location="query", error_status_code=400)
@bp.response(200, schemas.Index, content_type=JSON, description="Name and version.")
def index(_query: dict[str, Any]) -> Response:
    """Name and version of the API; the description is public, data routes need a token."""
    return jsonify(name="Trainer API", version="v1", openapi=url_for(".openapi"))


@bp.route("/openapi.json")
@PUBLIC
@PUBLIC_ERRORS
@bp.arguments(schemas.NoParameters, location="query", error_status_code=400)
@bp.response(200, content_type=JSON, description="The OpenAPI document.")
def openapi(_query: dict[str, Any]) -> Response:
    """This description, generated from the routes and schemas that check every request."""
    return jsonify(current_api.spec.to_dict())


@bp.route("/completions")
@token_required(SCOPE)
@GUARDED_ERRORS
@bp.arguments(schemas.CompletionParameters, location="query", error_status_code=400)
@bp.response(200, schemas.CompletionPage, content_type=JSON, description="A page of rows.")
def completions(query: dict[str, Any]) -> Response:
    """The completion report: one row per learner and course.

    The same rows as the HR report with the same filters, in a stable order (learner, then
    course) so that paging never skips or repeats a row."""
    filters = params.report_filter(query)
    limit = query["limit"]
    after = params.completions_cursor(query)
    report.check_filter(filters)
    rows = hr_api.completions_page(filters, limit + 1, after)
    page = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        next_cursor = params.encode_cursor("completions", [page[-1].user_id, page[-1].course_slug])
    zone = assignments.site_zone()
    data = [_report_row(row, zone) for row in page]
    _record("completions", {"filters": filters.as_dict(), "limit": limit}, len(data))
    return jsonify(data=data, next_cursor=next_cursor)


@bp.route("/users/<employee_id>/transcript", parameters=TRANSCRIPT_PATH)
@token_required(SCOPE)
@GUARDED_ERRORS
@bp.alt_response(404, schema=schemas.Problem, content_type=PROBLEM, description="No such learner.")
@bp.arguments(schemas.NoParameters, location="query", error_status_code=400)
@bp.response(200, schemas.Transcript, content_type=JSON, description="The transcript.")
def transcript(_query: dict[str, Any], employee_id: str) -> Response | tuple[Response, int]:
    """Every lesson, attempt and course completion of one learner."""
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


@bp.route("/xapi/statements")
@token_required(SCOPE)
@GUARDED_ERRORS
@bp.arguments(schemas.StatementParameters, location="query", error_status_code=400)
@bp.response(
    200, schemas.StatementResult, content_type=JSON,
    description="A page of statements, and where the next one is.",
    headers={
        "X-Experience-API-Version": {
            "description": "The xAPI version of the statements.",
            "schema": {"type": "string", "const": "1.0.3"},
        },
        "X-Experience-API-Consistent-Through": {
            "description": "Every statement stored before this moment is in this page or its "
            "next ones (ISO 8601 UTC).",
            "schema": {"type": "string", "format": "date-time"},
        },
    },
)  # fmt: skip
def statements(query: dict[str, Any]) -> Response:
    """xAPI 1.0.3 statements of the report's learners, as an xAPI StatementResult.

    The statements Trainer recorded, in the order it stored them: `attempted` when an attempt
    starts, `answered` per answered item and `passed` or `failed` per graded attempt (all three
    with the attempt as `context.registration`), `completed` per lesson (with the time from
    first opening it as `duration`) and per course. The actor is an `account` (`homePage`: the
    instance's base URL; `name`: the learner's opaque id), so statements never change with a
    learner's name or e-mail; statement ids are derived from that id and the event, so a
    repeated pull gives the same statements. `stored` is when Trainer recorded a statement;
    `since` (exclusive) and `until` filter on it. A two-step scenario is one `choice`
    interaction answered `B2B[,]option-2` (the category, then the approach, an option named by
    its place in the content file). Pass `more` (a URL relative to this host) to fetch the
    next page; it is empty on the last one."""
    filters = params.statement_filter(query)
    since, until = query.get("since"), query.get("until")
    limit = query["limit"]
    after = params.statements_cursor(query)
    report.check_filter(filters)
    # Read first: what is stored from now on belongs to a later pull.
    consistent_through = utcnow()
    found = list(islice(xapi.positioned_statements(filters, since, until, after), limit + 1))
    page = found[:limit]
    more = ""
    if len(found) > limit:
        cursor = params.encode_cursor("statements", [page[-1][0]])
        more = url_for(".statements", **{**request.args.to_dict(), "cursor": cursor})
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


@bp.after_request
def rate_limit_fields(response: Response) -> Response:
    """The client's budget as the IETF's RateLimit and RateLimit-Policy fields
    (draft-ietf-httpapi-ratelimit-headers), beside Flask-Limiter's X-RateLimit-* ones."""
    current = limiter.current_limit
    if current is not None:
        window = current.limit.get_expiry()
        reset = max(0, math.ceil(current.window.reset_time - time.time()))
        response.headers["RateLimit-Policy"] = f'"api";q={current.limit.amount};w={window}'
        response.headers["RateLimit"] = f'"api";r={current.remaining};t={reset}'
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
    tokens.record_use(token)
    audit.record(f"token:{token.name}", f"api.{endpoint}", {**details, "token_id": token.id}, rows)
    db.session.commit()


def _error(
    status: int, name: str, message: str, parameter: str | None = None
) -> tuple[Response, int]:
    extra = {"parameter": parameter} if parameter is not None else {}
    return json_error(status, name, message, **extra), status


def _plain_row(row: Any) -> dict[str, Any]:
    return {key: _plain(value) for key, value in row._mapping.items()}


# The report's columns that hold instants; the rest go into JSON as they are.
_INSTANTS = ("first_started", "completed_at")


def _report_row(row: Any, zone: tzinfo) -> dict[str, Any]:
    """A report row as the API gives it (`zone`: the one a due day ends in)."""
    plain = dict(zip(report.COLUMNS, row, strict=False))  # COLUMNS lead each row, in order
    for column in _INSTANTS:
        if plain[column] is not None:
            plain[column] = iso_timestamp(plain[column])
    if plain["due_at"] is not None:  # the instant the due day ends, as the exports give it
        plain["due_at"] = iso_timestamp(assignments.due_day_end(plain["due_at"], zone))
    return plain


def _plain(value: Any) -> Any:
    """JSON-ready: instants as ISO 8601 UTC with Z, days as YYYY-MM-DD."""
    if isinstance(value, datetime):
        return iso_timestamp(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
