"""Password reset: a signed link, e-mailed, that expires and works once."""

import hashlib
from email.message import EmailMessage

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from trainer.extensions import db
from trainer.models import User
from trainer.people import accounts, links, mail

RESET_SALT = "trainer.password-reset"


def max_age_minutes() -> int:
    """How many minutes a reset link stays valid."""
    return int(current_app.config["PASSWORD_RESET_MAX_AGE_MINUTES"])


def _password_fingerprint(user: User) -> str:
    # Setting a password changes the hash, and with it this: a used link stops working.
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def token_for(user: User) -> str:
    """A reset token for `user`, valid until it expires or any password is set."""
    return links.sign(RESET_SALT, [user.id, _password_fingerprint(user)])


def user_for_token(token: str) -> User:
    """The active user a valid, unexpired, unused reset token names; else `links.LinkInvalid`."""
    user_id, fingerprint = links.read(RESET_SALT, token, max_age_minutes() * 60, 2)
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.active or _password_fingerprint(user) != fingerprint:
        raise links.LinkInvalid("invalid")
    return user


def reset_link(user: User) -> str:
    """The absolute link, for an e-mail, to choose a new password."""
    return mail.link(current_app.config, url_for("password.reset", token=token_for(user)))


def reset_message(user: User) -> EmailMessage:
    """The e-mail carrying a fresh reset link, in the user's language."""
    config = current_app.config
    with force_locale(user.language or config["BABEL_DEFAULT_LOCALE"]):
        return mail.message(
            config,
            user.email,
            _("Reset your Trainer password"),
            _(
                "Hello %(name)s,\n\nsomeone (we hope you) asked to reset your password in "
                "Trainer. Open this link to choose a new one; it is valid for %(minutes)d "
                "minutes and works once:\n\n%(url)s\n\nIf you did not ask for it, ignore this "
                "message: your password stays as it is.\n",
                name=user.display_name,
                minutes=max_age_minutes(),
                url=reset_link(user),
            ),
        )


def request_reset(email: str) -> None:
    """E-mail a reset link if an active account has this address; nothing tells whether."""
    user = accounts.find_user_by_email(email)
    if user is not None and user.active:
        mail.send_later([reset_message(user)], current_app.config)


def reset(user: User, password: str) -> None:
    """Set the new password; the link, and every session of the user, stop working."""
    accounts.change_password(user, password)
    db.session.flush()
