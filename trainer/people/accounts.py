"""Creating and changing accounts."""

import secrets
from functools import cache

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import func
from werkzeug.security import check_password_hash

from trainer.extensions import db
from trainer.models import User, UserRole, normalize_email
from trainer.models.user import hash_password


class AccountError(ValueError):
    """A change to an account that cannot be made; the message says why."""


def is_valid_email(email: str) -> bool:
    """Whether `email` is an address by the rules the forms apply too (email-validator's)."""
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def find_user_by_email(email: str) -> User | None:
    """The user with this address, whatever its spelling."""
    return db.session.execute(
        db.select(User).where(func.lower(User.email) == normalize_email(email))
    ).scalar_one_or_none()


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, else None.

    An unknown address costs as much as a wrong password (a hash is checked either way), so
    the time of an answer does not tell which addresses have accounts.
    """
    user = find_user_by_email(email)
    if user is None or user.password_hash is None:
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


@cache
def _dummy_hash(_method: str) -> str:
    """A hash made the way real ones are (with `_method`), of a password nobody has."""
    return hash_password(secrets.token_urlsafe(16))


def create_user(
    email: str,
    display_name: str,
    password: str | None = None,
    roles: set[str] | None = None,
    employee_id: str | None = None,
    department: str | None = None,
    language: str | None = None,
    manager: str | None = None,
) -> User:
    """Add a user with a normalised e-mail; refuses an address that already has an account."""
    email = normalize_email(email)
    if not email or "@" not in email:
        raise AccountError(f"not an e-mail address: {email!r}")
    if not display_name.strip():
        raise AccountError("a name is required")
    if find_user_by_email(email) is not None:
        raise AccountError(f"an account for {email} already exists")
    user = User(
        email=email,
        display_name=display_name.strip(),
        employee_id=employee_id or None,
        department=department or None,
        manager=manager or None,
        language=language,
    )
    user.set_roles(roles if roles is not None else {"learner"})
    if password is not None:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def change_password(user: User, new_password: str) -> None:
    """Set a new password and sign out every other session of the user."""
    user.set_password(new_password)
    user.end_sessions()


def deactivate(user: User) -> None:
    """Stop the user from signing in, ending every session they have."""
    user.active = False
    user.end_sessions()


def has_admin() -> bool:
    """Whether any active admin exists."""
    return (
        db.session.execute(
            db.select(User.id)
            .join(UserRole)
            .where(UserRole.role == "admin", User.active.is_(True))
            .limit(1)
        ).first()
        is not None
    )


def ensure_first_admin(email: str) -> str | None:
    """Create an admin with a random one-time password if none exists; return that password."""
    if has_admin():
        return None
    password = secrets.token_urlsafe(12)
    existing = find_user_by_email(email)
    if existing is None:
        admin = create_user(email, "Administrator", password=password, roles={"admin"})
    else:
        admin = existing
        admin.set_roles(admin.role_names | {"admin"})
        admin.active = True
        change_password(admin, password)
    admin.must_change_password = True
    return password
