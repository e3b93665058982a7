"""Certificate pages for their owner and HR, the PDF download, and public verification."""

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required
from werkzeug.wrappers.response import Response as BaseResponse

from trainer.learning import certificates
from trainer.models import CourseCompletion

bp = Blueprint("certificates", __name__)


def _visible_certificate(code: str) -> CourseCompletion:
    """The certificate with `code` if the current user may see it; 404 otherwise."""
    completion = certificates.certificate_by_code(code)
    # 404, not 403, for someone else's certificate: codes must not be probed.
    if completion is None or not (
        completion.user_id == current_user.id or current_user.has_role("hr")
    ):
        abort(404)
    return completion


def _verify_url(completion: CourseCompletion) -> str:
    return url_for("certificates.verify", code=completion.certificate_code, _external=True)


@bp.get("/certificates/<code>")
@login_required
def certificate(code: str) -> str:
    """A printable certificate for its owner, HR and admins."""
    completion = _visible_certificate(code)
    return render_template(
        "certificates/certificate.html",
        facts=certificates.certificate_facts(completion),
        verify_url=_verify_url(completion),
    )


@bp.get("/certificates/<code>.pdf")
@login_required
def pdf(code: str) -> Response:
    """The certificate as a PDF download."""
    completion = _visible_certificate(code)
    body = certificates.render_certificate_pdf(
        completion, str(get_locale() or "pl"), _verify_url(completion)
    )
    filename = f"certyfikat-{completion.certificate_code}.pdf"
    return Response(
        body,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f"attachment; filename={filename}",
            "Cache-Control": "private, no-store",
        },
    )


@bp.get("/verify")
def verify_form() -> BaseResponse | tuple[str, int] | str:
    """A form to type a code; a typed code is looked up and, if found, shown."""
    code = request.args.get("code", "")
    if not code.strip():
        return render_template("certificates/verify.html", facts=None, code="")
    completion = certificates.certificate_by_code(code)
    if completion is None:
        return _not_found(code)
    return redirect(url_for("certificates.verify", code=completion.certificate_code))


@bp.get("/verify/<code>")
def verify(code: str) -> tuple[str, int] | str:
    """Public confirmation of a certificate: name, course, date, score and code only."""
    completion = certificates.certificate_by_code(code)
    if completion is None:
        return _not_found(code)
    facts = certificates.certificate_facts(completion)
    return render_template("certificates/verify.html", facts=facts, code=facts.code)


def _not_found(code: str) -> tuple[str, int]:
    """The verification page saying that no certificate has `code`, with status 404."""
    return render_template("certificates/verify.html", facts=None, code=code), 404
