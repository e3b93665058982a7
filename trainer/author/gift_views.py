"""Moodle GIFT exchange: upload with a preview, import, and export a course's bank."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from trainer.auth.decorators import role_required
from trainer.author.gift_forms import GiftConfirmForm, GiftUploadForm
from trainer.authoring import gift_exchange
from trainer.authoring.gift_exchange import GiftImportError
from trainer.content.gift import GiftIssue, GiftSkipped
from trainer.extensions import db
from trainer.learning import catalogue

bp = Blueprint("gift", __name__, url_prefix="/author/gift")

ACTIONS = {
    "create": _l("new"),
    "update": _l("update"),
    "unchanged": _l("unchanged"),
}


def _reason(reason: str) -> str:
    """Why an import cannot go ahead, in the user's language."""
    messages = {
        "too_large": lambda: _(
            "The file is larger than %(kib)d KiB.", kib=gift_exchange.MAX_GIFT_BYTES // 1024
        ),
        "not_utf8": lambda: _("The file is not UTF-8 text. Save it as UTF-8 and upload it again."),
        "stale": lambda: _(
            "This preview is out of date or was already imported. Upload the file again."
        ),
        "conflict": lambda: _(
            "The question bank changed during the import, so nothing was imported. "
            "Please try again."
        ),
        "invalid": lambda: _("The file has errors, so nothing was imported."),
    }
    return messages[reason]()


def _issue(issue: GiftIssue | GiftSkipped) -> str:
    """An error or warning of the file, or why a question is skipped, in the user's language."""
    return _(issue.message, **issue.params) if issue.params else _(issue.message)


def _skipped(skipped: GiftSkipped) -> dict[str, object]:
    """A skipped question as the preview lists it: line, title, reason and its details."""
    return {
        "line": skipped.line, "title": skipped.title, "reason": _issue(skipped),
        "details": [(detail.line, _issue(detail)) for detail in skipped.details],
    }  # fmt: skip


def _upload_page(form: GiftUploadForm) -> str:
    return render_template(
        "gift/upload.html", form=form, courses=gift_exchange.question_counts(),
        max_kib=gift_exchange.MAX_GIFT_BYTES // 1024,
    )  # fmt: skip


@bp.route("/", methods=["GET", "POST"])
@role_required("trainer")
def upload() -> str:
    """Upload a GIFT file and see what importing it would do; nothing is changed yet."""
    form = GiftUploadForm()
    form.lesson.choices = gift_exchange.lesson_choices()  # type: ignore[assignment]
    if not form.validate_on_submit():
        return _upload_page(form)
    try:
        course, lesson = gift_exchange.import_target(form.lesson.data)
        text = gift_exchange.read_upload(form.file.data.read(gift_exchange.MAX_GIFT_BYTES + 1))
    except GiftImportError as error:
        form.file.errors = [*form.file.errors, _reason(error.reason)]
        return _upload_page(form)
    filename = form.file.data.filename or ""
    plan = gift_exchange.plan_import(course, lesson, text, filename)
    confirm = None
    if plan.ready:
        secret = current_app.config["SECRET_KEY"]
        token = gift_exchange.sign_upload(plan, text, lesson.id, current_user.id, secret)
        confirm = GiftConfirmForm(token=token)
    return render_template(
        "gift/preview.html", plan=plan, course=course, lesson=lesson, form=confirm,
        errors=[(issue.line, _issue(issue)) for issue in plan.errors],
        warnings=[(issue.line, _issue(issue)) for issue in plan.warnings],
        skipped=[_skipped(item) for item in plan.skipped],
        actions=ACTIONS,
        taxonomy=course.taxonomy,
    )  # fmt: skip


@bp.post("/import")
@role_required("trainer")
def confirm() -> Response:
    """Import a previewed file, all or nothing."""
    form = GiftConfirmForm()
    secret = current_app.config["SECRET_KEY"]
    try:
        if not form.validate_on_submit():
            raise GiftImportError("stale")
        lesson_id, filename, text, fingerprint = gift_exchange.load_upload(
            form.token.data, current_user.id, secret
        )
        course, lesson = gift_exchange.import_target(lesson_id)
        plan = gift_exchange.plan_import(course, lesson, text, filename)
        if plan.fingerprint() != fingerprint:
            raise GiftImportError("stale")
        counts = gift_exchange.apply_import(course, plan, current_user)
    except GiftImportError as error:
        db.session.rollback()
        flash(_reason(error.reason), "error")
        return redirect(url_for("gift.upload"))
    db.session.commit()
    flash(
        _("Imported into %(course)s: %(created)d new question(s), %(updated)d updated.",
          course=course.title, created=counts["create"], updated=counts["update"]),
        "success",
    )  # fmt: skip
    return redirect(url_for("gift.upload"))


@bp.get("/<course_slug>.gift")
@role_required("trainer")
def export(course_slug: str) -> Response:
    """Download a course's active questions as a GIFT file."""
    course = catalogue.course_by_slug(course_slug)
    if course is None:
        abort(404)
    text, _count = gift_exchange.export_gift(course, current_user)
    db.session.commit()
    return Response(
        text,
        mimetype="text/plain",
        headers={"Content-Disposition": f'attachment; filename="{course.slug}.gift"'},
    )
