"""Bulk employee import: CSV dialects, preview, all-together apply, refusals, CLI and mail."""

import io
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from trainer.extensions import db
from trainer.models import AuditEvent, User
from trainer.people import accounts, imports

HEADER = "email,name,employee_id,department,roles\n"


def upload(client: FlaskClient, data: bytes | str, name: str = "people.csv"):
    raw = data.encode() if isinstance(data, str) else data
    return client.post(
        "/hr/import/", data={"file": (io.BytesIO(raw), name)}, content_type="multipart/form-data"
    )


def token_of(html: str) -> str:
    match = re.search(r'name="token" type="hidden" value="([^"]+)"', html)
    assert match, "no confirmation token in the page"
    return match.group(1)


def confirm(client: FlaskClient, html: str):
    return client.post("/hr/import/confirm", data={"token": token_of(html)})


def users(app: Flask) -> dict[str, User]:
    with app.app_context():
        rows = db.session.execute(db.select(User)).scalars().all()
        for user in rows:
            user.roles  # noqa: B018 (load before the session closes)
            db.session.expunge(user)
        return {user.email: user for user in rows}


def events(app: Flask, action: str) -> list[AuditEvent]:
    with app.app_context():
        rows = db.session.execute(
            db.select(AuditEvent).where(AuditEvent.action == action)
        ).scalars().all()  # fmt: skip
        for event in rows:
            db.session.expunge(event)
        return list(rows)


@pytest.fixture
def hr(login_as) -> int:
    return login_as("hr")


def test_excel_file_is_previewed_then_applied_with_invitations(
    app: Flask, client: FlaskClient, hr: int, make_user
) -> None:
    make_user("jan@firma.pl", name="Jan", employee_id="E-1", department="Marketing")
    # What Excel saves in a Polish locale: BOM, semicolons, CRLF, Polish column names.
    data = (
        "\ufeffE-mail;Imię i nazwisko;Nr pracownika;Dział;Role\r\n"
        "Ewa.Nowak@Firma.pl;Ewa  Nowak;E-2;Sprzedaż B2B;\r\n"
        "jan@firma.pl;Jan Kowalski;;Logistyka;learner|trainer\r\n"
        '"olek@firma.pl";"Aleksander Wiśniewski";E-3;Obsługa klienta;"hr;learner"\r\n'
    ).encode()
    before = set(users(app))
    preview = upload(client, data)
    assert preview.status_code == 200
    page = preview.text
    assert "ewa.nowak@firma.pl" in page and "olek@firma.pl" in page
    assert "Jan → Jan Kowalski" in page and "Marketing → Logistyka" in page
    assert "learner → learner, trainer" not in page
    assert re.search(r"<td>jan@firma.pl</td><td>learner</td><td>learner, trainer</td>", page)
    assert set(users(app)) == before  # a preview changes nothing

    done = confirm(client, page)
    assert done.status_code == 200
    after = users(app)
    ewa, jan, olek = after["ewa.nowak@firma.pl"], after["jan@firma.pl"], after["olek@firma.pl"]
    assert (ewa.display_name, ewa.employee_id, ewa.department) == (
        "Ewa Nowak",
        "E-2",
        "Sprzedaż B2B",
    )
    assert ewa.role_names == {"learner"} and ewa.password_hash is None
    assert olek.role_names == {"hr", "learner"}
    assert (jan.display_name, jan.employee_id, jan.department) == (
        "Jan Kowalski",
        "E-1",
        "Logistyka",
    )
    assert jan.role_names == {"learner"}  # roles of an existing account stay with an admin
    links = re.findall(r"http://localhost/invitation/[\w.-]+", done.text)
    assert len(links) == 2  # the new people; Jan already has a password
    [event] = events(app, "users.import")
    assert event.actor == "hr@example.com"
    assert event.details == {
        "created": [
            {"email": "ewa.nowak@firma.pl", "roles": ["learner"]},
            {"email": "olek@firma.pl", "roles": ["hr", "learner"]},
        ],
        "updated": [
            {
                "email": "jan@firma.pl",
                "changes": {
                    "name": {"before": "Jan", "after": "Jan Kowalski"},
                    "department": {"before": "Marketing", "after": "Logistyka"},
                },
            }
        ],
        "unchanged": 0,
        "rejected": 0,
    }
    assert event.row_count == 3


def test_comma_file_with_lf_and_pipe_roles(app: Flask, client: FlaskClient, hr: int) -> None:
    data = HEADER + "a@firma.pl,Anna A,,,trainer|learner\nb@firma.pl,Bartek B,B-1,,\n"
    confirm(client, upload(client, data).text)
    found = users(app)
    assert found["a@firma.pl"].role_names == {"trainer", "learner"}
    assert found["b@firma.pl"].employee_id == "B-1"
    assert found["a@firma.pl"].employee_id is None


