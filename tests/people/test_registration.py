"""Registration confirmed by e-mail: the page never tells whether an address has an account."""

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import PASSWORD
from tests.people.mailbox import Mailbox, body, link_in
from tests.people.test_auth import register
from trainer.extensions import db
from trainer.models import User
from trainer.people import accounts


def test_the_account_is_made_when_the_link_is_opened(
    app: Flask, client: FlaskClient, mailbox: Mailbox
) -> None:
    page = register(client, email="Nowy@Firma.pl")
    assert page.status_code == 200
    assert "We have sent a message to nowy@firma.pl" in page.text
    with app.app_context():
        assert db.session.query(User).count() == 0  # nothing until the link is opened
    [message] = mailbox.wait_for(1)
    assert message["To"] == "nowy@firma.pl" and "Nowa Osoba" in body(message)
    assert PASSWORD not in body(message)
    path = link_in(message)
    assert client.get(path).location == "/"
    assert client.get("/").status_code == 200
    client.post("/logout")
    assert client.post("/login", data={"email": "nowy@firma.pl", "password": PASSWORD}).location
    again = client.get(path)
    assert again.status_code == 400 and "already exists" in again.text
    with app.app_context():
        assert accounts.find_user_by_email("nowy@firma.pl").role_names == {"learner"}


def test_a_taken_address_gets_the_same_page_and_its_owner_a_note(
    app: Flask, client: FlaskClient, make_user, mailbox: Mailbox
) -> None:
    make_user("ewa@firma.pl", name="Ewa Nowak")
    taken = register(client, email="ewa@firma.pl").text.replace("ewa@firma.pl", "ADDRESS")
    free = register(client, email="adam@firma.pl").text.replace("adam@firma.pl", "ADDRESS")
    assert taken == free
    messages = {message["To"]: message for message in mailbox.wait_for(2)}
    note = body(messages["ewa@firma.pl"])
    assert "ma on już konto" in note and "Ewa Nowak" in note  # in her language: Polish
    assert link_in(messages["ewa@firma.pl"]).startswith("/password/reset/")
    with app.app_context():
        assert accounts.find_user_by_email("ewa@firma.pl").check_password(PASSWORD)


def test_a_forged_link_makes_nothing(app: Flask, client: FlaskClient) -> None:
    response = client.get("/register/confirm/not-a-token")
    assert response.status_code == 400 and "not valid" in response.text
    with app.app_context():
        assert db.session.query(User).count() == 0


def test_without_mail_a_taken_address_gets_a_neutral_refusal(
    client: FlaskClient, make_user
) -> None:
    make_user("ewa@firma.pl")
    response = register(client, email="ewa@firma.pl")
    assert response.status_code == 200
    assert "cannot be registered" in response.text
