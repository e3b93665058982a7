"""Constraints live in the database: duplicates, enumerations and links are refused there."""

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from trainer.extensions import db
from trainer.models import Course, Lesson, Question, User, UserRole


def insert(app: Flask, sql: str, **params: object) -> None:
    with app.app_context():
        db.session.execute(text(sql), params)
        db.session.commit()


def user_row(app: Flask, email: str) -> int:
    with app.app_context():
        user = User(email=email, display_name="X")
        db.session.add(user)
        db.session.commit()
        return user.id


def test_email_unique_whatever_its_case(app: Flask) -> None:
    user_row(app, "ewa@example.com")
    with pytest.raises(IntegrityError):
        user_row(app, "EWA@example.com")


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO user_role (user_id, role) VALUES (:uid, 'superuser')",
        "UPDATE \"user\" SET language = 'xx' WHERE id = :uid",
        "INSERT INTO user_role (user_id, role) VALUES (:uid + 1000, 'learner')",
    ],
    ids=["unknown role", "unknown language", "role of a missing user"],
)
def test_database_refuses_bad_user_rows(app: Flask, sql: str) -> None:
    uid = user_row(app, "ewa@example.com")
    with pytest.raises(IntegrityError):
        insert(app, sql, uid=uid)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"difficulty": 7}, "difficulty out of range"),
        ({"status": "lost"}, "unknown status"),
    ],
)
def test_database_refuses_bad_questions(app: Flask, changes: dict, reason: str) -> None:
    with app.app_context():
        course = Course(slug="c", title="C")
        db.session.add(course)
        db.session.flush()
        values = {"course_id": course.id, "key": "q1", "type": "scenario", "market": "B2B",
                  "dimension": "marketing", "difficulty": 2}  # fmt: skip
        db.session.add(Question(**{**values, **changes}))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_lesson_slug_unique_per_course(app: Flask) -> None:
    with app.app_context():
        course = Course(slug="c", title="C")
        db.session.add(course)
        db.session.flush()
        db.session.add_all(
            [Lesson(course_id=course.id, slug="a", title="A", position=i) for i in (1, 2)]
        )
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_roles_replace_and_admin_holds_all(app: Flask) -> None:
    with app.app_context():
        user = User(email="a@example.com", display_name="A")
        user.set_roles({"trainer", "hr"})
        db.session.add(user)
        db.session.commit()
        user.set_roles({"hr"})
        db.session.commit()
        assert db.session.query(UserRole).count() == 1
        assert user.has_role("hr") and not user.has_role("trainer")
        user.set_roles({"admin"})
        assert user.has_role("trainer") and user.has_role("hr")
        with pytest.raises(ValueError, match="unknown role"):
            user.set_roles({"boss"})
