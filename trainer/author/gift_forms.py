"""Forms of the GIFT exchange: the upload and the confirmation of a preview."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField, SubmitField
from wtforms.validators import DataRequired, InputRequired


class GiftUploadForm(FlaskForm):
    """A GIFT file and the lesson its questions will link to (which fixes the course)."""

    lesson = SelectField(
        _l("Course and lesson the questions link to"),
        coerce=int,
        validators=[InputRequired(_l("Choose a lesson."))],
    )
    file = FileField(_l("GIFT file"), validators=[FileRequired(_l("Choose a GIFT file."))])
    submit = SubmitField(_l("Preview the import"))


class GiftConfirmForm(FlaskForm):
    """Import a previewed file; the file travels in a signed token, never as plain fields."""

    token = HiddenField(validators=[DataRequired()])
    submit = SubmitField(_l("Import the questions"))
