"""The forms behind an e-mailed link: choose a first password."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from trainer.auth.forms import MIN_PASSWORD, strip


class FirstPasswordForm(FlaskForm):
    """A new password, typed twice."""

    password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(min=MIN_PASSWORD, max=200)]
    )
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("Passwords must match."))],
    )
    submit = SubmitField(_l("Set password"))


class NewAccountPasswordForm(FirstPasswordForm):
    """The password of an account being created through its confirmation link."""

    time_zone = HiddenField(filters=[strip])  # the browser's zone, as at sign-in
    submit = SubmitField(_l("Create account"))
