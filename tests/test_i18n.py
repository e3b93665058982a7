"""Translations: every interface string has a Polish one with the same placeholders, and
templates translate in the locale in force."""

import re
from pathlib import Path

from babel.messages.pofile import read_po
from flask import Flask
from flask_babel import force_locale

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


def test_templates_translate_in_the_locale_in_force(app: Flask) -> None:
    """The catalogue a request's templates use follows `force_locale` in and out of it."""
    page = app.jinja_env.from_string(
        '{{ _("Dashboard") }} {{ ngettext("%(num)d question", "%(num)d questions", 5) }}'
    )
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert page.render() == "Dashboard 5 questions"
        with force_locale("pl"):
            assert page.render() == "Pulpit 5 pytań"
        assert page.render() == "Dashboard 5 questions"
