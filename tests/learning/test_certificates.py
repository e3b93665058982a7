"""Certificates: who may see them, the PDF, and public verification by code."""

from datetime import UTC, datetime
from io import BytesIO

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader

from trainer.extensions import db
from trainer.learning.certificates import certificate_by_code, render_certificate_pdf
from trainer.models import Course, CourseCompletion

CODE = "K7QM-4XPA-2HRT"
OWNER = "zazolc@example.com"
NAME = "Zażółć Gęślą"
EMPLOYEE_ID = "EMP-4711"
DEPARTMENT = "Sprzedaż terenowa"


@pytest.fixture
def certificate(synced: Flask, make_user) -> str:
    """A completion of the sample course by a learner with a Polish name; returns its code."""
    owner = make_user(OWNER, "learner", name=NAME, employee_id=EMPLOYEE_ID, department=DEPARTMENT)
    with synced.app_context():
        course = db.session.execute(db.select(Course).where(Course.slug == "sample")).scalar_one()
        db.session.add(
            CourseCompletion(
                user_id=owner,
                course_id=course.id,
                score=87.0,
                certificate_code=CODE,
                completed_at=datetime(2024, 5, 17, 9, 30, tzinfo=UTC),
            )
        )
        db.session.commit()
    return CODE


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


def test_owner_sees_the_printable_page(certificate: str, client: FlaskClient, auth) -> None:
    auth.login(OWNER)
    response = client.get(f"/certificates/{certificate}", headers={"Accept-Language": "pl"})
    assert response.status_code == 200
    html = response.text
    assert NAME in html and "Kurs próbny" in html
    assert "17 maja 2024" in html and "87%" in html and certificate in html
    assert f'href="/certificates/{certificate}.pdf"' in html
    assert f'href="http://localhost/verify/{certificate}"' in html
    assert "<script" not in html and "style=" not in html


def test_page_follows_the_interface_language(certificate: str, client: FlaskClient, auth) -> None:
    auth.login(OWNER)
    html = client.get(f"/certificates/{certificate}", headers={"Accept-Language": "en"}).text
    assert "Certificate of completion" in html
    assert "May 17, 2024" in html and "87%" in html


def test_owner_downloads_a_pdf_with_the_polish_name(
    certificate: str, client: FlaskClient, auth
) -> None:
    auth.login(OWNER)
    response = client.get(f"/certificates/{certificate}.pdf", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        f"attachment; filename=certyfikat-{certificate}.pdf"
    )
    assert response.data.startswith(b"%PDF")
    assert b"DejaVuSans" in response.data  # the packaged Unicode font is embedded
    text = pdf_text(response.data)
    assert NAME in text and "Kurs próbny" in text
    assert "Certificate of completion" in text and "May 17, 2024" in text and "87%" in text
    assert certificate in text and f"http://localhost/verify/{certificate}" in text
    assert OWNER not in text and EMPLOYEE_ID not in text


@pytest.mark.parametrize("suffix", ["", ".pdf"])
def test_another_learner_gets_404(
    certificate: str, client: FlaskClient, login_as, suffix: str
) -> None:
    login_as("learner")
    assert client.get(f"/certificates/{certificate}{suffix}").status_code == 404


@pytest.mark.parametrize("role", ["hr", "admin"])
@pytest.mark.parametrize("suffix", ["", ".pdf"])
def test_hr_and_admin_may_open_any_certificate(
    certificate: str, client: FlaskClient, login_as, role: str, suffix: str
) -> None:
    login_as(role)
    response = client.get(f"/certificates/{certificate}{suffix}")
    assert response.status_code == 200
    assert NAME in (response.text if not suffix else pdf_text(response.data))


@pytest.mark.parametrize("suffix", ["", ".pdf"])
def test_anonymous_visitors_are_sent_to_sign_in(
    certificate: str, client: FlaskClient, suffix: str
) -> None:
    response = client.get(f"/certificates/{certificate}{suffix}")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("code", ["AAAA-BBBB-CCCC", "nope", "K7QM-4XPA-2HR0"])
def test_unknown_certificate_page_is_404_even_for_hr(
    certificate: str, client: FlaskClient, login_as, code: str
) -> None:
    login_as("hr")
    assert client.get(f"/certificates/{code}").status_code == 404
    assert client.get(f"/certificates/{code}.pdf").status_code == 404


def test_verify_is_public_and_shows_no_contact_details(
    certificate: str, polish_client: FlaskClient
) -> None:
    response = polish_client.get(f"/verify/{certificate}")
    assert response.status_code == 200
    html = response.text
    assert NAME in html and "Kurs próbny" in html and "87%" in html and certificate in html
    assert "17 maja 2024" in html
    for private in (OWNER, "zazolc", EMPLOYEE_ID, DEPARTMENT):
        assert private not in html


@pytest.mark.parametrize("path", ["/verify/k7qm-4xpa-2hrt", "/verify/%20%20k7qm-4XPA-2hrt%20"])
def test_verify_accepts_lowercase_and_padded_codes(
    certificate: str, client: FlaskClient, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert NAME in response.text and CODE in response.text


@pytest.mark.parametrize(
    "code",
    ["AAAA-BBBB-CCCC", "K7QM-4XPA-2HR0", "K7QM4XPA2HR", "x" * 300, "%27%3B--", "ŻÓŁW"],
)
def test_unknown_or_malformed_code_is_a_404_page(
    certificate: str, client: FlaskClient, code: str
) -> None:
    response = client.get(f"/verify/{code}", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert "No certificate with this code exists." in response.text
    assert NAME not in response.text


def test_verify_form_shows_the_form(client: FlaskClient) -> None:
    response = client.get("/verify")
    assert response.status_code == 200
    assert 'name="code"' in response.text and 'method="get"' in response.text


def test_verify_form_redirects_to_the_certificate(certificate: str, client: FlaskClient) -> None:
    response = client.get("/verify", query_string={"code": " k7qm-4xpa-2hrt "})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/verify/{certificate}"
    assert NAME in client.get(response.headers["Location"]).text


@pytest.mark.parametrize("code", ["AAAA-BBBB-CCCC", "not a code", "x" * 300])
def test_verify_form_with_an_unknown_code_is_a_404(
    certificate: str, client: FlaskClient, code: str
) -> None:
    response = client.get("/verify", query_string={"code": code}, headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert "No certificate with this code exists." in response.text


def test_service_renders_a_pdf_in_the_requested_locale(certificate: str, synced: Flask) -> None:
    with synced.test_request_context():
        completion = certificate_by_code(f"  {certificate.lower()} ")
        assert completion is not None
        data = render_certificate_pdf(completion, "pl", "https://trainer.example/verify/X")
    text = pdf_text(data)
    assert data.startswith(b"%PDF") and NAME in text and "17 maja 2024" in text
    assert "https://trainer.example/verify/X" in text
