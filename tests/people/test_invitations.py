"""Invitation links: set a first password once, before the link expires."""

import time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from tests.conftest import get_user
from tests.people.forged import forged
from trainer.extensions import db
from trainer.models import User
from trainer.people import accounts, invitations

NEW_PASSWORD = "a long new password"


@pytest.fixture
def invitee(app: Flask) -> int:
    """An imported person: an account without a password."""
    with app.app_context():
        user = accounts.create_user("ewa@firma.pl", "Ewa Nowak", department="Marketing")
        db.session.commit()
        return user.id


def link(app: Flask, user_id: int) -> str:
    with app.app_context():
        return invitations.invitation_for(db.session.get(User, user_id)).path


def test_invitation_sets_the_password_once_and_signs_in(
    app: Flask, client: FlaskClient, invitee: int
) -> None:
    path = link(app, invitee)
    page = client.get(path)
    assert page.status_code == 200
    assert "ewa@firma.pl" in page.text
    before = get_user(app, invitee).session_version
    response = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # signed in
    user = get_user(app, invitee)
    assert user.check_password(NEW_PASSWORD)
    assert user.session_version == before + 1
    # Single use: the same link, and any other issued before, no longer works.
    assert client.get(path).status_code == 400
    again = client.post(
        path, data={"password": "another password!", "confirm": "another password!"}
    )
    assert again.status_code == 400
    assert get_user(app, invitee).check_password(NEW_PASSWORD)


@pytest.mark.parametrize(
    ("password", "confirm", "field"),
    [
        ("short", "short", "password"),
        ("123456789", "123456789", "password"),
        (NEW_PASSWORD, NEW_PASSWORD + "x", "confirm"),
        ("", "", "password"),
        (NEW_PASSWORD, "", "confirm"),
    ],
)
def test_bad_passwords_are_refused(
    app: Flask, client: FlaskClient, invitee: int, password: str, confirm: str, field: str
) -> None:
    path = link(app, invitee)
    response = client.post(path, data={"password": password, "confirm": confirm})
    assert response.status_code == 200
    assert f'id="{field}-errors"' in response.text
    assert get_user(app, invitee).password_hash is None


def test_expired_link_is_refused(
    app: Flask, client: FlaskClient, invitee: int, monkeypatch
) -> None:
    days = app.config["INVITATION_MAX_AGE_DAYS"]
    assert days == 14
    issued = int(time.time()) - (days + 1) * 24 * 60 * 60
    with monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: issued)
        path = link(app, invitee)
    response = client.get(path)
    assert response.status_code == 400
    assert "expired" in response.text


def test_max_age_is_configurable(
    app: Flask, client: FlaskClient, invitee: int, monkeypatch
) -> None:
    app.config["INVITATION_MAX_AGE_DAYS"] = 30
    issued = int(time.time()) - 20 * 24 * 60 * 60
    with monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: issued)
        path = link(app, invitee)
    assert client.get(path).status_code == 200


@pytest.mark.parametrize(
    "spoil",
    ["forged", "other_salt", "has_password", "deactivated", "sessions_ended", "deleted"],
)
def test_invalid_links_are_refused(
    app: Flask, client: FlaskClient, invitee: int, spoil: str
) -> None:
    path = link(app, invitee)
    with app.app_context():
        user = db.session.get(User, invitee)
        if spoil == "forged":
            path = forged(path)
        elif spoil == "other_salt":
            token = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="other").dumps(
                [invitee, 1]
            )
            path = f"/invitation/{token}"
        elif spoil == "has_password":
            user.set_password("chosen elsewhere")
        elif spoil == "deactivated":
            accounts.deactivate(user)
        elif spoil == "sessions_ended":
            user.end_sessions()
        elif spoil == "deleted":
            db.session.delete(user)
        db.session.commit()
    for response in (
        client.get(path),
        client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}),
    ):
        assert response.status_code == 400
        assert "not valid or was already used" in response.text


def test_garbage_token_is_a_clear_page_not_an_error(client: FlaskClient) -> None:
    response = client.get("/invitation/" + "x" * 500)
    assert response.status_code == 400
    assert "Ask HR for a new one." in response.text
