"""API tokens: created by admins (secret shown once, only its hash kept), revoked, audited."""

import hashlib
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from tests.conftest import csrf_token, make_app
from trainer.extensions import db
from trainer.models import ApiToken, AuditEvent
from trainer.people import tokens
from trainer.people.tokens import TokenError

SECRET = re.compile(r"trn_[A-Za-z0-9_-]{43}")


def all_tokens(app: Flask) -> list[ApiToken]:
    with app.app_context():
        rows = db.session.execute(db.select(ApiToken).order_by(ApiToken.id)).scalars().all()
        db.session.expunge_all()
        return list(rows)


def events(app: Flask, action: str) -> list[AuditEvent]:
    with app.app_context():
        rows = db.session.execute(
            db.select(AuditEvent).where(AuditEvent.action == action)
        ).scalars().all()  # fmt: skip
        db.session.expunge_all()
        return list(rows)


def create(app: Flask, name: str = "Kadry") -> tuple[int, str]:
    with app.app_context():
        token, secret = tokens.create_token(name, "hr:read", "cli")
        db.session.commit()
        return token.id, secret


def test_admin_creates_a_token_and_sees_the_secret_once(
    app: Flask, client: FlaskClient, login_as
) -> None:
    admin = login_as("admin")
    response = client.post("/admin/tokens", data={"name": " System kadrowy ", "scope": "hr:read"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    [secret] = SECRET.findall(response.text)
    [token] = all_tokens(app)
    assert (token.name, token.scope, token.created_by_id) == ("System kadrowy", "hr:read", admin)
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    listing = client.get("/admin/tokens").text
    assert "System kadrowy" in listing and secret not in listing
    assert not SECRET.search(listing)
    [event] = events(app, "token.create")
    assert event.actor == "admin@example.com" and secret not in str(event.details)
    assert event.details["token"] == "System kadrowy"


def test_the_secret_is_stored_nowhere(app: Flask) -> None:
    _token_id, secret = create(app)
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(table.select()):
                assert secret not in str(tuple(row))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "scope": "hr:read"}, "This field is required."),
        ({"name": "   ", "scope": "hr:read"}, "This field is required."),
        ({"name": "x" * 121, "scope": "hr:read"}, "Field cannot be longer than 120 characters."),
        ({"name": "Kadry", "scope": "hr:write"}, "Not a valid choice."),
        ({"name": "Kadry", "scope": "hr:read"}, "An active token with this name already exists."),
    ],
)
def test_bad_token_form_changes_nothing(
    app: Flask, client: FlaskClient, login_as, data: dict[str, str], message: str
) -> None:
    create(app, "Kadry")
    login_as("admin")
    response = client.post("/admin/tokens", data=data, headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert message in response.text
    assert not SECRET.search(response.text)
    assert len(all_tokens(app)) == 1


def test_a_revoked_tokens_name_may_be_used_again(app: Flask) -> None:
    create(app, "Kadry")
    with app.app_context():
        tokens.revoke_by_name("Kadry", "cli")
        db.session.commit()
    create(app, "Kadry")
    assert [t.revoked_at is None for t in all_tokens(app)] == [False, True]


def test_admin_revokes_a_token(app: Flask, client: FlaskClient, login_as) -> None:
    token_id, secret = create(app)
    login_as("admin")
    response = client.post(f"/admin/tokens/{token_id}/revoke")
    assert response.status_code == 302 and response.location == "/admin/tokens"
    [token] = all_tokens(app)
    assert token.revoked_at is not None
    assert [e.details["token"] for e in events(app, "token.revoke")] == ["Kadry"]
    again = client.post(
        f"/admin/tokens/{token_id}/revoke", follow_redirects=True, headers={"Accept-Language": "en"}
    )
    assert "This token was already revoked." in again.text
    assert len(events(app, "token.revoke")) == 1
    with app.app_context():
        assert tokens.authenticate(secret, "hr:read") is None


def test_the_list_shows_use_and_revocation(app: Flask, client: FlaskClient, login_as) -> None:
    create(app, "Kadry")
    _token_id, secret = create(app, "Płace")
    with app.app_context():
        tokens.record_use(tokens.authenticate(secret, "hr:read"))
        tokens.revoke_by_name("Kadry", "cli")
        db.session.commit()
    login_as("admin")
    page = client.get("/admin/tokens", headers={"Accept-Language": "en"}).text
    rows = {name: page.split(f">{name}</th>")[1].split("</tr>")[0] for name in ("Kadry", "Płace")}
    assert "never" in rows["Kadry"] and "never" not in rows["Płace"]  # last used
    assert "Revoke" not in rows["Kadry"] and "Revoke" in rows["Płace"]


def test_unknown_token_is_404(client: FlaskClient, login_as) -> None:
    login_as("admin")
    assert client.post("/admin/tokens/999/revoke").status_code == 404


@pytest.mark.parametrize("role", ["learner", "trainer", "hr"])
def test_only_admins_manage_tokens(app: Flask, client: FlaskClient, login_as, role: str) -> None:
    token_id, _secret = create(app)
    login_as(role)
    assert client.get("/admin/tokens").status_code == 403
    assert (
        client.post("/admin/tokens", data={"name": "Mine", "scope": "hr:read"}).status_code == 403
    )
    assert client.post(f"/admin/tokens/{token_id}/revoke").status_code == 403
    assert [(t.name, t.revoked_at) for t in all_tokens(app)] == [("Kadry", None)]


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/admin/tokens"), ("post", "/admin/tokens"), ("post", "/admin/tokens/1/revoke")],
)
def test_anonymous_is_sent_to_sign_in(client: FlaskClient, method: str, path: str) -> None:
    response = getattr(client, method)(path)
    assert response.status_code == 302 and response.location.startswith("/login")


