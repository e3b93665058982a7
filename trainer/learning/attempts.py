"""Quiz attempts: start (or resume), save answers step by step, and grade exactly once."""

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, bindparam, exists, func, inspect, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from trainer.database import execute_core, savepoint
from trainer.extensions import db
from trainer.learning import practice, progress
from trainer.models import (
    Attempt,
    AttemptItem,
    AttemptStatus,
    Question,
    QuestionOption,
    QuestionStatus,
    Quiz,
)
from trainer.models.types import utcnow
from trainer.quiz.drawing import draw_questions
from trainer.quiz.scoring import totals
from trainer.quiz.types import Grade, InvalidAnswer, question_type
from trainer.xapi import record


class AttemptRefused(Exception):
    """An attempt cannot be started or changed now; `reason` says why (a stable key)."""

    def __init__(self, reason: str, until: datetime | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.until = until


@dataclass(frozen=True)
class Availability:
    """Whether the learner may start the quiz now, and what they already did."""

    attempts_used: int
    in_progress: Attempt | None
    refused: AttemptRefused | None


def availability(user_id: int, quiz: Quiz, now: datetime | None = None) -> Availability:
    """Apply the quiz's retake policy: attempts allowed and the cool-down between them."""
    now = now or utcnow()
    in_progress = _in_progress(user_id, quiz.id)
    graded = db.session.execute(
        db.select(func.count(), func.max(Attempt.submitted_at)).where(
            Attempt.user_id == user_id,
            Attempt.quiz_id == quiz.id,
            Attempt.status == AttemptStatus.GRADED,
        )
    ).one()
    used, last_submitted = graded
    refused = None if in_progress is not None else refusal(quiz, used, last_submitted, now)
    return Availability(used, in_progress, refused)


def refusal(
    quiz: Quiz, used: int, last_submitted: datetime | None, now: datetime
) -> AttemptRefused | None:
    """Why the retake policy refuses a new attempt now (attempts used up, or the cool-down
    after the last one), given the graded attempts; None if it allows one."""
    if quiz.attempts_allowed is not None and used >= quiz.attempts_allowed:
        return AttemptRefused("no_attempts_left")
    if last_submitted and quiz.cooldown_minutes:
        until = last_submitted + timedelta(minutes=quiz.cooldown_minutes)
        if now < until:
            return AttemptRefused("cooldown", until)
    return None


def _in_progress(user_id: int, quiz_id: int) -> Attempt | None:
    return db.session.execute(
        db.select(Attempt).where(
            Attempt.user_id == user_id,
            Attempt.quiz_id == quiz_id,
            Attempt.status == AttemptStatus.IN_PROGRESS,
        )
    ).scalar_one_or_none()


def start_attempt(user_id: int, quiz: Quiz, rng: random.Random | None = None) -> Attempt:
    """Resume the unfinished attempt, or draw a new one if the policy allows."""
    state = availability(user_id, quiz)
    if state.in_progress is not None:
        return state.in_progress
    if state.refused is not None:
        raise state.refused
    rng = rng or random.SystemRandom()
    pool = [question for question in quiz.questions if question.status == QuestionStatus.ACTIVE]
    questions = draw_questions(pool, quiz.items_per_attempt, quiz.draw_rules, rng)
    attempt = Attempt(user_id=user_id, quiz_id=quiz.id)
    for position, question in enumerate(questions, 1):
        order = question_type(question.type).option_order(question, rng)
        attempt.items.append(
            AttemptItem(question_id=question.id, position=position, option_order=order)
        )
    try:
        with savepoint():
            db.session.add(attempt)
    except IntegrityError:  # a concurrent request started one first: resume that one
        existing = _in_progress(user_id, quiz.id)
        if existing is None:
            raise
        return existing
    record.attempt_started(attempt)
    return attempt


def deadline(attempt: Attempt) -> datetime | None:
    """When the attempt's time runs out, if the quiz has a limit."""
    minutes = attempt.quiz.time_limit_minutes
    return attempt.started_at + timedelta(minutes=minutes) if minutes else None


def grade_if_overdue(attempt: Attempt, now: datetime | None = None) -> bool:
    """Grade an unfinished attempt whose time ran out, with what was saved; whether it was."""
    limit = deadline(attempt)
    if (
        attempt.status == AttemptStatus.IN_PROGRESS
        and limit is not None
        and (now or utcnow()) >= limit
    ):
        submit(attempt)
        return True
    return False


def feedback_at_once(quiz: Quiz) -> bool:
    """Whether each item's feedback shows as soon as it is answered: in a lesson's check, yes;
    the final exam (and a quiz of its own) keeps it for the result, so that it stays a test."""
    return quiz.lesson_id is not None and not quiz.is_final


def item_feedback(attempt: Attempt, item: AttemptItem) -> Grade | None:
    """The grade to show for an answered item now, if its quiz shows feedback at once."""
    if not feedback_at_once(attempt.quiz) or not is_answered(item):
        return None
    return question_type(item.question.type).grade(item.question, item.answer or {})


def _open_item(attempt: Attempt, item: AttemptItem) -> None:
    if grade_if_overdue(attempt):
        raise AttemptRefused("time_up")
    if attempt.status != AttemptStatus.IN_PROGRESS:
        raise AttemptRefused("already_submitted")
    if item.attempt_id != attempt.id:
        raise AttemptRefused("not_in_attempt")
    if feedback_at_once(attempt.quiz) and is_answered(item):
        raise AttemptRefused("already_answered")  # its feedback has shown the right answer


# Saving an answer's steps is what learners do most: its statements are built once, as
# building them cost more than running them. The answer is written only while the attempt
# is still open.
_SAVE_ANSWER = (
    update(AttemptItem)
    .where(
        AttemptItem.id == bindparam("item_id"),
        exists().where(
            Attempt.id == bindparam("open_attempt"), Attempt.status == AttemptStatus.IN_PROGRESS
        ),
    )
    .values(
        answer=bindparam("new_answer", type_=AttemptItem.answer.type),
        answered_at=bindparam("now", type_=AttemptItem.answered_at.type),
    )
    .execution_options(synchronize_session=False)
)
_LOCKED_STATUS = (
    select(Attempt.status).where(Attempt.id == bindparam("attempt_id")).with_for_update()
)


def save_answer(attempt: Attempt, item: AttemptItem, step: str, value: str) -> None:
    """Save one step of an item's answer; its question's type says what it accepts.

    A submit may grade the attempt between reading it and writing the answer, so the write
    itself is conditional on the attempt still being open: an answer never changes after
    its grade.
    """
    _open_item(attempt, item)
    _wait_for_a_submit_in_flight(attempt)
    question = item.question
    try:
        answer = question_type(question.type).accept(
            question, item.answer or {}, step, value, question.course.taxonomy
        )
    except InvalidAnswer:
        raise AttemptRefused("invalid_answer") from None
    now = utcnow()
    saved = execute_core(
        _SAVE_ANSWER,
        {"item_id": item.id, "open_attempt": attempt.id, "new_answer": answer, "now": now},
    ).rowcount
    if saved != 1:
        db.session.refresh(attempt)
        raise AttemptRefused("already_submitted")
    set_committed_value(item, "answer", answer)
    set_committed_value(item, "answered_at", now)


def _wait_for_a_submit_in_flight(attempt: Attempt) -> None:
    """Lock the attempt's row, then read its status again.

    On PostgreSQL a submit holds this lock until it commits, and the conditional update
    alone would still see the attempt open (a subquery keeps its snapshot when the row
    waited for changes). SQLite ignores FOR UPDATE: it takes its one write lock before the
    conditional update reads anything, which is all the safety it needs.
    """
    status = execute_core(_LOCKED_STATUS, {"attempt_id": attempt.id}).scalar_one()
    if status != AttemptStatus.IN_PROGRESS:
        db.session.refresh(attempt)
        raise AttemptRefused("already_submitted")


def submit(attempt: Attempt) -> Attempt:
    """Grade the attempt once; a repeated or concurrent submit returns the first grade.

    The statements do not grow with the items: one claims the attempt, one reads the
    answers again, one writes every item's grade, one the attempt's; the practice queue and
    the completion take a few more.
    """
    if attempt.status != AttemptStatus.IN_PROGRESS:
        return attempt  # graded already (a second click): nothing to read, nothing to claim
    # The items' questions and options do not change while an attempt runs: read before
    # the claim, which on SQLite takes the one write lock until the commit.
    read_items(attempt)
    options = _options_to_grade(attempt)
    now = utcnow()
    claimed = db.session.execute(_CLAIM, {"attempt_id": attempt.id, "graded_at": now}).rowcount
    if claimed != 1:
        db.session.refresh(attempt)
        return attempt  # somebody else graded it: theirs is the grade
    set_committed_value(attempt, "status", AttemptStatus.GRADED)
    set_committed_value(attempt, "submitted_at", now)
    # The answers as the claim left them: a save that committed before it counts.
    answers = dict(db.session.execute(_ANSWERS, {"attempt_id": attempt.id}).all())
    grades = []
    for item in attempt.items:
        set_committed_value(item, "answer", answers[item.id])
        question = item.question
        graded = _GradedQuestion(
            question.key, question.market, question.details, options.get(question.id, ())
        )
        grade = question_type(question.type).grade(graded, item.answer or {})
        set_committed_value(item, "result", grade.result)
        set_committed_value(item, "points", grade.points)
        set_committed_value(item, "max_points", grade.max_points)
        grades.append(grade)
    if attempt.items:
        execute_core(_GRADE_ITEM, [
            {"item_id": item.id, "graded_result": item.result, "graded_points": item.points,
             "graded_max_points": item.max_points} for item in attempt.items
        ])  # fmt: skip
    result = totals(grades, attempt.quiz.pass_mark)
    attempt.score, attempt.max_score = result.score, result.max_score
    attempt.percent, attempt.passed = result.percent, result.passed
    wrong = [item.question for item, grade in zip(attempt.items, grades, strict=True)
             if not grade.full]  # fmt: skip
    db.session.flush()
    record.attempt_graded(attempt)
    practice.enqueue(attempt.user_id, wrong)
    if attempt.quiz.is_final:
        progress.record_completion_if_earned(attempt.user_id, attempt.quiz.course)
    return attempt


# Grading's statements, built once: building one cost about what running it does.
_CLAIM = (
    update(Attempt)
    .where(Attempt.id == bindparam("attempt_id"), Attempt.status == AttemptStatus.IN_PROGRESS)
    .values(status=AttemptStatus.GRADED, submitted_at=bindparam("graded_at"))
    .execution_options(synchronize_session=False)
)
_ANSWERS = select(AttemptItem.id, AttemptItem.answer).where(
    AttemptItem.attempt_id == bindparam("attempt_id")
)
# Each item's grade, all items in one execution (the items already hold them: the ORM's
# bulk update by primary key would only add its own work).
_GRADE_ITEM = (
    update(AttemptItem)
    .where(AttemptItem.id == bindparam("item_id"))
    .values(
        result=bindparam("graded_result"),
        points=bindparam("graded_points"),
        max_points=bindparam("graded_max_points"),
    )
)
_OPTIONS_OF = (
    select(QuestionOption)
    .where(QuestionOption.question_id.in_(bindparam("question_ids", expanding=True)))
    .order_by(QuestionOption.question_id, QuestionOption.position)
)
_OPTIONS_TO_GRADE = _OPTIONS_OF.with_only_columns(
    QuestionOption.question_id, QuestionOption.id, QuestionOption.is_correct
)


@dataclass(frozen=True)
class _GradedQuestion:
    """What grading reads of a question (`QuestionRow`), its options as plain rows (id,
    is_correct): made into objects of the session, a final exam's hundred options cost a
    seventh of its grading."""

    key: str
    market: str | None
    details: dict[str, Any]
    options: Sequence[Row[Any]]


def _options_to_grade(attempt: Attempt) -> dict[int, list[Row[Any]]]:
    """The options of the attempt's questions, by question id, in one statement."""
    options: dict[int, list[Row[Any]]] = {}
    question_ids = list({item.question_id for item in attempt.items})
    for option in execute_core(_OPTIONS_TO_GRADE, {"question_ids": question_ids}):
        options.setdefault(option.question_id, []).append(option)
    return options


_ITEMS = (
    select(AttemptItem)
    .options(joinedload(AttemptItem.question).lazyload(Question.options))
    .where(AttemptItem.attempt_id == bindparam("attempt_id"))
    .order_by(AttemptItem.position)
)


def read_items(attempt: Attempt) -> None:
    """Read the attempt's items with their questions in one statement, unless a page has.

    Saving a step reads only its own item: grading, or a page showing every item after
    all, reads the rest here rather than one statement per item.
    """
    if "items" in inspect(attempt).unloaded:
        items = db.session.execute(_ITEMS, {"attempt_id": attempt.id}).scalars().all()
        set_committed_value(attempt, "items", list(items))


def read_options(question: Question) -> None:
    """Read the question's options unless it has them: one plain select, cheaper than the
    lazy load that reading `question.options` would start."""
    if "options" in inspect(question).unloaded:
        options = db.session.execute(_OPTIONS_OF, {"question_ids": [question.id]}).scalars()
        set_committed_value(question, "options", list(options))


def first_open_position(attempt: Attempt) -> int:
    """The first item still missing an answer (or the last one), to resume at."""
    for item in attempt.items:
        if not is_answered(item):
            return item.position
    return len(attempt.items)


def is_answered(item: AttemptItem) -> bool:
    """Whether every step of the item has an answer."""
    return question_type(item.question.type).is_complete(item.question, item.answer or {})
