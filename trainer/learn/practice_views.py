"""Practice: the questions a learner got wrong, again, until they get them right."""

import random

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from trainer.extensions import db
from trainer.forms import EmptyForm
from trainer.learning import practice
from trainer.models import PracticeItem
from trainer.quiz.types import question_type

bp = Blueprint("practice", __name__, url_prefix="/practice")


def _page(item: PracticeItem | None, order: list[int], answer: dict, errors: dict[str, str]) -> str:
    due, queued = practice.queue_size(current_user.id)
    return render_template(
        "learn/practice.html", item=item, due=due, queued=queued, form=EmptyForm(),
        kind=question_type(item.question.type) if item else None, order=order,
        answer=answer, errors=errors,
    )  # fmt: skip


@bp.get("/")
@login_required
def next_item() -> str:
    """The question due now, or word that nothing is due."""
    item = practice.next_due(current_user.id)
    order = []
    if item:
        order = question_type(item.question.type).option_order(item.question, random.SystemRandom())
    return _page(item, order, {}, {})


@bp.post("/<int:item_id>")
@login_required
def answer(item_id: int) -> tuple[str, int] | str:
    """Check the answer, show why, and reschedule the question; grades never change."""
    item = db.session.get(PracticeItem, item_id)
    if item is None or item.user_id != current_user.id:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    question = item.question
    answer, errors, grade = practice.take_answer(question, request.form)
    order = [option.id for option in question.options]
    if errors:
        messages = {
            "missing": _("Choose one of the answers."),
            "invalid": _("That answer is not one of the options. Please choose again."),
        }
        problems = {step: messages[reason] for step, reason in errors.items()}
        return _page(item, order, answer, problems), 400
    if grade is None:  # a dialogue goes on: the next reply
        return _page(item, order, answer, {})
    mastered = practice.record_review(item, grade.full)
    db.session.commit()
    return render_template(
        "learn/practice_feedback.html", question=question, kind=question_type(question.type),
        answer=answer, result=grade.result, correct=grade.full, mastered=mastered,
    )  # fmt: skip
