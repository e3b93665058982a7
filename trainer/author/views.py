"""The trainer's area: content overview, the lesson editor, versions of lessons and questions."""

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func
from werkzeug.wrappers import Response as BaseResponse

from trainer.auth.decorators import role_required
from trainer.author.forms import LessonForm, PreviewForm, problem_message
from trainer.authoring import editing, versions
from trainer.authoring.editing import EditConflict, InvalidContent
from trainer.content.markdown import render_markdown
from trainer.extensions import db
from trainer.forms import EmptyForm
from trainer.models import Course, Lesson, LessonStatus, Question, QuestionStatus
from trainer.routing import id_number

bp = Blueprint("author", __name__, url_prefix="/author")


@bp.get("/")
@role_required("trainer")
def overview() -> str:
    """Each course's lessons (any status) and its active scenarios per dimension and market."""
    courses = db.session.execute(db.select(Course).order_by(Course.title)).scalars().all()
    counts = db.session.execute(
        db.select(Question.course_id, Question.dimension, Question.market, func.count())
        .where(Question.status == QuestionStatus.ACTIVE)
        .group_by(Question.course_id, Question.dimension, Question.market)
    ).all()
    scenarios = {(c, d, m): n for c, d, m, n in counts}
    lessons = {course.id: editing.course_lessons(course) for course in courses}
    return render_template(
        "author/overview.html",
        courses=courses,
        lessons=lessons,
        scenarios=scenarios,
    )


def conflict_details(item: Lesson | Question, mine: dict[str, Any]) -> dict[str, Any]:
    """What an editor whose save lost a race needs: the other save and how it differs."""
    theirs = versions.snapshot(item)
    return {
        "latest": versions.current_entry(item),
        "theirs": [(name, versions.as_text(name, value)) for name, value in theirs.items()],
        "changes": versions.diff(theirs, {**theirs, **mine}),
    }


@bp.get("/courses/<course_slug>/lessons")
@role_required("trainer")
def lessons(course_slug: str) -> str:
    """The course's lessons in order, with buttons to move, retire and edit them."""
    course = db.first_or_404(db.select(Course).where(Course.slug == course_slug))
    return render_template(
        "author/lessons.html",
        course=course,
        lessons=editing.course_lessons(course),
        form=EmptyForm(),
    )


@bp.route("/courses/<course_slug>/lessons/new", methods=["GET", "POST"])
@role_required("trainer")
def new_lesson(course_slug: str) -> BaseResponse | str:
    """Write a new lesson (a draft unless published); Preview shows it without saving."""
    course = db.first_or_404(db.select(Course).where(Course.slug == course_slug))
    form = LessonForm()
    form.set_taxonomy(course.taxonomy)
    del form.version  # a new lesson has nothing to collide with
    preview = None
    if form.is_submitted() and form.preview.data:
        preview = render_markdown(form.body.data or "")
    elif form.validate_on_submit():
        try:
            lesson = editing.create_lesson(course, form.values())
        except InvalidContent as error:
            _show_problems(form, error)
        else:
            db.session.commit()
            flash(_("Lesson %(title)s created.", title=lesson.title), "success")
            return redirect(url_for("author.edit_lesson", lesson_id=lesson.id))
    elif not form.is_submitted():
        form.status.data = LessonStatus.DRAFT
    return render_template(
        "author/lesson_form.html", course=course, lesson=None, form=form, preview=preview
    )


def _show_problems(form: LessonForm, error: InvalidContent) -> None:
    for problem in error.problems:
        field = getattr(form, problem.field)
        field.errors = [*field.errors, problem_message(problem)]


@bp.route("/lessons/<int:lesson_id>", methods=["GET", "POST"])
@role_required("trainer")
def edit_lesson(lesson_id: int) -> BaseResponse | str:
    """Edit a lesson in place (progress hangs on its id); a stale save shows a conflict."""
    lesson = db.get_or_404(Lesson, lesson_id)
    form = LessonForm()
    form.set_taxonomy(lesson.course.taxonomy)
    if lesson.status == LessonStatus.RETIRED:
        form.allow_retired()
    preview = conflict = None
    if not form.is_submitted():
        form.fill(versions.snapshot(lesson), lesson.version)
    elif form.preview.data:
        preview = render_markdown(form.body.data or "")
    elif form.validate():
        try:
            editing.update_lesson(lesson, form.values(), form.version.data, current_user.id)
        except EditConflict:
            db.session.rollback()  # read the other save afresh
            conflict = conflict_details(lesson, form.values())
            form.set_version(lesson.version)
        except InvalidContent as error:
            _show_problems(form, error)
        else:
            db.session.commit()
            flash(_("Saved as version %(number)d.", number=lesson.version), "success")
            return redirect(url_for("author.edit_lesson", lesson_id=lesson.id))
    return render_template(
        "author/lesson_form.html",
        course=lesson.course,
        lesson=lesson,
        form=form,
        preview=preview,
        conflict=conflict,
        offered=versions.files_offer(lesson),
    )


