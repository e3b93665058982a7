"""Rate limits: sign-in guessing and API floods get a 429, in memory or in Redis.

The Redis tests skip without a server on 127.0.0.1:6379, unless TRAINER_REQUIRE_REDIS=1 (set
in CI) makes them fail: several instances sharing one budget is what production relies on.
"""

import logging

import click
import pytest
from flask import Flask

from tests.conftest import BASE_URL, PASSWORD, make_app
from tests.db_state import empty_redis
from tests.reporting.test_api import assert_documented
from trainer.extensions import db
from trainer.people import tokens

REDIS_URL = "redis://127.0.0.1:6379/15"


def limited_app(database_url: str, tmp_path, **config: object) -> Flask:
    return make_app(
        database_url, tmp_path, RATELIMIT_ENABLED=True, SIGN_IN_RATE_LIMIT="3 per minute",
        API_RATE_LIMIT="2 per minute", **config,
    )  # fmt: skip


def test_sign_in_attempts_are_limited(database_url: str, tmp_path, make_user) -> None:
    make_user("jan@example.com")
    client = limited_app(database_url, tmp_path).test_client()
    wrong = {"email": "jan@example.com", "password": "guess"}
    assert [client.post("/login", data=wrong).status_code for _ in range(3)] == [200] * 3
    blocked = client.post("/login", data={"email": "jan@example.com", "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Traceback" not in blocked.text and "<main" in blocked.text
    assert 0 < int(blocked.headers["Retry-After"]) <= 60
    assert client.get("/login").status_code == 200  # reading the form is not limited


def test_registration_is_limited(database_url: str, tmp_path) -> None:
    client = limited_app(
        database_url, tmp_path, MAIL_SERVER="127.0.0.1", BASE_URL=BASE_URL
    ).test_client()
    statuses = [client.post("/register", data={}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_api_requests_are_limited_with_a_json_429(database_url: str, tmp_path) -> None:
    app = limited_app(database_url, tmp_path)
    with app.app_context():
        _, secret = tokens.create_token("System kadrowy", "hr:read", "cli")
        db.session.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    answers = [client.get("/api/v1/completions", headers=headers) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert [answer.headers["X-RateLimit-Remaining"] for answer in answers[:2]] == ["1", "0"]
    # The IETF's fields too: the policy (2 per minute here), what is left and when it resets.
    assert {answer.headers["RateLimit-Policy"] for answer in answers} == {'"api";q=2;w=60'}
    fields = [answer.headers["RateLimit"].split(";") for answer in answers]
    assert [left for _name, left, _reset in fields] == ["r=1", "r=0", "r=0"]
    assert all(0 <= int(reset.removeprefix("t=")) <= 60 for _name, _left, reset in fields)
    refused = client.get("/api/v1/completions", headers=headers)
    assert refused.mimetype == "application/problem+json"
    assert refused.json["status"] == 429 and refused.json["title"] == "Too Many Requests"
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert_documented(refused, "/api/v1/completions")


def test_limits_can_live_in_redis(database_url: str, tmp_path, make_user) -> None:
    """Several app instances share one budget through Redis."""
    empty_redis(REDIS_URL)
    make_user("jan@example.com")
    workers = [
        limited_app(database_url, tmp_path / str(n), RATELIMIT_STORAGE_URI=REDIS_URL).test_client()
        for n in range(4)
    ]
    wrong = {"email": "jan@example.com", "password": "guess"}
    statuses = [workers[n % 4].post("/login", data=wrong).status_code for n in range(8)]
    assert statuses == [200] * 3 + [429] * 5  # exactly the configured count, across all four
    empty_redis(REDIS_URL)


def test_behind_a_trusted_proxy_each_client_has_its_own_budget(database_url: str, tmp_path) -> None:
    client = limited_app(
        database_url, tmp_path, TRUSTED_PROXIES=1, MAIL_SERVER="127.0.0.1", BASE_URL=BASE_URL
    ).test_client()
    for address in ("10.0.0.1", "10.0.0.2"):
        headers = {"X-Forwarded-For": address}
        statuses = [client.post("/register", data={}, headers=headers).status_code
                    for _ in range(4)]  # fmt: skip
        assert statuses == [200, 200, 200, 429]


def test_the_current_password_check_is_limited_per_user(
    database_url: str, tmp_path, make_user
) -> None:
    make_user("jan@example.com")
    make_user("ewa@example.com")
    app = limited_app(database_url, tmp_path)
    guess = {"pw-current": "guess", "pw-password": "x" * 12, "pw-confirm": "x" * 12,
             "pw-submit": "1"}  # fmt: skip
    jan, ewa = app.test_client(), app.test_client()
    jan.post("/login", data={"email": "jan@example.com", "password": PASSWORD})
    assert [jan.post("/account", data=guess).status_code for _ in range(4)] == [200] * 3 + [429]
    language = {"lang-language": "en", "lang-submit": "1"}
    assert jan.post("/account", data=language).status_code == 302  # not a password check
    ewa.post("/login", data={"email": "ewa@example.com", "password": PASSWORD})
    assert ewa.post("/account", data=guess).status_code == 200  # her own budget


def test_memory_storage_warns_at_start_outside_debug(
    database_url: str, tmp_path, caplog: pytest.LogCaptureFixture
) -> None:
    serving = {
        "TESTING": False, "BASE_URL": BASE_URL, "REGISTRATION_OPEN": False,
        "RATELIMIT_ENABLED": True,
    }  # fmt: skip
    with caplog.at_level(logging.WARNING):
        make_app(database_url, tmp_path / "one", **serving)
    assert "counted per process" in caplog.text
    caplog.clear()
    # A CLI command serves no requests, and limits turned off count nothing.
    with caplog.at_level(logging.WARNING), click.Context(click.Command("xapi")):
        make_app(database_url, tmp_path / "cli", **serving)
    make_app(database_url, tmp_path / "off", **{**serving, "RATELIMIT_ENABLED": False})
    assert "counted per process" not in caplog.text
    with caplog.at_level(logging.WARNING):
        make_app(
            database_url,
            tmp_path / "two",
            TESTING=False,
            BASE_URL=BASE_URL,
            REGISTRATION_OPEN=False,
            RATELIMIT_STORAGE_URI=REDIS_URL,
        )
    assert "counted per process" not in caplog.text
