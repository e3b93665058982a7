"""Self-registration, confirmed by e-mail: the form asks for a name and an address, the
e-mailed link lets its owner choose a password, and only then is the account made. The page
never tells whether an address has an account; without mail there is no form at all."""

import time

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import PASSWORD, make_app
from tests.people.forged import forged
from tests.people.mailbox import Mailbox, body, link_in, start_server
from trainer import create_app
from trainer.extensions import db
from trainer.models import User
from trainer.people import accounts, links, registration


def register(client: FlaskClient, email: str = "nowy@firma.pl", headers=None, **fields: str):
    data = {"display_name": "Nowa Osoba", "email": email, **fields}
    return client.post("/register", data=data, headers=headers)


def choose(client: FlaskClient, path: str, password: str = PASSWORD, **extra: str):
    return client.post(path, data={"password": password, "confirm": password, **extra})


def users(app: Flask) -> list[str]:
    with app.app_context():
        return [user.email for user in db.session.query(User)]


def confirmation_link(client: FlaskClient, mailbox: Mailbox, email: str = "nowy@firma.pl") -> str:
    count = len(mailbox.messages) + 1
    assert register(client, email=email).status_code == 200
    return link_in(mailbox.wait_for(count)[-1])


def test_the_account_is_made_when_a_password_is_chosen_through_the_link(
    app: Flask, client: FlaskClient, mailbox: Mailbox
) -> None:
    page = register(client, email="  Nowy@Firma.pl ")
    assert page.status_code == 200
    assert "We have sent a message to nowy@firma.pl" in page.text
    assert "The link is valid for 24 hours." in page.text
    [message] = mailbox.wait_for(1)
    assert message["To"] == "nowy@firma.pl" and "Nowa Osoba" in body(message)
    path = link_in(message)
    assert path.startswith("/register/confirm/")
    form = client.get(path)  # opening the link makes nothing yet: it asks for a password
    assert form.status_code == 200
    assert 'name="password"' in form.text and "nowy@firma.pl" in form.text
    assert users(app) == []
    assert choose(client, path, confirm="something else").status_code == 200  # not matching
    assert choose(client, path, password="short").status_code == 200
    assert users(app) == []

    assert choose(client, path).location == "/"
    assert client.get("/").status_code == 200
    with app.app_context():
        user = accounts.find_user_by_email("nowy@firma.pl")
        assert user.role_names == {"learner"} and user.display_name == "Nowa Osoba"
        assert user.password_hash.startswith("scrypt:") and PASSWORD not in user.password_hash
    client.post("/logout")
    assert client.post("/login", data={"email": "nowy@firma.pl", "password": PASSWORD}).location


def test_a_link_works_once(app: Flask, client: FlaskClient, mailbox: Mailbox) -> None:
    path = confirmation_link(client, mailbox)
    assert choose(client, path).location == "/"
    client.post("/logout")
    for again in (client.get(path), choose(client, path, password="another password 1")):
        assert again.status_code == 400 and "already exists" in again.text
    with app.app_context():  # the second use changed nothing
        assert accounts.find_user_by_email("nowy@firma.pl").check_password(PASSWORD)


def test_an_expired_link_is_refused(
    app: Flask, client: FlaskClient, mailbox: Mailbox, monkeypatch
) -> None:
    a_day_ago = time.time() - 24 * 3600 - 60
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: a_day_ago)
    path = confirmation_link(client, mailbox)
    monkeypatch.undo()
    for response in (client.get(path), choose(client, path)):
        assert response.status_code == 400 and "expired" in response.text
    assert users(app) == []


@pytest.mark.parametrize("tamper", ["forged", "other salt", "bad payload"])
def test_a_tampered_link_makes_nothing(
    app: Flask, client: FlaskClient, mailbox: Mailbox, tamper: str
) -> None:
    path = confirmation_link(client, mailbox)
    token = path.rpartition("/")[2]
    with app.app_context():
        token = {
            "forged": forged(token),
            # A password reset's or an invitation's token is never a registration's.
            "other salt": links.sign("trainer.password-reset", ["nowy@firma.pl", "Nowa Osoba"]),
            "bad payload": links.sign(registration.REGISTRATION_SALT, [1, 2]),
        }[tamper]
    for response in (client.get(f"/register/confirm/{token}"),
                     choose(client, f"/register/confirm/{token}")):  # fmt: skip
        assert response.status_code == 400 and "not valid" in response.text
    assert users(app) == []


