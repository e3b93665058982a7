"""CSRF on every POST, security headers on every response, no inline code in pages."""

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing.converters import AnyConverter

from tests.conftest import PASSWORD, csrf_token, make_app

PAGES = ["/login", "/register", "/", "/account", "/author/", "/hr/", "/admin/users",
         "/courses/sample", "/courses/sample/lessons/wstep", "/no-such-page", "/api/v1/",
         "/static/css/trainer.css"]  # fmt: skip


@pytest.fixture
def csrf_app(database_url: str, tmp_path) -> Flask:
    return make_app(database_url, tmp_path, WTF_CSRF_ENABLED=True)


def test_every_post_route_rejects_a_missing_csrf_token(csrf_app: Flask, make_user) -> None:
    make_user("admin@example.com", "admin")
    client = csrf_app.test_client()
    token = csrf_token(client.get("/login").text)
    client.post("/login", data={"email": "admin@example.com", "password": PASSWORD,
                                "csrf_token": token})  # fmt: skip
    assert client.get("/").status_code == 200
    post_rules = [r for r in csrf_app.url_map.iter_rules() if "POST" in (r.methods or ())]
    assert len(post_rules) >= 5
    adapter = csrf_app.url_map.bind("localhost")
    for rule in post_rules:
        # Any id will do (the token is checked first); a choice must be one of its items.
        values = {
            name: sorted(converter.items)[0] if isinstance(converter, AnyConverter) else 1
            for name, converter in rule._converters.items()
        }
        response = client.post(adapter.build(rule.endpoint, values, method="POST"), data={})
        assert response.status_code == 400, rule.rule
    assert client.get("/").status_code == 200  # still signed in: logout was refused too


def test_login_with_token_works(csrf_app: Flask, make_user) -> None:
    make_user("jan@example.com")
    client = csrf_app.test_client()
    token = csrf_token(client.get("/login").text)
    response = client.post("/login", data={"email": "jan@example.com", "password": PASSWORD,
                                           "csrf_token": token})  # fmt: skip
    assert response.status_code == 302


@pytest.mark.parametrize("path", PAGES)
def test_security_headers_on_every_response(
    synced: Flask, client: FlaskClient, login_as, path: str
) -> None:
    login_as("admin")
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "object-src 'none'", "base-uri 'none'",
                      "frame-ancestors 'none'"):  # fmt: skip
        assert directive in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]


@pytest.mark.parametrize("path", PAGES[:9])
def test_pages_carry_no_inline_script_or_style(
    synced: Flask, client: FlaskClient, login_as, path: str
) -> None:
    login_as("admin")
    html = client.get(path).text
    assert "<script" not in html
    assert "<style" not in html
    assert not re.search(r"\sstyle=|\son[a-z]+=", html)


def test_session_cookie_is_httponly_and_samesite(client: FlaskClient, make_user) -> None:
    make_user("jan@example.com")
    response = client.post(
        "/login", data={"email": "jan@example.com", "password": PASSWORD, "remember": "y"}
    )
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies
    for cookie in cookies:
        assert "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie
