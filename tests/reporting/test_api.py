"""The HR API: bearer tokens only, cursor pages, strict parameters, its OpenAPI description."""

import base64
import json
import re
from typing import Any
from urllib.parse import unquote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from werkzeug.test import TestResponse

from tests.conftest import XAPI_BASE_IRI
from tests.reporting.api_document import served_document
from tests.reporting.test_xapi import assert_valid, complete_lessons, take
from trainer.extensions import db
from trainer.models import ApiToken, AuditEvent, User
from trainer.people import tokens
from trainer.reporting import xapi
from trainer.reporting.report import ReportFilter

OPENAPI = served_document()
COMPLETIONS = "/api/v1/completions"
TRANSCRIPT = "/api/v1/users/E-1/transcript"
STATEMENTS = "/api/v1/xapi/statements"
DEPARTMENT = f"{XAPI_BASE_IRI}/extensions/department"
ENDPOINTS = [COMPLETIONS, TRANSCRIPT, STATEMENTS]


def assert_documented(response: TestResponse, path: str) -> None:
    """The body matches the response schema the OpenAPI description gives for its status."""
    template = path.replace("E-1", "{employee_id}")
    operation = OPENAPI["paths"][template]["get"]
    described = operation["responses"][str(response.status_code)]
    if "$ref" in described:
        described = OPENAPI["components"]["responses"][described["$ref"].rsplit("/", 1)[1]]
    schema = described["content"][response.mimetype]["schema"]
    validator = Draft202012Validator(
        {**schema, "components": OPENAPI["components"]},
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(response.json)]
    assert not errors, errors


def call(client: FlaskClient, path: str, secret: str | None, **params: Any) -> TestResponse:
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    return client.get(path, query_string=params, headers=headers)


def new_token(app: Flask, name: str = "Kadry") -> str:
    with app.app_context():
        _token, secret = tokens.create_token(name, "hr:read", "cli")
        db.session.commit()
    return secret


@pytest.fixture
def secret(app: Flask) -> str:
    return new_token(app)


@pytest.fixture
def learners(synced: Flask, make_user) -> dict[str, int]:
    """Anna completed the course; Ben failed a check; three more have not started."""
    anna = make_user(
        "anna@example.com", name="Anna Nowak", employee_id="E-1", department="Sprzedaż"
    )
    ben = make_user("ben@example.com", name="Ben Lis", employee_id="E-2", department="Serwis")
    for n in range(3):
        make_user(f"l{n}@example.com", name=f"Learner {n}", department="Serwis")
    complete_lessons(synced, anna)
    take(synced, anna, "egzamin", right=True)
    take(synced, ben, "sprawdzian", right=False)
    return {"anna": anna, "ben": ben}


def audit_events(app: Flask) -> list[AuditEvent]:
    with app.app_context():
        events = db.session.execute(db.select(AuditEvent).order_by(AuditEvent.id)).scalars().all()
        db.session.expunge_all()
        return list(events)


def api_events(app: Flask) -> list[AuditEvent]:
    return [event for event in audit_events(app) if event.action.startswith("api.")]


def test_index_and_description_are_public(client: FlaskClient) -> None:
    assert client.get("/api/v1/").json["version"] == "v1"
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    validate(response.json)


def test_every_api_route_is_described(app: Flask) -> None:
    """Generated from the routes themselves: none can be left out of the document."""
    routes = {
        re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
    }
    assert routes == set(OPENAPI["paths"])


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize(
    "header",
    [
        None,
        "Basic dXNlcjpwYXNzd29yZA==",
        "Bearer",
        "Bearer    ",
        "Token {secret}",
        "Bearer{secret}",
        "Bearer trn_short",
        "Bearer {secret}x",
        "Bearer trn_" + "A" * 43,
        "Bearer ' OR 1=1 --",
    ],
)
def test_missing_malformed_or_wrong_token_is_401(
    app: Flask, client: FlaskClient, secret: str, path: str, header: str | None
) -> None:
    headers = {"Authorization": header.format(secret=secret)} if header else {}
    response = client.get(path, headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith('Bearer realm="Trainer API"')
    assert response.json["status"] == 401
    assert_documented(response, path)
    assert api_events(app) == []


@pytest.mark.parametrize("path", ENDPOINTS)
def test_revoked_token_is_401(app: Flask, client: FlaskClient, learners, secret: str, path) -> None:
    assert call(client, path, secret).status_code == 200
    with app.app_context():
        tokens.revoke_by_name("Kadry", "cli")
        db.session.commit()
    response = call(client, path, secret)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].endswith('error="invalid_token"')


