"""What content is loaded, for trainers: lessons by status, questions by dimension and market."""

from flask import Blueprint, render_template
from sqlalchemy import func

from trainer.auth.decorators import role_required
from trainer.dimensions import DIMENSIONS
from trainer.extensions import db
from trainer.models import Course, Lesson, Question

bp = Blueprint("author", __name__, url_prefix="/author")


@bp.get("/")
@role_required("trainer")
def overview() -> str:
    """Each course's lessons (any status) and its active scenarios per dimension and market."""
    courses = db.session.execute(db.select(Course).order_by(Course.title)).scalars().all()
    counts = db.session.execute(
        db.select(Question.course_id, Question.dimension, Question.market, func.count())
        .where(Question.status == "active")
        .group_by(Question.course_id, Question.dimension, Question.market)
    ).all()
    scenarios = {(c, d, m): n for c, d, m, n in counts}
    lessons = {
        course.id: db.session.execute(
            db.select(Lesson).where(Lesson.course_id == course.id).order_by(Lesson.position)
        )
        .scalars()
        .all()
        for course in courses
    }
    return render_template(
        "author/overview.html",
        courses=courses,
        lessons=lessons,
        scenarios=scenarios,
        dimensions=DIMENSIONS,
    )
