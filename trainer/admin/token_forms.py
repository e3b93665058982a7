"""Forms of the API token pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from trainer.models.audit import TOKEN_SCOPES
from trainer.people.tokens import NAME_MAX_LENGTH


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class TokenForm(FlaskForm):
    """Name and scope of a new API token."""

    name = StringField(
        _l("Token name"),
        filters=[_strip],
        validators=[DataRequired(), Length(max=NAME_MAX_LENGTH)],
    )
    scope = SelectField(
        _l("Scope"), choices=[SelectChoice(scope) for scope in TOKEN_SCOPES], default="hr:read"
    )
    submit = SubmitField(_l("Create token"))
