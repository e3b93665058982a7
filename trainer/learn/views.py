"""Dashboard, course pages and lessons."""

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

from trainer.content.markdown import render_markdown
from trainer.dimensions import DIMENSIONS
from trainer.services import catalog

bp = Blueprint("learn", __name__)
DIMENSION_HEADINGS = {dimension.key: dimension.heading for dimension in DIMENSIONS}


@bp.get("/")
@login_required
def dashboard() -> str:
    """Every course with the learner's progress at a glance."""
    rows = []
    for course in catalog.courses():
        lessons = catalog.published_lessons(course)
        done = catalog.completed_lesson_ids(current_user.id, course)
        rows.append((course, len(lessons), len([les for les in lessons if les.id in done])))
    return render_template("learn/dashboard.html", rows=rows)


@bp.get("/courses/<slug>")
@login_required
def course(slug: str) -> str:
    """A course's lessons in order."""
    found = catalog.course_by_slug(slug)
    if found is None:
        abort(404)
    lessons = catalog.published_lessons(found)
    if not lessons:
        abort(404)
    done = catalog.completed_lesson_ids(current_user.id, found)
    return render_template("learn/course.html", course=found, lessons=lessons, done=done)


@bp.get("/courses/<slug>/lessons/<lesson_slug>")
@login_required
def lesson(slug: str, lesson_slug: str) -> str:
    """One published lesson, rendered and sanitised, with previous/next links."""
    found = catalog.course_by_slug(slug)
    lessons = catalog.published_lessons(found) if found else []
    index = next((i for i, les in enumerate(lessons) if les.slug == lesson_slug), None)
    if found is None or index is None:
        abort(404)
    current = lessons[index]
    return render_template(
        "learn/lesson.html",
        course=found,
        lesson=current,
        body=render_markdown(current.body),
        dimension=DIMENSION_HEADINGS.get(current.dimension or ""),
        previous=lessons[index - 1] if index > 0 else None,
        next=lessons[index + 1] if index + 1 < len(lessons) else None,
    )
