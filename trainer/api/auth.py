"""Bearer tokens for the API: the one place API access is checked (never the session)."""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Response, g, request
from flask_babel import gettext as _

from trainer.errors import json_error
from trainer.people import tokens

F = TypeVar("F", bound=Callable[..., Any])
REALM = "Trainer API"


def token_required(scope: str) -> Callable[[F], F]:
    """Let in requests carrying `Authorization: Bearer <secret>` of an active `scope` token."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            scheme, _space, secret = request.headers.get("Authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not secret.strip():
                return unauthorized(_("Send an API token as Authorization: Bearer <token>."))
            token = tokens.authenticate(secret.strip(), scope)
            if token is None:
                return unauthorized(_("The API token is not valid or has been revoked."), True)
            g.api_token = token
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def current_token() -> tokens.ActiveToken:
    """The token the current request was authenticated with."""
    token: tokens.ActiveToken = g.api_token
    return token


def unauthorized(message: str, invalid: bool = False) -> tuple[Response, int]:
    """401 with the challenge RFC 6750 asks for; `invalid` when a token was sent but refused."""
    challenge = f'Bearer realm="{REALM}"' + (', error="invalid_token"' if invalid else "")
    response = json_error(401, "Unauthorized", message)
    response.headers["WWW-Authenticate"] = challenge
    response.headers["Cache-Control"] = "no-store"
    return response, 401
