"""Sign in, sign out, register, and the user's own account settings."""

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from trainer.auth.forms import (
    MIN_PASSWORD,
    LanguageForm,
    LoginForm,
    PasswordForm,
    RegisterForm,
    TimeZoneForm,
)
from trainer.auth.invitation_forms import NewAccountPasswordForm
from trainer.extensions import db, limiter
from trainer.forms import EmptyForm
from trainer.i18n import is_time_zone
from trainer.models import User, normalize_email
from trainer.people import accounts, links, registration
from trainer.security import per_user, sign_in_limit

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str:
    """`target` if it is a path on this site, else the dashboard: never another host."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("learn.dashboard")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(sign_in_limit, methods=["POST"])
def login() -> Response | str:
    """Sign in with e-mail and password."""
    if current_user.is_authenticated:
        return redirect(url_for("learn.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data or "", form.password.data or "")
        if user is None:
            form.password.errors.append(_("Wrong e-mail or password."))
        else:
            login_user(user, remember=form.remember.data)
            _offer_browser_zone(user, form.time_zone.data)
            return redirect(safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


def _offer_browser_zone(user: User, zone: str | None) -> None:
    """At the first sign-in, take the browser's time zone, and say where to change it."""
    if user.time_zone is not None or not is_time_zone(zone):
        return
    user.time_zone = zone
    db.session.commit()
    message = _(
        "Times are shown in your browser's time zone, %(zone)s. "
        "You can change it on your account page.",
        zone=zone,
    )
    flash(message, "info")


@bp.post("/logout")
@login_required
def logout() -> Response:
    """Sign out everywhere: every copy of this user's session cookies stops working."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    current_user.end_sessions()
    db.session.commit()
    logout_user()
    flash(_("You have been signed out."), "info")
    return redirect(url_for("auth.login"))


def _registration_address() -> str:
    # A second budget per address, as for reset links: nobody's inbox is flooded from many hosts.
    return "registration:" + normalize_email(request.form.get("email", ""))


def _no_address() -> bool:
    return not request.form.get("email", "").strip()  # a form without one sends nothing


def _registration_mail_limit() -> str:
    return str(current_app.config["REGISTRATION_RATE_LIMIT"])


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(sign_in_limit, methods=["POST"])
@limiter.limit(
    _registration_mail_limit, methods=["POST"], key_func=_registration_address,
    exempt_when=_no_address,
)  # fmt: skip
def register() -> Response | str | tuple[str, int]:
    """Ask for a learner account, when registration is open: an e-mailed link confirms it.

    The answer is the same whether the address already has an account (its owner gets a
    note instead). Without mail there is no form: the page says so (start-up refuses this
    combination outside debug).
    """
    if not current_app.config["REGISTRATION_OPEN"]:
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("learn.dashboard"))
    if not registration.available(current_app.config):
        return render_template("auth/register.html", form=None), 503
    form = RegisterForm()
    if not form.validate_on_submit():
        return render_template("auth/register.html", form=form)
    email = form.email.data or ""
    if not registration.domain_allowed(email, current_app.config):
        domains = ", ".join(registration.allowed_domains(current_app.config))
        form.email.errors.append(_("Only addresses at %(domains)s can register.", domains=domains))
        return render_template("auth/register.html", form=form)
    registration.request_account(email, form.display_name.data or "")
    return render_template(
        "auth/register_sent.html", email=normalize_email(email), hours=registration.MAX_AGE_HOURS
    )


@bp.route("/register/confirm/<token>", methods=["GET", "POST"])
@limiter.limit(sign_in_limit, methods=["POST"])
def confirm(token: str) -> Response | str | tuple[str, int]:
    """Choose a password through the link e-mailed at registration: the account is made
    then, and signed in. The link works once and for MAX_AGE_HOURS."""
    try:
        account = registration.pending(token)
        form = NewAccountPasswordForm()
        if not form.validate_on_submit():
            intro = _(
                "Welcome, %(name)s. Choose a password for %(email)s to create your account.",
                name=account.name, email=account.email,
            )  # fmt: skip
            return render_template(
                "auth/choose_password.html", heading=_("Create an account"), intro=intro,
                form=form, min_length=MIN_PASSWORD,
            )  # fmt: skip
        zone = form.time_zone.data if is_time_zone(form.time_zone.data) else None
        user = registration.create(account, form.password.data or "", zone)
    except links.LinkInvalid as error:
        return _confirmation_refused(error.reason)
    db.session.commit()
    login_user(user)
    flash(_("Welcome to Trainer!"), "success")
    return redirect(url_for("learn.dashboard"))


def _confirmation_refused(reason: str) -> tuple[str, int]:
    again = (url_for("auth.register"), _("Create an account"))
    sign_in = (url_for("auth.login"), _("Sign in"))
    outcomes = {
        "taken": (_("This account already exists. Sign in."), *sign_in),
        "expired": (_("This link has expired. Register again."), *again),
    }
    message, next_url, next_label = outcomes.get(
        reason, (_("This link is not valid. Register again."), *again)
    )
    page = render_template(
        "auth/link_invalid.html", heading=_("Create an account"), message=message,
        next_url=next_url, next_label=next_label,
    )  # fmt: skip
    return page, 400


def _not_a_password_check() -> bool:
    return "pw-submit" not in request.form


@bp.route("/account", methods=["GET", "POST"])
@login_required
@limiter.limit(
    sign_in_limit, methods=["POST"], key_func=per_user, exempt_when=_not_a_password_check
)
def account() -> Response | str:
    """Change one's password, interface language or time zone."""
    user = current_user._get_current_object()  # the real user, not the proxy
    password_form = PasswordForm(prefix="pw")
    language_form = LanguageForm(prefix="lang", language=user.language or "")
    zone_form = TimeZoneForm(prefix="tz", time_zone=user.time_zone or "")
    if password_form.submit.data and password_form.validate_on_submit():
        if not user.check_password(password_form.current.data or ""):
            password_form.current.errors.append(_("This is not your current password."))
        else:
            accounts.change_password(user, password_form.password.data or "")
            db.session.commit()
            login_user(user)  # a fresh cookie for this browser only
            flash(_("Your password has been changed. Other sessions were signed out."), "success")
            return redirect(url_for("auth.account"))
    elif language_form.submit.data and language_form.validate_on_submit():
        user.language = language_form.language.data or None
        db.session.commit()
        return redirect(url_for("auth.account"))
    elif zone_form.submit.data and zone_form.validate_on_submit():
        user.time_zone = zone_form.time_zone.data or None
        db.session.commit()
        flash(_("Your time zone has been saved."), "success")
        return redirect(url_for("auth.account"))
    return render_template(
        "auth/account.html", password_form=password_form, language_form=language_form,
        zone_form=zone_form,
    )  # fmt: skip
