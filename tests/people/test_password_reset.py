"""Forgotten passwords: an e-mailed, single-use, expiring link; nothing tells who has an account."""

import time

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import PASSWORD, make_app
from tests.people.forged import forged
from tests.people.mailbox import Mailbox, body, link_in, start_server
from trainer.extensions import db
from trainer.models import User
from trainer.people import accounts, password_reset

NEW_PASSWORD = "a much better passphrase"


def forgot(client: FlaskClient, email: str, **kwargs):
    return client.post("/password/forgot", data={"email": email}, **kwargs)


def choose(client: FlaskClient, path: str, password: str = NEW_PASSWORD):
    return client.post(path, data={"password": password, "confirm": password})


def signs_in(client: FlaskClient, email: str, password: str) -> bool:
    response = client.post("/login", data={"email": email, "password": password})
    signed_in = response.status_code == 302
    if signed_in:
        client.post("/logout")
    return signed_in


def test_a_reset_link_sets_a_new_password_once(
    app: Flask, client: FlaskClient, make_user, mailbox: Mailbox
) -> None:
    make_user("ewa@firma.pl", name="Ewa Nowak")
    page = forgot(client, "Ewa@Firma.pl ")
    assert page.status_code == 200
    assert "If ewa@firma.pl belongs to an account" in page.text
    [message] = mailbox.wait_for(1)
    assert message["To"] == "ewa@firma.pl"
    assert "Ewa Nowak" in body(message) and "60 minut" in body(message)  # in Polish, the default
    path = link_in(message)
    assert "Choose a new password for ewa@firma.pl" in client.get(path).text

    done = choose(client, path)
    assert done.status_code == 302 and done.location == "/"
    client.post("/logout")
    assert signs_in(client, "ewa@firma.pl", NEW_PASSWORD)
    assert not signs_in(client, "ewa@firma.pl", PASSWORD)
    again = choose(client, path, "yet another passphrase")
    assert again.status_code == 400 and "already used" in again.text
    assert signs_in(client, "ewa@firma.pl", NEW_PASSWORD)


def test_the_answer_is_the_same_for_an_unknown_address(
    client: FlaskClient, make_user, mailbox: Mailbox
) -> None:
    make_user("ewa@firma.pl")
    make_user("gone@firma.pl")
    with client.application.app_context():
        accounts.deactivate(accounts.find_user_by_email("gone@firma.pl"))
        db.session.commit()
    answers = {
        address: forgot(client, address).text.replace(address, "ADDRESS")
        for address in ("nobody@firma.pl", "gone@firma.pl", "ewa@firma.pl")
    }
    assert len(set(answers.values())) == 1
    [message] = mailbox.wait_for(1)  # only the active account gets mail
    time.sleep(0.2)
    assert [m["To"] for m in mailbox.messages] == ["ewa@firma.pl"]
    assert message["To"] == "ewa@firma.pl"


def test_links_point_at_base_url_whatever_the_host_header(
    client: FlaskClient, make_user, mailbox: Mailbox
) -> None:
    make_user("ewa@firma.pl")
    forgot(client, "ewa@firma.pl", headers={"Host": "evil.example"})
    [message] = mailbox.wait_for(1)
    assert "evil.example" not in body(message)
    assert link_in(message).startswith("/password/reset/")


def test_an_expired_or_forged_link_is_refused(
    app: Flask, client: FlaskClient, make_user, monkeypatch
) -> None:
    user_id = make_user("ewa@firma.pl")
    with app.test_request_context():
        user = db.session.get(User, user_id)
        fresh = password_reset.token_for(user)
        an_hour_ago = time.time() - 61 * 60
        monkeypatch.setattr("itsdangerous.timed.time.time", lambda: an_hour_ago)
        old = password_reset.token_for(user)
    monkeypatch.undo()
    expired = choose(client, f"/password/reset/{old}")
    assert expired.status_code == 400 and "expired" in expired.text
    wrong = client.get(f"/password/reset/{forged(fresh)}")
    assert wrong.status_code == 400 and "not valid" in wrong.text
    assert signs_in(client, "ewa@firma.pl", PASSWORD)


def test_a_link_dies_when_the_account_is_deactivated(
    app: Flask, client: FlaskClient, make_user
) -> None:
    user_id = make_user("ewa@firma.pl")
    with app.test_request_context():
        user = db.session.get(User, user_id)
        token = password_reset.token_for(user)
        accounts.deactivate(user)
        db.session.commit()
    assert choose(client, f"/password/reset/{token}").status_code == 400


def test_without_mail_the_page_says_whom_to_ask(app: Flask, client: FlaskClient, make_user) -> None:
    make_user("ewa@firma.pl")
    page = forgot(client, "ewa@firma.pl")
    assert page.status_code == 200
    assert "cannot send e-mail" in page.text and 'name="email"' not in page.text
    assert 'href="/password/forgot"' in client.get("/login").text


def test_resets_are_limited_per_address_across_client_addresses(
    database_url: str, tmp_path, make_user
) -> None:
    controller, mailbox = start_server()
    app = make_app(
        database_url, tmp_path, RATELIMIT_ENABLED=True, TRUSTED_PROXIES=1,
        PASSWORD_RESET_RATE_LIMIT="2 per hour", MAIL_SERVER="127.0.0.1",
        MAIL_PORT=controller.port, BASE_URL="https://trainer.firma.pl",
    )  # fmt: skip
    make_user("ewa@firma.pl")
    client = app.test_client()
    statuses = [
        forgot(client, "ewa@firma.pl", headers={"X-Forwarded-For": f"10.0.0.{n}"}).status_code
        for n in range(3)
    ]
    assert statuses == [200, 200, 429]
    assert forgot(client, "other@firma.pl").status_code == 200
    mailbox.wait_for(2)
    controller.stop()


def test_an_unknown_address_costs_a_password_check_too(app: Flask, make_user, monkeypatch) -> None:
    """Sign-in takes as long for an unknown address as for a wrong password."""
    from werkzeug import security

    checks: list[str] = []

    def counting(stored: str, password: str) -> bool:
        checks.append(stored.split(":")[0])
        return security.check_password_hash(stored, password)

    monkeypatch.setattr("trainer.people.accounts.check_password_hash", counting)
    monkeypatch.setattr("trainer.models.user.check_password_hash", counting)
    make_user("ewa@firma.pl")
    make_user("gone@firma.pl")
    with app.app_context():
        invited = accounts.create_user("new@firma.pl", "Nowa")
        accounts.deactivate(accounts.find_user_by_email("gone@firma.pl"))
        db.session.commit()
        for email, password in [
            ("nobody@firma.pl", PASSWORD),
            ("ewa@firma.pl", "wrong guess"),
            (invited.email, PASSWORD),
            ("gone@firma.pl", PASSWORD),
        ]:
            checks.clear()
            assert accounts.authenticate(email, password) is None
            assert checks == ["scrypt"], email
        assert accounts.authenticate("ewa@firma.pl", PASSWORD) is not None
