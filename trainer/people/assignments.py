"""Courses assigned by HR to learners, with a due date: to a department or to chosen people."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Row, Select, and_, bindparam, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from trainer.database import execute_core, savepoint
from trainer.extensions import db
from trainer.models import Assignment, Course, CourseCompletion, User, normalize_email
from trainer.models.types import end_of_day, utcnow
from trainer.people import audit


class AssignmentError(ValueError):
    """An assignment that cannot be made; `reason`: a stable key, `detail`: the bad values."""

    def __init__(self, reason: str, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Outcome:
    """How many assignments were created, and how many only had their due date moved."""

    created: int
    updated: int


def due_at_end_of(day: date) -> datetime:
    """How a due date is stored: its last second in UTC, which stands for the day. What the
    day means, its end in the instance's zone, is `due_day_end` and `overdue_before`."""
    return end_of_day(day)


def site_zone() -> ZoneInfo:
    """The instance's TIME_ZONE, in which a due day ends."""
    return ZoneInfo(current_app.config["TIME_ZONE"])


def overdue_before(now: datetime | None = None) -> datetime:
    """Assignments whose stored `due_at` is before this instant are overdue at `now`.

    A due date lasts until its day has ended in the instance's TIME_ZONE, for the learner,
    HR's report and every export alike: overdue once the local date is past the due date.
    """
    today = (now or utcnow()).astimezone(site_zone()).date()
    # Every stored due_at of a day before `today` is below this; today's and later are not.
    return datetime.combine(today, time(0), UTC)


def due_day_end(due_at: datetime, zone: tzinfo | None = None) -> datetime:
    """The last second of the due day a stored `due_at` stands for, in `zone` (by default
    the instance's TIME_ZONE), as a UTC instant."""
    day = due_at.astimezone(UTC).date()
    return datetime.combine(day, time(23, 59, 59), zone or site_zone()).astimezone(UTC)


def _active_learners() -> Select[Any]:
    return db.select(User).where(User.is_active_learner())


def learner_page(search: str = "", limit: int = 100) -> tuple[list[Row[Any]], int]:
    """Up to `limit` active learners whose name, e-mail or employee id holds `search`, by
    name, as (id, display_name, email) rows; and how many match. Two statements, however
    many learners there are."""
    stmt = _active_learners().with_only_columns(User.id, User.display_name, User.email)
    term = search.strip()
    if term:
        columns = (User.display_name, User.email, User.employee_id)
        # Both spellings: SQLite's lower() folds only ASCII, so "Łukasz" must match as typed.
        stmt = stmt.where(
            or_(
                *(func.lower(column).contains(term.lower(), autoescape=True) for column in columns),
                *(column.contains(term, autoescape=True) for column in columns),
            )
        )
    total = db.session.execute(
        db.select(func.count()).select_from(stmt.order_by(None).subquery())
    ).scalar_one()
    rows = db.session.execute(stmt.order_by(User.display_name, User.email).limit(limit)).all()
    return list(rows), total


def learners_by_id(ids: Iterable[int]) -> list[Row[Any]]:
    """The active learners among `ids`, as (id, display_name, email) rows, by name."""
    wanted = sorted(set(ids))
    if not wanted:
        return []
    stmt = (
        _active_learners()
        .with_only_columns(User.id, User.display_name, User.email)
        .where(User.id.in_(wanted))
        .order_by(User.display_name, User.email)
    )
    return list(db.session.execute(stmt).all())


def _departments_with_learners() -> Select[tuple[str]]:
    # Each department named, found by a seek in ix_user_department_active from the one
    # before it (a recursive query: as many steps as departments, however many people);
    # then one active learner looked for in each. Reading every account's department
    # instead cost a report page 11 ms at 100,000 learners, and more with every account.
    after = select(func.min(User.department)).where(User.department.is_not(None))
    named = after.scalar_subquery().label("name")
    chain = select(named).cte("departments", recursive=True)
    following = select(func.min(User.department)).where(User.department > chain.c.name)
    chain = chain.union_all(select(following.scalar_subquery()).where(chain.c.name.is_not(None)))
    member = aliased(User)
    has_learner = select(member.id).where(
        member.department == chain.c.name, member.is_active_learner()
    )
    return (
        select(chain.c.name)
        .where(chain.c.name.is_not(None), has_learner.exists())
        .order_by(chain.c.name)
    )


# Every HR report page and export form lists them: built once, as building it cost more than
# running it.
_DEPARTMENTS = _departments_with_learners()


def departments() -> list[str]:
    """The departments that have at least one active learner."""
    return list(db.session.execute(_DEPARTMENTS).scalars())


def department_learners(department: str) -> list[User]:
    """The active learners of `department` right now."""
    stmt = _active_learners().where(User.department == department).order_by(User.id)
    return list(db.session.execute(stmt).scalars())


def learners_by_ids_and_emails(ids: Iterable[int], emails: Iterable[str]) -> list[User]:
    """Active learners chosen by id (checkboxes) or e-mail (a pasted list); all must exist."""
    wanted = {normalize_email(email) for email in emails if email.strip()}
    found = db.session.execute(
        _active_learners().where(
            db.or_(User.id.in_(list(ids)), func.lower(User.email).in_(sorted(wanted)))
        )
    ).scalars()
    chosen = {user.id: user for user in found}
    missing = wanted - {normalize_email(user.email) for user in chosen.values()}
    if missing:
        listed = ", ".join(sorted(missing))
        raise AssignmentError("unknown_emails", f"no active learner with e-mail: {listed}", listed)
    if not chosen:
        raise AssignmentError("nobody", "choose at least one learner")
    return sorted(chosen.values(), key=lambda user: user.id)