@pytest.mark.parametrize("role", ["admin", "hr"])
@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_session_cookie_never_authenticates(
    client: FlaskClient, login_as, learners, role: str, path: str
) -> None:
    login_as(role)
    assert client.get("/hr/").status_code == 200  # signed in indeed
    response = client.get(path)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_scheme_is_case_insensitive(client: FlaskClient, learners, secret: str) -> None:
    response = client.get(COMPLETIONS, headers={"Authorization": f"bearer {secret}"})
    assert response.status_code == 200


def test_use_sets_last_used_and_is_audited(
    app: Flask, client: FlaskClient, learners, secret: str
) -> None:
    with app.app_context():
        assert db.session.execute(db.select(ApiToken.last_used_at)).scalar_one() is None
    response = call(client, COMPLETIONS, secret, department="Serwis", limit=2)
    assert response.status_code == 200
    with app.app_context():
        assert db.session.execute(db.select(ApiToken.last_used_at)).scalar_one() is not None
    [event] = api_events(app)
    assert (event.actor, event.action, event.row_count) == ("token:Kadry", "api.completions", 2)
    assert event.details["filters"] == {"department": "Serwis"}
    assert event.details["limit"] == 2


def test_completions_are_the_report_rows(client: FlaskClient, learners, secret: str) -> None:
    response = call(client, COMPLETIONS, secret)
    assert response.status_code == 200
    assert_documented(response, COMPLETIONS)
    rows = {row["email"]: row for row in response.json["data"]}
    assert len(rows) == 5 and response.json["next_cursor"] is None
    anna = rows["anna@example.com"]
    assert (anna["status"], anna["employee_id"], anna["passed"]) == ("completed", "E-1", True)
    assert anna["completed_at"].endswith("Z") and anna["certificate_code"]
    assert rows["ben@example.com"]["status"] == "in_progress"
    assert rows["l0@example.com"]["status"] == "not_started"


@pytest.mark.parametrize(
    ("params", "emails"),
    [
        ({"status": "completed"}, {"anna@example.com"}),
        ({"department": "Sprzedaż"}, {"anna@example.com"}),
        ({"course": "sample", "search": "Lis"}, {"ben@example.com"}),
        ({"since": "2000-01-01", "until": "2999-12-31"}, {"anna@example.com"}),
    ],
)
def test_completions_filters(client, learners, secret: str, params: dict, emails: set) -> None:
    response = call(client, COMPLETIONS, secret, **params)
    assert {row["email"] for row in response.json["data"]} == emails


