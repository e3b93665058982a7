"""Numbers in URLs and query strings stay within the database's integers: 404, 400 or a clamp."""

import base64
import json

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import NotFound

from tests.reporting.test_api import new_token
from tests.routes import build, id_arguments, rules
from trainer.extensions import db
from trainer.models import Lesson
from trainer.routing import ID_MAX, id_number, page_number

# 2**31: PostgreSQL's integer overflows; 2**63: SQLite's; the last: Python's int() refuses it.
OUT_OF_RANGE = ["0", str(2**31), str(2**63), "9" * 20, "9" * 5000]


def test_every_id_route_is_bounded_to_the_database_integer(app: Flask) -> None:
    adapter = app.url_map.bind("localhost")
    id_rules = [(rule, method) for rule, method in rules(app) if id_arguments(rule)]
    assert len(id_rules) > 20
    for rule, method in id_rules:
        name = id_arguments(rule)[0]
        assert adapter.match(build(app, rule, {name: ID_MAX}), method)[0] == rule.endpoint
        for number in (0, ID_MAX + 1, 10**20):
            with pytest.raises(NotFound):
                adapter.match(build(app, rule, {name: number}), method)


@pytest.mark.parametrize("number", OUT_OF_RANGE, ids=lambda n: n[:12])
def test_an_out_of_range_id_is_a_404_page_on_every_route(
    synced: Flask, client: FlaskClient, login_as, number: str
) -> None:
    login_as("admin")
    for rule, method in rules(synced):
        for name in id_arguments(rule):
            url = build(synced, rule, {name: number})
            response = client.open(url, method=method)
            assert response.status_code == 404, (url, method, response.status_code)
            assert "<main" in response.text


def test_non_ascii_digits_are_not_an_id(client: FlaskClient, login_as) -> None:
    login_as("learner")
    assert client.get("/quizzes/١").status_code == 404


@pytest.mark.parametrize("text", ["1", "42", " 7 ", str(ID_MAX), "0000000001"])
def test_id_number_accepts_ids(text: str) -> None:
    assert id_number(text) == int(text)


@pytest.mark.parametrize(
    "text", ["", "0", "-1", "1.0", "x", "١", str(ID_MAX + 1), "9" * 40, "9" * 5000, "1e3"]
)
def test_id_number_refuses_the_rest(text: str) -> None:
    with pytest.raises(ValueError):
        id_number(text)


@pytest.mark.parametrize(
    ("given", "page"),
    [(None, 1), ("", 1), ("3", 3), ("0", 1), ("-4", 1), ("x", 1), ("2.5", 1), ("١", 1),
     (str(ID_MAX + 1), ID_MAX), ("9" * 40, ID_MAX), ("9" * 5000, ID_MAX)],
)  # fmt: skip
def test_page_number_is_clamped(given: str | None, page: int) -> None:
    args = MultiDict({"page": given} if given is not None else {})
    assert page_number(args) == page


@pytest.mark.parametrize("path", ["/hr/", "/audit/"])
@pytest.mark.parametrize("page", ["99999999999999999999", str(2**31), "-5", "9" * 5000])
def test_a_huge_or_negative_page_shows_an_empty_or_first_page(
    synced: Flask, client: FlaskClient, login_as, path: str, page: str
) -> None:
    login_as("hr")
    assert client.get(path, query_string={"page": page}).status_code == 200


def _lesson_id(app: Flask) -> int:
    with app.app_context():
        return db.session.execute(db.select(Lesson.id).limit(1)).scalar_one()


@pytest.mark.parametrize("number", ["99999999999999999999", str(2**31), "0", "-1", "x"])
def test_a_version_number_out_of_range_is_a_version_that_does_not_exist(
    synced: Flask, client: FlaskClient, login_as, number: str
) -> None:
    login_as("trainer")
    lesson = _lesson_id(synced)
    response = client.get(f"/author/lesson/{lesson}/diff", query_string={"old": number, "new": 1})
    assert response.status_code == 302
    assert response.location.endswith(f"/author/lesson/{lesson}/history")
    assert "Choose two versions that exist." in client.get(response.location).text


def _cursor(payload: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("path", "key"),
    [("completions", {"completions": [2**31, "sample"]}),
     ("completions", {"completions": [2**63, "sample"]}),
     ("completions", {"completions": [1, "sam\x00ple"]}),
     ("completions", {"completions": [1, "sam\x1bple"]}),
     ("xapi/statements", {"statements": [0, 2**31]}),
     ("xapi/statements", {"statements": [0, 10**30]})],
)  # fmt: skip
def test_a_cursor_holding_a_huge_number_or_control_character_is_a_json_400(
    synced: Flask, client: FlaskClient, path: str, key: object
) -> None:
    headers = {"Authorization": f"Bearer {new_token(synced)}"}
    response = client.get(f"/api/v1/{path}", query_string={"cursor": _cursor(key)}, headers=headers)
    assert response.status_code == 400
    assert response.json["parameter"] == "cursor"
    assert response.json["status"] == 400


def test_the_largest_id_still_reaches_the_database(synced: Flask, client: FlaskClient) -> None:
    headers = {"Authorization": f"Bearer {new_token(synced)}"}
    cursor = _cursor({"completions": [ID_MAX, "sample"]})
    response = client.get("/api/v1/completions", query_string={"cursor": cursor}, headers=headers)
    assert response.status_code == 200 and response.json["data"] == []
