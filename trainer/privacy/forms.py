"""Forms of the personal-data area."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField


class EraseForm(FlaskForm):
    """The button that erases an account for good."""

    submit = SubmitField(_l("Erase this person's data"))
