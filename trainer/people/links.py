"""Signed, expiring links that people get by e-mail: an invitation, a password reset, a
registration to confirm. Each kind signs with its own salt, so one kind's token is never
accepted as another's."""

from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


class LinkInvalid(Exception):
    """The link cannot be used: `reason` is `expired`, `invalid` (forged, used, revoked), or
    a reason of the link's own kind."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def sign(salt: str, payload: list[Any]) -> str:
    """A token carrying `payload`, signed with the secret key and the time."""
    return _serializer(salt).dumps(payload)


def read(salt: str, token: str, max_age_seconds: int, length: int) -> list[Any]:
    """The payload of a valid token younger than `max_age_seconds`, a list of `length` items."""
    try:
        payload = _serializer(salt).loads(token, max_age=max_age_seconds)
    except SignatureExpired:
        raise LinkInvalid("expired") from None
    except BadSignature:
        raise LinkInvalid("invalid") from None
    if not isinstance(payload, list) or len(payload) != length:
        raise LinkInvalid("invalid")
    return payload
