"""Accounts and their roles."""

import uuid
from datetime import datetime

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ColumnElement, ForeignKey, Index, String, and_, func
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from trainer.extensions import db
from trainer.models.types import UTCDateTime, one_of, utcnow

ROLES: tuple[str, ...] = ("learner", "trainer", "hr", "admin")
LANGUAGES: tuple[str, ...] = ("pl", "en")


def new_learner_id() -> str:
    """A fresh opaque learner id (a random UUID): it tells nothing about the person."""
    return str(uuid.uuid4())


# When no app is at hand; the same as Defaults.PASSWORD_HASH_METHOD.
PASSWORD_HASH_METHOD = "scrypt:32768:8:1"  # noqa: S105 (parameters, not a password)


def hash_password(password: str) -> str:
    """A salted hash of `password` with the configured method (PASSWORD_HASH_METHOD)."""
    method = (
        current_app.config.get("PASSWORD_HASH_METHOD", PASSWORD_HASH_METHOD)
        if has_app_context()
        else PASSWORD_HASH_METHOD
    )
    return generate_password_hash(password, method=method)


def normalize_email(email: str) -> str:
    """The one spelling of an address we store and compare: trimmed and case-folded."""
    return email.strip().casefold()


class User(UserMixin, db.Model):
    """A person who signs in: learner, trainer, HR or admin (or several of these)."""

    __tablename__ = "user"
    __table_args__ = (CheckConstraint(one_of("language", LANGUAGES), name="language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    employee_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    department: Mapped[str | None] = mapped_column(String(120))
    # Who the person reports to, as HR's system names them (a name or an e-mail); free text.
    manager: Mapped[str | None] = mapped_column(String(120))
    # None: follow the browser's Accept-Language.
    language: Mapped[str | None] = mapped_column(String(5))
    # An IANA zone name such as Europe/Warsaw; None: the instance's TIME_ZONE.
    time_zone: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=True)
    # Part of every session and remember-me cookie; bumping it invalidates all of them.
    session_version: Mapped[int] = mapped_column(default=1)
    # A password someone else chose (the first admin's) must be replaced at first sign-in.
    must_change_password: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The opaque id xAPI names the learner by: never changes with name, e-mail or department.
    learner_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_learner_id)

    roles: Mapped[list["UserRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    def set_password(self, password: str) -> None:
        """Store a salted scrypt hash of `password`."""
        self.password_hash = hash_password(password)
        self.must_change_password = False

    def check_password(self, password: str) -> bool:
        """Whether `password` matches the stored hash."""
        return self.password_hash is not None and check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def end_sessions(self) -> None:
        """Invalidate every session and remember-me cookie issued so far."""
        self.session_version += 1

    @classmethod
    def is_active_learner(cls) -> ColumnElement[bool]:
        """SQL for "an active account that holds the learner role": who courses are for."""
        return and_(cls.active.is_(True), cls.roles.any(UserRole.role == "learner"))

    @property
    def role_names(self) -> set[str]:
        return {role.role for role in self.roles}

    def has_role(self, *roles: str) -> bool:
        """Whether the user holds any of `roles`; admins hold every role."""
        names = self.role_names
        return "admin" in names or any(role in names for role in roles)

    def set_roles(self, roles: set[str]) -> None:
        """Replace the user's roles with `roles`."""
        unknown = set(roles) - set(ROLES)
        if unknown:
            raise ValueError(f"unknown role(s): {', '.join(sorted(unknown))}")
        self.roles = [r for r in self.roles if r.role in roles]
        self.roles += [UserRole(role=role) for role in sorted(roles - self.role_names)]


# Case-insensitive uniqueness in the database itself, whatever spelling reaches it.
Index("uq_user_email_lower", func.lower(User.email), unique=True)
# Who courses are for (`is_active_learner`): the report and the assignment pages look users up
# by it; without an index SQLite builds a temporary one for every report page. On SQLite it
# also lists them in id order (the rowid ends every index), which the API's pages walk.
Index("ix_user_active", User.active)
# The same in name order: the report's pages sorted by name walk it (migration 0014).
Index("ix_user_active_display_name", User.active, User.display_name, User.email, User.id)
# The report filters by department, among active learners (migration 0012).
Index("ix_user_department_active", User.department, User.active)


class UserRole(db.Model):
    """One role held by one user."""

    __tablename__ = "user_role"
    __table_args__ = (CheckConstraint(one_of("role", ROLES), name="role"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(16), primary_key=True)

    user: Mapped[User] = relationship(back_populates="roles")