@pytest.mark.parametrize("limit", [1, 2, 4, 5])
def test_completion_pages_walk_every_row_once(
    app: Flask, client: FlaskClient, learners, secret: str, limit: int
) -> None:
    everything = call(client, COMPLETIONS, secret, limit=500).json["data"]
    seen: list[dict[str, Any]] = []
    cursor = None
    for _ in range(10):
        params = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        page = call(client, COMPLETIONS, secret, **params).json
        assert len(page["data"]) <= limit
        seen += page["data"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    keys = [(row["user_id"], row["course_slug"]) for row in seen]
    assert len(set(keys)) == len(keys) == 5
    assert sorted(seen, key=str) == sorted(everything, key=str)


def test_statement_pages_walk_the_whole_stream_once(
    app: Flask, client: FlaskClient, learners, secret: str
) -> None:
    """A StatementResult per page: `statements`, and `more` to follow until it is empty."""
    with app.app_context():
        expected = list(xapi.iter_statements(ReportFilter()))
    seen: list[dict[str, Any]] = []
    response = call(client, STATEMENTS, secret, limit=4, department="Sprzedaż")
    while True:
        assert response.status_code == 200
        assert_documented(response, STATEMENTS)
        assert response.headers["X-Experience-API-Version"] == "1.0.3"
        assert response.headers["X-Experience-API-Consistent-Through"].endswith("Z")
        seen += response.json["statements"]
        more = response.json["more"]
        if not more:
            break
        assert more.startswith(STATEMENTS + "?") and "department=Sprzedaż" in unquote(more)
        response = client.get(more, headers={"Authorization": f"Bearer {secret}"})
    anna = [s for s in expected if s["context"]["extensions"][DEPARTMENT] == "Sprzedaż"]
    assert seen == anna and len({s["id"] for s in seen}) == len(seen) > 4
    for statement in seen:
        assert_valid(statement)
    pages = api_events(app)
    assert sum(event.row_count for event in pages) == len(seen)
    assert {event.action for event in pages} == {"api.xapi_statements"}


@pytest.mark.parametrize(
    ("params", "count"),
    [({"since": "2000-01-01"}, "all"), ({"since": "2999-01-01T00:00:00Z"}, 0),
     ({"since": "2999-01-01T00:00:00+02:00"}, 0), ({"until": "2000-01-01"}, 0),
     ({"until": "2999-01-01T00:00:00Z"}, "all"), ({"status": "completed"}, "anna"),
     ({"department": "Serwis"}, "ben")],
)  # fmt: skip
def test_statement_filters(
    app: Flask, client: FlaskClient, learners, secret: str, params: dict, count: int | str
) -> None:
    everything = call(client, STATEMENTS, secret, limit=500).json["statements"]
    data = call(client, STATEMENTS, secret, limit=500, **params).json["statements"]
    if count == "all":
        assert data == everything
    elif count == 0:
        assert data == []
    else:
        with app.app_context():
            wanted = db.session.get(User, learners[count]).learner_id
        assert data and {s["actor"]["account"]["name"] for s in data} == {wanted}


def _cursor(payload: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


BAD_PARAMETERS = [
    (COMPLETIONS, {"limit": "0"}, "limit"),
    (COMPLETIONS, {"limit": "501"}, "limit"),
    (COMPLETIONS, {"limit": "abc"}, "limit"),
    (COMPLETIONS, {"limit": "-3"}, "limit"),
    (COMPLETIONS, {"limit": "1.5"}, "limit"),
    (COMPLETIONS, {"limit": "٣"}, "limit"),
    (COMPLETIONS, {"limit": "9" * 40}, "limit"),
    (COMPLETIONS, {"status": "done"}, "status"),
    (COMPLETIONS, {"course": "nope"}, "course"),
    (COMPLETIONS, {"since": "2024-13-01"}, "since"),
    (COMPLETIONS, {"until": "yesterday"}, "until"),
    (COMPLETIONS, {"since": "2024-05-02", "until": "2024-05-01"}, "until"),
    (COMPLETIONS, {"until": "9999-12-31"}, "until"),
    (COMPLETIONS, {"since": "2024-05-01T10:00:00"}, "since"),
    (COMPLETIONS, {"cursor": "!!!"}, "cursor"),
    (COMPLETIONS, {"cursor": "e30"}, "cursor"),
    (COMPLETIONS, {"cursor": _cursor({"statements": [0, 1]})}, "cursor"),
    (COMPLETIONS, {"cursor": _cursor({"completions": [1]})}, "cursor"),
    (COMPLETIONS, {"cursor": _cursor({"completions": [2**70, "x"]})}, "cursor"),
    (COMPLETIONS, {"cursor": _cursor({"completions": ["1", "x"]})}, "cursor"),
    (COMPLETIONS, {"cursor": _cursor([1, "x"])}, "cursor"),
    (COMPLETIONS, {"sort": "name"}, "sort"),
    (COMPLETIONS, {"limit": ["1", "2"]}, "limit"),
    (STATEMENTS, {"since": "last week"}, "since"),
    (STATEMENTS, {"department": "Serwis\x00"}, "department"),
    (COMPLETIONS, {"search": "a\x00b"}, "search"),
    (STATEMENTS, {"since": "0001-01-01T00:00:00+01:00"}, "since"),
    (STATEMENTS, {"status": "done"}, "status"),
    (STATEMENTS, {"limit": "1000"}, "limit"),
    (STATEMENTS, {"until": "yesterday"}, "until"),
    (STATEMENTS, {"cursor": _cursor({"statements": [0, 1]})}, "cursor"),
    (STATEMENTS, {"cursor": _cursor({"statements": [-1]})}, "cursor"),
    (STATEMENTS, {"cursor": _cursor({"statements": [True]})}, "cursor"),
    (STATEMENTS, {"cursor": _cursor({"statements": [2**70]})}, "cursor"),
    (STATEMENTS, {"cursor": _cursor({"completions": [1, "x"]})}, "cursor"),
    (TRANSCRIPT, {"limit": "5"}, "limit"),
]


@pytest.mark.parametrize(("path", "params", "parameter"), BAD_PARAMETERS)
def test_bad_parameters_are_a_400_naming_them(
    synced: Flask, client: FlaskClient, secret: str, path: str, params: dict, parameter: str
) -> None:
    response = call(client, path, secret, **params)
    assert response.status_code == 400, response.text
    assert response.json["parameter"] == parameter
    assert response.json["detail"]
    assert_documented(response, path)
    assert api_events(synced) == []


def test_transcript(client: FlaskClient, learners, secret: str) -> None:
    response = call(client, TRANSCRIPT, secret)
    assert response.status_code == 200
    assert_documented(response, TRANSCRIPT)
    body = response.json
    assert body["learner"] == {
        "employee_id": "E-1", "name": "Anna Nowak", "email": "anna@example.com",
        "department": "Sprzedaż",
    }  # fmt: skip
    assert all(lesson["completed_at"] for lesson in body["lessons"])
    assert [a["passed"] for a in body["attempts"]] == [True]
    assert len(body["completions"]) == 1


@pytest.mark.parametrize("employee_id", ["E-404", "T-1", "%20"])  # NUL: test_control_characters
def test_unknown_learner_is_a_json_404(
    app: Flask, client: FlaskClient, make_user, secret: str, employee_id: str
) -> None:
    make_user("trainer@example.com", "trainer", employee_id="T-1")  # not a learner
    response = call(client, f"/api/v1/users/{employee_id}/transcript", secret)
    assert response.status_code == 404
    assert response.json["status"] == 404
    assert_documented(response, TRANSCRIPT)
    [event] = api_events(app)
    assert event.details == {"employee_id": unquote(employee_id), "found": False,
                             "token_id": event.details["token_id"]}  # fmt: skip
    assert event.row_count == 0


def test_unknown_route_and_post_answer_json(client: FlaskClient, secret: str) -> None:
    assert call(client, "/api/v1/nothing", secret).json["status"] == 404
    response = client.post(COMPLETIONS, headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 405 and response.json["status"] == 405


@pytest.mark.parametrize("path", ENDPOINTS)
def test_errors_are_problem_details_with_the_headers_they_need(
    client: FlaskClient, learners, secret: str, path: str
) -> None:
    wrong_method = client.post(path, headers={"Authorization": f"Bearer {secret}"})
    assert wrong_method.status_code == 405
    assert wrong_method.mimetype == "application/problem+json"
    assert "GET" in wrong_method.headers["Allow"]
    assert_documented(wrong_method, path)
    unauthorized = call(client, path, None)
    assert unauthorized.mimetype == "application/problem+json"
    assert unauthorized.headers["WWW-Authenticate"].startswith('Bearer realm="Trainer API"')
    assert set(unauthorized.json) == {"type", "title", "status", "detail"}


@pytest.mark.parametrize("parameter", ["course", "department", "status", "since", "cursor"])
def test_an_empty_parameter_is_refused_as_the_schema_says(
    client: FlaskClient, learners, secret: str, parameter: str
) -> None:
    response = call(client, COMPLETIONS, secret, **{parameter: ""})
    assert response.status_code == 400
    assert response.json["parameter"] == parameter
    assert_documented(response, COMPLETIONS)


def test_error_details_speak_the_requested_language(
    client: FlaskClient, learners, secret: str
) -> None:
    headers = {"Authorization": f"Bearer {secret}"}
    for language, detail in [
        ("pl", "Nieznany parametr color."),
        ("en", "Unknown parameter color."),
    ]:
        response = client.get(
            COMPLETIONS, query_string={"color": "red"},
            headers={**headers, "Accept-Language": language},
        )  # fmt: skip
        assert response.status_code == 400
        assert response.headers["Content-Language"] == language
        assert response.json["detail"] == detail
