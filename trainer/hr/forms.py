"""Forms of the HR area: report filters, exports and course assignments."""

import re
from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from trainer.learning.published import PublishedCourse
from trainer.models import Course
from trainer.reporting.exports import EXPORT_FORMATS, FORMATS
from trainer.reporting.report import STATUS_LABELS, STATUSES, ReportFilter


class ReportFilterForm(FlaskForm):
    """The report's filters, sent by GET so that a filtered page has its own address."""

    class Meta:
        csrf = False  # a GET that changes nothing

    course = SelectField(_l("Course"), validate_choice=False)
    department = SelectField(_l("Department"), validate_choice=False)
    status = SelectField(_l("Status"), validate_choice=False)
    since = DateField(_l("Completed from"), validators=[Optional()])
    until = DateField(_l("Completed until"), validators=[Optional()])
    q = StringField(_l("Name, e-mail or employee id"), validators=[Optional(), Length(max=100)])
    submit = SubmitField(_l("Filter"))

    def __init__(
        self,
        formdata: Any,
        courses: Sequence[PublishedCourse],
        departments: list[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(formdata=formdata, **kwargs)
        self.course.choices = [SelectChoice("", _l("All courses"))] + [
            SelectChoice(course.slug, course.title) for course in courses
        ]
        self.department.choices = [SelectChoice("", _l("All departments"))] + [
            SelectChoice(department, department) for department in departments
        ]
        labels = STATUS_LABELS
        self.status.choices = [SelectChoice("", _l("Any status"))] + [
            SelectChoice(key, labels[key]) for key in STATUSES
        ]

    def validate_course(self, field: SelectField) -> None:
        if field.data and field.data not in {choice.value for choice in self.course.choices}:
            # gettext, not lazy_gettext: a lazy string counts as safe markup in templates, and
            # this one holds what the user typed.
            raise ValidationError(_("There is no course %(slug)s.", slug=field.data))

    def validate_status(self, field: SelectField) -> None:
        if field.data and field.data not in STATUSES:
            raise ValidationError(_l("Choose one of the listed statuses."))

    def validate_until(self, field: DateField) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The end date is before the start date."))

    def filters(self) -> ReportFilter:
        """The validated filters, for the report and export services."""
        return ReportFilter(
            course=self.course.data or None,
            department=self.department.data or None,
            status=self.status.data or None,
            since=self.since.data,
            until=self.until.data,
            search=(self.q.data or "").strip() or None,
        )


class ExportForm(ReportFilterForm):
    """The report's filters plus the file format."""

    format = SelectField(_l("Format"), validate_choice=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.format.choices = [SelectChoice(f.name, f.label) for f in EXPORT_FORMATS.values()]

    def validate_format(self, field: SelectField) -> None:
        if field.data not in FORMATS:
            raise ValidationError(_l("Choose a format: %(formats)s.", formats=", ".join(FORMATS)))


def _course_choices(courses: list[Course]) -> list[SelectChoice]:
    return [SelectChoice(str(course.id), course.title) for course in courses]


class DepartmentAssignmentForm(FlaskForm):
    """Assign a course to everyone in a department, due on a date."""

    course = SelectField(_l("Course"), validators=[InputRequired()])
    department = SelectField(
        _l("Department"), validators=[InputRequired(message=_l("Choose a department."))]
    )
    due = DateField(_l("Due date"), validators=[InputRequired(message=_l("Give a due date."))])
    submit = SubmitField(_l("Assign to the department"))

    def __init__(self, courses: list[Course], departments: list[str], **kwargs: Any) -> None:
        super().__init__(prefix="department", **kwargs)
        self.course.choices = _course_choices(courses)
        self.department.choices = [SelectChoice(d, d) for d in departments]


class PeopleAssignmentForm(FlaskForm):
    """Assign a course to chosen learners: ticked, or listed by e-mail."""

    course = SelectField(_l("Course"), validators=[InputRequired()])
    due = DateField(_l("Due date"), validators=[InputRequired(message=_l("Give a due date."))])
    learners = SelectMultipleField(
        _l("Learners"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    emails = TextAreaField(_l("Or e-mail addresses (separated by commas, spaces or new lines)"))
    submit = SubmitField(_l("Assign to these people"))

    def __init__(self, courses: list[Course], learners: list[Any], **kwargs: Any) -> None:
        """`learners`: the (id, display_name, email) rows to offer as checkboxes."""
        super().__init__(prefix="people", **kwargs)
        self.course.choices = _course_choices(courses)
        self.learners.choices = [
            SelectChoice(row.id, f"{row.display_name} <{row.email}>") for row in learners
        ]

    def email_list(self) -> list[str]:
        """The addresses typed in, split on commas, semicolons and whitespace."""
        return [part for part in re.split(r"[\s,;]+", self.emails.data or "") if part]

    def validate_emails(self, field: TextAreaField) -> None:
        if not self.learners.data and not self.email_list():
            raise ValidationError(_l("Tick at least one learner or give their e-mail addresses."))
