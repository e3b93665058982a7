"""Self-registration confirmed by e-mail, which never tells a stranger whether an address
already has an account: both cases get the same page, and the owner of the address an e-mail."""

from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from flask import Flask, current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from trainer.config import SettingError
from trainer.extensions import db
from trainer.models import User, normalize_email
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


class RegistrationWithoutMail(SettingError):
    """Registration is open, but Trainer cannot e-mail the links that confirm it."""


def check(app: Flask) -> None:
    """Stop start-up when registration is open without mail, outside debug and testing: every
    account is confirmed through an e-mailed link, so visitors would meet a dead end."""
    if app.debug or app.testing or not app.config["REGISTRATION_OPEN"]:
        return
    if not mail.links_can_be_mailed(app.config):
        raise RegistrationWithoutMail(
            "TRAINER_REGISTRATION_OPEN is on, but TRAINER_MAIL_SERVER is not set: a new "
            "account is confirmed through an e-mailed link. Set TRAINER_MAIL_SERVER (and "
            "TRAINER_BASE_URL), or close registration and add people on the users page."
        )


def available(config: Mapping[str, Any]) -> bool:
    """Whether the confirmation links registration needs can be e-mailed."""
    return mail.links_can_be_mailed(config)


def request_account(email: str, name: str) -> None:
    """E-mail a confirmation link (in the request's language), or, if the address has an
    account, a note saying so (in the account's). Nothing is stored until the link is used."""
    email = normalize_email(email)
    existing = accounts.find_user_by_email(email)
    if existing is not None:
        message = _already_registered(existing)
    else:
        token = links.sign(REGISTRATION_SALT, [email, name.strip()])
        link = mail.link(current_app.config, url_for("auth.confirm", token=token))
        message = _confirmation(email, name, link)
    mail.send_later([message], current_app.config)


@dataclass(frozen=True)
class Pending:
    """An account a valid confirmation link asks for, not made yet."""

    email: str
    name: str


def pending(token: str) -> Pending:
    """The account a valid, unexpired confirmation token asks for; `links.LinkInvalid`
    otherwise, with the reason `taken` once the account exists (a link works once)."""
    email, name = links.read(REGISTRATION_SALT, token, MAX_AGE_HOURS * 3600, 2)
    if not isinstance(email, str) or not isinstance(name, str) or not name:
        raise links.LinkInvalid("invalid")
    if not domain_allowed(email, current_app.config):
        raise links.LinkInvalid("invalid")  # the domains were narrowed since it was sent
    if accounts.find_user_by_email(email) is not None:
        raise links.LinkInvalid("taken")
    return Pending(email, name)


def create(account: Pending, password: str, time_zone: str | None) -> User:
    """Make the learner account with its first password and time zone (a known one, or
    None); `links.LinkInvalid("taken")` if the same link was used a moment before."""
    try:
        user = accounts.create_user(account.email, account.name, password)
    except accounts.AccountError:
        raise links.LinkInvalid("taken") from None
    user.time_zone = time_zone
    db.session.flush()
    return user


def _confirmation(email: str, name: str, link: str) -> EmailMessage:
    return _message(
        email,
        _("Confirm your Trainer account"),
        _(
            "Hello %(name)s,\n\nopen this link to choose your password and create your "
            "account in Trainer; it is valid for %(hours)d hours:\n\n%(url)s\n\nIf you did "
            "not ask for an account, ignore this message.\n",
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
