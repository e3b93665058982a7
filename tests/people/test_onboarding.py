"""A new admin adds people: the users page's "Add a person" and "Send invitation", and
`users create` without a password, each ending in a link to choose a password."""

import re

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import PASSWORD, get_user
from tests.people.mailbox import Mailbox, link_in
from trainer.extensions import db
from trainer.models import AuditEvent, User
from trainer.people import accounts

PERSON = {"display_name": "Ewa Nowak", "email": "Ewa.Nowak@firma.pl", "department": "Sprzedaż",
          "roles": ["learner", "trainer"]}  # fmt: skip


def user_by_email(app: Flask, email: str) -> User | None:
    with app.app_context():
        user = db.session.execute(db.select(User).where(User.email == email)).scalar_one_or_none()
        if user is not None:
            db.session.expunge(user)
        return user


def accept(client: FlaskClient, link: str) -> None:
    """Choose a password through `link`, as the invited person."""
    path = re.sub(r"^https?://[^/]+", "", link)
    response = client.post(path, data={"password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 302, response.text


def test_the_users_page_offers_to_add_a_person(client: FlaskClient, login_as) -> None:
    login_as("admin")
    page = client.get("/admin/users").text
    assert 'href="/admin/users/new"' in page
    assert "Administrator" in page  # role names, not keys


def test_admin_adds_a_person_and_the_link_is_shown_once(
    app: Flask, client: FlaskClient, login_as
) -> None:
    login_as("admin")
    response = client.post("/admin/users/new", data=PERSON)
    assert response.status_code == 200
    link = re.search(r"<code>(http://localhost/invitation/[^<]+)</code>", response.text)
    assert link, response.text
    user = user_by_email(app, "ewa.nowak@firma.pl")
    assert user is not None and user.password_hash is None
    assert user.display_name == "Ewa Nowak" and user.department == "Sprzedaż"
    assert user.role_names == {"learner", "trainer"}
    with app.app_context():
        actions = [
            (e.action, e.details) for e in db.session.query(AuditEvent).order_by(AuditEvent.id)
        ]
    assert (
        "user.create",
        {"user": "ewa.nowak@firma.pl", "roles": ["learner", "trainer"]},
    ) in actions
    assert ("user.invite", {"user": "ewa.nowak@firma.pl"}) in actions
    assert "invited" in client.get("/admin/users").text

    client.post("/logout", data={})
    newcomer = app.test_client()
    accept(newcomer, link.group(1))
    assert newcomer.get("/").status_code == 200


def test_with_mail_the_invitation_is_e_mailed(
    app: Flask, client: FlaskClient, login_as, mailbox: Mailbox
) -> None:
    login_as("admin")
    response = client.post("/admin/users/new", data=PERSON)
    assert response.status_code == 302 and response.location == "/admin/users"
    (message,) = mailbox.wait_for(1)
    assert message["To"] == "ewa.nowak@firma.pl"
    assert link_in(message).startswith("/invitation/")  # under https://trainer.firma.pl
    accept(app.test_client(), link_in(message))


def test_bad_input_and_a_taken_address_add_nobody(
    app: Flask, client: FlaskClient, login_as, make_user
) -> None:
    login_as("admin")
    make_user("ewa.nowak@firma.pl")
    for data in (
        {**PERSON, "email": "nie-adres"},
        {**PERSON, "display_name": ""},
        {**PERSON, "roles": []},
        {**PERSON, "roles": ["superuser"]},
        PERSON,  # the address is taken, in another case
    ):
        response = client.post("/admin/users/new", data=data)
        assert response.status_code == 200
        assert 'class="errors"' in response.text
    with app.app_context():
        assert db.session.query(User).count() == 2  # the admin and the existing learner


def test_send_invitation_again_only_to_who_has_no_password(
    app: Flask, client: FlaskClient, login_as, make_user
) -> None:
    login_as("admin")
    with app.app_context():
        invited = accounts.create_user("nowy@firma.pl", "Nowy").id
        db.session.commit()
    has_password = make_user("stary@firma.pl")
    response = client.post(f"/admin/users/{invited}/invite", data={})
    assert response.status_code == 200 and "/invitation/" in response.text
    refused = client.post(f"/admin/users/{has_password}/invite", data={})
    assert refused.status_code == 302
    assert client.post("/admin/users/999999/invite", data={}).status_code == 404


def test_only_admins_add_people(client: FlaskClient, login_as) -> None:
    for role in ("learner", "trainer", "hr"):
        login_as(role)
        assert client.get("/admin/users/new").status_code == 403
        assert client.post("/admin/users/new", data=PERSON).status_code == 403
        client.post("/logout", data={})


def test_cli_create_without_password_prints_an_invitation(app: Flask, runner) -> None:
    result = runner.invoke(args=["users", "create", "--email", "ewa@firma.pl", "--name", "Ewa"])
    assert result.exit_code == 0, result.output
    (path,) = re.findall(r"^/invitation/\S+$", result.output, re.MULTILINE)
    assert "TRAINER_BASE_URL" in result.output
    accept(app.test_client(), path)
    assert get_user(app, user_by_email(app, "ewa@firma.pl").id).password_hash is not None
    again = runner.invoke(args=["users", "invite", "--email", "ewa@firma.pl"])
    assert again.exit_code != 0 and "already has a password" in again.output


def test_cli_invitation_is_absolute_with_a_base_url(app: Flask, runner) -> None:
    app.config["BASE_URL"] = "https://trainer.firma.pl"
    runner.invoke(args=["users", "create", "--email", "ewa@firma.pl", "--name", "Ewa"])
    result = runner.invoke(args=["users", "invite", "--email", "ewa@firma.pl"])
    assert result.exit_code == 0
    assert re.search(r"^https://trainer\.firma\.pl/invitation/\S+$", result.output, re.MULTILINE)
