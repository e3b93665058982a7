"""The two settings every statement depends on, checked when the app starts.

XAPI_BASE_IRI names Trainer's activities and seeds every statement id; BASE_URL is the
`homePage` of the learners' accounts. Both must stay fixed once statements have left
Trainer, so neither has a default in production: start-up stops with a message instead.
"""

from urllib.parse import urlsplit

from flask import Flask

from trainer.config import SettingError

# Debugging and testing only: an IRI under a reserved domain (RFC 2606) nobody owns.
PLACEHOLDER_BASE_IRI = "https://trainer.invalid/xapi"
PLACEHOLDER_BASE_URL = "https://trainer.invalid"


class MissingSetting(SettingError):
    """A setting production needs is not set (or not an absolute http(s) address)."""


def check(app: Flask) -> None:
    """Stop start-up when XAPI_BASE_IRI or BASE_URL is not an absolute http(s) address, or
    is missing outside debug and testing (which fall back to placeholders)."""
    lenient = app.debug or app.testing
    problems = [
        f"TRAINER_{name} {problem}"
        for name in ("XAPI_BASE_IRI", "BASE_URL")
        if (problem := _problem(app.config.get(name), lenient))
    ]
    if problems:
        raise MissingSetting(
            "; ".join(problems) + ". Trainer names its xAPI activities and learners under "
            "them, and they must stay the same once statements have been exported or sent: "
            "set TRAINER_XAPI_BASE_IRI (for example https://trainer.firma.pl/xapi) and "
            "TRAINER_BASE_URL (for example https://trainer.firma.pl), in the environment or "
            "in instance/config.py."
        )


def _problem(value: object, lenient: bool) -> str | None:
    if not value:
        return None if lenient else "is not set"
    parts = urlsplit(str(value))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"is not an absolute http(s) address: {value!r}"
    return None


def base_iri(app: Flask) -> str:
    """The base of activity ids and extensions, without a trailing slash."""
    return str(app.config.get("XAPI_BASE_IRI") or PLACEHOLDER_BASE_IRI).rstrip("/")


def home_page(app: Flask) -> str:
    """The `homePage` of every learner's account: the instance's base URL."""
    return str(app.config.get("BASE_URL") or PLACEHOLDER_BASE_URL).rstrip("/")
