"""Role checks: 403 for the wrong role, sign-in for anonymous users, admins everywhere."""

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import get_user

GUARDED = [
    ("/author/", "trainer"),
    ("/hr/", "hr"),
    ("/audit/", "hr"),
    ("/admin/users", "admin"),
]


@pytest.mark.parametrize(("path", "role"), GUARDED)
def test_anonymous_is_sent_to_sign_in(client: FlaskClient, path: str, role: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response.location.startswith("/login")


@pytest.mark.parametrize(("path", "role"), GUARDED)
@pytest.mark.parametrize("held", ["learner", "trainer", "hr"])
def test_wrong_role_gets_403(
    client: FlaskClient, login_as, path: str, role: str, held: str
) -> None:
    login_as(held)
    expected = 200 if held == role else 403
    assert client.get(path).status_code == expected


@pytest.mark.parametrize(("path", "role"), GUARDED)
def test_admin_reaches_every_area(client: FlaskClient, login_as, path: str, role: str) -> None:
    login_as("admin")
    assert client.get(path).status_code == 200


def test_admin_sets_roles(app: Flask, client: FlaskClient, login_as, make_user) -> None:
    login_as("admin")
    other = make_user("ewa@example.com")
    response = client.post(f"/admin/users/{other}/roles", data={"roles": ["trainer", "hr"]})
    assert response.status_code == 302
    assert get_user(app, other).role_names == {"trainer", "hr"}


def test_unknown_role_is_rejected(app: Flask, client: FlaskClient, login_as, make_user) -> None:
    login_as("admin")
    other = make_user("ewa@example.com")
    response = client.post(f"/admin/users/{other}/roles", data={"roles": ["superuser"]})
    assert response.status_code == 200
    assert get_user(app, other).role_names == {"learner"}


def test_admin_cannot_drop_own_admin_role(app: Flask, client: FlaskClient, login_as) -> None:
    me = login_as("admin")
    client.post(f"/admin/users/{me}/roles", data={"roles": ["learner"]})
    assert get_user(app, me).role_names == {"admin"}


def test_admin_deactivates_user(app: Flask, client: FlaskClient, login_as, make_user) -> None:
    login_as("admin")
    other = make_user("ewa@example.com")
    assert client.post(f"/admin/users/{other}/deactivate").status_code == 302
    assert get_user(app, other).active is False


def test_trainer_cannot_post_admin_actions(
    app: Flask, client: FlaskClient, login_as, make_user
) -> None:
    login_as("trainer")
    other = make_user("ewa@example.com")
    assert client.post(f"/admin/users/{other}/deactivate").status_code == 403
    assert client.post(f"/admin/users/{other}/roles", data={"roles": ["admin"]}).status_code == 403
    assert get_user(app, other).active is True
    assert get_user(app, other).role_names == {"learner"}


def test_missing_user_is_404(client: FlaskClient, login_as) -> None:
    login_as("admin")
    assert client.get("/admin/users/999999/roles").status_code == 404


def test_role_changes_are_audited_and_the_log_is_read_only(
    app: Flask, client: FlaskClient, login_as, make_user
) -> None:
    login_as("admin")
    other = make_user("ewa@example.com")
    client.post(f"/admin/users/{other}/roles", data={"roles": ["hr"]})
    page = client.get("/audit/").text
    assert "Roles changed" in page and "ewa@example.com" in page
    assert client.post("/audit/").status_code == 405
