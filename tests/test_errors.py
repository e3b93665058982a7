"""Error pages: the site's layout, the right status, never a stack trace."""

import pytest
from flask import Flask, abort
from flask.testing import FlaskClient
from sqlalchemy.exc import OperationalError

from tests.conftest import BASE_URL, make_app


@pytest.fixture
def failing_app(database_url: str, tmp_path) -> Flask:
    app = make_app(
        database_url,
        tmp_path,
        TESTING=False,
        PROPAGATE_EXCEPTIONS=False,
        BASE_URL=BASE_URL,
        REGISTRATION_OPEN=False,  # outside testing it needs mail
    )

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret internals")

    @app.get("/api/v1/boom")
    def api_boom() -> str:
        raise RuntimeError("secret internals")

    @app.get("/database-down")
    @app.get("/api/v1/database-down")
    def database_down() -> str:
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    @app.get("/status/<int:code>")
    def status(code: int) -> str:
        abort(code)

    return app


@pytest.mark.parametrize("code", [400, 403, 404, 405, 429, 500])
def test_error_pages_in_layout(failing_app: Flask, code: int) -> None:
    response = failing_app.test_client().get(f"/status/{code}")
    assert response.status_code == code
    assert "Trainer" in response.text
    assert f"{code}" in response.text
    assert "Traceback" not in response.text


def test_unexpected_exception_is_a_clean_500(failing_app: Flask) -> None:
    response = failing_app.test_client().get("/boom")
    assert response.status_code == 500
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text
    assert "<main" in response.text


def test_api_errors_are_json(failing_app: Flask) -> None:
    client = failing_app.test_client()
    response = client.get("/api/v1/boom")
    assert response.status_code == 500
    assert response.json["status"] == 500
    assert "secret internals" not in response.text
    assert client.get("/api/v1/nothing").json["status"] == 404


def test_an_unreachable_database_is_a_503_that_a_proxy_can_pass_on(
    failing_app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    """503, not 500: nginx sends the request to another instance (tests/test_scaleout.py)."""
    client = failing_app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.get("/database-down")
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert "cannot reach its database" in response.text and "<main" in response.text
    assert "connection refused" not in response.text and "Traceback" not in response.text
    assert "connection refused" in caplog.text  # the cause is in the log
    api = client.get("/api/v1/database-down")
    assert api.status_code == 503 and api.json["status"] == 503


def test_method_not_allowed(client: FlaskClient) -> None:
    assert client.get("/logout").status_code == 405


def test_malformed_form_is_not_a_500(client: FlaskClient) -> None:
    response = client.post(
        "/login", data=b"%%%\xff\xfe", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code in (200, 400)
