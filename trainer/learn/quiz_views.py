"""Taking a quiz: start or resume, answer item by item, submit once, see the result."""

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)  # fmt: skip
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.interfaces import LoaderOption
from werkzeug.wrappers import Response

from trainer.extensions import db
from trainer.forms import EmptyForm
from trainer.i18n import local_datetime
from trainer.learning import attempts
from trainer.learning.attempts import AttemptRefused
from trainer.models import Attempt, AttemptItem, AttemptStatus, Question, QuestionStatus, Quiz
from trainer.quiz.types import question_type

bp = Blueprint("quiz", __name__)


def _attempt_with(*load: LoaderOption) -> Select[tuple[Attempt]]:
    """A statement reading the attempt `attempt_id` with `load`. The statements are built
    once, at import: building one cost more than running it."""
    return select(Attempt).options(*load).where(Attempt.id == bindparam("attempt_id"))


# An attempt's pages read the attempt with its quiz and course, then its items with their
# questions (`attempts.read_items`: the navigation shows which are answered), in two
# statements however many items; a page shows one question's options at most, read when it
# is shown. (A selectinload of the items cost more than the statement it sends.)
ATTEMPT_PAGE = _attempt_with(joinedload(Attempt.quiz).joinedload(Quiz.course))
# Saving a step reads the attempt as a page does, and the one item it saves with its
# question and options and the number of items (where to go next): not every item, which
# only a page's navigation shows.
_ITEMS_IN_ATTEMPT = (
    select(func.count())
    .select_from(AttemptItem)
    .where(AttemptItem.attempt_id == bindparam("attempt_id"))
    .scalar_subquery()
)
_ITEM_AT = (
    select(AttemptItem, _ITEMS_IN_ATTEMPT)
    .options(joinedload(AttemptItem.question).joinedload(Question.options))
    .where(
        AttemptItem.attempt_id == bindparam("attempt_id"),
        AttemptItem.position == bindparam("position"),
    )
)
# The result reads every question with its options and lesson (each question links to it).
RESULT_PAGE = _attempt_with(
    joinedload(Attempt.quiz).joinedload(Quiz.course),
    selectinload(Attempt.items).joinedload(AttemptItem.question).selectinload(Question.options),
    selectinload(Attempt.items).joinedload(AttemptItem.question).selectinload(Question.lesson),
)


def refusal_message(refused: AttemptRefused) -> str:
    """What to tell the learner when an attempt is refused."""
    messages = {
        "no_attempts_left": _("You have used all attempts allowed for this quiz."),
        "time_up": _("Time is up: your attempt was graded with the answers you saved."),
        "already_submitted": _("This attempt has already been submitted."),
        "invalid_answer": _("That answer is not one of the options. Please choose again."),
        "already_answered": _("This question is answered; its feedback is below."),
    }
    if refused.reason == "cooldown" and refused.until:
        return _("You can try again after %(time)s.", time=local_datetime(refused.until))
    return messages.get(refused.reason, _("This is not possible now."))


def _quiz_or_404(quiz_id: int) -> Quiz:
    quiz = db.session.get(Quiz, quiz_id)
    if quiz is None or quiz.status != QuestionStatus.ACTIVE:
        abort(404)
    return quiz


def _own_attempt(attempt_id: int, read: Select[tuple[Attempt]] = ATTEMPT_PAGE) -> Attempt:
    """The current user's attempt; anybody else's is simply not found."""
    attempt = db.session.execute(read, {"attempt_id": attempt_id}).scalar_one_or_none()
    if attempt is None or attempt.user_id != current_user.id:
        abort(404)
    return attempt


def _item(attempt: Attempt, position: int) -> AttemptItem:
    """The item at `position`, its question's options read now: whether its step needs them
    or not, an item's page and saving a step then send the same statements for every item."""
    attempts.read_items(attempt)
    if not 1 <= position <= len(attempt.items):
        abort(404)
    current = attempt.items[position - 1]
    attempts.read_options(current.question)
    return current


