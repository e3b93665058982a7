"""Forms of the admin area."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectMultipleField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from trainer.auth.forms import strip
from trainer.i18n import ROLE_LABELS
from trainer.models import ROLES


def _roles_field(**options: object) -> SelectMultipleField:
    return SelectMultipleField(
        _l("Roles"),
        choices=[SelectChoice(role, ROLE_LABELS[role]) for role in ROLES],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        **options,
    )


class RolesForm(FlaskForm):
    """The roles one user holds, as checkboxes."""

    roles = _roles_field()
    submit = SubmitField(_l("Save roles"))


class NewUserForm(FlaskForm):
    """A person to add, who then gets an invitation to choose a password."""

    display_name = StringField(
        _l("Name"), filters=[strip], validators=[DataRequired(), Length(max=120)]
    )
    email = EmailField(
        _l("E-mail"), filters=[strip], validators=[DataRequired(), Email(), Length(max=254)]
    )
    department = StringField(
        _l("Department"), filters=[strip], validators=[Optional(), Length(max=120)]
    )
    roles = _roles_field(default=["learner"], validators=[DataRequired()])
    submit = SubmitField(_l("Add and invite"))