@pytest.mark.parametrize(
    ("rows", "row", "reason"),
    [
        ("zly-adres,Zenon Z,,,\n", 3, "Not a valid e-mail address: zly-adres"),
        ("x@firma.pl,,,,\n", 3, "The name is missing."),
        (",Bez Adresu,,,\n", 3, "The e-mail address is missing."),
        ("x@firma.pl,Xawery X,,,boss\n", 3, "Unknown role: boss"),
        ("x@firma.pl,Xawery X,,,admin\n", 3, "Unknown role: admin"),
        ("x@firma.pl,Xawery X,,,,surplus\n", 3, "The row has 6 fields"),
        (
            "x@firma.pl,Xawery X,E-9,,\n",
            3,
            "The employee id E-9 already belongs to another person.",
        ),
        ("ok@firma.pl,Drugi Raz,,,\n", 2, "appears more than once in the file (rows 2, 3)"),
        ("y@firma.pl,Yeti Y,E-5,,\n", 3, "The employee id E-5 appears more than once"),
    ],
)
def test_bad_rows_are_listed_and_skipped(
    app: Flask, client: FlaskClient, hr: int, make_user, rows: str, row: int, reason: str
) -> None:
    make_user("holder@firma.pl", employee_id="E-9")
    data = HEADER + "ok@firma.pl,Olga Ok,E-5,,\n" + rows + "fine@firma.pl,Filip Fine,,,\n"
    page = upload(client, data).text
    assert re.search(rf"<td>{row}</td><td>[^<]*{re.escape(reason)}", page.replace("&#39;", "'")), (
        page
    )
    confirm(client, page)
    found = users(app)
    assert "fine@firma.pl" in found  # the valid rows are applied together
    assert "x@firma.pl" not in found and "y@firma.pl" not in found
    [event] = events(app, "users.import")
    assert event.details["rejected"] >= 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", "This is not a CSV file in UTF-8."),
        ("email;name\n".encode("utf-16"), "This is not a CSV file in UTF-8."),
        (b"email,name\n" + b"a@b.pl,A\n" * 200_000, "The file is larger than 1024 KiB."),
        (b"", "The file has no employee rows."),
        (b"email,name\n", "The file has no employee rows."),
        (b"mail,department\nx@y.pl,IT\n", "missing: name"),
        (b"email,name,e-mail\nx@y.pl,X,x@y.pl\n", "The column e-mail appears twice"),
        (b'email,name\n"x@y.pl,X\n', "This is not a CSV file in UTF-8."),
    ],
)
def test_unreadable_files_are_refused_and_change_nothing(
    app: Flask, client: FlaskClient, hr: int, data: bytes, message: str
) -> None:
    before = set(users(app))
    response = upload(client, data)
    assert response.status_code == 200
    assert message in response.text
    assert 'name="token"' not in response.text
    assert set(users(app)) == before


def test_missing_file_is_asked_for(client: FlaskClient, hr: int) -> None:
    response = client.post("/hr/import/", data={}, content_type="multipart/form-data")
    assert "Choose a CSV file." in response.text


def test_too_many_rows_are_refused(app: Flask, client: FlaskClient, hr: int, monkeypatch) -> None:
    monkeypatch.setattr("trainer.people.import_csv.MAX_IMPORT_ROWS", 2)
    response = upload(client, HEADER + "a@b.pl,A,,,\nb@b.pl,B,,,\nc@b.pl,C,,,\n")
    assert "more than 2 employee rows" in response.text


@pytest.mark.parametrize("actor", ["hr", "admin"])
def test_an_import_never_changes_the_roles_of_an_existing_account(
    app: Flask, client: FlaskClient, login_as, make_user, actor: str
) -> None:
    login_as(actor)
    make_user("boss@firma.pl", "admin", "learner", name="Szef")
    make_user("tom@firma.pl", "trainer", name="Tom")
    my_email = f"{actor}@example.com"
    data = HEADER + (
        f"boss@firma.pl,Szef,,,learner\ntom@firma.pl,Tom,,,learner\n{my_email},Ja,,,hr|trainer\n"
    )
    page = upload(client, data).text
    assert "Roles kept" in page
    confirm(client, page)
    found = users(app)
    assert found["boss@firma.pl"].role_names == {"admin", "learner"}
    assert found["tom@firma.pl"].role_names == {"trainer"}
    assert found[my_email].role_names == {actor}
    assert found[my_email].display_name == "Ja"  # other fields still change