def test_a_taken_address_gets_the_same_page_and_its_owner_a_note(
    app: Flask, client: FlaskClient, make_user, mailbox: Mailbox
) -> None:
    make_user("ewa@firma.pl", name="Ewa Nowak")
    taken = register(client, email="EWA@firma.pl")
    free = register(client, email="adam@firma.pl")
    assert taken.status_code == free.status_code == 200
    assert taken.text.replace("ewa@firma.pl", "X") == free.text.replace("adam@firma.pl", "X")
    messages = {message["To"]: message for message in mailbox.wait_for(2)}
    note = body(messages["ewa@firma.pl"])
    assert "ma on już konto" in note and "Ewa Nowak" in note  # in her language: Polish
    assert link_in(messages["ewa@firma.pl"]).startswith("/password/reset/")
    assert link_in(messages["adam@firma.pl"]).startswith("/register/confirm/")
    with app.app_context():
        assert accounts.find_user_by_email("ewa@firma.pl").check_password(PASSWORD)


def test_registration_limited_to_company_domains(
    app: Flask, client: FlaskClient, mailbox: Mailbox
) -> None:
    app.config["REGISTRATION_DOMAINS"] = "firma.pl, @Firma.com"
    refused = register(client, email="obcy@gmail.com")
    assert refused.status_code == 200
    assert "Only addresses at firma.com, firma.pl can register." in refused.text
    path = confirmation_link(client, mailbox, email="Nowa@FIRMA.pl")
    time.sleep(0.2)
    assert [message["To"] for message in mailbox.messages] == ["nowa@firma.pl"]
    # A link sent before the domains were narrowed no longer makes an account.
    app.config["REGISTRATION_DOMAINS"] = "firma.com"
    assert choose(client, path).status_code == 400
    app.config["REGISTRATION_DOMAINS"] = "firma.pl"
    assert choose(client, path).location == "/"
    assert users(app) == ["nowa@firma.pl"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [({"email": "not-an-email"}, "email"), ({"display_name": ""}, "display_name")],
)
def test_bad_input_shows_an_error_and_sends_nothing(
    client: FlaskClient, mailbox: Mailbox, overrides: dict, field: str
) -> None:
    response = register(client, **overrides)
    assert response.status_code == 200 and f'id="{field}-errors"' in response.text
    time.sleep(0.2)
    assert mailbox.messages == []


def test_the_new_account_takes_the_browsers_zone(
    app: Flask, client: FlaskClient, mailbox: Mailbox
) -> None:
    path = confirmation_link(client, mailbox)
    assert 'name="time_zone"' in client.get(path).text
    assert choose(client, path, time_zone="Asia/Tokyo").location == "/"
    with app.app_context():
        assert accounts.find_user_by_email("nowy@firma.pl").time_zone == "Asia/Tokyo"


def test_registration_can_be_switched_off(database_url: str, tmp_path) -> None:
    app = make_app(database_url, tmp_path, REGISTRATION_OPEN=False)
    client = app.test_client()
    assert client.get("/register").status_code == 404
    assert register(client).status_code == 404
    assert "/register" not in client.get("/login").text


def test_without_mail_the_page_tells_the_admin_and_has_no_form(app: Flask, client) -> None:
    for response in (client.get("/register"), register(client)):
        assert response.status_code == 503
        assert "TRAINER_MAIL_SERVER" in response.text and 'name="email"' not in response.text
    assert users(app) == []


def test_start_up_refuses_open_registration_without_mail(tmp_path) -> None:
    settings = {
        "SECRET_KEY": "x",
        "BASE_URL": "https://trainer.firma.pl",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
        "REGISTRATION_OPEN": True,
    }
    with pytest.raises(registration.RegistrationWithoutMail, match="TRAINER_MAIL_SERVER"):
        create_app(settings, instance_path=str(tmp_path / "a"))
    create_app({**settings, "MAIL_SERVER": "127.0.0.1"}, instance_path=str(tmp_path / "b"))
    create_app({**settings, "REGISTRATION_OPEN": False}, instance_path=str(tmp_path / "c"))


def test_registrations_are_limited_per_address_across_client_addresses(
    database_url: str, tmp_path
) -> None:
    controller, mailbox = start_server()
    app = make_app(
        database_url, tmp_path, RATELIMIT_ENABLED=True, TRUSTED_PROXIES=1,
        REGISTRATION_RATE_LIMIT="2 per hour", MAIL_SERVER="127.0.0.1",
        MAIL_PORT=controller.port, BASE_URL="https://trainer.firma.pl",
    )  # fmt: skip
    client = app.test_client()
    statuses = [
        register(client, headers={"X-Forwarded-For": f"10.0.0.{n}"}).status_code for n in range(3)
    ]
    assert statuses == [200, 200, 429]
    assert register(client, email="other@firma.pl").status_code == 200
    mailbox.wait_for(3)
    controller.stop()
