"""Accounts: sign-in, sign-out, passwords and stale cookies (registration: test_registration)."""

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import CHEAP_HASH_METHOD, PASSWORD, get_user
from trainer.extensions import db
from trainer.models import User
from trainer.people import accounts


def test_passwords_are_hashed_with_the_configured_cost(app: Flask) -> None:
    """Production's scrypt costs about 100 ms (N=2**15, r=8, p=1; see bench/README.md); the
    tests configure a cheap one, and whatever is configured is what new hashes use."""
    from trainer.config import Defaults
    from trainer.models.user import PASSWORD_HASH_METHOD, hash_password

    assert Defaults.PASSWORD_HASH_METHOD == PASSWORD_HASH_METHOD == "scrypt:32768:8:1"
    with app.app_context():
        assert hash_password(PASSWORD).startswith(CHEAP_HASH_METHOD + "$")
        app.config["PASSWORD_HASH_METHOD"] = "scrypt:2048:8:1"
        stored = hash_password(PASSWORD)
    assert stored.startswith("scrypt:2048:8:1$")
    assert hash_password(PASSWORD).startswith(PASSWORD_HASH_METHOD + "$")  # no app: the default
    user = User(email="a@example.com", display_name="A", password_hash=stored)
    assert user.check_password(PASSWORD) and not user.check_password("wrong")


def test_login_and_logout(client: FlaskClient, make_user, auth) -> None:
    make_user("jan@example.com")
    response = auth.login("JAN@example.com ")
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    auth.logout()
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    ("email", "password"),
    [("jan@example.com", "wrong password"), ("nobody@example.com", PASSWORD)],
)
def test_login_refuses_wrong_credentials(
    client: FlaskClient, make_user, auth, email: str, password: str
) -> None:
    make_user("jan@example.com")
    response = auth.login(email, password)
    assert response.status_code == 200
    assert client.get("/").status_code == 302


def test_deactivated_user_cannot_sign_in_and_is_signed_out(
    app: Flask, client: FlaskClient, make_user, auth
) -> None:
    user_id = make_user("jan@example.com")
    auth.login("jan@example.com")
    with app.app_context():
        accounts.deactivate(db.session.get(User, user_id))
        db.session.commit()
    assert client.get("/").status_code == 302
    assert auth.login("jan@example.com").status_code == 200


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"],
)
def test_next_redirect_never_leaves_the_site(client: FlaskClient, make_user, target: str) -> None:
    make_user("jan@example.com")
    response = client.post(
        "/login", query_string={"next": target},
        data={"email": "jan@example.com", "password": PASSWORD},
    )  # fmt: skip
    assert response.status_code == 302
    assert response.location == "/"


def test_next_redirect_to_own_path(client: FlaskClient, make_user) -> None:
    make_user("jan@example.com")
    response = client.post(
        "/login", query_string={"next": "/account"},
        data={"email": "jan@example.com", "password": PASSWORD},
    )  # fmt: skip
    assert response.location == "/account"


def test_anonymous_user_is_sent_to_sign_in(client: FlaskClient) -> None:
    response = client.get("/account")
    assert response.status_code == 302
    assert response.location.startswith("/login?next=")


def copy_cookies(source: FlaskClient, target: FlaskClient) -> None:
    for cookie in source._cookies.values():
        target.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)


def test_copied_session_cookie_refused_after_logout(app: Flask, make_user, auth) -> None:
    make_user("jan@example.com")
    auth.client.post(
        "/login", data={"email": "jan@example.com", "password": PASSWORD, "remember": "y"}
    )
    thief = app.test_client()
    copy_cookies(auth.client, thief)
    assert thief.get("/").status_code == 200  # the copy works while the session lives
    auth.logout()
    assert thief.get("/").status_code == 302


def test_copied_cookie_refused_after_password_change(
    app: Flask, client: FlaskClient, make_user, auth
) -> None:
    user_id = make_user("jan@example.com")
    auth.login("jan@example.com")
    thief = app.test_client()
    copy_cookies(client, thief)
    new_password = "a brand new passphrase"
    response = client.post(
        "/account",
        data={"pw-current": PASSWORD, "pw-password": new_password,
              "pw-confirm": new_password, "pw-submit": "1"},
    )  # fmt: skip
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # this browser stays signed in
    assert thief.get("/").status_code == 302
    assert get_user(app, user_id).check_password(new_password)


def test_password_change_needs_current_password(app: Flask, client: FlaskClient, login_as) -> None:
    user_id = login_as("learner")
    response = client.post(
        "/account",
        data={"pw-current": "wrong", "pw-password": "x" * 12, "pw-confirm": "x" * 12,
              "pw-submit": "1"},
    )  # fmt: skip
    assert response.status_code == 200
    assert get_user(app, user_id).check_password(PASSWORD)


def test_language_setting(app: Flask, client: FlaskClient, login_as) -> None:
    user_id = login_as("learner")
    client.post("/account", data={"lang-language": "en", "lang-submit": "1"})
    assert get_user(app, user_id).language == "en"
    assert 'lang="en"' in client.get("/").text


def test_first_admin_must_choose_a_password(app: Flask, client: FlaskClient, auth) -> None:
    with app.app_context():
        password = accounts.ensure_first_admin("admin@example.com")
        db.session.commit()
        assert accounts.ensure_first_admin("admin@example.com") is None
    assert password
    auth.login("admin@example.com", password)
    assert client.get("/admin/users").location == "/account"
    client.post(
        "/account",
        data={"pw-current": password, "pw-password": PASSWORD, "pw-confirm": PASSWORD,
              "pw-submit": "1"},
    )  # fmt: skip
    assert client.get("/admin/users").status_code == 200
