"""The practice queue: questions answered wrong come back until answered right."""

import json
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update

from trainer.database import execute_core
from trainer.extensions import db
from trainer.models import PracticeItem, Question, QuestionStatus
from trainer.models.types import utcnow
from trainer.quiz.leitner import next_review
from trainer.quiz.types import Grade, InvalidAnswer, question_type


def enqueue(user_id: int, questions: Iterable[Question]) -> None:
    """Put each question in box 1, due now (again, if it was already queued).

    Three statements however many questions: which are queued, then one update and one
    insert for all of them. The read and the insert run on the session's connection:
    neither has objects of the session to keep in step (the update has).
    """
    ids = sorted({question.id for question in questions})
    if not ids:
        return
    now = utcnow()
    queued = execute_core(_QUEUED, {"user_id": user_id, "question_ids": ids}).all()
    if queued:
        db.session.execute(
            update(PracticeItem)
            .where(PracticeItem.id.in_([row.id for row in queued]))
            .values(box=1, due_at=now)
            .execution_options(synchronize_session="evaluate")
        )
    new = sorted(set(ids) - {row.question_id for row in queued})
    if new:
        execute_core(
            insert(PracticeItem),
            [{"user_id": user_id, "question_id": qid, "box": 1, "due_at": now, "reviews": 0}
             for qid in new],
        )  # fmt: skip


_QUEUED = select(PracticeItem.id, PracticeItem.question_id).where(
    PracticeItem.user_id == bindparam("user_id"),
    PracticeItem.question_id.in_(bindparam("question_ids", expanding=True)),
)


def next_due(user_id: int) -> PracticeItem | None:
    """The question to practise now: the one due longest ago."""
    return db.session.execute(
        db.select(PracticeItem)
        .join(Question)
        .where(
            PracticeItem.user_id == user_id,
            PracticeItem.due_at <= utcnow(),
            Question.status == QuestionStatus.ACTIVE,
        )
        .order_by(PracticeItem.due_at, PracticeItem.id)
        .limit(1)
    ).scalar_one_or_none()


# The dashboard's, on every visit: built once, as building it cost more than running it.
_QUEUE_SIZE = select(
    func.count().filter(PracticeItem.due_at <= bindparam("now")),
    func.count(),
).where(PracticeItem.user_id == bindparam("user_id"))


def queue_size(user_id: int) -> tuple[int, int]:
    """(due now, queued in all) for the user."""
    due, total = execute_core(_QUEUE_SIZE, {"user_id": user_id, "now": utcnow()}).one()
    return due, total


def record_review(item: PracticeItem, correct: bool) -> bool:
    """Move the item between boxes; whether it is now mastered (and left the queue)."""
    item.reviews += 1
    box, due = next_review(item.box, correct, utcnow())
    if box is None:
        db.session.delete(item)
        db.session.flush()
        return True
    item.box, item.due_at = box, due
    db.session.flush()
    return False


def take_answer(
    question: Question, values: Mapping[str, str]
) -> tuple[dict[str, Any], dict[str, str], Grade | None]:
    """A practice answer as posted: the answer so far, an error key per step (`missing`,
    `invalid`), and the grade once the answer is complete.

    A choice question is answered in one post; a dialogue one reply per post, the replies
    so far coming back in `state` (checked again, as practice changes no grade).
    """
    kind = question_type(question.type)
    taxonomy = question.course.taxonomy
    answer: dict[str, Any] = {}
    errors: dict[str, str] = {}
    try:
        for step, value in kind.answer_steps(json.loads(values.get("state") or "{}")):
            answer = kind.accept(question, answer, step, value, taxonomy)
    except (InvalidAnswer, ValueError, TypeError, AttributeError):
        answer = {}  # a state that does not hold: start again
    for step in kind.steps:
        value = values.get(step.key, "")
        if not value:
            errors[step.key] = "missing"
            continue
        try:
            answer = kind.accept(question, answer, step.key, value, taxonomy)
        except InvalidAnswer:
            errors[step.key] = "invalid"
    complete = not errors and kind.is_complete(question, answer)
    return answer, errors, kind.grade(question, answer) if complete else None
