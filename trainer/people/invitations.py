"""Invitations: signed, expiring, single-use links to choose a first password, and their e-mail."""

from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from trainer import jobs
from trainer.extensions import db
from trainer.models import User
from trainer.people import links, mail

INVITATION_SALT = "trainer.invitation"


@dataclass(frozen=True)
class Invitation:
    """A link for one person to set their first password."""

    email: str
    name: str
    language: str | None
    path: str

    def url(self, base_url: str | None) -> str:
        """The link: absolute under `base_url`, else the path alone."""
        return base_url.rstrip("/") + self.path if base_url else self.path


def max_age_days() -> int:
    """How many days an invitation link stays valid."""
    return int(current_app.config["INVITATION_MAX_AGE_DAYS"])


def invitation_for(user: User) -> Invitation:
    """A fresh link for `user`; it dies when they set a password or their sessions are ended."""
    # The session version in the token makes it single-use: setting the password bumps it.
    token = links.sign(INVITATION_SALT, [user.id, user.session_version])
    path = current_app.url_map.bind("localhost").build("invitation.accept", {"token": token})
    return Invitation(user.email, user.display_name, user.language, path)


def user_for_token(token: str) -> User:
    """The user a valid, unexpired, unused invitation token names; else `links.LinkInvalid`."""
    user_id, version = links.read(INVITATION_SALT, token, max_age_days() * 24 * 60 * 60, 2)
    if not isinstance(user_id, int) or not isinstance(version, int):
        raise links.LinkInvalid("invalid")
    user = db.session.get(User, user_id)
    if (
        user is None
        or not user.active
        or user.password_hash is not None
        or user.session_version != version
    ):
        raise links.LinkInvalid("invalid")
    return user


def accept(user: User, password: str) -> None:
    """Set the first password; the link and any older one stop working."""
    user.set_password(password)
    user.end_sessions()
    db.session.flush()


def deliver_invitations(
    invitations: list[Invitation], base_url: str, config: Mapping[str, Any]
) -> bool:
    """E-mail each link: queued for the worker when there is one (True), else sent now
    (False; `mail.MailError` if that failed), so that HR sees whether it worked."""
    messages = [_message(invitation, base_url, config) for invitation in invitations]
    if jobs.configured(config):
        mail.queue(messages, config)
        return True
    mail.send(messages, config)
    return False


def _message(invitation: Invitation, base_url: str, config: Mapping[str, Any]) -> EmailMessage:
    with force_locale(invitation.language or config.get("BABEL_DEFAULT_LOCALE", "pl")):
        return mail.message(
            config,
            invitation.email,
            _("Your Trainer account"),
            _(
                "Hello %(name)s,\n\nan account in Trainer has been created for you. Open this "
                "link to choose your password; it is valid for %(days)d days and works once:"
                "\n\n%(url)s\n",
                name=invitation.name,
                days=max_age_days(),
                url=invitation.url(base_url),
            ),
        )
