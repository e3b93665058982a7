"""Interface language and time zone: the user's settings, else the browser's, else the site's."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from babel import Locale, dates, numbers
from babel.support import NullTranslations
from flask import Flask, current_app, g, has_app_context, has_request_context, request
from flask_babel import get_locale, get_timezone, get_translations
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from trainer.extensions import babel
from trainer.models.types import iso_timestamp, utcnow
from trainer.taxonomy import Term

# What each role is called in the interface (the keys stay in files, URLs and the API).
ROLE_LABELS = {
    "learner": _l("Learner"),
    "trainer": _l("Trainer"),
    "hr": _l("HR"),
    "admin": _l("Administrator"),
}


def role_label(role: str) -> str:
    """A role's name in the interface language."""
    return str(ROLE_LABELS.get(role, role))


def select_locale() -> str | None:
    """The locale for this request; outside one (the CLI, a job), the default."""
    if not has_request_context():
        return None
    languages = current_app.config["LANGUAGES"]
    if current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    return request.accept_languages.best_match(languages)


@cache
def time_zones() -> frozenset[str]:
    """Every IANA zone name this system knows, such as `Europe/Warsaw`."""
    return frozenset(available_timezones())


def is_time_zone(name: str | None) -> bool:
    """Whether `name` is a zone we can show times in."""
    return bool(name) and name in time_zones()


def zone_of(user: object | None) -> ZoneInfo:
    """The zone `user` reads times in: their own choice, else the site's TIME_ZONE."""
    chosen = getattr(user, "time_zone", None)
    return ZoneInfo(chosen if is_time_zone(chosen) else current_app.config["TIME_ZONE"])


def select_timezone() -> str:
    """The time zone for this request (Flask-Babel converts every formatted time to it)."""
    signed_in = has_request_context() and current_user.is_authenticated
    return zone_of(current_user if signed_in else None).key


@cache
def _datetime_pattern(locale: Locale, width: str) -> dates.DateTimePattern:
    """The locale's date-and-time pattern of a width as one parsed pattern ("dd.MM.y, HH:mm").

    Babel's `format_datetime` looks up and parses the date's, the time's and their joining
    patterns on every call and formats the date and the time apart; joined once here, a
    time formats in half the time, to the same text.
    """
    joined = str(dates.get_datetime_format(width, locale))
    time_pattern = str(dates.get_time_format(width, locale))
    date_pattern = str(dates.get_date_format(width, locale))
    return dates.parse_pattern(joined.replace("{0}", time_pattern).replace("{1}", date_pattern))


@cache
def _date_pattern(locale: Locale, width: str) -> dates.DateTimePattern:
    return dates.parse_pattern(str(dates.get_date_format(width, locale)))


@cache
def _decimal_pattern(locale: Locale) -> numbers.NumberPattern:
    return numbers.parse_pattern(locale.decimal_formats[None])


@dataclass(frozen=True)
class LocalFormats:
    """Times, dates and numbers as one reader reads them: their language and their zone.

    Looked up once and kept for a page: a report's table formats a hundred times, and each
    of Flask-Babel's filters looks the locale and the zone up again through the request.
    """

    locale: Locale
    zone: tzinfo

    def date_time(self, moment: datetime | None, width: str = "short") -> str:
        """A date and time in the reader's zone, labelled with it: `30.11.2026, 08:00 CET`."""
        if moment is None:
            return ""
        local = self.local(moment)
        return f"{_datetime_pattern(self.locale, width).apply(local, self.locale)} {local.tzname()}"

    def time_of_day(self, moment: datetime | None) -> str:
        """A time of day in the reader's zone, labelled with it: `08:00 CET`."""
        if moment is None:
            return ""
        local = self.local(moment)
        return f"{dates.format_time(local, 'short', locale=self.locale)} {local.tzname()}"

    def day(self, day: date, width: str = "medium") -> str:
        """A calendar date as it is (no zone moves a day): `10 mar 2099`."""
        return _date_pattern(self.locale, width).apply(day, self.locale)

    def number(self, number: float | Decimal) -> str:
        """A number with the locale's separators: `87,5`."""
        return _decimal_pattern(self.locale).apply(number, self.locale)

    def local(self, moment: datetime) -> datetime:
        """`moment` (naive means UTC, as the database stores it) in the reader's zone."""
        aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return aware.astimezone(self.zone)


def local_formats() -> LocalFormats:
    """The formats of the reader of this request (outside one, the site's)."""
    return LocalFormats(get_locale() or Locale.parse("pl"), get_timezone() or UTC)


def local_datetime(moment: datetime | None, format: str = "short") -> str:
    """A date and time in the reader's zone, labelled with it: `30.11.2026, 08:00 CET`."""
    return local_formats().date_time(moment, format)


def local_time(moment: datetime | None) -> str:
    """A time of day in the reader's zone, labelled with it: `08:00 CET`."""
    return local_formats().time_of_day(moment)


def term_label(term: Term | None) -> str:
    """A dimension's or category's label in the interface language ("" for none)."""
    return term.label(str(get_locale() or "pl")) if term else ""


def catalogue() -> NullTranslations:
    """The translations of the locale in force, kept on `g` while that locale holds.

    Flask-Babel finds them through the request context, the app's domain and the locale on
    every call (about 10 µs); a page's templates call `_()` 15 to 40 times. `force_locale`
    puts another locale in force, and the next call fetches that one's.
    """
    if not has_app_context():
        return get_translations()
    locale = get_locale()
    kept = g.get("_catalogue")
    if kept is None or kept[0] is not locale:
        kept = g._catalogue = (locale, get_translations())
    return kept[1]


def init_app(app: Flask) -> None:
    """Bind Flask-Babel with our locale and zone selectors and the package's translations."""
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    # Flask-Babel's own callables for templates, with the catalogue looked up once.
    app.jinja_env.install_gettext_callables(
        gettext=lambda message: catalogue().ugettext(message),
        ngettext=lambda singular, plural, n: catalogue().ungettext(singular, plural, n),
        pgettext=lambda context, message: catalogue().upgettext(context, message),
        npgettext=lambda context, singular, plural, n: catalogue().unpgettext(
            context, singular, plural, n
        ),
        newstyle=True,
    )

    @app.context_processor
    def locale_helpers() -> dict[str, object]:
        return {"current_locale": lambda: str(get_locale() or "pl")}

    # A global rather than a context variable, so that imported macros see it too.
    app.jinja_env.globals["term_label"] = term_label
    app.jinja_env.globals["local_formats"] = local_formats
    app.jinja_env.filters["local_datetime"] = local_datetime
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["iso_timestamp"] = iso_timestamp
    app.jinja_env.filters["role_label"] = role_label
    app.jinja_env.globals["utcnow"] = utcnow  # the server's clock, for a countdown's script
