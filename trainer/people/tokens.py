"""HR API bearer tokens: create (the secret is returned once), revoke, list and authenticate."""

import hashlib
import re
import secrets
from typing import NamedTuple

from sqlalchemy import bindparam, select, update

from trainer.database import execute_core
from trainer.extensions import db
from trainer.models import ApiToken, User
from trainer.models.audit import TOKEN_SCOPES
from trainer.models.types import utcnow
from trainer.people import audit

# A recognisable prefix lets secret scanners (and people) tell a Trainer token at a glance.
PREFIX = "trn_"
NAME_MAX_LENGTH = 120
# token_urlsafe(32) gives 43 characters of the URL-safe base64 alphabet.
SECRET_PATTERN = re.compile(rf"{PREFIX}[A-Za-z0-9_-]{{43}}")


class TokenError(ValueError):
    """A token change that cannot be made; `reason` is a stable key, the message says why."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def hash_secret(secret: str) -> str:
    """The SHA-256 hex digest stored in place of the secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def tokens() -> list[ApiToken]:
    """Every token, active ones first, newest first."""
    return list(
        db.session.execute(
            db.select(ApiToken).order_by(
                ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc()
            )
        ).scalars()
    )


def active_token_named(name: str) -> ApiToken | None:
    """The unrevoked token called `name`, if any."""
    return db.session.execute(
        db.select(ApiToken).where(ApiToken.name == name.strip(), ApiToken.revoked_at.is_(None))
    ).scalar_one_or_none()


def create_token(name: str, scope: str, actor: User | str) -> tuple[ApiToken, str]:
    """Add a token and audit it; returns it with its secret, which is stored only as a hash."""
    name = name.strip()
    if not name:
        raise TokenError("name_required", "a token name is required")
    if len(name) > NAME_MAX_LENGTH:
        raise TokenError("name_too_long", f"a token name has at most {NAME_MAX_LENGTH} characters")
    if scope not in TOKEN_SCOPES:
        raise TokenError("unknown_scope", f"unknown scope {scope!r}")
    # Names identify tokens in the audit log and on the command line: one active token each.
    if active_token_named(name) is not None:
        raise TokenError("name_taken", f"an active token named {name!r} already exists")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        name=name,
        scope=scope,
        token_hash=hash_secret(secret),
        created_by_id=actor.id if isinstance(actor, User) else None,
    )
    db.session.add(token)
    db.session.flush()
    audit.record(actor, "token.create", {"token": name, "token_id": token.id, "scope": scope})
    return token, secret


def revoke_token(token: ApiToken, actor: User | str) -> None:
    """Revoke `token` for good and audit it; revoking twice is refused."""
    if token.revoked_at is not None:
        raise TokenError("already_revoked", f"the token {token.name!r} is already revoked")
    token.revoked_at = utcnow()
    db.session.flush()
    audit.record(actor, "token.revoke", {"token": token.name, "token_id": token.id})


def revoke_by_name(name: str, actor: User | str) -> ApiToken:
    """Revoke the active token called `name`."""
    token = active_token_named(name)
    if token is None:
        raise TokenError("unknown_token", f"no active token named {name.strip()!r}")
    revoke_token(token, actor)
    return token


class ActiveToken(NamedTuple):
    """What a request authenticated by a token knows of it."""

    id: int
    name: str
    scope: str


# Every API request looks its token up: plain columns, as loading the mapped token cost
# more CPU than the look-up; built once, as building it cost more than running it.
_ACTIVE_BY_HASH = select(ApiToken.id, ApiToken.name, ApiToken.scope).where(
    ApiToken.token_hash == bindparam("digest"), ApiToken.revoked_at.is_(None)
)


def authenticate(secret: str, scope: str) -> ActiveToken | None:
    """The active token with `secret` and `scope`, else None (`record_use` notes its use)."""
    if not SECRET_PATTERN.fullmatch(secret):
        return None  # malformed: not worth a database look-up
    row = execute_core(_ACTIVE_BY_HASH, {"digest": hash_secret(secret)}).one_or_none()
    if row is None or row.scope != scope:
        return None
    return ActiveToken(*row)


_RECORD_USE = (
    update(ApiToken)
    .where(ApiToken.id == bindparam("token_id"))
    .values(last_used_at=bindparam("now"))
)


def record_use(token: ActiveToken) -> None:
    """Note that `token` was used now (the admins' list of tokens shows it).

    Called when a request has been answered, beside its audit record, rather than when the
    token is checked: the write then comes after the request's reads, and on SQLite the
    write lock is held for the commit only, not while the page is read. A plain update, as
    the audit record is a plain insert: the session's unit of work costs more than both.
    """
    execute_core(_RECORD_USE, {"token_id": token.id, "now": utcnow()})