@bp.post("/preview")
@role_required("trainer")
def preview() -> Response:
    """The sanitised HTML of posted Markdown, for the editor's live preview."""
    form = PreviewForm()
    if not form.validate_on_submit():
        abort(400)
    return Response(render_markdown(form.body.data or ""), mimetype="text/html")


@bp.post("/lessons/<int:lesson_id>/move-<any(up, down):direction>")
@role_required("trainer")
def move_lesson(lesson_id: int, direction: str) -> BaseResponse:
    """Move a lesson one place up or down in its course."""
    lesson = db.get_or_404(Lesson, lesson_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    editing.move_lesson(lesson, -1 if direction == "up" else 1)
    db.session.commit()
    return redirect(
        url_for("author.lessons", course_slug=lesson.course.slug, _anchor=f"lesson-{lesson.id}")
    )


@bp.post("/lessons/<int:lesson_id>/<any(retire, unretire):action>")
@role_required("trainer")
def lesson_status(lesson_id: int, action: str) -> BaseResponse:
    """Retire a lesson (learners no longer see it) or bring it back as a draft."""
    lesson = db.get_or_404(Lesson, lesson_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        editing.set_lesson_status(
            lesson,
            LessonStatus.RETIRED if action == "retire" else LessonStatus.DRAFT,
            current_user.id,
        )
    except EditConflict:
        db.session.rollback()
        flash(_("Someone else saved this lesson at the same moment. Please try again."), "error")
    else:
        db.session.commit()
        if action == "retire":
            flash(_("Lesson %(title)s retired.", title=lesson.title), "success")
        else:
            flash(_("Lesson %(title)s is back, as a draft.", title=lesson.title), "success")
    return redirect(url_for("author.lessons", course_slug=lesson.course.slug))


def _item_or_404(kind: str, object_id: int) -> Lesson | Question:
    item = versions.get_item(kind, object_id)
    if item is None:
        abort(404)
    return item


@bp.get("/<any(lesson, question):kind>/<int:object_id>/history")
@role_required("trainer")
def history(kind: str, object_id: int) -> str:
    """Every version of a lesson or question: who saved it, when, and buttons to restore."""
    item = _item_or_404(kind, object_id)
    return render_template(
        "author/history.html",
        kind=kind,
        item=item,
        entries=versions.history(item),
        form=EmptyForm(),
    )


@bp.get("/<any(lesson, question):kind>/<int:object_id>/diff")
@role_required("trainer")
def diff(kind: str, object_id: int) -> BaseResponse | str:
    """What changed between two versions (`old` and `new` in the query string)."""
    item = _item_or_404(kind, object_id)
    old_number = request.args.get("old", type=id_number)
    new_number = request.args.get("new", type=id_number)
    old = versions.state(item, old_number) if old_number is not None else None
    new = versions.state(item, new_number) if new_number is not None else None
    if old is None or new is None:
        flash(_("Choose two versions that exist."), "error")
        return redirect(url_for("author.history", kind=kind, object_id=object_id))
    return render_template(
        "author/diff.html",
        kind=kind,
        item=item,
        old_number=old_number,
        new_number=new_number,
        changes=versions.diff(old, new),
    )


@bp.post("/<any(lesson, question):kind>/<int:object_id>/versions/<int:number>/restore")
@role_required("trainer")
def restore(kind: str, object_id: int, number: int) -> BaseResponse:
    """Save the content of an old version as the newest one (its status stays as it is)."""
    item = _item_or_404(kind, object_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    restorer = editing.restore_lesson if kind == "lesson" else editing.restore_question
    try:
        found = restorer(item, number, current_user.id)  # type: ignore[arg-type]
    except EditConflict:
        db.session.rollback()
        flash(_("Someone else saved at the same moment; nothing was restored."), "error")
    except InvalidContent as error:
        db.session.rollback()
        problems = " ".join(problem_message(problem) for problem in error.problems)
        flash(_("Version %(number)d cannot be restored: %(problems)s",
                number=number, problems=problems), "error")  # fmt: skip
    else:
        if not found:
            abort(404)
        db.session.commit()
        flash(_("Version %(old)d restored as version %(new)d.",
                old=number, new=item.version), "success")  # fmt: skip
    return redirect(url_for("author.history", kind=kind, object_id=object_id))
