"""E-mail through the configured SMTP server: now, or after the response has gone out.

After the response means on the background worker when REDIS_URL is set (trainer.jobs),
else on a thread of this process.
"""

import logging
import smtplib
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, cast

from flask import current_app

from trainer import jobs

SMTP_TIMEOUT_SECONDS = 30
# A queued message the server refused is tried again this many times, a minute apart.
QUEUED_RETRIES = 3
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


def queue(messages: list[EmailMessage], config: Mapping[str, Any]) -> str | None:
    """Hand `messages` to the worker (retried if the server fails); its job id.

    Without REDIS_URL they are sent now, and `MailError` says if that failed.
    """
    raw = [message.as_bytes() for message in messages]
    return jobs.enqueue("trainer.people.mail:send_queued", raw, config=config,
                        retries=QUEUED_RETRIES)  # fmt: skip


def send_queued(raw: list[bytes]) -> int:
    """The worker's job: send messages queued as bytes, with the worker's mail settings."""
    messages = [cast(EmailMessage, message_from_bytes(data, policy=policy.default))
                for data in raw]  # fmt: skip
    return send(messages, current_app.config)


def send_later(messages: list[EmailMessage], config: Mapping[str, Any]) -> Future[int] | None:
    """Send without making the response wait: on the worker, or else on a background thread
    of this process (never inline: how long a reset takes must not tell whether an account
    exists). Failures are logged (and, on the worker, retried)."""
    if jobs.configured(config):
        queue(messages, config)
        return None
    settings = dict(config)

    def deliver() -> int:
        try:
            return send(messages, settings)
        except MailError:
            log.exception("e-mail to %d recipient(s) failed", len(messages))
            return 0

    return _background.submit(deliver)
