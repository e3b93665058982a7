"""Known learners, progress and attempts behind the report, export and assignment tests.

Two courses (the sample course and a one-lesson second course) and five learners:
Anna completed the sample course, Bartek is in progress, Celina is overdue, Dawid has not
started and Ewa (learner and HR) has not started either. Users who are not learners, or
are deactivated, must never appear.
"""

from datetime import UTC, datetime, timedelta

from flask import Flask

from tests.conftest import PASSWORD
from trainer.extensions import db
from trainer.models import (
    Assignment,
    Attempt,
    Course,
    CourseCompletion,
    Lesson,
    LessonProgress,
    Quiz,
    User,
)
from trainer.models.types import utcnow
from trainer.people import accounts

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
COMPLETED_AT = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
CODE = "ANNA-CODE-0001"
NAMES = ["Anna Nowak", "Bartek Zieliński", "Celina Wójcik", "Dawid Kowal", "Ewa Kadrowa"]


def add_user(
    app: Flask, email: str, name: str, roles: set[str], login: bool = False, **fields: object
) -> int:
    """A user; only those who sign in get a password (hashing is slow on purpose)."""
    with app.app_context():
        user = accounts.create_user(email, name, PASSWORD if login else None, roles, **fields)
        db.session.commit()
        return user.id


def seed(app: Flask) -> dict[str, int]:
    """Create the known rows; returns user ids by first name (lower case)."""
    learner = {"learner"}
    ids = {
        "anna": add_user(app, "anna@example.com", "Anna Nowak", learner, login=True,
                         employee_id="E-1", department="Sprzedaż"),
        "bartek": add_user(app, "bartek@example.com", "Bartek Zieliński", learner,
                           employee_id="E-2", department="Sprzedaż"),
        "celina": add_user(app, "celina@example.com", "Celina Wójcik", learner,
                           employee_id="E-3", department="Marketing"),
        "dawid": add_user(app, "dawid@example.com", "Dawid Kowal", learner,
                          employee_id="E-4", department="Marketing"),
        "ewa": add_user(app, "ewa@example.com", "Ewa Kadrowa", {"learner", "hr"}),
        "halina": add_user(app, "halina@example.com", "Halina Tylko-HR", {"hr"}, login=True,
                           department="HR"),
        "tomasz": add_user(app, "tomasz@example.com", "Tomasz Trener", {"trainer"}, login=True),
        "igor": add_user(app, "igor@example.com", "Igor Odszedł", learner, department="Sprzedaż"),
    }  # fmt: skip
    with app.app_context():
        db.session.get(User, ids["igor"]).active = False
        sample = db.session.execute(db.select(Course).filter_by(slug="sample")).scalar_one()
        second = Course(slug="second", title="Drugi kurs")
        second.lessons.append(Lesson(slug="jedyna", title="Jedyna", position=1, body="x"))
        db.session.add(second)
        lessons = db.session.execute(
            db.select(Lesson).filter_by(course_id=sample.id, status="published")
            .order_by(Lesson.position)
        ).scalars().all()  # fmt: skip
        quiz = {q.slug: q for q in db.session.execute(db.select(Quiz)).scalars()}
        for number, lesson in enumerate(lessons):
            db.session.add(LessonProgress(
                user_id=ids["anna"], lesson_id=lesson.id,
                first_opened_at=T0 + timedelta(hours=number),
                completed_at=T0 + timedelta(hours=number, minutes=30),
            ))  # fmt: skip
        db.session.add(LessonProgress(
            user_id=ids["bartek"], lesson_id=lessons[0].id, first_opened_at=T0 + timedelta(days=1)
        ))  # fmt: skip
        attempts = [
            ("anna", "sprawdzian", T0 + timedelta(hours=2), 100.0, True),
            ("anna", "egzamin", T0 + timedelta(days=3), 75.0, False),
            ("anna", "egzamin", T0 + timedelta(days=4), 87.5, True),
            ("bartek", "sprawdzian", T0 + timedelta(days=1, hours=1), 50.0, True),
        ]
        for who, slug, started, percent, passed in attempts:
            db.session.add(Attempt(
                user_id=ids[who], quiz_id=quiz[slug].id, status="graded", started_at=started,
                submitted_at=started + timedelta(minutes=10), score=int(percent), max_score=100,
                percent=percent, passed=passed,
            ))  # fmt: skip
        # An unfinished attempt is shown in the transcript but not counted as an attempt.
        db.session.add(Attempt(user_id=ids["bartek"], quiz_id=quiz["egzamin"].id,
                               started_at=T0 + timedelta(days=2)))  # fmt: skip
        db.session.add(CourseCompletion(
            user_id=ids["anna"], course_id=sample.id, completed_at=COMPLETED_AT, score=87.5,
            certificate_code=CODE,
        ))  # fmt: skip
        db.session.add(Assignment(user_id=ids["celina"], course_id=sample.id,
                                  due_at=utcnow() - timedelta(days=1)))  # fmt: skip
        db.session.add(Assignment(user_id=ids["dawid"], course_id=sample.id,
                                  due_at=utcnow() + timedelta(days=7)))  # fmt: skip
        db.session.commit()
    return ids
