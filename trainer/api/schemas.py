"""The API's parameters and answers as marshmallow schemas. The parameters' schemas check
every request, and all of them generate the OpenAPI document, so the two cannot drift."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

from marshmallow import INCLUDE, Schema, ValidationError, fields
from marshmallow.validate import Length, OneOf, Range, Regexp

from trainer.models.progress import ATTEMPT_STATUSES
from trainer.reporting.report import STATUSES

MAX_LIMIT = 500
DEFAULT_LIMIT = 100
# What a text parameter may hold: something, and no control character (PostgreSQL refuses NUL).
PRINTABLE = r"^[^\u0000-\u001f\u007f-\u009f]+$"
VERBS = ("attempted", "completed", "answered", "passed", "failed")


def text(description: str, **options: Any) -> fields.String:
    """A text parameter: not empty, no control characters."""
    return fields.String(
        validate=[Length(min=1), Regexp(PRINTABLE)], metadata={"description": description},
        **options,
    )  # fmt: skip


class WholeNumber(fields.Integer):
    """An integer written in ASCII digits only: Python's int() would also take " 12", "1_0"
    and other scripts' digits, which the document's `integer` does not describe."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, str) and not (value.isascii() and value.isdigit()):
            raise self.make_error("invalid")
        result: int = super()._deserialize(value, attr, data, **kwargs)
        return result


class Moment(fields.DateTime):
    """An ISO 8601 date and time, as UTC; without a zone it is UTC."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        parsed: datetime = super()._deserialize(value, attr, data, **kwargs)
        try:  # a zone can push year 1 or 9999 over the edge
            return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        except OverflowError:
            raise ValidationError("out of range") from None  # refusal() says it in words


# -- Parameters --------------------------------------------------------------------------


class NoParameters(Schema):
    """A route that takes no query parameters refuses every one."""


class PageParameters(Schema):
    """A page of a list: its size, and where the previous page ended."""

    limit = WholeNumber(
        load_default=DEFAULT_LIMIT, validate=Range(1, MAX_LIMIT),
        metadata={"description": "Rows per page."},
    )  # fmt: skip
    cursor = text("The `next_cursor` of the previous page.")


class PopulationParameters(Schema):
    """Which learners and courses: the report's filters."""

    course = text("A course slug.")
    department = text("Learners of this department only.")
    status = fields.String(
        validate=OneOf(STATUSES), metadata={"description": "Rows with this status only."}
    )


class CompletionParameters(PopulationParameters, PageParameters):
    """The completion report's filters and page."""

    since = fields.Date(metadata={"description": "Completed on or after this day (UTC)."})
    # The last day there is has no next day, which the report's end-of-day bound needs.
    until = fields.Date(
        validate=Range(max=date.max - timedelta(days=1)),
        metadata={"description": "Completed on or before this day (UTC)."},
    )
    search = text("Part of a learner's name, e-mail or employee id.")


class StatementParameters(PopulationParameters, PageParameters):
    """The statements' population, the stored moments they fall between, and the page."""

    since = Moment(
        metadata={
            "description": "Only statements stored after this moment "
            "(exclusive; ISO 8601; UTC when no zone is given)."
        }
    )
    until = Moment(
        metadata={
            "description": "Only statements stored at or before this moment "
            "(ISO 8601; UTC when no zone is given)."
        }
    )


# -- Answers -----------------------------------------------------------------------------


def instant(**options: Any) -> fields.DateTime:
    """A moment as ISO 8601 UTC with a Z."""
    return fields.DateTime(required=True, **options)


class Index(Schema):
    """What the API is."""

    name = fields.String(required=True)
    version = fields.String(required=True)
    openapi = fields.String(required=True)


class Completion(Schema):
    """One learner in one course."""

    user_id = fields.Integer(required=True)
    employee_id = fields.String(required=True, allow_none=True)
    name = fields.String(required=True)
    email = fields.String(required=True)
    department = fields.String(required=True, allow_none=True)
    course_slug = fields.String(required=True)
    course_title = fields.String(required=True)
    status = fields.String(required=True, validate=OneOf(STATUSES))
    lessons_done = fields.Integer(required=True, validate=Range(min=0))
    lessons_total = fields.Integer(required=True, validate=Range(min=0))
    best_score = fields.Float(
        required=True, allow_none=True, validate=Range(0, 100),
        metadata={"description": "Best final exam score in percent."},
    )  # fmt: skip
    passed = fields.Boolean(required=True)
    attempts = fields.Integer(
        required=True, validate=Range(min=0), metadata={"description": "Graded attempts."}
    )
    first_started = instant(allow_none=True)
    completed_at = instant(allow_none=True)
    certificate_code = fields.String(required=True, allow_none=True)
    due_at = instant(allow_none=True)


