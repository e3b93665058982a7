"""The question editor: a question of any type, checked like bank files."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from trainer.auth.decorators import role_required
from trainer.author.forms import QuestionForm
from trainer.author.views import conflict_details
from trainer.authoring import editing, versions
from trainer.authoring.editing import EditConflict, InvalidContent
from trainer.extensions import db
from trainer.forms import EmptyForm
from trainer.models import Course, Question, QuestionStatus
from trainer.quiz.types import TYPES

bp = Blueprint("question_editor", __name__, url_prefix="/author/questions")


@bp.get("/courses/<course_slug>")
@role_required("trainer")
def index(course_slug: str) -> str:
    """The course's questions, any status, with links to edit and buttons to retire."""
    course = db.first_or_404(db.select(Course).where(Course.slug == course_slug))
    return render_template(
        "author/questions.html",
        course=course,
        questions=editing.course_questions(course),
        form=EmptyForm(),
    )


@bp.route(
    "/courses/<course_slug>/new/<kind>",
    methods=["GET", "POST"],
)
@role_required("trainer")
def new(course_slug: str, kind: str) -> Response | str:
    """Write a new question of type `kind`."""
    if kind not in TYPES:
        abort(404)
    course = db.first_or_404(db.select(Course).where(Course.slug == course_slug))
    form = QuestionForm()
    del form.version  # a new question has nothing to collide with
    form.set_taxonomy(course.taxonomy)
    form.set_sections(editing.lesson_sections(course))
    general: list[str] = []
    if form.validate_on_submit():
        try:
            question = editing.create_question(course, form.values(kind))
        except InvalidContent as error:
            general = form.show_problems(error.problems)
        else:
            db.session.commit()
            flash(_("Question %(key)s created.", key=question.key), "success")
            return redirect(url_for("question_editor.edit", question_id=question.id))
    return render_template(
        "author/question_form.html",
        course=course, kind=kind, question=None, form=form, general=general,
    )  # fmt: skip


@bp.route("/<int:question_id>", methods=["GET", "POST"])
@role_required("trainer")
def edit(question_id: int) -> Response | str:
    """Edit a question in place, keeping option ids by position; a stale save conflicts."""
    question = db.get_or_404(Question, question_id)
    form = QuestionForm()
    form.set_taxonomy(question.course.taxonomy)
    form.set_sections(editing.lesson_sections(question.course))
    general: list[str] = []
    conflict = None
    if not form.is_submitted():
        form.fill(editing.question_values(versions.snapshot(question)), question.version)
    elif form.validate():
        values = form.values(question.type)
        try:
            editing.update_question(question, values, form.version.data, current_user.id)
        except EditConflict:
            db.session.rollback()  # read the other save afresh
            conflict = conflict_details(
                question, editing.question_snapshot(values, question.course.taxonomy)
            )
            form.version.raw_data = []
            form.version.data = question.version
        except InvalidContent as error:
            general = form.show_problems(error.problems)
        else:
            db.session.commit()
            flash(_("Saved as version %(number)d.", number=question.version), "success")
            return redirect(url_for("question_editor.edit", question_id=question.id))
    return render_template(
        "author/question_form.html",
        course=question.course, kind=question.type, question=question, form=form,
        general=general, conflict=conflict, offered=versions.files_offer(question),
    )  # fmt: skip


@bp.post("/<int:question_id>/<any(retire, unretire):action>")
@role_required("trainer")
def status(question_id: int, action: str) -> Response:
    """Retire a question (no longer drawn into quizzes) or make it active again."""
    question = db.get_or_404(Question, question_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        editing.set_question_status(
            question,
            QuestionStatus.RETIRED if action == "retire" else QuestionStatus.ACTIVE,
            current_user.id,
        )
    except EditConflict:
        db.session.rollback()
        flash(_("Someone else saved this question at the same moment. Please try again."), "error")
    else:
        db.session.commit()
        if action == "retire":
            flash(_("Question %(key)s retired.", key=question.key), "success")
        else:
            flash(_("Question %(key)s is active again.", key=question.key), "success")
    return redirect(url_for("question_editor.index", course_slug=question.course.slug))
