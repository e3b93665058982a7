"""Translations: every interface string has a Polish one with the same placeholders, and
templates translate in the locale in force."""

import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel import Locale, dates, numbers
from babel.messages.pofile import read_po
from flask import Flask
from flask_babel import force_locale

from trainer.i18n import LocalFormats, local_formats

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


MOMENTS = [
    datetime(2026, 1, 15, 7, 5),  # winter: CET
    datetime(2026, 7, 15, 23, 30, tzinfo=UTC),  # summer: CEST, and the next day in Tokyo
    datetime(2026, 10, 25, 0, 30),  # an hour before Warsaw leaves summer time
]


@pytest.mark.parametrize("language", ["pl", "en", "de"])
@pytest.mark.parametrize("zone", ["Europe/Warsaw", "Asia/Tokyo", "America/Sao_Paulo"])
def test_local_formats_write_what_babels_own_functions_write(language: str, zone: str) -> None:
    """The patterns joined and parsed once give Babel's text for every width and value."""
    locale = Locale.parse(language)
    local = LocalFormats(locale, ZoneInfo(zone))
    for moment in MOMENTS:
        in_zone = moment.replace(tzinfo=moment.tzinfo or UTC).astimezone(ZoneInfo(zone))
        for width in ("short", "medium", "long"):
            expected = f"{dates.format_datetime(in_zone, width, locale=locale)} {in_zone.tzname()}"
            assert local.date_time(moment, width) == expected
        assert local.time_of_day(moment) == (
            f"{dates.format_time(in_zone, 'short', locale=locale)} {in_zone.tzname()}"
        )
        assert local.day(moment.date()) == dates.format_date(moment.date(), "medium", locale=locale)
    for number in (0, 87.5, 100.0, 66.66666, 1234567.25):
        assert local.number(number) == numbers.format_decimal(number, locale=locale)
    assert local.date_time(None) == local.time_of_day(None) == ""


def test_local_formats_follow_the_reader(app: Flask) -> None:
    """A request's formats are its reader's language and the site's zone when signed out."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        local = local_formats()
        assert (str(local.locale), str(local.zone)) == ("en", "Europe/Warsaw")
        morning = datetime(2026, 11, 30, 7, 0)
        assert local.date_time(morning) == "11/30/26, 8:00\u202fAM CET"
        with force_locale("pl"):
            assert local_formats().date_time(morning) == "30.11.2026, 08:00 CET"
