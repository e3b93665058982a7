"""Every interface string has a Polish translation with the same placeholders."""

import re
from pathlib import Path

from babel.messages.pofile import read_po

CATALOG = Path(__file__).parents[1] / "trainer/translations/pl/LC_MESSAGES/messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%")


def test_every_message_is_translated_with_its_placeholders() -> None:
    with CATALOG.open("rb") as file:
        catalog = read_po(file, locale="pl")
    messages = [message for message in catalog if message.id]
    assert len(messages) > 100
    untranslated = [message.id for message in messages if not message.string]
    assert untranslated == []
    for message in messages:
        assert sorted(PLACEHOLDER.findall(message.id)) == sorted(
            PLACEHOLDER.findall(message.string)
        ), message.id