def _check_due(due: date, today: date | None) -> None:
    if due < (today or utcnow().astimezone(site_zone()).date()):
        raise AssignmentError("past_due", "the due date is in the past")


def _assign(
    course: Course, users: list[User], due: date, by: User | None, department: str | None
) -> Outcome:
    values = {
        "due_at": due_at_end_of(due),
        "department": department,
        "assigned_by_id": by.id if by else None,
    }
    try:
        return _upsert(course, users, values)
    except IntegrityError:  # a concurrent assignment inserted some first: now they are updated
        return _upsert(course, users, values)


def _upsert(course: Course, users: list[User], values: dict[str, Any]) -> Outcome:
    existing = db.session.execute(
        db.select(Assignment).where(
            Assignment.course_id == course.id,
            Assignment.user_id.in_([user.id for user in users]),
        )
    ).scalars().all()  # fmt: skip
    assigned = {assignment.user_id for assignment in existing}
    new = [user for user in users if user.id not in assigned]
    with savepoint():
        db.session.add_all(
            Assignment(user_id=user.id, course_id=course.id, **values) for user in new
        )
    for assignment in existing:
        for name, value in values.items():
            setattr(assignment, name, value)
    db.session.flush()
    return Outcome(len(new), len(existing))


def assign_department(
    course: Course, department: str, due: date, by: User | None, today: date | None = None
) -> Outcome:
    """Assign `course` to every active learner of `department` now; re-assigning moves the date."""
    _check_due(due, today)
    users = department_learners(department)
    if not users:
        raise AssignmentError(
            "empty_department", f"no active learners in department {department!r}", department
        )
    outcome = _assign(course, users, due, by, department)
    audit.record(
        by or "cli",
        "assignment.department",
        {
            "course": course.slug,
            "department": department,
            "due": due.isoformat(),
            "created": outcome.created,
            "updated": outcome.updated,
        },
        row_count=len(users),
    )
    return outcome


def assign_people(
    course: Course, users: list[User], due: date, by: User | None, today: date | None = None
) -> Outcome:
    """Assign `course` to the chosen learners; an existing assignment gets the new due date."""
    _check_due(due, today)
    if not users:
        raise AssignmentError("nobody", "choose at least one learner")
    outcome = _assign(course, users, due, by, None)
    audit.record(
        by or "cli",
        "assignment.people",
        {
            "course": course.slug,
            "users": [user.email for user in users],
            "due": due.isoformat(),
            "created": outcome.created,
            "updated": outcome.updated,
        },
        row_count=len(users),
    )
    return outcome


def unassign(assignment_id: int, by: User | None) -> Assignment | None:
    """Remove one assignment (its learner keeps whatever progress they made)."""
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None:
        return None
    audit.record(
        by or "cli",
        "assignment.remove",
        {"course": assignment.course.slug, "user": assignment.user.email},
        row_count=1,
    )
    db.session.delete(assignment)
    db.session.flush()
    return assignment


# The learner's completion of the assigned course, if any.
_COMPLETION_OF_ASSIGNMENT = and_(
    CourseCompletion.user_id == Assignment.user_id,
    CourseCompletion.course_id == Assignment.course_id,
)


def current(limit: int = 500) -> list[Row[Any]]:
    """Assignments with learner, course and whether they are done, soonest due first."""
    return list(
        db.session.execute(
            db.select(
                Assignment.id,
                Assignment.due_at,
                Assignment.department,
                User.display_name,
                User.email,
                Course.title.label("course_title"),
                CourseCompletion.completed_at,
            )
            .select_from(Assignment)
            .join(User, User.id == Assignment.user_id)
            .join(Course, Course.id == Assignment.course_id)
            .outerjoin(CourseCompletion, _COMPLETION_OF_ASSIGNMENT)
            .order_by(Assignment.due_at, User.display_name, Assignment.id)
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class LearnerAssignment:
    """A course assigned to the learner, as their dashboard shows it."""

    slug: str
    title: str
    due_at: datetime
    completed_at: datetime | None
    overdue: bool


# The dashboard's, on every visit: built once, as building it cost more than running it.
_LEARNERS_ASSIGNMENTS = (
    select(Course.slug, Course.title, Assignment.due_at, CourseCompletion.completed_at)
    .select_from(Assignment)
    .join(Course, Course.id == Assignment.course_id)
    .outerjoin(CourseCompletion, _COMPLETION_OF_ASSIGNMENT)
    .where(Assignment.user_id == bindparam("user_id"))
    .order_by(Assignment.due_at, Course.title)
)


def for_user(user_id: int, now: datetime | None = None) -> list[LearnerAssignment]:
    """What is assigned to the learner, soonest due first; overdue: due passed, not completed."""
    cutoff = overdue_before(now)
    rows = execute_core(_LEARNERS_ASSIGNMENTS, {"user_id": user_id})
    return [
        LearnerAssignment(slug, title, due, done, done is None and due < cutoff)
        for slug, title, due, done in rows
    ]
