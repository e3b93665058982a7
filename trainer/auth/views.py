"""Sign in, sign out, register, and the user's own account settings."""

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from trainer.auth.forms import LanguageForm, LoginForm, PasswordForm, RegisterForm, TimeZoneForm
from trainer.extensions import db, limiter
from trainer.forms import EmptyForm
from trainer.i18n import is_time_zone
from trainer.models import User, normalize_email
from trainer.people import accounts, links, mail, registration
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


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(sign_in_limit, methods=["POST"])
def register() -> Response | str:
    """Create a learner account, when registration is open.

    With mail, the account is made when the e-mailed link is opened, and the page never says
    whether the address already had one. Without mail that cannot be hidden.
    """
    if not current_app.config["REGISTRATION_OPEN"]:
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("learn.dashboard"))
    form = RegisterForm()
    if not form.validate_on_submit():
        return render_template("auth/register.html", form=form)
    email, name = form.email.data or "", form.display_name.data or ""
    if not registration.domain_allowed(email, current_app.config):
        domains = ", ".join(registration.allowed_domains(current_app.config))
        form.email.errors.append(_("Only addresses at %(domains)s can register.", domains=domains))
        return render_template("auth/register.html", form=form)
    if mail.links_can_be_mailed(current_app.config):
        registration.request_account(email, name, form.password.data or "")
        return render_template("auth/register_sent.html", email=normalize_email(email))
    try:
        user = accounts.create_user(email, name, form.password.data)
    except accounts.AccountError:
        form.email.errors.append(_("This address cannot be registered. Sign in if it is yours."))
        return render_template("auth/register.html", form=form)
    db.session.commit()
    login_user(user)
    flash(_("Welcome to Trainer!"), "success")
    _offer_browser_zone(user, form.time_zone.data)
    return redirect(url_for("learn.dashboard"))


@bp.get("/register/confirm/<token>")
def confirm(token: str) -> Response | tuple[str, int]:
    """Create the account through the link e-mailed at registration; then signed in."""
    try:
        user = registration.confirm(token)
    except links.LinkInvalid as error:
        again = (url_for("auth.register"), _("Create an account"))
        sign_in = (url_for("auth.login"), _("Sign in"))
        outcomes = {
            "taken": (_("This account already exists. Sign in."), *sign_in),
            "expired": (_("This link has expired. Register again."), *again),
        }
        message, next_url, next_label = outcomes.get(
            error.reason, (_("This link is not valid. Register again."), *again)
        )
        page = render_template(
            "auth/link_invalid.html", heading=_("Create an account"), message=message,
            next_url=next_url, next_label=next_label,
        )  # fmt: skip
        return page, 400
    db.session.commit()
    login_user(user)
    flash(_("Welcome to Trainer!"), "success")
    return redirect(url_for("learn.dashboard"))


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
