"""Personal data (GDPR): everything about one person as JSON, and erasing a person."""

import json
import re
import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Text, cast, delete, or_, text
from sqlalchemy.orm import selectinload

from trainer.extensions import db
from trainer.models import (
    Assignment,
    Attempt,
    AttemptItem,
    AuditEvent,
    Course,
    CourseCompletion,
    Lesson,
    LessonProgress,
    PracticeItem,
    Question,
    Quiz,
    User,
    XapiStatement,
    summary,
)
from trainer.models.types import iso_timestamp, utcnow
from trainer.models.user import new_learner_id
from trainer.people import audit

# The erased person's stand-in, in the content language: it shows on reports and certificates.
ERASED_NAME = "Usunięty użytkownik {id}"
ERASED_EMAIL = re.compile(r"erased-[0-9a-f]+@invalid")


class ErasureRefused(Exception):
    """The account cannot be erased: `reason` is `self` or `already_erased`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _when(value: datetime | None) -> str | None:
    return iso_timestamp(value) if value else None


def personal_data(user: User) -> dict[str, Any]:
    """All we hold about `user`: profile, roles, progress, attempts and answers, and more."""
    return {
        "exported_at": _when(utcnow()),
        "profile": {
            "id": user.id,
            "email": user.email,
            "name": user.display_name,
            "employee_id": user.employee_id,
            "department": user.department,
            "manager": user.manager,
            "language": user.language,
            "active": user.active,
            "created_at": _when(user.created_at),
            # The pseudonym Trainer's xAPI statements name the person by.
            "learner_id": user.learner_id,
        },
        "roles": sorted(user.role_names),
        "lesson_progress": _lesson_progress(user.id),
        "attempts": _attempts(user.id),
        "completions": [
            {"course": course.slug, "course_title": course.title,
             "completed_at": _when(done.completed_at), "score": done.score,
             "certificate_code": done.certificate_code}
            for done, course in db.session.execute(
                db.select(CourseCompletion, Course).join(Course)
                .where(CourseCompletion.user_id == user.id).order_by(CourseCompletion.completed_at)
            )
        ],
        "assignments": [
            {"course": course.slug, "due_at": _when(assignment.due_at),
             "department": assignment.department, "assigned_at": _when(assignment.created_at)}
            for assignment, course in db.session.execute(
                db.select(Assignment, Course).join(Course, Assignment.course_id == Course.id)
                .where(Assignment.user_id == user.id).order_by(Assignment.due_at)
            )
        ],
        "practice_queue": [
            {"question": question.key, "box": item.box, "due_at": _when(item.due_at),
             "reviews": item.reviews}
            for item, question in db.session.execute(
                db.select(PracticeItem, Question).join(Question)
                .where(PracticeItem.user_id == user.id).order_by(PracticeItem.due_at)
            )
        ],
    }  # fmt: skip


def _lesson_progress(user_id: int) -> list[dict[str, Any]]:
    rows = db.session.execute(
        db.select(LessonProgress, Lesson, Course)
        .join(Lesson, LessonProgress.lesson_id == Lesson.id)
        .join(Course, Lesson.course_id == Course.id)
        .where(LessonProgress.user_id == user_id)
        .order_by(Course.slug, Lesson.position)
    )
    return [
        {"course": course.slug, "lesson": lesson.slug, "title": lesson.title,
         "first_opened_at": _when(progress.first_opened_at),
         "completed_at": _when(progress.completed_at)}
        for progress, lesson, course in rows
    ]  # fmt: skip


def _attempts(user_id: int) -> list[dict[str, Any]]:
    attempts = db.session.execute(
        db.select(Attempt)
        .where(Attempt.user_id == user_id)
        .options(
            selectinload(Attempt.quiz).selectinload(Quiz.course),
            selectinload(Attempt.items).selectinload(AttemptItem.question),
        )
        .order_by(Attempt.started_at, Attempt.id)
    ).scalars()
    return [
        {"course": attempt.quiz.course.slug, "quiz": attempt.quiz.slug,
         "quiz_title": attempt.quiz.title, "status": attempt.status,
         "started_at": _when(attempt.started_at), "submitted_at": _when(attempt.submitted_at),
         "score": attempt.score, "max_score": attempt.max_score, "percent": attempt.percent,
         "passed": attempt.passed,
         "answers": [
             {"position": item.position, "question": item.question.key,
              "answer": _answer_texts(item), "result": item.result or {},
              "points": item.points, "max_points": item.max_points,
              "answered_at": _when(item.answered_at)}
             for item in attempt.items
         ]}
        for attempt in attempts
    ]  # fmt: skip


def _answer_texts(item: AttemptItem) -> dict[str, Any]:
    """The item's answer as the learner saw it: a chosen option by its text, not its id."""
    texts = {option.id: option.text for option in item.question.options}
    answer = dict(item.answer or {})
    if "option" in answer:
        answer["option"] = texts.get(answer["option"])
    return answer


