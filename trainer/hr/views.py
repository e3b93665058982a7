"""Lesson progress per learner and course, for HR."""

from flask import Blueprint, render_template
from sqlalchemy import func

from trainer.auth.decorators import role_required
from trainer.extensions import db
from trainer.models import Course, CourseCompletion, Lesson, LessonProgress, User

bp = Blueprint("hr", __name__, url_prefix="/hr")


@bp.get("/")
@role_required("hr")
def progress() -> str:
    """Every active learner with lessons done per course and completion date."""
    done = (
        db.select(LessonProgress.user_id, Lesson.course_id, func.count().label("done"))
        .join(Lesson)
        .where(LessonProgress.completed_at.is_not(None), Lesson.status == "published")
        .group_by(LessonProgress.user_id, Lesson.course_id)
        .subquery()
    )
    rows = db.session.execute(
        db.select(User, Course, done.c.done, CourseCompletion.completed_at)
        .select_from(User)
        .join(Course, db.true())
        .outerjoin(done, (done.c.user_id == User.id) & (done.c.course_id == Course.id))
        .outerjoin(
            CourseCompletion,
            (CourseCompletion.user_id == User.id) & (CourseCompletion.course_id == Course.id),
        )
        .where(User.active.is_(True))
        .order_by(User.display_name, Course.title)
    ).all()
    return render_template("hr/progress.html", rows=rows)
