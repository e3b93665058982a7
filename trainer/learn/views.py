"""Dashboard, course pages and lessons."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from trainer.content.markdown import heading_ids, render_markdown
from trainer.extensions import db
from trainer.forms import EmptyForm
from trainer.learning import attempts, outline, practice, progress, published
from trainer.learning.published import PublishedCourse
from trainer.people import assignments
from trainer.reporting.mastery import learner_mastery

bp = Blueprint("learn", __name__)


@bp.get("/")
@login_required
def dashboard() -> str:
    """Every course with the learner's progress at a glance, what is assigned, and practice."""
    courses = published.catalogue().listed()
    statuses = progress.course_statuses(current_user.id, courses)
    rows = [(course, statuses[course.id]) for course in courses]
    due, queued = practice.queue_size(current_user.id)
    return render_template(
        "learn/dashboard.html", rows=rows, due=due, queued=queued,
        assigned=assignments.for_user(current_user.id),
        running=outline.open_timed_attempts(current_user.id),
        resume_at=attempts.first_open_position,
    )  # fmt: skip


def _course_or_404(slug: str) -> PublishedCourse:
    found = published.published_course(slug)
    if found is None:
        abort(404)
    return found


def _published_lesson_or_404(slug: str, lesson_slug: str) -> tuple[PublishedCourse, int]:
    """The course as learners see it now, and the position of the published lesson."""
    found = published.published_course(slug)
    index = found.position_of(lesson_slug) if found else None
    if found is None or index is None:
        abort(404)
    return found, index


@bp.get("/courses/<slug>")
@login_required
def course(slug: str) -> str:
    """A course as an outline: each lesson and quiz with the learner's status, and progress."""
    found = _course_or_404(slug)
    return render_template(
        "learn/course.html",
        course=found,
        status=progress.course_status(current_user.id, found),
        outline=outline.course_outline(current_user.id, found),
    )


@bp.get("/courses/<slug>/mastery")
@login_required
def mastery(slug: str) -> str:
    """The learner's share of points per dimension of a course, as a chart and a table."""
    found = _course_or_404(slug)
    shares = learner_mastery(current_user.id, found)
    return render_template(
        "learn/mastery.html", course=found, shares=shares,
        answered=any(share.possible for share in shares.values()),
    )  # fmt: skip


@bp.get("/courses/<slug>/lessons/<lesson_slug>")
@login_required
def lesson(slug: str, lesson_slug: str) -> str:
    """One published lesson, rendered and sanitised, with contents and previous/next links."""
    found, index = _published_lesson_or_404(slug, lesson_slug)
    lessons = found.lessons
    current = lessons[index]
    record = progress.open_lesson(current_user.id, current)
    page = render_template(
        "learn/lesson.html",
        course=found,
        lesson=current,
        body=render_markdown(current.body),
        contents=[(anchor, title) for anchor, title in heading_ids(current.body)],
        dimension=found.taxonomy.dimension(current.dimension),
        done=record.completed_at is not None,
        check=current.check,
        previous=lessons[index - 1] if index > 0 else None,
        next=lessons[index + 1] if index + 1 < len(lessons) else None,
    )
    # The first opening is kept. Committed after rendering: a commit expires every loaded
    # object, and the template would load each of them again.
    db.session.commit()
    return page


@bp.post("/courses/<slug>/lessons/<lesson_slug>/done")
@login_required
def mark_done(slug: str, lesson_slug: str) -> Response:
    """Mark a lesson done, then go on to what comes next."""
    found, index = _published_lesson_or_404(slug, lesson_slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    current = found.lessons[index]
    progress.complete_lesson(current_user.id, current)
    completion = progress.record_completion_if_earned(current_user.id, found)
    db.session.commit()
    flash(_("Lesson marked as done."), "success")
    if completion is not None:
        return redirect(url_for("certificates.certificate", code=completion.certificate_code))
    if current.check is not None:
        return redirect(url_for("quiz.intro", quiz_id=current.check.id))
    following = found.lessons[index + 1 :]
    if following:
        return redirect(url_for("learn.lesson", slug=slug, lesson_slug=following[0].slug))
    return redirect(url_for("learn.course", slug=slug))
