"""Interface strings a Polish reader met wrongly: one word for two columns, a token's "name"
read as a person's, plural forms, codes typed loosely, e-mail fields a phone cannot help with."""

import re

import pytest
from flask import Flask, render_template_string
from flask.testing import FlaskClient
from flask_babel import force_locale

from tests.conftest import PASSWORD
from tests.learning.test_certificates import certificate  # noqa: F401 (a fixture)
from tests.reporting.test_item_analysis import hand_data, quiz_id  # noqa: F401 (a fixture)


def polish_sign_in(client: FlaskClient, make_user, *roles: str) -> None:
    email = f"{'-'.join(roles)}@example.com"
    make_user(email, *roles)
    client.post("/login", data={"email": email, "password": PASSWORD})


def headers(html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<th[^>]*>(.*?)</th>", html)
    ]


def test_the_attempts_table_names_its_columns_apart(
    synced: Flask, polish_client: FlaskClient, make_user
) -> None:
    polish_sign_in(polish_client, make_user, "learner")
    quiz = quiz_id(synced, "sprawdzian")
    polish_client.post(f"/quizzes/{quiz}/start")
    columns = headers(polish_client.get(f"/quizzes/{quiz}").text)
    assert columns == ["Rozpoczęto", "Wynik", "Zaliczenie"]


def test_a_token_has_a_name_not_a_persons_name(polish_client: FlaskClient, make_user) -> None:
    polish_sign_in(polish_client, make_user, "admin")
    page = polish_client.get("/admin/tokens").text
    assert "Nazwa tokenu" in page and "Imię i nazwisko" not in page


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "porównuje 1 najlepsze podejście z 1 najsłabszym (po 27%)"),
        (2, "porównuje 2 najlepsze podejścia z 2 najsłabszymi (po 27%)"),
        (5, "porównuje 5 najlepszych podejść z 5 najsłabszymi (po 27%)"),
        (22, "porównuje 22 najlepsze podejścia z 22 najsłabszymi (po 27%)"),
    ],
)
def test_discrimination_counts_attempts_in_polish_plural_forms(
    app: Flask, n: int, text: str
) -> None:
    singular = (
        "Discrimination compares the best %(num)d attempt with the weakest %(num)d (27%% each)."
    )
    plural = (
        "Discrimination compares the best %(num)d attempts with the weakest %(num)d (27%% each)."
    )
    template = "{{ ngettext(singular, plural, n) }}"
    with app.test_request_context(), force_locale("pl"):
        assert text in render_template_string(template, singular=singular, plural=plural, n=n)


def test_the_analysis_page_uses_the_plural_forms(
    hand_data: Flask,  # noqa: F811
    polish_client: FlaskClient,
    make_user,
) -> None:
    polish_sign_in(polish_client, make_user, "trainer")
    page = polish_client.get(f"/author/analysis/quizzes/{quiz_id(hand_data, 'egzamin')}").text
    assert "porównuje 2 najlepsze podejścia z 2 najsłabszymi" in page


@pytest.mark.parametrize(
    "typed", ["k7qm4xpa2hrt", "K7QM 4XPA 2HRT", " k7qm-4xpa 2hrt ", "K7QM\u20134XPA\u20132HRT"]
)
def test_verify_takes_a_code_typed_without_dashes_or_with_spaces(
    certificate: str,  # noqa: F811
    client: FlaskClient,
    typed: str,
) -> None:
    response = client.get("/verify", query_string={"code": typed})
    assert response.status_code == 302
    assert response.location.endswith(f"/verify/{certificate}")


@pytest.mark.parametrize("typed", ["K7QM4XPA2HR", "K7QM4XPA2HRTX", "K7QM-4XPA-2HR0", "K7Q M4X"])
def test_verify_still_refuses_a_wrong_code(
    certificate: str,  # noqa: F811
    client: FlaskClient,
    typed: str,
) -> None:
    assert client.get("/verify", query_string={"code": typed}).status_code == 404


@pytest.mark.parametrize(
    ("path", "autocomplete"),
    [("/login", "username"), ("/register", "email"), ("/password/forgot", "email")],
)
def test_e_mail_fields_are_e_mail_fields(
    app: Flask, client: FlaskClient, path: str, autocomplete: str
) -> None:
    # The reset form shows only where links can be mailed; a GET sends nothing.
    app.config.update(MAIL_SERVER="127.0.0.1", BASE_URL="https://trainer.example/")
    page = client.get(path).text
    field = re.search(r'<input[^>]*name="email"[^>]*>', page)
    assert field, f"no e-mail field on {path}"
    assert 'type="email"' in field.group(0)
    assert f'autocomplete="{autocomplete}"' in field.group(0)


def test_roles_are_named_not_keyed(synced: Flask, polish_client: FlaskClient, make_user) -> None:
    polish_sign_in(polish_client, make_user, "admin")
    learner = make_user("ola@example.com", "learner", "hr")
    users = polish_client.get("/admin/users").text
    assert "<td>Uczestnik, HR</td>" in users or "<td>HR, Uczestnik</td>" in users
    assert not re.search(r"<td>(learner|trainer|hr|admin)(, \w+)*</td>", users)
    form = polish_client.get(f"/admin/users/{learner}/roles").text
    assert ">Trener</label>" in form and ">Administrator</label>" in form
    assert 'value="trainer"' in form  # the form still sends the keys


def test_the_audit_log_reads_as_words(synced: Flask, polish_client: FlaskClient, make_user) -> None:
    from trainer.extensions import db
    from trainer.people import audit

    polish_sign_in(polish_client, make_user, "hr")
    with synced.app_context():
        audit.record("cli", "export.csv", {"filter": {"status": "completed"}, "format": "csv"}, 3)
        audit.record("token:Kadry", "api.transcript", {"found": False, "ids": [1, 2]}, 0)
        audit.record("cli", "something.new", {})
        db.session.commit()
    page = polish_client.get("/audit/").text
    assert "Eksport raportu (CSV)" in page and "Zapytanie API: transcript" in page
    assert "<strong>Filtry</strong>: Status: Ukończono" in page
    assert "{" not in page.split("<tbody>")[1] and "filter" not in page
    assert "Znaleziono</strong>: nie" in page and "ids</strong>: 1, 2" in page  # unknown: as is
    assert "something.new" in page  # an action without a name yet shows its key
    assert "export.csv" not in page
