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
    for message in messages:
        # A plural entry has (singular, plural) ids and one string per Polish plural form.
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"untranslated: {ids[0]!r}"
        expected = sorted(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            assert sorted(PLACEHOLDER.findall(string)) == expected, ids[0]
