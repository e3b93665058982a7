"""Forms of the trainer's area: the lesson and question editors, and the loader's messages."""

import re
from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    FieldList,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Regexp
from wtforms.widgets import HiddenInput, ListWidget, RadioInput

from trainer.content.fields import SLUG
from trainer.content.model import Problem
from trainer.i18n import term_label
from trainer.models import LessonStatus
from trainer.taxonomy import Taxonomy

OPTION_ROWS = 6
REQUIRED = _l("This field is required.")


def _dimension_choices(taxonomy: Taxonomy, none_label: Any) -> list[SelectChoice]:
    """The course's dimensions, after a choice of none."""
    return [SelectChoice("", none_label)] + [
        SelectChoice(term.key, term_label(term)) for term in taxonomy.dimensions
    ]


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class LessonForm(FlaskForm):
    """A lesson: front matter fields and the Markdown body, with Preview and Save buttons."""

    # The version the editor was opened at; a save from an older one is a conflict.
    version = IntegerField(widget=HiddenInput(), default=1, validators=[InputRequired()])
    title = StringField(_l("Title"), [DataRequired(REQUIRED), Length(max=200)])
    slug = StringField(
        _l("Slug"),
        [DataRequired(REQUIRED), Length(max=100),
         Regexp(SLUG, message=_l("Use lowercase letters and digits joined by single hyphens, "
                                 "e.g. proces-decyzyjny."))],
    )  # fmt: skip
    dimension = SelectField(_l("Dimension"), default="")  # the course's: see set_taxonomy
    summary = TextAreaField(_l("Summary"), [DataRequired(REQUIRED)], render_kw={"rows": 2})
    estimated_minutes = IntegerField(
        _l("Estimated minutes"),
        [InputRequired(REQUIRED),
         NumberRange(1, 240, message=_l("Enter a number from 1 to 240."))],
        default=5,
    )  # fmt: skip
    objectives = TextAreaField(_l("Learning objectives, one per line"), render_kw={"rows": 3})
    takeaways = TextAreaField(_l("Key takeaways, one per line"), render_kw={"rows": 3})
    body = TextAreaField(_l("Body (Markdown)"), [DataRequired(REQUIRED)], render_kw={"rows": 18})
    status = SelectField(
        _l("Status"),
        choices=[SelectChoice(LessonStatus.DRAFT, _l("Draft: only trainers see it")),
                 SelectChoice(LessonStatus.PUBLISHED, _l("Published: learners see it"))],
    )  # fmt: skip
    preview = SubmitField(_l("Preview"))
    submit = SubmitField(_l("Save"))

    def set_taxonomy(self, taxonomy: Taxonomy) -> None:
        """Offer the dimensions of the lesson's course."""
        self.dimension.choices = _dimension_choices(taxonomy, _l("None (introduction or summary)"))

    def allow_retired(self) -> None:
        """Offer `retired` too, so that editing a retired lesson keeps it retired."""
        self.status.choices = [
            *self.status.choices,
            SelectChoice(LessonStatus.RETIRED, _l("Retired: hidden from learners")),
        ]

    def fill(self, data: dict[str, Any], version: int) -> None:
        """Put a lesson snapshot (`versions.snapshot`) into the fields."""
        for name in ("title", "slug", "summary", "body", "estimated_minutes", "status"):
            getattr(self, name).data = data.get(name)
        self.dimension.data = data.get("dimension") or ""
        self.objectives.data = "\n".join(data.get("objectives") or [])
        self.takeaways.data = "\n".join(data.get("takeaways") or [])
        self.set_version(version)

    def set_version(self, version: int) -> None:
        """Carry `version` in the hidden field, over whatever was posted."""
        self.version.raw_data = []
        self.version.data = version

    def values(self) -> dict[str, Any]:
        """The plain values the authoring service takes."""
        return {
            "title": self.title.data, "slug": self.slug.data, "dimension": self.dimension.data,
            "summary": self.summary.data, "estimated_minutes": self.estimated_minutes.data,
            "objectives": _lines(self.objectives.data), "takeaways": _lines(self.takeaways.data),
            "body": self.body.data, "status": self.status.data,
        }  # fmt: skip


class PreviewForm(FlaskForm):
    """Markdown sent by the editor's script for a live preview."""

    body = TextAreaField()