def _item_alone(attempt: Attempt, position: int) -> tuple[AttemptItem, int]:
    """The item at `position`, read by itself with its question and options, and how many
    items the attempt has."""
    found = (
        db.session.execute(_ITEM_AT, {"attempt_id": attempt.id, "position": position})
        .unique()
        .one_or_none()
    )
    if found is None:
        abort(404)
    current, items = found
    return current, items


@bp.get("/quizzes/<int:quiz_id>")
@login_required
def intro(quiz_id: int) -> str:
    """The quiz's rules, the learner's attempts so far, and a start (or resume) button."""
    quiz = _quiz_or_404(quiz_id)
    state = attempts.availability(current_user.id, quiz)
    history = db.session.execute(
        db.select(Attempt)
        .where(Attempt.user_id == current_user.id, Attempt.quiz_id == quiz.id)
        .order_by(Attempt.started_at.desc())
    ).scalars()
    return render_template(
        "learn/quiz_intro.html",
        quiz=quiz,
        state=state,
        history=list(history),
        refusal=refusal_message(state.refused) if state.refused else None,
        at_once=attempts.feedback_at_once(quiz),
        form=EmptyForm(),
    )


@bp.post("/quizzes/<int:quiz_id>/start")
@login_required
def start(quiz_id: int) -> Response:
    """Start a new attempt, or resume the unfinished one."""
    quiz = _quiz_or_404(quiz_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        attempt = attempts.start_attempt(current_user.id, quiz)
    except AttemptRefused as refused:
        flash(refusal_message(refused), "error")
        return redirect(url_for("quiz.intro", quiz_id=quiz.id))
    db.session.commit()
    position = attempts.first_open_position(attempt)
    return redirect(url_for("quiz.item", attempt_id=attempt.id, position=position))


@bp.get("/attempts/<int:attempt_id>/items/<int:position>")
@login_required
def item(attempt_id: int, position: int) -> Response | str:
    """One item: the situation, step 1 (market) and step 2 (approach)."""
    attempt = _own_attempt(attempt_id)
    if attempts.grade_if_overdue(attempt):
        db.session.commit()
        flash(refusal_message(AttemptRefused("time_up")), "info")
    if attempt.status == AttemptStatus.GRADED:
        return redirect(url_for("quiz.result", attempt_id=attempt_id))
    current = _item(attempt, position)
    return _render_item(attempt, current)


def _render_item(
    attempt: Attempt, current: AttemptItem, errors: dict[str, str] | None = None, status: int = 200
) -> tuple[str, int]:
    attempts.read_items(attempt)  # the navigation shows every item (a refused save read one)
    return render_template(
        "learn/quiz_item.html",
        attempt=attempt,
        item=current,
        kind=question_type(current.question.type),
        answer=current.answer or {},
        errors=errors or {},
        deadline=attempts.deadline(attempt),
        answered=attempts.is_answered,
        feedback=attempts.item_feedback(attempt, current),
        at_once=attempts.feedback_at_once(attempt.quiz),
    ), status


def _after_saving(attempt: Attempt, current: AttemptItem, items: int) -> str:
    """Where the learner goes once a step is saved: the next step, the item's feedback, or on."""
    here = url_for("quiz.item", attempt_id=attempt.id, position=current.position)
    if not attempts.is_answered(current):
        # The next form to fill: after the steps answered (a dialogue's one step repeats).
        answered = sum(s.key in current.answer for s in question_type(current.question.type).steps)
        return f"{here}#step-{answered + 1}"
    if attempts.feedback_at_once(attempt.quiz):
        return f"{here}#feedback"
    if current.position < items:
        return url_for("quiz.item", attempt_id=attempt.id, position=current.position + 1)
    return url_for("quiz.review", attempt_id=attempt.id)


def _saved(attempt: Attempt, current: AttemptItem, items: int, step: str) -> Response:
    """After saving: JSON for the page's script, else the next place to go.

    The answer is decided before the commit, which expires every loaded object: nothing is
    read again after it.
    """
    following = _after_saving(attempt, current, items)
    if request.accept_mimetypes.best == "application/json":
        complete = attempts.is_answered(current)
        response = jsonify(saved=True, step=step, complete=complete, next=following)
    else:
        response = redirect(following)
    db.session.commit()
    return response


def _refused(attempt: Attempt, current: AttemptItem, refused: AttemptRefused) -> Response:
    if attempt.status == AttemptStatus.GRADED:
        back = url_for("quiz.result", attempt_id=attempt.id)
    else:
        back = url_for("quiz.item", attempt_id=attempt.id, position=current.position)
    db.session.commit()  # a time-up grading is kept
    if request.accept_mimetypes.best == "application/json":
        return jsonify(saved=False, error=refusal_message(refused)), 409
    flash(refusal_message(refused), "error")
    return redirect(back)


def _closed(attempt: Attempt, current: AttemptItem) -> Response | None:
    """The answer to a POST on an attempt that time or a submit has closed, if it is."""
    if attempts.grade_if_overdue(attempt):
        return _refused(attempt, current, AttemptRefused("time_up"))
    if attempt.status != AttemptStatus.IN_PROGRESS:
        return _refused(attempt, current, AttemptRefused("already_submitted"))
    return None


@bp.post("/attempts/<int:attempt_id>/items/<int:position>/<step>")
@login_required
def save_step(attempt_id: int, position: int, step: str) -> Response | tuple[str, int]:
    """Save one step of an item (a scenario's `market`, any choice's `option`, …)."""
    attempt = _own_attempt(attempt_id)
    current, items = _item_alone(attempt, position)
    if step not in {s.key for s in question_type(current.question.type).steps}:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if (closed := _closed(attempt, current)) is not None:
        return closed
    value = request.form.get(step, "")
    if not value:
        return _render_item(attempt, current, {step: _("Choose one of the answers.")}, 400)
    try:
        attempts.save_answer(attempt, current, step, value)
    except AttemptRefused as refused:
        if refused.reason == "invalid_answer":
            return _render_item(attempt, current, {step: refusal_message(refused)}, 400)
        return _refused(attempt, current, refused)
    return _saved(attempt, current, items, step)


@bp.get("/attempts/<int:attempt_id>")
@login_required
def review(attempt_id: int) -> Response | str:
    """All items with what is answered, and the submit button."""
    attempt = _own_attempt(attempt_id)
    if attempts.grade_if_overdue(attempt):
        db.session.commit()
    if attempt.status == AttemptStatus.GRADED:
        return redirect(url_for("quiz.result", attempt_id=attempt_id))
    attempts.read_items(attempt)
    return render_template(
        "learn/quiz_review.html", attempt=attempt, form=EmptyForm(),
        deadline=attempts.deadline(attempt),
        unanswered=[item for item in attempt.items if not attempts.is_answered(item)],
    )  # fmt: skip


@bp.post("/attempts/<int:attempt_id>/submit")
@login_required
def submit(attempt_id: int) -> Response:
    """Grade the attempt (once; a repeated submit shows the same result)."""
    attempt = _own_attempt(attempt_id)  # grading reads the items and options it needs
    if not EmptyForm().validate_on_submit():
        abort(400)
    attempts.submit(attempt)
    db.session.commit()
    return redirect(url_for("quiz.result", attempt_id=attempt_id))


@bp.get("/attempts/<int:attempt_id>/result")
@login_required
def result(attempt_id: int) -> Response | str:
    """Score, pass or fail, and per item: answers, the right ones, feedback, explanation."""
    attempt = _own_attempt(attempt_id, RESULT_PAGE)
    if attempts.grade_if_overdue(attempt):
        db.session.commit()
    if attempt.status != AttemptStatus.GRADED:
        return redirect(url_for("quiz.review", attempt_id=attempt_id))
    return render_template("learn/quiz_result.html", attempt=attempt)
