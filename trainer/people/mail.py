"""E-mail through the configured SMTP server: now, or after the response has gone out."""

import logging
import smtplib
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from email.message import EmailMessage
from typing import Any

SMTP_TIMEOUT_SECONDS = 30
# Mail that must not delay a response (whose timing would tell whether an account exists)
# goes out on these threads; one or two are plenty for password resets and registrations.
_background = ThreadPoolExecutor(max_workers=2, thread_name_prefix="trainer-mail")
log = logging.getLogger(__name__)


class MailError(Exception):
    """The mail server could not be reached or refused the messages."""


def mail_configured(config: Mapping[str, Any]) -> bool:
    """Whether Trainer can send e-mail (MAIL_SERVER is set)."""
    return bool(config.get("MAIL_SERVER"))


def links_can_be_mailed(config: Mapping[str, Any]) -> bool:
    """Whether mail is configured and BASE_URL says where links in it point.

    Links in e-mail never come from the request's Host header, which a stranger can set.
    """
    return mail_configured(config) and bool(config.get("BASE_URL"))


def link(config: Mapping[str, Any], path: str) -> str:
    """An absolute link to `path` on this site, for an e-mail."""
    return str(config["BASE_URL"]).rstrip("/") + path


def sender(config: Mapping[str, Any]) -> str:
    """The From address of Trainer's messages."""
    return str(config.get("MAIL_SENDER") or "trainer@localhost")


def message(config: Mapping[str, Any], to: str, subject: str, text: str) -> EmailMessage:
    """A plain-text message from Trainer's sender."""
    email = EmailMessage()
    email["Subject"] = subject
    email["From"] = sender(config)
    email["To"] = to
    email.set_content(text)
    return email


def send(messages: list[EmailMessage], config: Mapping[str, Any]) -> int:
    """Send through MAIL_SERVER (MAIL_PORT, MAIL_USE_TLS, MAIL_USERNAME/PASSWORD); how many."""
    if not messages:
        return 0
    try:
        port = int(config.get("MAIL_PORT") or 25)
        with smtplib.SMTP(config["MAIL_SERVER"], port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            for message in messages:
                smtp.send_message(message)
    except (smtplib.SMTPException, OSError, ValueError) as error:
        raise MailError(str(error)) from error
    return len(messages)


def send_later(messages: list[EmailMessage], config: Mapping[str, Any]) -> Future[int]:
    """Send on a background thread, so that the response does not wait; failures are logged."""
    settings = dict(config)

    def deliver() -> int:
        try:
            return send(messages, settings)
        except MailError:
            log.exception("e-mail to %d recipient(s) failed", len(messages))
            return 0

    return _background.submit(deliver)
