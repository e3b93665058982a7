"""Forms of the trainer's analysis pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SubmitField
from wtforms.fields.choices import SelectChoice


class ProgressFilterForm(FlaskForm):
    """Which learners of a course to show, sent by GET so that a filtered page has an address."""

    class Meta:
        csrf = False  # a GET that changes nothing

    department = SelectField(_l("Department"), default="")
    submit = SubmitField(_l("Filter"))

    def set_departments(self, departments: list[str]) -> None:
        """Offer every department, and all of them together."""
        self.department.choices = [SelectChoice("", _l("All departments"))] + [
            SelectChoice(department, department) for department in departments
        ]
