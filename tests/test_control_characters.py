"""Control characters are refused with a 400 before any view or the database sees them."""

import io
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from tests.reporting.test_api import new_token
from trainer.control_characters import refused_part
from trainer.extensions import db
from trainer.models import Assignment, Question

REFUSED = ["\x00", "\x01", "\x1b", "\x7f", "\x85", "\x9f"]
REFUSED_EVERYWHERE = ["\t", "\n", "\r"]  # outside form fields there is no text area


def assert_error_page(response, status: int = 400) -> None:
    assert response.status_code == status
    assert "<main" in response.text and "Traceback" not in response.text


@pytest.mark.parametrize("char", REFUSED + REFUSED_EVERYWHERE)
def test_a_control_character_in_the_query_string_is_a_400_page(
    app: Flask, client: FlaskClient, login_as, char: str
) -> None:
    login_as("hr")
    assert_error_page(client.get("/hr/", query_string={"q": f"Jan{char}"}))
    assert_error_page(client.get("/hr/", query_string={f"q{char}": "Jan"}))


@pytest.mark.parametrize("char", ["\x00", "\x1f", "\t"])
def test_a_control_character_in_the_path_is_a_400_page(
    synced: Flask, client: FlaskClient, login_as, char: str
) -> None:
    login_as("learner")
    encoded = quote(char)  # as sent: a client strips a raw tab or line break from a URL
    assert_error_page(client.get(f"/courses/sam{encoded}ple"))
    assert_error_page(client.get(f"/courses/sample/lessons/x{encoded}"))
    assert_error_page(client.get(f"/verify/K7QM{encoded}"))  # public: no sign-in needed


@pytest.mark.parametrize("char", REFUSED)
def test_a_form_field_with_a_control_character_changes_nothing(
    synced: Flask, client: FlaskClient, login_as, make_user, char: str
) -> None:
    login_as("hr")
    make_user("anna@example.com", department="Serwis")
    form = {"course": "1", "department": f"Serwis{char}", "due": "2999-01-01"}
    assert_error_page(client.post("/hr/assignments/department", data=form))
    with synced.app_context():
        assert db.session.execute(db.select(db.func.count(Assignment.id))).scalar() == 0


def test_a_new_question_with_nul_is_refused(synced: Flask, client: FlaskClient, login_as) -> None:
    login_as("trainer")
    with synced.app_context():
        before = db.session.execute(db.select(db.func.count(Question.id))).scalar()
    kind = next(iter(synced.jinja_env.globals["question_types"]))
    form = {"key": "new-1", "prompt": "Co\x00dalej?", "explanation": "x"}
    assert_error_page(client.post(f"/author/questions/courses/sample/new/{kind}", data=form))
    with synced.app_context():
        assert db.session.execute(db.select(db.func.count(Question.id))).scalar() == before


def test_a_text_area_keeps_tabs_and_line_breaks(client: FlaskClient, login_as) -> None:
    login_as("trainer")
    response = client.post("/author/preview", data={"body": "a\tb\r\n\r\nc\nd"})
    assert response.status_code == 200


def test_an_uploaded_file_name_with_a_control_character_is_refused(
    client: FlaskClient, login_as
) -> None:
    login_as("hr")
    upload = (io.BytesIO(b"email\n"), "people\x00.csv")
    response = client.post("/hr/import/", data={"file": upload}, content_type="multipart/form-data")
    assert_error_page(response)


def test_the_api_answers_its_json_error_naming_the_parameter(
    app: Flask, client: FlaskClient
) -> None:
    headers = {"Authorization": f"Bearer {new_token(app)}"}
    response = client.get("/api/v1/completions", query_string={"search": "a\x1bb"}, headers=headers)
    assert response.status_code == 400
    assert response.json == {
        "type": "about:blank", "title": "Bad Request", "status": 400,
        "detail": "search contains control characters.", "parameter": "search",
    }  # fmt: skip
    response = client.get("/api/v1/users/E-1%00/transcript", headers=headers)
    assert response.status_code == 400 and response.json["parameter"] == "path"
    response = client.get("/api/v1/completions", query_string={"a\x00": "1"}, headers=headers)
    assert response.status_code == 400 and response.json["parameter"] == "a"


@pytest.mark.parametrize(
    "body", ['{"name": "a\\u0000b"}', '["ok", {"deep": ["\\u001b"]}]', '{"\\u0000": 1}']
)
def test_a_json_body_with_a_control_character_is_refused(
    app: Flask, client: FlaskClient, body: str
) -> None:
    headers = {"Authorization": f"Bearer {new_token(app)}"}
    response = client.get(
        "/api/v1/completions", data=body, content_type="application/json", headers=headers
    )
    assert response.status_code == 400 and response.json["parameter"] == "body"


@pytest.mark.parametrize("body", ['{"name": "plain"}', "not json", "[" * 100_000])
def test_a_json_body_without_control_characters_passes(app: Flask, body: str) -> None:
    with app.test_request_context("/api/v1/", data=body, content_type="application/json"):
        from flask import request

        assert refused_part(request) is None


def test_a_multipart_field_whose_name_breaks_its_header_is_not_a_500(
    client: FlaskClient, login_as
) -> None:
    # Found by test_fuzz_requests: the parser hands such a field over with no name at all.
    login_as("hr")
    data = MultiDict([("\n", ""), ("file", (io.BytesIO(b""), ""))])
    assert client.post("/hr/import/", data=data).status_code < 500