@pytest.mark.parametrize(
    "token",
    ["", "garbage", "eyJieSI6MX0.forged.signature"],
)
def test_forged_or_missing_tokens_apply_nothing(
    app: Flask, client: FlaskClient, hr: int, token: str
) -> None:
    before = set(users(app))
    response = client.post("/hr/import/confirm", data={"token": token})
    assert response.status_code == 302
    assert set(users(app)) == before
    assert "out of date" in client.get(response.location).text


def test_token_of_another_hr_user_is_refused(
    app: Flask, client: FlaskClient, hr: int, make_user, auth
) -> None:
    page = upload(client, HEADER + "a@firma.pl,Anna,,,\n").text
    make_user("hr2@firma.pl", "hr")
    auth.logout()
    auth.login("hr2@firma.pl")
    confirm(client, page)
    assert "a@firma.pl" not in users(app)


def test_confirming_twice_applies_once(app: Flask, client: FlaskClient, hr: int) -> None:
    page = upload(client, HEADER + "a@firma.pl,Anna,,,\n").text
    assert confirm(client, page).status_code == 200
    again = confirm(client, page)
    assert again.status_code == 302
    assert len(events(app, "users.import")) == 1


def test_database_changed_since_preview_applies_nothing(
    app: Flask, client: FlaskClient, hr: int, make_user
) -> None:
    page = upload(client, HEADER + "a@firma.pl,Anna,A-1,,\nb@firma.pl,Bartek,,,\n").text
    make_user("other@firma.pl", employee_id="A-1")  # someone took the id in the meantime
    confirm(client, page)
    found = users(app)
    assert "a@firma.pl" not in found and "b@firma.pl" not in found


def test_database_refusal_rolls_everything_back(
    app: Flask, client: FlaskClient, hr: int, monkeypatch
) -> None:
    real_create = accounts.create_user
    made: list[User] = []

    def create_clashing(*args, **kwargs) -> User:
        user = real_create(*args, **kwargs)
        if made:  # the second person gets the first one's employee id: a unique violation
            user.employee_id = made[0].employee_id
        made.append(user)
        return user

    monkeypatch.setattr(accounts, "create_user", create_clashing)
    page = upload(client, HEADER + "a@firma.pl,Anna,A-1,,\nb@firma.pl,Bartek,B-1,,\n").text
    response = confirm(client, page)
    assert response.status_code == 302
    assert "nothing was changed" in client.get(response.location).text
    found = users(app)
    assert "a@firma.pl" not in found and "b@firma.pl" not in found
    assert events(app, "users.import") == []


@pytest.mark.parametrize("path", ["/hr/import/", "/hr/import/confirm"])
def test_anonymous_is_sent_to_sign_in(client: FlaskClient, path: str) -> None:
    for response in (client.get(path), client.post(path)):
        assert response.status_code in (302, 405)
        if response.status_code == 302:
            assert response.location.startswith("/login")


@pytest.mark.parametrize("role", ["learner", "trainer"])
def test_other_roles_get_403(app: Flask, client: FlaskClient, login_as, role: str) -> None:
    login_as(role)
    assert client.get("/hr/import/").status_code == 403
    assert upload(client, HEADER + "a@firma.pl,Anna,,,\n").status_code == 403
    assert client.post("/hr/import/confirm", data={"token": "x"}).status_code == 403
    assert "a@firma.pl" not in users(app)


def test_admin_may_import(app: Flask, client: FlaskClient, login_as) -> None:
    login_as("admin")
    assert client.get("/hr/import/").status_code == 200


def test_mail_is_not_sent_when_not_configured(
    app: Flask, client: FlaskClient, hr: int, monkeypatch
) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("no mail server is configured")

    monkeypatch.setattr("smtplib.SMTP", refuse)
    done = confirm(client, upload(client, HEADER + "a@firma.pl,Anna,,,\n").text)
    assert "/invitation/" in done.text


class FakeSMTP:
    """Stands in for smtplib.SMTP: records what would be sent."""

    sent: list = []  # noqa: RUF012

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.address = (host, port)

    def __enter__(self) -> "FakeSMTP":
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def send_message(self, message) -> None:
        FakeSMTP.sent.append((self.address, message))


