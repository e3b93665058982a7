"""Forms of the employee import: the upload and the confirmation of a preview."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SubmitField
from wtforms.validators import DataRequired


class ImportUploadForm(FlaskForm):
    """A CSV file of employees to preview."""

    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file."))])
    submit = SubmitField(_l("Preview the import"))


class ImportConfirmForm(FlaskForm):
    """Apply a preview; the rows travel in a signed token, never as plain fields."""

    token = HiddenField(validators=[DataRequired()])
    submit = SubmitField(_l("Apply the import"))