class OptionRowForm(Form):
    """One option row; a row left blank is not an option."""

    text = TextAreaField(_l("Text"), render_kw={"rows": 2})
    feedback = TextAreaField(_l("Feedback for who chooses it"), render_kw={"rows": 2})


class QuestionForm(FlaskForm):
    """A question of any type; the template shows the fields its type uses."""

    version = IntegerField(widget=HiddenInput(), default=1, validators=[InputRequired()])
    key = StringField(_l("Question id"))
    # Choices are not enforced here: the bank's own rules judge every value (see the service).
    dimension = SelectField(_l("Dimension"), validate_choice=False)  # see set_taxonomy
    difficulty = SelectField(
        _l("Difficulty"),
        choices=[SelectChoice("1", _l("1: easy")), SelectChoice("2", _l("2: medium")),
                 SelectChoice("3", _l("3: hard"))],
        default="2", validate_choice=False,
    )  # fmt: skip
    signals = SelectField(
        _l("Signals"),
        choices=[SelectChoice("clear", _l("Clear: the situation's cues point the right way")),
                 SelectChoice("mixed", _l("Mixed: a surface cue misleads or is buried"))],
        default="clear", validate_choice=False,
    )  # fmt: skip
    market = RadioField(_l("Market (the right answer to step 1)"), validate_choice=False)
    situation = TextAreaField(_l("Situation"), render_kw={"rows": 4})
    prompt = TextAreaField(_l("Question"), render_kw={"rows": 2})
    options = FieldList(FormField(OptionRowForm), min_entries=OPTION_ROWS, max_entries=OPTION_ROWS)
    # Radios, but every posted value is kept: two "correct" rows must reach the rule that
    # refuses them rather than silently becoming one.
    correct = SelectMultipleField(
        _l("The right option"),
        choices=[SelectChoice(str(n), _l("Option %(n)d is the right one", n=n))
                 for n in range(1, OPTION_ROWS + 1)],
        widget=ListWidget(prefix_label=False), option_widget=RadioInput(), validate_choice=False,
    )  # fmt: skip
    answer = RadioField(
        _l("The statement is"),
        choices=[SelectChoice("true", _l("True")), SelectChoice("false", _l("False"))],
        validate_choice=False,
    )
    feedback_true = TextAreaField(_l("Feedback for who answers true"), render_kw={"rows": 2})
    feedback_false = TextAreaField(_l("Feedback for who answers false"), render_kw={"rows": 2})
    turns = TextAreaField(_l("Turns (YAML)"), render_kw={"rows": 20, "spellcheck": "false"})
    explanation = TextAreaField(_l("Explanation"), render_kw={"rows": 3})
    lesson = SelectField(_l("Lesson section that teaches it"), validate_choice=False)
    submit = SubmitField(_l("Save"))

    def set_taxonomy(self, taxonomy: Taxonomy) -> None:
        """Offer the dimensions and markets of the question's course."""
        self.dimension.choices = _dimension_choices(taxonomy, _l("None"))
        self.market.choices = [
            SelectChoice(term.key, term_label(term)) for term in taxonomy.categories
        ]

    def set_sections(self, sections: list[tuple[str, str]]) -> None:
        """Offer the course's lessons and their sections as `slug#anchor` values."""
        self.lesson.choices = [SelectChoice("", _l("Choose a lesson or section"))] + [
            SelectChoice(value, f"{title} ({value})") for value, title in sections
        ]

    def fill(self, values: dict[str, Any], version: int) -> None:
        """Put the service's plain values (`authoring.question_values`) into the fields."""
        for name in ("key", "dimension", "market", "situation", "prompt", "explanation",
                     "lesson", "feedback_true", "feedback_false", "turns"):  # fmt: skip
            getattr(self, name).data = values.get(name) or ""
        self.difficulty.data = str(values.get("difficulty") or 2)
        self.signals.data = values.get("signals") or "clear"
        if values.get("answer") is not None:
            self.answer.data = "true" if values["answer"] else "false"
        options = values.get("options") or []
        for row, option in zip(self.options, options, strict=False):
            row.form.text.data = option["text"]
            row.form.feedback.data = option["feedback"]
        self.correct.data = [str(n) for n, o in enumerate(options, 1) if o["correct"]]
        self.version.raw_data = []
        self.version.data = version

    def values(self, kind: str) -> dict[str, Any]:
        """The plain values the authoring service takes."""
        chosen = set(self.correct.data or [])
        answer = {"true": True, "false": False}.get(self.answer.data or "")
        return {
            "type": kind, "key": self.key.data, "dimension": self.dimension.data,
            "difficulty": self.difficulty.data, "signals": self.signals.data,
            "market": self.market.data,
            "situation": self.situation.data, "prompt": self.prompt.data,
            "explanation": self.explanation.data, "lesson": self.lesson.data,
            "answer": answer, "feedback_true": self.feedback_true.data,
            "feedback_false": self.feedback_false.data, "turns": self.turns.data,
            "options": [
                {"text": row.form.text.data, "feedback": row.form.feedback.data,
                 "correct": str(n) in chosen}
                for n, row in enumerate(self.options, 1)
            ],
        }  # fmt: skip

    def show_problems(self, problems: list[Problem]) -> list[str]:
        """Attach each problem to its field; returns the messages that belong to no field."""
        fields = {
            "id": self.key, "dimension": self.dimension, "difficulty": self.difficulty,
            "signals": self.signals,
            "market": self.market, "situation": self.situation, "prompt": self.prompt,
            "options": self.correct, "answer": self.answer, "feedback_true": self.feedback_true,
            "feedback_false": self.feedback_false, "explanation": self.explanation,
            "lesson": self.lesson, "turns": self.turns,
        }  # fmt: skip
        general = []
        for problem in problems:
            if problem.path == "turns":  # inside the turns' YAML: say where in it
                where = _("Line %(line)d", line=problem.line)
                message = f"{where}: {problem.field}: {problem_message(problem)}"
                self.turns.errors = [*self.turns.errors, message]
                continue
            if problem.line and problem.field in ("text", "feedback"):
                field = getattr(self.options[problem.line - 1].form, problem.field)
            else:
                field = fields.get(problem.field)
            message = problem_message(problem)
            if field is None:
                general.append(message)
            else:
                field.errors = [*field.errors, message]
        return general