def test_invitations_are_mailed_when_configured(
    app: Flask, client: FlaskClient, hr: int, monkeypatch
) -> None:
    app.config.update(
        MAIL_SERVER="mail.firma.pl", MAIL_PORT=2525, BASE_URL="https://trainer.firma.pl"
    )
    FakeSMTP.sent = []
    monkeypatch.setattr("smtplib.SMTP", FakeSMTP)
    done = confirm(client, upload(client, HEADER + "a@firma.pl,Anna Nowak,,,\n").text)
    assert "Invitations e-mailed: 1" in done.text
    [(address, message)] = FakeSMTP.sent
    assert address == ("mail.firma.pl", 2525)
    assert message["To"] == "a@firma.pl"
    assert "https://trainer.firma.pl/invitation/" in message.get_content()
    assert "Anna Nowak" in message.get_content()


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "people.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_cli_dry_run_prints_the_preview_and_changes_nothing(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    path = write(tmp_path, HEADER + "a@firma.pl,Anna,,,\nbad,Bad,,,\n")
    result = runner.invoke(args=["users", "import", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "to create: 1" in result.output
    assert "row 2: a@firma.pl" in result.output
    assert "row 3: Not a valid e-mail address: bad" in result.output
    assert "dry run" in result.output
    assert users(app) == {}


def test_cli_import_applies_and_prints_links(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    path = write(tmp_path, HEADER + "a@firma.pl,Anna,,,\nb@firma.pl,Bartek,,,hr\n")
    result = runner.invoke(args=["users", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "2 created" in result.output
    assert re.search(r"invitation for a@firma.pl: /invitation/\S+", result.output)
    assert users(app)["b@firma.pl"].role_names == {"hr"}
    [event] = events(app, "users.import")
    assert event.actor == "cli"


def test_cli_links_are_absolute_with_base_url(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    app.config["BASE_URL"] = "https://trainer.firma.pl/"
    result = runner.invoke(
        args=["users", "import", str(write(tmp_path, HEADER + "a@firma.pl,A,,,\n"))]
    )
    assert "https://trainer.firma.pl/invitation/" in result.output


def test_cli_refuses_an_unreadable_file(app: Flask, runner: FlaskCliRunner, tmp_path: Path) -> None:
    path = tmp_path / "people.xlsx"
    path.write_bytes(b"PK\x03\x04\x00\x00binary")
    result = runner.invoke(args=["users", "import", str(path)])
    assert result.exit_code != 0
    assert "This is not a CSV file in UTF-8." in result.output


def test_service_preview_counts(app: Flask, make_user) -> None:
    make_user("jan@firma.pl", name="Jan")
    with app.app_context():
        result = imports.preview((HEADER + "jan@firma.pl,Jan,,,\nnew@firma.pl,Nowy,,,\n").encode())
        assert [row.email for row in result.create] == ["new@firma.pl"]
        assert [row.email for row in result.unchanged] == ["jan@firma.pl"]
        assert result.update == [] and result.rejected == []


def test_manager_is_imported_previewed_and_updated(
    app: Flask, client: FlaskClient, hr: int, make_user
) -> None:
    make_user("stary@firma.pl", name="Stary Pracownik", manager="Dawny Szef")
    data = ("e-mail;imię i nazwisko;kierownik\n"
            "nowa@firma.pl;Nowa Osoba;=Kowalski Jan\n"
            "stary@firma.pl;Stary Pracownik;Nowa Szefowa\n")  # fmt: skip
    page = upload(client, data).text
    assert '<th scope="col">Manager</th>' in page
    assert "<td>=Kowalski Jan</td>" in page  # shown as it is: a page runs no formula
    assert "Manager: Dawny Szef → Nowa Szefowa" in page
    confirm(client, page)
    found = users(app)
    assert found["nowa@firma.pl"].manager == "=Kowalski Jan"
    assert found["stary@firma.pl"].manager == "Nowa Szefowa"
    [event] = events(app, "users.import")
    assert event.details["updated"][0]["changes"] == {
        "manager": {"before": "Dawny Szef", "after": "Nowa Szefowa"}
    }


@pytest.mark.parametrize("header", ["manager", "Przełożony", "przelozony", "Menedżer"])
def test_manager_column_spellings(app: Flask, header: str) -> None:
    from trainer.people.import_csv import read_employee_csv

    rows, rejected = read_employee_csv(f"email,name,{header}\na@firma.pl,A A,Szef\n".encode())
    assert rejected == [] and rows[0].manager == "Szef"


def test_an_empty_manager_cell_changes_nothing_and_a_long_one_is_refused(
    app: Flask, client: FlaskClient, hr: int, make_user
) -> None:
    make_user("stary@firma.pl", name="Stary Pracownik", manager="Dawny Szef")
    data = "email,name,manager\nstary@firma.pl,Stary Pracownik,\nx@firma.pl,X X," + "m" * 121
    page = upload(client, data + "\n").text
    assert "The value in column manager is too long (at most 120 characters)." in page
    confirm(client, page)
    found = users(app)
    assert found["stary@firma.pl"].manager == "Dawny Szef" and "x@firma.pl" not in found
