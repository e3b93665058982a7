"""Accepting an invitation: a signed, expiring, single-use link to set a password."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_user
from werkzeug.wrappers import Response

from trainer.auth.forms import MIN_PASSWORD
from trainer.auth.invitation_forms import FirstPasswordForm
from trainer.extensions import db, limiter
from trainer.people import invitations, links
from trainer.security import sign_in_limit

bp = Blueprint("invitation", __name__, url_prefix="/invitation")


@bp.route("/<token>", methods=["GET", "POST"])
@limiter.limit(sign_in_limit, methods=["POST"])
def accept(token: str) -> Response | str | tuple[str, int]:
    """Choose a first password through the link from an import; then signed in."""
    try:
        user = invitations.user_for_token(token)
    except links.LinkInvalid as error:
        message = (
            _("This invitation link has expired. Ask HR for a new one.")
            if error.reason == "expired"
            else _("This invitation link is not valid or was already used. Ask HR for a new one.")
        )
        page = render_template(
            "auth/link_invalid.html", heading=_("Invitation"), message=message,
            next_url=url_for("auth.login"), next_label=_("Sign in"),
        )  # fmt: skip
        return page, 400
    form = FirstPasswordForm()
    if form.validate_on_submit():
        invitations.accept(user, form.password.data or "")
        db.session.commit()
        login_user(user)
        flash(_("Your password is set. Welcome to Trainer!"), "success")
        return redirect(url_for("learn.dashboard"))
    intro = _(
        "Welcome, %(name)s. Choose a password for %(email)s; you sign in with it from now on.",
        name=user.display_name, email=user.email,
    )  # fmt: skip
    return render_template(
        "auth/choose_password.html", heading=_("Choose your password"), intro=intro, form=form,
        min_length=MIN_PASSWORD,
    )  # fmt: skip
