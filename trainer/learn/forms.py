"""Forms of the learner's area: the two steps of a quiz item."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired


class MarketForm(FlaskForm):
    """Step 1 of a scenario: B2B or B2C."""

    market = RadioField(
        _l("Is this B2B or B2C?"),
        choices=[SelectChoice("B2B", _l("B2B: selling to a business")),
                 SelectChoice("B2C", _l("B2C: selling to a consumer"))],
        validators=[InputRequired(message=_l("Choose B2B or B2C."))],
    )  # fmt: skip
    submit = SubmitField(_l("Save and continue"))


class OptionForm(FlaskForm):
    """The approach (or answer) chosen among the item's options, in their drawn order."""

    option = RadioField(
        _l("Your answer"),
        coerce=int,
        validators=[InputRequired(message=_l("Choose one of the options."))],
    )
    submit = SubmitField(_l("Save answer"))

    def __init__(self, options: list[tuple[int, str]], *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.option.choices = [SelectChoice(value, label) for value, label in options]


class PracticeForm(FlaskForm):
    """A practice question answered in one go: market (for scenarios) and option."""

    market = MarketForm.market
    option = OptionForm.option
    submit = SubmitField(_l("Check my answer"))

    def __init__(
        self, options: list[tuple[int, str]], with_market: bool, *args: object, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        self.option.choices = [SelectChoice(value, label) for value, label in options]
        if not with_market:
            del self.market
