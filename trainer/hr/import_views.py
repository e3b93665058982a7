"""Bulk employee import from CSV: preview, then apply all or nothing."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from trainer.auth.decorators import role_required
from trainer.extensions import db
from trainer.hr.import_forms import ImportConfirmForm, ImportUploadForm
from trainer.people import imports, invitations, mail
from trainer.people.import_csv import (
    IMPORT_ROLES,
    MAX_IMPORT_BYTES,
    MAX_IMPORT_ROWS,
    ImportFileError,
)

bp = Blueprint("hr_import", __name__, url_prefix="/hr/import")


def _upload_page(form: ImportUploadForm) -> str:
    return render_template(
        "hr/import.html", form=form, roles=IMPORT_ROLES, max_rows=MAX_IMPORT_ROWS,
        max_kib=MAX_IMPORT_BYTES // 1024,
    )  # fmt: skip


@bp.route("/", methods=["GET", "POST"])
@role_required("hr")
def upload() -> str:
    """Upload a CSV and see what importing it would do; nothing is changed yet."""
    form = ImportUploadForm()
    if not form.validate_on_submit():
        return _upload_page(form)
    data = form.file.data.read(MAX_IMPORT_BYTES + 1)
    try:
        preview = imports.preview(data)
    except ImportFileError as error:
        form.file.errors.append(error.message)
        return _upload_page(form)
    token = imports.sign_preview(preview, current_user.id, current_app.config["SECRET_KEY"])
    confirm = ImportConfirmForm(token=token)
    return render_template("hr/import_preview.html", preview=preview, form=confirm)


@bp.post("/confirm")
@role_required("hr")
def confirm() -> Response | str:
    """Apply a previewed import together; show the invitation links of new people."""
    form = ImportConfirmForm()
    secret = current_app.config["SECRET_KEY"]
    try:
        if not form.validate_on_submit():
            raise imports.ImportStale
        rows, fingerprint, rejected = imports.load_preview(form.token.data, current_user.id, secret)
        result = imports.apply(rows, fingerprint, rejected, current_user)
    except imports.ImportStale:
        db.session.rollback()
        flash(
            _("This preview is out of date or was already applied. Upload the file again."), "error"
        )
        return redirect(url_for("hr_import.upload"))
    except imports.ImportFailed:
        db.session.rollback()
        flash(
            _("The database refused the import, so nothing was changed. Please try again."), "error"
        )
        return redirect(url_for("hr_import.upload"))
    db.session.commit()
    base_url = current_app.config.get("BASE_URL") or request.url_root
    if result.invitations and mail.mail_configured(current_app.config):
        try:
            count = len(result.invitations)
            if invitations.deliver_invitations(result.invitations, base_url, current_app.config):
                flash(_("Invitations being e-mailed: %(count)d.", count=count), "success")
            else:
                flash(_("Invitations e-mailed: %(count)d.", count=count), "success")
        except mail.MailError:
            current_app.logger.exception("invitation e-mails failed")
            flash(_("The invitations could not be e-mailed; pass the links on yourself."), "error")
    return render_template(
        "hr/import_result.html", result=result, base_url=base_url,
        days=invitations.max_age_days(),
    )  # fmt: skip
