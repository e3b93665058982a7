"""Rows of learner records turned into xAPI 1.0.3 statements (see xapi.py for the stream).

An answered item is the interaction its question's type describes (`QuestionType.xapi`): a
scenario is ONE `choice` interaction whose response holds both steps, delimited as xAPI
delimits a multiple choice: `B2B[,]option-2` (the market, then the approach, an option
named by its position); other choice questions answer with one choice, `option-2`.

Statement ids are UUIDv5 of a record key (`attempt:7:passed`) in a namespace derived from
XAPI_BASE_IRI: exporting again gives the same ids, and an LRS drops what it already has.
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


class StatementBuilder:
    """Turns rows into statements under one base IRI; one method per kind of statement."""

    def __init__(self, base_iri: str) -> None:
        self.base = base_iri.rstrip("/")
        self.namespace = uuid.uuid5(uuid.NAMESPACE_URL, self.base)
        self.questions: dict[int, _QuestionFacts] = {}

    def load_questions(self, course_slug: str | None) -> None:
        """Read the questions and options of the courses in scope: two queries in all."""
        query = db.select(
            Question.id, Question.key, Question.type, Question.market, Question.situation,
            Question.prompt, Question.details, Course.slug, Course.language,
            Course.taxonomy_data,
        ).join(Course, Question.course_id == Course.id)  # fmt: skip
        if course_slug:
            query = query.where(Course.slug == course_slug)
        options: dict[int, list[_OptionFacts]] = {}
        rows = db.session.execute(
            db.select(QuestionOption.question_id, QuestionOption.id, QuestionOption.text,
                      QuestionOption.is_correct)
            .where(QuestionOption.question_id.in_(query.with_only_columns(Question.id)))
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

    def lesson(self, row: Any) -> dict[str, Any]:
        """`completed` for a completed lesson."""
        lesson_iri = f"{self._course_iri(row.course_slug)}/lessons/{quote(row.lesson_slug)}"
        return self._statement(
            f"lesson_progress:{row.id}:completed", row, "completed", row.completed_at,
            _activity(lesson_iri, "lesson", row.lesson_title, row.language),
            result={"completion": True}, context=self._context(row),
        )  # fmt: skip

    def answer(self, row: Any) -> dict[str, Any]:
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
        quiz = _reference(f"{course_iri}/quizzes/{quote(row.quiz_slug)}")
        context = {
            "registration": self._registration(row.attempt_id),
            "contextActivities": {"parent": [quiz], "grouping": [_reference(course_iri)]},
            "language": tag,
        }
        return self._statement(
            f"attempt_item:{row.id}:answered", row, "answered", row.answered_at, activity,
            result=result, context=context,
        )  # fmt: skip

    def attempt(self, row: Any) -> dict[str, Any]:
        """`passed` or `failed` for a graded attempt, with its score and duration."""
        verb = "passed" if row.passed else "failed"
        quiz_iri = f"{self._course_iri(row.course_slug)}/quizzes/{quote(row.quiz_slug)}"
        result = {
            "score": _score(_scaled(row.percent), row.score or 0, row.max_score or 0),
            "success": bool(row.passed),
            "completion": True,
            "duration": iso_duration(row.submitted_at - row.started_at),
        }
        context = {"registration": self._registration(row.id), **self._context(row)}
        return self._statement(
            f"attempt:{row.id}:{verb}", row, verb, row.submitted_at,
            _activity(quiz_iri, "assessment", row.quiz_title, row.language),
            result=result, context=context,
        )  # fmt: skip

    def course(self, row: Any) -> dict[str, Any]:
        """`completed` for a course completion, with its score and certificate code."""
        result = {
            "score": _score(_scaled(row.score), row.score, 100),
            "success": True,
            "completion": True,
        }
        context = {
            "language": language_tag(row.language),
            "extensions": {f"{self.base}/extensions/certificate-code": row.certificate_code},
        }
        course = _activity(
            self._course_iri(row.course_slug), "course", row.course_title, row.language
        )
        return self._statement(
            f"course_completion:{row.id}:completed", row, "completed", row.completed_at,
            course, result=result, context=context,
        )  # fmt: skip

    def _statement(
        self, key: str, row: Any, verb: str, moment: datetime, activity: dict[str, Any],
        **parts: dict[str, Any],
    ) -> dict[str, Any]:  # fmt: skip
        actor = {"objectType": "Agent", "name": row.display_name, "mbox": f"mailto:{row.email}"}
        return {
            "id": str(uuid.uuid5(self.namespace, key)),
            "actor": actor,
            "verb": {"id": VERB_IRI + verb, "display": {"en-US": verb}},
            "object": activity,
            **parts,
            "timestamp": iso_timestamp(moment),
        }

    def _registration(self, attempt_id: int) -> str:
        """One registration per attempt ties its answers to its grade."""
        return str(uuid.uuid5(self.namespace, f"attempt:{attempt_id}"))

    def _course_iri(self, slug: str) -> str:
        return f"{self.base}/courses/{quote(slug)}"

    def _context(self, row: Any) -> dict[str, Any]:
        """The course as parent activity, and the content's language."""
        parent = _reference(self._course_iri(row.course_slug))
        return {"contextActivities": {"parent": [parent]}, "language": language_tag(row.language)}


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
