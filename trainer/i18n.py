"""Interface language: the user's setting, else the browser's, else Polish."""

from flask import Flask, current_app, request
from flask_babel import get_locale
from flask_login import current_user

from trainer.extensions import babel
from trainer.taxonomy import Term


def select_locale() -> str | None:
    """The locale for this request."""
    languages = current_app.config["LANGUAGES"]
    if current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    return request.accept_languages.best_match(languages)


def term_label(term: Term | None) -> str:
    """A dimension's or category's label in the interface language ("" for none)."""
    return term.label(str(get_locale() or "pl")) if term else ""


def init_app(app: Flask) -> None:
    """Bind Flask-Babel with our locale selector and the package's translations."""
    babel.init_app(app, locale_selector=select_locale)

    @app.context_processor
    def locale_helpers() -> dict[str, object]:
        return {"current_locale": lambda: str(get_locale() or "pl")}

    # A global rather than a context variable, so that imported macros see it too.
    app.jinja_env.globals["term_label"] = term_label
