"""Practice: the questions a learner got wrong, again, until they get them right."""

import random

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

from trainer.extensions import db
from trainer.learn.forms import PracticeForm
from trainer.learning import practice
from trainer.models import PracticeItem
from trainer.quiz.types import question_type

bp = Blueprint("practice", __name__, url_prefix="/practice")


def _form(item: PracticeItem, shuffle: bool) -> PracticeForm:
    options = [(option.id, option.text) for option in item.question.options]
    if shuffle and question_type(item.question).shuffle_options:
        random.SystemRandom().shuffle(options)
    return PracticeForm(options, with_market=question_type(item.question).has_market_step)


@bp.get("/")
@login_required
def next_item() -> str:
    """The question due now, or word that nothing is due."""
    item = practice.next_due(current_user.id)
    due, queued = practice.queue_size(current_user.id)
    return render_template(
        "learn/practice.html",
        item=item,
        form=_form(item, shuffle=True) if item else None,
        due=due,
        queued=queued,
        kind=question_type(item.question) if item else None,
    )


@bp.post("/<int:item_id>")
@login_required
def answer(item_id: int) -> tuple[str, int] | str:
    """Check the answer, show why, and reschedule the question; grades never change."""
    item = db.session.get(PracticeItem, item_id)
    if item is None or item.user_id != current_user.id:
        abort(404)
    kind = question_type(item.question)
    form = _form(item, shuffle=False)
    if not form.validate_on_submit():
        due, queued = practice.queue_size(current_user.id)
        return render_template(
            "learn/practice.html", item=item, form=form, due=due, queued=queued, kind=kind
        ), 400
    market = form.market.data if kind.has_market_step else None
    grade = kind.grade(item.question, market, form.option.data)
    question = item.question
    correct = grade.points == kind.max_points
    mastered = practice.record_review(item, correct)
    db.session.commit()
    return render_template(
        "learn/practice_feedback.html",
        question=question,
        kind=kind,
        market=market,
        chosen=form.option.data,
        correct=correct,
        mastered=mastered,
    )