def test_posts_need_a_csrf_token(database_url: str, tmp_path, make_user) -> None:
    app = make_app(database_url, tmp_path / "csrf", WTF_CSRF_ENABLED=True)
    client = app.test_client()
    make_user("admin@example.com", "admin")
    login = client.get("/login").text
    client.post("/login", data={"email": "admin@example.com", "password": "correct horse battery",
                                "csrf_token": csrf_token(login)})  # fmt: skip
    assert (
        client.post("/admin/tokens", data={"name": "Kadry", "scope": "hr:read"}).status_code == 400
    )
    token = csrf_token(client.get("/admin/tokens").text)
    created = client.post("/admin/tokens", data={"name": "Kadry", "scope": "hr:read",
                                                 "csrf_token": token})  # fmt: skip
    assert SECRET.search(created.text)
    with app.app_context():
        token_id = db.session.execute(db.select(ApiToken.id)).scalar_one()
        db.engine.dispose()
    assert client.post(f"/admin/tokens/{token_id}/revoke").status_code == 400


def test_authenticate_refuses_malformed_wrong_and_revoked(app: Flask) -> None:
    _token_id, secret = create(app)
    with app.app_context():
        for wrong in ("", "trn_", secret[:-1], secret + "A", "x" + secret[1:], secret.upper()):
            assert tokens.authenticate(wrong, "hr:read") is None
        assert tokens.authenticate(secret, "admin") is None
        assert tokens.authenticate(secret, "hr:read") is not None


def test_service_refuses_bad_tokens(app: Flask) -> None:
    create(app, "Kadry")
    with app.app_context():
        for name, scope, reason in [
            ("", "hr:read", "name_required"),
            ("x" * 121, "hr:read", "name_too_long"),
            ("Kadry", "hr:read", "name_taken"),
            ("Inny", "root", "unknown_scope"),
        ]:
            with pytest.raises(TokenError) as refused:
                tokens.create_token(name, scope, "cli")
            assert refused.value.reason == reason
        with pytest.raises(TokenError):
            tokens.revoke_by_name("Nieznany", "cli")


def test_cli_creates_lists_and_revokes(app: Flask, runner: FlaskCliRunner) -> None:
    created = runner.invoke(args=["tokens", "create", "--name", "Kadry", "--scope", "hr:read"])
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip()
    assert SECRET.fullmatch(secret)
    [token] = all_tokens(app)
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert [e.actor for e in events(app, "token.create")] == ["cli"]

    listed = runner.invoke(args=["tokens", "list"])
    assert listed.exit_code == 0
    assert "Kadry" in listed.output and "hr:read" in listed.output
    assert secret not in listed.output

    revoked = runner.invoke(args=["tokens", "revoke", "--name", "Kadry"])
    assert revoked.exit_code == 0, revoked.output
    assert all_tokens(app)[0].revoked_at is not None
    assert [e.actor for e in events(app, "token.revoke")] == ["cli"]


def test_cli_list_without_tokens(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["tokens", "list"])
    assert result.exit_code == 0 and "no tokens" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["tokens", "create", "--name", "Kadry"], "an active token named 'Kadry' already exists"),
        (["tokens", "create", "--name", "  "], "a token name is required"),
        (["tokens", "create", "--name", "x" * 121], "at most 120 characters"),
        (["tokens", "create", "--name", "Inny", "--scope", "admin"], "Invalid value for '--scope'"),
        (["tokens", "create"], "Missing option '--name'"),
        (["tokens", "revoke", "--name", "Nieznany"], "no active token named 'Nieznany'"),
        (["tokens", "revoke", "--name", "Stary"], "no active token named 'Stary'"),
    ],
)
def test_cli_failures_change_nothing(
    app: Flask, runner: FlaskCliRunner, args: list[str], message: str
) -> None:
    create(app, "Kadry")
    create(app, "Stary")
    with app.app_context():
        tokens.revoke_by_name("Stary", "cli")
        db.session.commit()
    before = [(t.name, t.revoked_at) for t in all_tokens(app)]
    result = runner.invoke(args=args)
    assert result.exit_code != 0
    assert message in result.output
    assert [(t.name, t.revoked_at) for t in all_tokens(app)] == before
