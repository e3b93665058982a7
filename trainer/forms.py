"""Forms shared by every area."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField


class EmptyForm(FlaskForm):
    """A button that POSTs with nothing but its CSRF token."""

    submit = SubmitField(_l("Confirm"))
