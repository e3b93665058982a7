"""CSRF protection, rate limits and the security headers sent with every response."""

import click
from flask import Flask, Response, current_app, request
from flask_login import current_user

from trainer.extensions import csrf, limiter

# Templates carry no inline scripts or styles, so the policy can be this strict.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def init_app(app: Flask) -> None:
    """Protect every form POST against CSRF, limit request rates, add the headers."""
    csrf.init_app(app)
    limiter.init_app(app)
    storage = str(app.config["RATELIMIT_STORAGE_URI"])
    serving = not (app.debug or app.testing or click.get_current_context(silent=True))
    if storage.startswith("memory://") and app.config["RATELIMIT_ENABLED"] and serving:
        # Each process counts alone: four workers let four times the limit through. Not said
        # by CLI commands, which serve no requests (a timer's `xapi push` would say it often).
        app.logger.warning(
            "rate limits are counted per process (%s); with more than one worker or instance "
            "set TRAINER_RATELIMIT_STORAGE_URI to a Redis URL",
            storage,
        )

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        seconds = int(current_app.config["HSTS_SECONDS"])
        if request.is_secure and seconds > 0:
            response.headers.setdefault("Strict-Transport-Security", f"max-age={seconds}")
        return response


def sign_in_limit() -> str:
    """The rate limit on forms that check a password or create an account."""
    return str(current_app.config["SIGN_IN_RATE_LIMIT"])


def per_user() -> str:
    """A rate-limit key for checks made by a signed-in user, wherever they come from."""
    return f"user:{current_user.id}" if current_user.is_authenticated else request.remote_addr or ""


def api_limit() -> str:
    """The rate limit on API requests."""
    return str(current_app.config["API_RATE_LIMIT"])
