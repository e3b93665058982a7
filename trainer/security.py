"""CSRF protection, rate limits and the security headers sent with every response."""

from flask import Flask, Response, current_app

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

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response


def sign_in_limit() -> str:
    """The rate limit on forms that check a password or create an account."""
    return str(current_app.config["SIGN_IN_RATE_LIMIT"])


def api_limit() -> str:
    """The rate limit on API requests."""
    return str(current_app.config["API_RATE_LIMIT"])
