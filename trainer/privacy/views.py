"""Download one's own data; erase a learner (admins)."""

import json

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from trainer.auth.decorators import role_required
from trainer.extensions import db
from trainer.models import User
from trainer.people import privacy
from trainer.privacy.forms import EraseForm

bp = Blueprint("privacy", __name__)


@bp.get("/my-data")
@login_required
def my_data() -> str:
    """What we hold about the signed-in person, and the download."""
    data = privacy.personal_data(current_user)
    return render_template("privacy/my_data.html", data=data)


@bp.get("/my-data/download")
@login_required
def download() -> Response:
    """Everything about the signed-in person as one JSON file; never anyone else's."""
    data = privacy.personal_data(current_user)
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": 'attachment; filename="trainer-my-data.json"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/admin/users/<int:user_id>/erase", methods=["GET", "POST"])
@role_required("admin")
def erase(user_id: int) -> Response | str:
    """Confirm, then anonymise a person everywhere (their answers stay, nameless)."""
    user = db.get_or_404(User, user_id)
    form = EraseForm()
    if user.id == current_user.id:
        flash(_("You cannot erase yourself."), "error")
        return redirect(url_for("admin.users"))
    if privacy.is_erased(user):
        flash(_("This account has already been erased."), "info")
        return redirect(url_for("admin.users"))
    if form.validate_on_submit():
        privacy.erase(user, current_user)
        db.session.commit()
        privacy.forget_old_versions()
        flash(_("The person's data has been erased."), "success")
        return redirect(url_for("admin.users"))
    return render_template("privacy/erase.html", user=user, form=form)