def is_erased(user: User) -> bool:
    """Whether the account has already been erased."""
    return bool(ERASED_EMAIL.fullmatch(user.email))


def erase(user: User, actor: User) -> None:
    """Anonymise `user` everywhere; their answers stay, nameless, for item statistics."""
    if user.id == actor.id:
        raise ErasureRefused("self")
    if is_erased(user):
        raise ErasureRefused("already_erased")
    label = ERASED_NAME.format(id=user.id)
    traces = [value for value in (user.email, user.display_name, user.employee_id) if value]
    user.display_name = label
    user.email = f"erased-{secrets.token_hex(8)}@invalid"
    user.employee_id = user.department = user.manager = None
    user.password_hash = user.language = None
    user.active = False
    user.must_change_password = False
    user.end_sessions()
    user.set_roles(set())
    # Nothing statistical hangs on these; they only describe the person.
    db.session.execute(delete(PracticeItem).where(PracticeItem.user_id == user.id))
    db.session.execute(delete(Assignment).where(Assignment.user_id == user.id))
    summary.refresh(db.session.connection(), user_ids=[user.id])  # their due dates went
    # Statements describe the person (their department among others); Trainer sends no more
    # of them, and the new pseudonym ties nothing sent before to the anonymous answers.
    db.session.execute(delete(XapiStatement).where(XapiStatement.user_id == user.id))
    user.learner_id = new_learner_id()
    _scrub_audit_log(user.id, traces, label)
    _scrub_managers(traces, label)
    audit.record(actor, "user.erase", {"user_id": user.id})
    db.session.flush()


def _scrub_managers(traces: list[str], label: str) -> None:
    """Where the person is named as someone's manager (by name or e-mail), say `label`."""
    folded = {trace.casefold() for trace in traces}
    # Compared in Python: SQLite's lower() folds only ASCII letters.
    for colleague in db.session.execute(db.select(User).where(User.manager.is_not(None))).scalars():
        if colleague.manager is not None and colleague.manager.strip().casefold() in folded:
            colleague.manager = label


def forget_old_versions() -> None:
    """After an erasure commits: on SQLite, move the write-ahead log into the database and
    empty it, so that earlier versions of the erased rows do not linger in the -wal file."""
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))


# A search term this long that matches the person names them (a shorter one names nobody).
MIN_NAMING_SEARCH = 3


def _scrub_audit_log(user_id: int, traces: list[str], label: str) -> None:
    """Keep the events, but say `label` wherever they named the person, in full or by a
    search term (an HR report filter, an API query) that finds them."""
    # JSON is stored with non-ASCII letters escaped, so look for both spellings.
    spellings = {form for trace in traces for form in (trace, json.dumps(trace)[1:-1])}
    details = cast(AuditEvent.details, Text)
    events = db.session.execute(
        db.select(AuditEvent).where(
            or_(
                AuditEvent.actor_id == user_id,
                *(AuditEvent.actor.icontains(form, autoescape=True) for form in spellings),
                *(details.icontains(form, autoescape=True) for form in spellings),
                details.contains('"search"'),
            )
        )
    ).scalars()
    pattern = re.compile("|".join(re.escape(trace) for trace in traces), re.IGNORECASE)
    folded = [trace.casefold() for trace in traces]

    def names_the_person(term: str) -> bool:
        term = term.strip().casefold()
        return len(term) >= MIN_NAMING_SEARCH and any(term in trace for trace in folded)

    for event in events:
        event.actor = label if event.actor_id == user_id else pattern.sub(label, event.actor)
        event.details = _replace(
            _replace_searches(event.details, names_the_person, label), pattern, label
        )


def _replace_searches(value: Any, names_the_person: Callable[[str], bool], label: str) -> Any:
    """`value` with each `search` term that finds the person replaced by `label`."""
    if isinstance(value, dict):
        return {
            key: label
            if key == "search" and isinstance(item, str) and names_the_person(item)
            else _replace_searches(item, names_the_person, label)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_replace_searches(item, names_the_person, label) for item in value]
    return value


def _replace(value: Any, pattern: re.Pattern[str], label: str) -> Any:
    """`value` with every match of `pattern` in its strings (keys too) replaced by `label`."""
    if isinstance(value, str):
        return pattern.sub(label, value)
    if isinstance(value, dict):
        return {_replace(k, pattern, label): _replace(v, pattern, label) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace(item, pattern, label) for item in value]
    return value
