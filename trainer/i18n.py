"""Interface language and time zone: the user's settings, else the browser's, else the site's."""

from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from babel import dates
from babel.support import NullTranslations
from flask import Flask, current_app, g, has_app_context, has_request_context, request
from flask_babel import get_locale, get_translations, to_user_timezone
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


def local_datetime(moment: datetime | None, format: str = "short") -> str:
    """A date and time in the reader's zone, labelled with it: `30.11.2026, 08:00 CET`."""
    if moment is None:
        return ""
    # Babel's formatter, given the locale: Flask-Babel's wrapper looks the locale and the
    # zone up again on each call, which a report page with a hundred times pays for.
    local = to_user_timezone(moment)
    return f"{dates.format_datetime(local, format, locale=get_locale())} {local.tzname()}"


def local_time(moment: datetime | None) -> str:
    """A time of day in the reader's zone, labelled with it: `08:00 CET`."""
    if moment is None:
        return ""
    local = to_user_timezone(moment)
    return f"{dates.format_time(local, 'short', locale=get_locale())} {local.tzname()}"


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
    app.jinja_env.filters["local_datetime"] = local_datetime
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["iso_timestamp"] = iso_timestamp
    app.jinja_env.filters["role_label"] = role_label
    app.jinja_env.globals["utcnow"] = utcnow  # the server's clock, for a countdown's script
