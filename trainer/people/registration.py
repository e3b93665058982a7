"""Self-registration confirmed by e-mail, which never tells a stranger whether an address
already has an account: both cases get the same page, and the owner of the address an e-mail."""

from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from trainer.models import User, normalize_email
from trainer.models.user import hash_password
from trainer.people import accounts, links, mail, password_reset

REGISTRATION_SALT = "trainer.registration"
MAX_AGE_HOURS = 24


def allowed_domains(config: Mapping[str, Any]) -> list[str]:
    """The e-mail domains registration is limited to (none: any)."""
    given = config.get("REGISTRATION_DOMAINS") or ()
    if isinstance(given, str):
        given = given.replace(",", " ").split()
    return sorted({str(domain).strip().lower().lstrip("@") for domain in given} - {""})


def domain_allowed(email: str, config: Mapping[str, Any]) -> bool:
    """Whether `email` may register under REGISTRATION_DOMAINS."""
    domains = allowed_domains(config)
    return not domains or normalize_email(email).rpartition("@")[2] in domains


def request_account(email: str, name: str, password: str) -> None:
    """E-mail a confirmation link (in the request's language), or, if the address has an
    account, a note saying so (in the account's)."""
    email = normalize_email(email)
    # Hashed in both cases, so that the answer takes as long either way.
    password_hash = hash_password(password)
    existing = accounts.find_user_by_email(email)
    if existing is not None:
        message = _already_registered(existing)
    else:
        token = links.sign(REGISTRATION_SALT, [email, name.strip(), password_hash])
        link = mail.link(current_app.config, url_for("auth.confirm", token=token))
        message = _confirmation(email, name, link)
    mail.send_later([message], current_app.config)


def confirm(token: str) -> User:
    """Create the account a valid confirmation token describes; `links.LinkInvalid` with
    the reason `taken` once the account exists."""
    email, name, password_hash = links.read(REGISTRATION_SALT, token, MAX_AGE_HOURS * 3600, 3)
    if accounts.find_user_by_email(email) is not None:
        raise links.LinkInvalid("taken")
    user = accounts.create_user(email, name)
    user.password_hash = password_hash
    return user


def _confirmation(email: str, name: str, link: str) -> EmailMessage:
    return _message(
        email,
        _("Confirm your Trainer account"),
        _(
            "Hello %(name)s,\n\nopen this link to create your account in Trainer; it is "
            "valid for %(hours)d hours:\n\n%(url)s\n\nIf you did not ask for an account, "
            "ignore this message.\n",
            name=name,
            hours=MAX_AGE_HOURS,
            url=link,
        ),
    )


def _already_registered(user: User) -> EmailMessage:
    with force_locale(user.language or current_app.config["BABEL_DEFAULT_LOCALE"]):
        return _message(
            user.email,
            _("Your Trainer account"),
            _(
                "Hello %(name)s,\n\nsomeone (we hope you) tried to register this address in "
                "Trainer, but it already has an account. Sign in as usual, or choose a new "
                "password through this link (valid for %(minutes)d minutes):\n\n%(url)s\n",
                name=user.display_name,
                minutes=password_reset.max_age_minutes(),
                url=password_reset.reset_link(user),
            ),
        )


def _message(to: str, subject: str, text: str) -> EmailMessage:
    return mail.message(current_app.config, to, subject, text)
