"""Fixtures of the people tests: a real SMTP server to read Trainer's mail from."""

from collections.abc import Iterator

import pytest
from flask import Flask

from tests.people.mailbox import Mailbox, start_server


@pytest.fixture
def mailbox(app: Flask) -> Iterator[Mailbox]:
    """Mail from the app goes to this mailbox; links in it point at https://trainer.firma.pl."""
    controller, mailbox = start_server()
    app.config.update(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, BASE_URL="https://trainer.firma.pl/"
    )
    yield mailbox
    controller.stop()
