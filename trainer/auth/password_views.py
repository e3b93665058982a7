"""A forgotten password: ask for an e-mailed link, then choose a new password through it."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_user
from werkzeug.wrappers import Response

from trainer.auth.forms import MIN_PASSWORD
from trainer.auth.invitation_forms import FirstPasswordForm
from trainer.auth.password_forms import ForgotPasswordForm
from trainer.extensions import db, limiter
from trainer.models import normalize_email
from trainer.people import links, mail, password_reset
from trainer.security import sign_in_limit

bp = Blueprint("password", __name__, url_prefix="/password")


def _address_key() -> str:
    # A second budget per address, so that nobody's inbox can be flooded from many hosts.
    return "password-reset:" + normalize_email(request.form.get("email", ""))


def _reset_limit() -> str:
    return str(current_app.config["PASSWORD_RESET_RATE_LIMIT"])


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(sign_in_limit, methods=["POST"])
@limiter.limit(_reset_limit, methods=["POST"], key_func=_address_key)
def forgot() -> str:
    """Ask for a reset link; the answer is the same whether the address has an account."""
    form = ForgotPasswordForm()
    if not mail.links_can_be_mailed(current_app.config):
        return render_template("auth/forgot.html", form=None)
    if form.validate_on_submit():
        email = form.email.data or ""
        password_reset.request_reset(email)
        return render_template(
            "auth/forgot_sent.html", email=normalize_email(email),
            minutes=password_reset.max_age_minutes(),
        )  # fmt: skip
    return render_template("auth/forgot.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(sign_in_limit, methods=["POST"])
def reset(token: str) -> Response | str | tuple[str, int]:
    """Choose a new password through the e-mailed link; then signed in."""
    try:
        user = password_reset.user_for_token(token)
    except links.LinkInvalid as error:
        message = (
            _("This link has expired. Ask for a new one.")
            if error.reason == "expired"
            else _("This link is not valid or was already used. Ask for a new one.")
        )
        page = render_template(
            "auth/link_invalid.html", heading=_("Forgotten password"), message=message,
            next_url=url_for("password.forgot"), next_label=_("Ask for a new link"),
        )  # fmt: skip
        return page, 400
    form = FirstPasswordForm()
    if form.validate_on_submit():
        password_reset.reset(user, form.password.data or "")
        db.session.commit()
        login_user(user)
        flash(_("Your new password is set. Other sessions were signed out."), "success")
        return redirect(url_for("learn.dashboard"))
    intro = _(
        "Choose a new password for %(email)s. Every other session of yours is signed out.",
        email=user.email,
    )
    return render_template(
        "auth/choose_password.html", heading=_("Choose a new password"), intro=intro, form=form,
        min_length=MIN_PASSWORD,
    )  # fmt: skip
