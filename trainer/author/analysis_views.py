"""Item analysis per quiz and question, group progress and charts, for trainers (charts for HR
too)."""

from flask import Blueprint, abort, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from trainer.auth.decorators import role_required
from trainer.author.analysis_forms import ProgressFilterForm
from trainer.extensions import db
from trainer.learning import catalogue
from trainer.models import Quiz
from trainer.people import assignments
from trainer.reporting import group_progress, item_analysis, mastery
from trainer.reporting.report import STATUS_LABELS

bp = Blueprint("analysis", __name__, url_prefix="/author/analysis")

FLAG_LABELS = {
    "market_too_hard": _l("Market step: few learners right"),
    "market_too_easy": _l("Market step: nearly everyone right"),
    "too_hard": _l("Few learners right"),
    "too_easy": _l("Nearly everyone right"),
    "low_discrimination": _l("Does not tell strong learners from weak ones"),
}


def _quiz(quiz_id: int) -> Quiz:
    quiz = item_analysis.find_quiz(quiz_id)
    if quiz is None:
        abort(404)
    return quiz


@bp.get("/")
@role_required("trainer")
def overview() -> str:
    """Every quiz with its number of graded attempts, and each course's group progress."""
    return render_template(
        "analysis/overview.html", quizzes=item_analysis.quiz_overview(),
        courses=catalogue.courses(), min_attempts=item_analysis.MIN_ATTEMPTS_TO_FLAG,
    )  # fmt: skip


@bp.get("/quizzes/<int:quiz_id>")
@role_required("trainer")
def quiz(quiz_id: int) -> str:
    """The analysis of one quiz as a table, sorted on the server by `sort` and `order`."""
    quiz = _quiz(quiz_id)
    sort = request.args.get("sort", "question")
    if sort not in item_analysis.SORT_KEYS:
        sort = "question"
    descending = request.args.get("order") == "desc"
    analysis = item_analysis.analyse_quiz(quiz)
    return render_template(
        "analysis/quiz.html", analysis=analysis, quiz=quiz,
        items=item_analysis.sort_items(analysis.items, sort, descending),
        sort=sort, descending=descending, flag_labels=FLAG_LABELS,
        min_attempts=item_analysis.MIN_ATTEMPTS_TO_FLAG,
        thresholds=(item_analysis.TOO_HARD, item_analysis.TOO_EASY,
                    item_analysis.LOW_DISCRIMINATION),
    )  # fmt: skip


@bp.get("/quizzes/<int:quiz_id>.csv")
@role_required("trainer")
def quiz_csv(quiz_id: int) -> Response:
    """Download the analysis of one quiz as CSV."""
    filename, text = item_analysis.export_csv(_quiz(quiz_id), current_user)
    db.session.commit()
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/courses/<course_slug>/progress")
@role_required("trainer")
def progress(course_slug: str) -> str:
    """The course's learners: lessons done, attempts, best score and status."""
    course = catalogue.course_by_slug(course_slug)
    if course is None:
        abort(404)
    form = ProgressFilterForm(request.args)
    form.set_departments(assignments.departments())
    department = form.department.data if form.validate() else None
    rows = group_progress.course_progress(course, department)
    return render_template(
        "analysis/progress.html", course=course, form=form, rows=rows,
        counts=group_progress.status_counts(rows),
        status_labels={status: STATUS_LABELS[status] for status in group_progress.STATUSES},
    )  # fmt: skip


@bp.get("/courses/<course_slug>/charts")
@role_required("trainer", "hr")
def charts(course_slug: str) -> str:
    """Mastery per department and dimension, and each quiz's spread of best scores."""
    course = catalogue.course_by_slug(course_slug)
    if course is None:
        abort(404)
    departments, cells = mastery.department_mastery(course)
    quizzes = db.session.execute(
        db.select(Quiz).where(Quiz.course_id == course.id).order_by(Quiz.id)
    ).scalars()
    return render_template(
        "analysis/charts.html", course=course, departments=departments, cells=cells,
        distributions=[(quiz, mastery.score_distribution(quiz)) for quiz in quizzes],
    )  # fmt: skip
