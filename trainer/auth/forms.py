"""Forms of the accounts area."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length

from trainer.i18n import time_zones

MIN_PASSWORD = 10


def strip(value: str | None) -> str | None:
    """A field filter: the text without surrounding whitespace."""
    return value.strip() if isinstance(value, str) else value


class LoginForm(FlaskForm):
    """Sign in with e-mail and password."""

    email = EmailField(
        _l("E-mail"),
        filters=[strip],
        validators=[DataRequired(), Email(), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired()], render_kw={"autocomplete": "current-password"}
    )
    remember = BooleanField(_l("Keep me signed in"))
    # Filled by a script with the browser's zone: offered to an account that has none yet.
    time_zone = HiddenField(filters=[strip])
    submit = SubmitField(_l("Sign in"))


class RegisterForm(FlaskForm):
    """Ask for a learner account: the password is chosen through the e-mailed link."""

    display_name = StringField(
        _l("Name"), validators=[DataRequired(), Length(max=120)], render_kw={"autocomplete": "name"}
    )
    email = EmailField(
        _l("E-mail"),
        filters=[strip],
        validators=[DataRequired(), Email(), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )
    submit = SubmitField(_l("Send me a link"))


class PasswordForm(FlaskForm):
    """Change one's own password."""

    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(min=MIN_PASSWORD, max=200)]
    )
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("Passwords must match."))],
    )
    submit = SubmitField(_l("Change password"))


class LanguageForm(FlaskForm):
    """Choose the interface language."""

    language = SelectField(
        _l("Interface language"),
        choices=[
            SelectChoice("", _l("As my browser")),
            SelectChoice("pl", "Polski"),
            SelectChoice("en", "English"),
        ],
    )
    submit = SubmitField(_l("Save"))


class TimeZoneForm(FlaskForm):
    """Choose the zone times are shown in."""

    time_zone = SelectField(_l("Time zone"))
    submit = SubmitField(_l("Save"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        site_zone = current_app.config["TIME_ZONE"]
        self.time_zone.choices = [
            SelectChoice("", _l("As the site: %(zone)s", zone=site_zone)),
            *(SelectChoice(zone, zone.replace("_", " ")) for zone in sorted(time_zones())),
        ]
