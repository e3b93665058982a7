"""Rows of learner records turned into xAPI 1.0.3 statements (record.py picks the rows).

The actor is an `account`: the instance's BASE_URL as `homePage` and the learner's opaque
`learner_id` as `name`, so no statement carries a name or an e-mail address and renaming a
learner changes none. Statement ids are UUIDv5 of the learner id and the event (`started`
of attempt 7) in a namespace derived from XAPI_BASE_IRI: recording or exporting again gives
the same ids. Every statement names the platform, the course's language, the learner's
department and, when HR assigned the course, the assignment with its due date (as context
extensions under XAPI_BASE_IRI); every statement about an attempt carries the attempt as
its `registration`.

An answered item is the interaction its question's type describes (`QuestionType.xapi`): a
scenario is ONE `choice` interaction whose response holds both steps, delimited as xAPI
delimits a multiple choice: `B2B[,]option-2` (the category, then the approach). An option is
named by its place in the content file's `options` list, which a content sync keeps
attached to the option; never by a database id.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from trainer.extensions import db
from trainer.models import Course, Question, QuestionOption
from trainer.models.types import iso_timestamp
from trainer.quiz.types import question_type
from trainer.taxonomy import Taxonomy

VERB_IRI = "http://adlnet.gov/expapi/verbs/"
ACTIVITY_IRI = "http://adlnet.gov/expapi/activities/"
LANGUAGE_TAGS = {"pl": "pl-PL", "en": "en-US"}
PLATFORM = "Trainer"


@dataclass(frozen=True)
class _OptionFacts:
    id: int
    text: str
    is_correct: bool


@dataclass(frozen=True)
class _QuestionFacts:
    """What a statement about an answer tells of its question (and its type reads)."""

    key: str
    type: str
    market: str | None
    text: str
    course_slug: str
    language: str
    options: tuple[_OptionFacts, ...]
    details: dict[str, Any]
    taxonomy: Taxonomy


@dataclass(frozen=True)
class Statement:
    """A statement with what the log files it under: its source event, learner and course."""

    source: str
    source_id: int
    user_id: int
    course_id: int
    verb: str
    body: dict[str, Any]


class StatementBuilder:
    """Turns rows into statements under one base IRI; one method per kind of event."""

    def __init__(self, base_iri: str, home_page: str) -> None:
        self.base = base_iri.rstrip("/")
        self.home_page = home_page.rstrip("/")
        self.namespace = uuid.uuid5(uuid.NAMESPACE_URL, self.base)
        self.questions: dict[int, _QuestionFacts] = {}

    def load_questions(self, question_ids: set[int]) -> None:
        """Read the questions (and options) not read yet among `question_ids`: two queries."""
        wanted = question_ids - set(self.questions)
        if not wanted:
            return
        query = (
            db.select(Question.id, Question.key, Question.type, Question.market,
                      Question.situation, Question.prompt, Question.details, Course.slug,
                      Course.language, Course.taxonomy_data)
            .join(Course, Question.course_id == Course.id)
            .where(Question.id.in_(wanted))
        )  # fmt: skip
        options: dict[int, list[_OptionFacts]] = {}
        rows = db.session.execute(
            db.select(QuestionOption.question_id, QuestionOption.id, QuestionOption.text,
                      QuestionOption.is_correct)
            .where(QuestionOption.question_id.in_(wanted))
            .order_by(QuestionOption.question_id, QuestionOption.position)
        )  # fmt: skip
        for question_id, option_id, text, correct in rows:
            options.setdefault(question_id, []).append(_OptionFacts(option_id, text, correct))
        for row in db.session.execute(query):
            self.questions[row.id] = _QuestionFacts(
                row.key, row.type, row.market, (row.situation or row.prompt).strip() or row.key,
                row.slug, row.language, tuple(options.get(row.id, ())), row.details or {},
                Taxonomy.from_json(row.taxonomy_data),
            )  # fmt: skip

    def lesson_completed(self, row: Any) -> Statement:
        """`completed` for a completed lesson, with the time from first opening it."""
        lesson_iri = f"{self._course_iri(row.course_slug)}/lessons/{quote(row.lesson_slug)}"
        result: dict[str, Any] = {"completion": True}
        if row.first_opened_at is not None and row.first_opened_at <= row.completed_at:
            result["duration"] = iso_duration(row.completed_at - row.first_opened_at)
        return self._statement(
            "lesson_completed", row, "completed", row.completed_at,
            _activity(lesson_iri, "lesson", row.lesson_title, row.language),
            result=result, context=self._context(row),
        )  # fmt: skip

    def attempt_started(self, row: Any) -> Statement:
        """`attempted` when an attempt starts: a start with no grade after it is a drop-off."""
        return self._statement(
            "attempt_started", row, "attempted", row.started_at, self._quiz(row),
            context=self._context(row, registration=row.id),
        )  # fmt: skip

    def answered(self, row: Any) -> Statement:
        """`answered` for one item of a graded attempt, as its type's interaction."""
        question = self.questions[row.question_id]
        kind = question_type(question.type)
        tag = language_tag(question.language)
        interaction, response = kind.xapi(question, row.answer or {}, question.taxonomy)
        course_iri = self._course_iri(question.course_slug)
        activity = _activity(
            f"{course_iri}/questions/{quote(question.key)}", "cmi.interaction",
            _shorten(question.text), question.language,
        )  # fmt: skip
        definition = {key: value for key, value in interaction.items() if key != "choices"}
        if "choices" in interaction:
            definition["choices"] = [
                {"id": key, "description": {tag: text}} for key, text in interaction["choices"]
            ]
        activity["definition"].update(description={tag: question.text}, **definition)
        points = row.points or 0
        most = row.max_points or kind.max_points(question)
        result = {
            "success": points >= most,
            "response": response,
            "score": _score(points / most if most else 0.0, points, most),
        }
        context = self._context(row, registration=row.attempt_id)
        context["contextActivities"] = {
            "parent": [_reference(f"{course_iri}/quizzes/{quote(row.quiz_slug)}")],
            "grouping": [_reference(course_iri)],
        }
        return self._statement(
            "answered", row, "answered", row.answered_at, activity, result=result,
            context=context,
        )  # fmt: skip

    def attempt_graded(self, row: Any) -> Statement:
        """`passed` or `failed` for a graded attempt, with its score and duration."""
        result = {
            "score": _score(_scaled(row.percent), row.score or 0, row.max_score or 0),
            "success": bool(row.passed),
            "completion": True,
            "duration": iso_duration(row.submitted_at - row.started_at),
        }
        return self._statement(
            "attempt_graded", row, "passed" if row.passed else "failed", row.submitted_at,
            self._quiz(row), result=result, context=self._context(row, registration=row.id),
        )  # fmt: skip

    def course_completed(self, row: Any) -> Statement:
        """`completed` for a course completion, with its score and certificate code."""
        result = {
            "score": _score(_scaled(row.score), row.score, 100),
            "success": True,
            "completion": True,
        }
        context = self._context(row)
        del context["contextActivities"]  # the course is the object itself
        extensions = context.setdefault("extensions", {})
        extensions[f"{self.base}/extensions/certificate-code"] = row.certificate_code
        course = _activity(
            self._course_iri(row.course_slug), "course", row.course_title, row.language
        )
        return self._statement(
            "course_completed", row, "completed", row.completed_at, course, result=result,
            context=context,
        )  # fmt: skip

    def _statement(
        self, source: str, row: Any, verb: str, moment: datetime, activity: dict[str, Any],
        **parts: dict[str, Any],
    ) -> Statement:  # fmt: skip
        actor = {
            "objectType": "Agent",
            "account": {"homePage": self.home_page, "name": row.learner_id},
        }
        body = {
            "id": self._uuid(row.learner_id, f"{source}:{row.id}"),
            "actor": actor,
            "verb": {"id": VERB_IRI + verb, "display": {"en-US": verb}},
            "object": activity,
            **parts,
            "timestamp": iso_timestamp(moment),
        }
        return Statement(source, row.id, row.user_id, row.course_id, verb, body)

    def _uuid(self, learner_id: str, event: str) -> str:
        return str(uuid.uuid5(self.namespace, f"{learner_id}:{event}"))

    def _course_iri(self, slug: str) -> str:
        return f"{self.base}/courses/{quote(slug)}"

    def _quiz(self, row: Any) -> dict[str, Any]:
        quiz_iri = f"{self._course_iri(row.course_slug)}/quizzes/{quote(row.quiz_slug)}"
        return _activity(quiz_iri, "assessment", row.quiz_title, row.language)

    def _context(self, row: Any, registration: int | None = None) -> dict[str, Any]:
        """The attempt as registration, the course as parent, the platform, the content's
        language, and the learner's department and assignment as extensions."""
        context: dict[str, Any] = {}
        if registration is not None:
            # One registration per attempt ties its start, answers and grade together.
            context["registration"] = self._uuid(row.learner_id, f"attempt:{registration}")
        context["contextActivities"] = {"parent": [_reference(self._course_iri(row.course_slug))]}
        context["platform"] = PLATFORM
        context["language"] = language_tag(row.language)
        extensions: dict[str, Any] = {}
        if row.department:
            extensions[f"{self.base}/extensions/department"] = row.department
        if row.assigned_at is not None:
            extensions[f"{self.base}/extensions/assignment"] = {
                "assigned": iso_timestamp(row.assigned_at),
                "due": iso_timestamp(row.due_at),
            }
        if extensions:
            context["extensions"] = extensions
        return context