# The content loader words its problems in English for files and logs; the editor shows
# them in the user's language. Unknown wordings are shown as they are.
PROBLEM_MESSAGES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"required: true or false"), lambda m: _("Choose true or false.")),
    (re.compile(r"required|must not be empty"), lambda m: _("This field is required.")),
    (re.compile(r"is not a valid question id"),
     lambda m: _("Use letters, digits, hyphens and underscores only.")),
    (re.compile(r"unknown value (.*); expected one of"),
     lambda m: _("%(value)s is not one of the allowed values.", value=m.group(1))),
    (re.compile(r"needs (\d+) to (\d+) options, has (\d+)"),
     lambda m: _("Give %(low)s to %(high)s options (now: %(count)s).",
                 low=m.group(1), high=m.group(2), count=m.group(3))),
    (re.compile(r"needs exactly one correct option, has (\d+)"),
     lambda m: _("Mark exactly one option as the right one; %(count)s are marked.",
                 count=m.group(1))),
    (re.compile(r"must be between (\d+) and (\d+)"),
     lambda m: _("Enter a number from %(low)s to %(high)s.", low=m.group(1), high=m.group(2))),
    (re.compile(r"must be a whole number"), lambda m: _("Enter a whole number.")),
    (re.compile(r"no lesson with slug (.*) in this course"),
     lambda m: _("This course has no lesson %(slug)s.", slug=m.group(1))),
    (re.compile(r"lesson (.*) has no section #(.*)"),
     lambda m: _("Lesson %(slug)s has no section #%(anchor)s.",
                 slug=m.group(1), anchor=m.group(2))),
    (re.compile(r"duplicate question id"),
     lambda m: _("Another question of this course already has this id.")),
    (re.compile(r"question (.*) links to section #(.*)"),
     lambda m: _("Question %(key)s links to section #%(anchor)s: keep a heading with that id.",
                 key=m.group(1), anchor=m.group(2))),
    (re.compile(r"is longer than 100 characters"),
     lambda m: _("Use at most 100 characters.")),
    (re.compile(r"duplicate slug"),
     lambda m: _("Another lesson of this course already has this slug.")),
]  # fmt: skip


def problem_message(problem: Problem) -> str:
    """What the editor says about `problem`, in the user's language."""
    for pattern, message in PROBLEM_MESSAGES:
        match = pattern.search(problem.message)
        if match:
            return message(match)
    return problem.message