class CompletionPage(Schema):
    """A page of the completion report."""

    data = fields.List(fields.Nested(Completion), required=True)
    next_cursor = fields.String(
        required=True, allow_none=True,
        metadata={"description": "Pass as `cursor` for the next page; null on the last page."},
    )  # fmt: skip


class TranscriptLearner(Schema):
    """Who the transcript is of."""

    employee_id = fields.String(required=True, allow_none=True)
    name = fields.String(required=True)
    email = fields.String(required=True)
    department = fields.String(required=True, allow_none=True)


class TranscriptLesson(Schema):
    """One lesson the learner opened."""

    course_title = fields.String(required=True)
    lesson_title = fields.String(required=True)
    status = fields.String(
        required=True, metadata={"description": "The lesson's status: published, draft or retired."}
    )
    first_opened_at = instant(allow_none=True)
    completed_at = instant(allow_none=True)


class TranscriptAttempt(Schema):
    """One attempt at a quiz."""

    course_title = fields.String(required=True)
    quiz_title = fields.String(required=True)
    is_final = fields.Boolean(required=True)
    status = fields.String(required=True, validate=OneOf(ATTEMPT_STATUSES))
    started_at = instant()
    submitted_at = instant(allow_none=True)
    percent = fields.Float(required=True, allow_none=True, validate=Range(0, 100))
    passed = fields.Boolean(required=True, allow_none=True)


class TranscriptCompletion(Schema):
    """One course the learner completed."""

    course_title = fields.String(required=True)
    completed_at = instant()
    score = fields.Float(required=True)
    certificate_code = fields.String(required=True)


class Transcript(Schema):
    """Every lesson, attempt and course completion of one learner."""

    learner = fields.Nested(TranscriptLearner, required=True)
    lessons = fields.List(fields.Nested(TranscriptLesson), required=True)
    attempts = fields.List(fields.Nested(TranscriptAttempt), required=True)
    completions = fields.List(fields.Nested(TranscriptCompletion), required=True)


class Account(Schema):
    """A learner's account: the instance's base URL and an opaque id that never changes."""

    homePage = fields.String(required=True, metadata={"format": "uri"})
    name = fields.String(required=True)


class Actor(Schema):
    """The learner, as an xAPI Agent identified by account."""

    objectType = fields.String(required=True, validate=OneOf(["Agent"]))
    account = fields.Nested(Account, required=True)


class Verb(Schema):
    """What the learner did."""

    id = fields.String(
        required=True, validate=OneOf([f"http://adlnet.gov/expapi/verbs/{verb}" for verb in VERBS])
    )
    display = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


class Activity(Schema):
    """What it was done to."""

    class Meta:
        unknown = INCLUDE

    objectType = fields.String(required=True, validate=OneOf(["Activity"]))
    id = fields.String(required=True)
    definition = fields.Dict()


class Statement(Schema):
    """An xAPI 1.0.3 statement (https://github.com/adlnet/xAPI-Spec)."""

    id = fields.UUID(required=True)
    actor = fields.Nested(Actor, required=True)
    verb = fields.Nested(Verb, required=True)
    object = fields.Nested(Activity, required=True)
    result = fields.Dict()
    context = fields.Dict()
    timestamp = instant()
    stored = instant(metadata={"description": "When Trainer recorded the statement."})


class StatementResult(Schema):
    """xAPI 1.0.3 StatementResult."""

    statements = fields.List(fields.Nested(Statement), required=True)
    more = fields.String(
        required=True,
        metadata={"description": "Relative URL of the next page; empty on the last page."},
    )


class Problem(Schema):
    """An error as RFC 9457 problem details, its detail in the request's language
    (Content-Language)."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    parameter = fields.String(metadata={"description": "The query parameter at fault."})
    reference = fields.String(
        metadata={"description": "On a server error: the request id to quote."}
    )