def _activity(iri: str, kind: str, name: str, language: str) -> dict[str, Any]:
    definition = {"type": ACTIVITY_IRI + kind, "name": {language_tag(language): name}}
    return {"objectType": "Activity", "id": iri, "definition": definition}


def _reference(iri: str) -> dict[str, Any]:
    return {"objectType": "Activity", "id": iri}


def iso_duration(span: timedelta) -> str:
    """An ISO 8601 duration in whole seconds, such as `PT4M30S` (never negative)."""
    seconds = max(int(span.total_seconds()), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    text = "".join(f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M"), (seconds, "S")) if n)
    return "PT" + (text or "0S")


def language_tag(language: str) -> str:
    """The RFC 5646 tag of a course language: `pl` is written `pl-PL`."""
    return LANGUAGE_TAGS.get(language, language)


def _score(scaled: float, raw: float, maximum: float) -> dict[str, float]:
    """A score; raw, min and max only when there was something to score (xAPI: max > min)."""
    if maximum <= 0:
        return {"scaled": scaled}
    return {"scaled": scaled, "raw": raw, "min": 0, "max": maximum}


def _scaled(percent: float | None) -> float:
    return min(max((percent or 0) / 100, 0.0), 1.0)


def _shorten(text: str, limit: int = 100) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
