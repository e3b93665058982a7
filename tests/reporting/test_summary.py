"""The report's summary table (`learner_course_summary`) against the aggregation it replaced.

The report used to aggregate every learner's progress and attempts on each page; now it
reads one summary row per learner and course, which every write keeps up to date. The old
aggregation lives on here only, as the oracle: random learners do random things through
the real services, and the report must come out the same from both.
"""

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from flask_migrate import downgrade, upgrade
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import (
    Boolean,
    ColumnElement,
    Select,
    and_,
    case,
    func,
    or_,
    text,
    true,
    type_coerce,
)

from tests.concurrency import waits_for
from tests.db_state import empty_database
from trainer.authoring import editing
from trainer.authoring.content_files import sync_configured_content
from trainer.demo import dataset
from trainer.extensions import db
from trainer.learning import attempts, progress
from trainer.models import (
    Assignment,
    Attempt,
    AttemptStatus,
    Course,
    CourseCompletion,
    LearnerCourseSummary,
    Lesson,
    LessonProgress,
    LessonStatus,
    QuestionStatus,
    Quiz,
    User,
)
from trainer.models import summary as summary_rule
from trainer.models.types import utcnow
from trainer.people import accounts, assignments, privacy
from trainer.reporting.report import (
    STATUSES,
    ProgressStatus,
    ReportFilter,
    _conditions,
    _learner_conditions,
    bound_values,
    filter_shape,
    report_select,
)


# --- the oracle: the report's select as it was before the summary (commit 29c2d46) -------
def _aggregates() -> tuple[Any, Any, Any]:
    published = Lesson.status == LessonStatus.PUBLISHED
    lessons = (
        db.select(Lesson.course_id, func.count().label("total"))
        .where(published).group_by(Lesson.course_id).subquery("lessons")
    )  # fmt: skip
    done = and_(published, LessonProgress.completed_at.is_not(None))
    progress_ = (
        db.select(
            LessonProgress.user_id, Lesson.course_id,
            func.count(case((done, 1))).label("done"),
            func.min(LessonProgress.first_opened_at).label("opened"),
            func.max(func.coalesce(LessonProgress.completed_at, LessonProgress.first_opened_at))
            .label("touched"),
        )
        .join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .group_by(LessonProgress.user_id, Lesson.course_id)
        .subquery("progress")
    )  # fmt: skip
    graded = Attempt.status == AttemptStatus.GRADED
    final = and_(graded, Quiz.is_final.is_(True), Quiz.status == QuestionStatus.ACTIVE)
    attempts_ = (
        db.select(
            Attempt.user_id, Quiz.course_id,
            func.count(case((graded, 1))).label("graded"),
            func.min(Attempt.started_at).label("started"),
            func.max(func.coalesce(Attempt.submitted_at, Attempt.started_at)).label("touched"),
            func.max(case((final, Attempt.percent))).label("best"),
            func.max(case((and_(final, Attempt.passed.is_(True)), 1), else_=0)).label("passed"),
        )
        .join(Quiz, Quiz.id == Attempt.quiz_id)
        .group_by(Attempt.user_id, Quiz.course_id)
        .subquery("attempts")
    )  # fmt: skip
    return lessons, progress_, attempts_


def _earliest(first: Any, second: Any, latest: bool = False) -> ColumnElement[Any]:
    return case(
        (first.is_(None), second),
        (second.is_(None), first),
        ((first >= second) if latest else (first <= second), first),
        else_=second,
    )


def old_report_select(filters: ReportFilter, sort: str, descending: bool,
                      now: datetime) -> Select[Any]:  # fmt: skip
    lessons, progress_, attempts_ = _aggregates()
    first_started = _earliest(progress_.c.opened, attempts_.c.started)
    completed = CourseCompletion.id.is_not(None)
    status = case(
        (completed, ProgressStatus.COMPLETED.value),
        # Overdue as the product counts it (tests/people/test_overdue.py): this reference
        # checks the summary's aggregation, not when a due day ends.
        (and_(Assignment.due_at.is_not(None),
              Assignment.due_at < assignments.overdue_before(now)),
         ProgressStatus.OVERDUE.value),
        (first_started.is_not(None), ProgressStatus.IN_PROGRESS.value),
        else_=ProgressStatus.NOT_STARTED.value,
    )  # fmt: skip
    passed = type_coerce(or_(completed, func.coalesce(attempts_.c.passed, 0) == 1), Boolean)
    stmt = (
        db.select(
            User.id.label("user_id"), User.employee_id, User.display_name.label("name"),
            User.email, User.department, Course.slug.label("course_slug"),
            Course.title.label("course_title"), status.label("status"),
            func.coalesce(progress_.c.done, 0).label("lessons_done"),
            lessons.c.total.label("lessons_total"), attempts_.c.best.label("best_score"),
            passed.label("passed"), func.coalesce(attempts_.c.graded, 0).label("attempts"),
            first_started.label("first_started"), CourseCompletion.completed_at,
            CourseCompletion.certificate_code, Assignment.due_at, User.manager,
            Assignment.created_at.label("assigned_at"),
            _earliest(progress_.c.touched, attempts_.c.touched, latest=True)
            .label("last_activity"),
        )
        .select_from(User)
        .join(Course, true())
        .join(lessons, lessons.c.course_id == Course.id)
        .outerjoin(progress_, and_(progress_.c.user_id == User.id,
                                   progress_.c.course_id == Course.id))
        .outerjoin(attempts_, and_(attempts_.c.user_id == User.id,
                                   attempts_.c.course_id == Course.id))
        .outerjoin(CourseCompletion, and_(CourseCompletion.user_id == User.id,
                                          CourseCompletion.course_id == Course.id))
        .outerjoin(Assignment, and_(Assignment.user_id == User.id,
                                    Assignment.course_id == Course.id))
        .where(User.is_active_learner())
    )  # fmt: skip
    # The filters as they were (the completion date was the completion row's).
    shape = filter_shape(filters)
    conditions = [*_learner_conditions(shape), *_conditions(shape, status)]
    if filters.since or filters.until:
        conditions = [c for c in conditions if "learner_course_summary" not in str(c)]
        day = timedelta(1)
        at = CourseCompletion.completed_at
        if filters.since:
            conditions.append(at >= datetime.combine(filters.since, datetime.min.time(), UTC))
        if filters.until:
            conditions.append(at < datetime.combine(filters.until + day, datetime.min.time(), UTC))
    stmt = stmt.where(*conditions)
    rank = case(*((status == key, index) for index, key in enumerate(STATUSES)))
    keys = {"name": User.display_name, "department": User.department, "status": rank,
            "score": attempts_.c.best, "completed_at": CourseCompletion.completed_at}  # fmt: skip
    key = keys[sort]
    return stmt.order_by(
        case((key.is_(None), 1), else_=0), key.desc() if descending else key.asc(),
        User.display_name, User.email, User.id, Course.title, Course.id,
    )  # fmt: skip


def both(filters: ReportFilter, sort: str = "name", descending: bool = False,
         now: datetime | None = None) -> tuple[list[tuple], list[tuple]]:  # fmt: skip
    """The report's rows from the summary, and from the old aggregation."""
    now = now or utcnow()
    new = db.session.execute(report_select(filters, sort, descending, now)).all()
    old_select = old_report_select(filters, sort, descending, now)
    old = db.session.execute(old_select, bound_values(filters, now)).all()
    return [tuple(row) for row in new], [tuple(row) for row in old]


def assert_same_report(now: datetime) -> None:
    """Every sort both ways and a few filters give the same rows from both."""
    today = now.date()
    cases = [ReportFilter(), ReportFilter(status="overdue"), ReportFilter(status="completed"),
             ReportFilter(department="A"),
             ReportFilter(since=today - timedelta(1), until=today + timedelta(1))]  # fmt: skip
    for filters in cases:
        for sort in ("name", "department", "status", "score", "completed_at"):
            for descending in (False, True):
                new, old = both(filters, sort, descending, now)
                assert new == old, (filters, sort, descending)


def assert_summary_is_rebuilt_the_same() -> None:
    """What the writes left equals what a rebuild from scratch computes."""
    kept = summary_rows()
    summary_rule.rebuild(db.session.connection())
    assert summary_rows() == kept
    db.session.rollback()


# --- random learners through the real services --------------------------------------
LEARNERS = 4
KINDS = ("open", "complete", "pass", "fail", "start", "expire", "finish", "assign", "assign_past",
         "unassign", "erase", "deactivate", "unpublish", "publish", "retire_final",
         "delete_demo")  # fmt: skip
# Finishing a course (every lesson, then the final exam passed) takes many steps: one kind.
operation = st.tuples(
    st.sampled_from((*KINDS, "finish", "finish", "complete", "pass")),
    st.integers(0, LEARNERS - 1),
    st.integers(0, 9),
)


def answer_all(attempt: Attempt, right: bool) -> None:
    for item in attempt.items:
        question = item.question
        try:
            if question.market:
                attempts.save_answer(attempt, item, "market", question.market)
            option = next((o for o in question.options if o.is_correct == right), None)
            if option is not None:
                attempts.save_answer(attempt, item, "option", str(option.id))
        except attempts.AttemptRefused:
            pass


def apply(kind: str, learner: int, target: int, ids: list[int], hr: User) -> None:
    user = db.session.get(User, ids[learner])
    if user is None:  # a demo learner `delete_demo` removed
        return
    lessons = db.session.execute(db.select(Lesson).order_by(Lesson.id)).scalars().all()
    quizzes = db.session.execute(db.select(Quiz).order_by(Quiz.id)).scalars().all()
    courses = db.session.execute(db.select(Course).order_by(Course.id)).scalars().all()
    lesson = lessons[target % len(lessons)]
    quiz = quizzes[target % len(quizzes)]
    course = courses[target % len(courses)]
    if kind in ("open", "complete"):
        if kind == "open":
            progress.open_lesson(user.id, lesson)
        else:
            progress.complete_lesson(user.id, lesson)
            progress.record_completion_if_earned(user.id, lesson.course)
    elif kind in ("pass", "fail", "start"):
        final = [q for q in quizzes if q.is_final] or quizzes
        chosen = final[0] if target % 2 == 0 else quiz
        try:
            attempt = attempts.start_attempt(user.id, chosen, random.Random(target))
        except attempts.AttemptRefused:
            return
        if kind != "start":
            answer_all(attempt, kind == "pass")
            attempts.submit(attempt)
    elif kind == "finish":
        final = next((q for q in quizzes if q.is_final and q.status == QuestionStatus.ACTIVE),
                     None)  # fmt: skip
        if final is None:
            return
        for each in lessons:
            if each.course_id == final.course_id and each.status == LessonStatus.PUBLISHED:
                progress.complete_lesson(user.id, each)
        try:
            attempt = attempts.start_attempt(user.id, final, random.Random(target))
        except attempts.AttemptRefused:
            return
        answer_all(attempt, True)
        attempts.submit(attempt)
    elif kind == "expire":
        open_attempts = db.session.execute(
            db.select(Attempt).where(Attempt.user_id == user.id,
                                     Attempt.status == AttemptStatus.IN_PROGRESS)
        ).scalars().all()  # fmt: skip
        for attempt in open_attempts:
            attempts.grade_if_overdue(attempt, utcnow() + timedelta(days=1))
    elif kind in ("assign", "assign_past"):
        today = utcnow().astimezone(assignments.site_zone()).date()
        due = today + timedelta(days=target + 1)
        # A due date already past: assigned as if on an earlier day.
        known = today - timedelta(days=30) if kind == "assign_past" else today
        if kind == "assign_past":
            due = today - timedelta(days=target + 1)
        if user.active:
            assignments.assign_people(course, [user], due, hr, today=known)
    elif kind == "unassign":
        found = db.session.execute(
            db.select(Assignment.id).where(Assignment.user_id == user.id)
        ).scalars().first()  # fmt: skip
        if found is not None:
            assignments.unassign(found, hr)
    elif kind == "erase":
        if not privacy.is_erased(user):
            privacy.erase(user, hr)
    elif kind == "deactivate":
        user.active = not user.active
    elif kind in ("unpublish", "publish"):
        if lesson.status != LessonStatus.RETIRED:
            status = LessonStatus.DRAFT if kind == "unpublish" else LessonStatus.PUBLISHED
            editing.set_lesson_status(lesson, status, hr.id)
    elif kind == "retire_final":
        final_quiz = next((q for q in quizzes if q.is_final), None)
        if final_quiz is not None:  # what a sync does when the files retire it, and back
            final_quiz.status = (QuestionStatus.RETIRED
                                 if final_quiz.status == QuestionStatus.ACTIVE
                                 else QuestionStatus.ACTIVE)  # fmt: skip
    elif kind == "delete_demo":
        dataset.delete_demo_users()
    db.session.flush()


def make_learners(seed: int) -> tuple[list[int], User]:
    ids = []
    for n in range(LEARNERS):
        # Two of them demo learners, whom `delete_demo` removes with all their rows.
        domain = dataset.DEMO_DOMAIN if n >= LEARNERS - 2 else "example.com"
        user = accounts.create_user(
            f"l{seed}-{n}@{domain}", f"Learner {n % 3}", None, {"learner"},
            employee_id=f"E-{seed}-{n}", department="AB"[n % 2],
        )  # fmt: skip
        ids.append(user.id)
    hr = accounts.create_user(f"hr{seed}@example.com", "HR", None, {"hr"})
    # A time limit on every quiz, so that "expire" grades an attempt whose time ran out.
    for quiz in db.session.execute(db.select(Quiz)).scalars():
        quiz.time_limit_minutes = 30
        quiz.attempts_allowed = None
        quiz.cooldown_minutes = 0
    db.session.flush()
    return ids, hr


@settings(
    max_examples=30, deadline=None, derandomize=True, print_blob=True,
    # Each example syncs the content anew: shrinking would take minutes, and a failing
    # sequence of 25 steps is short enough to read.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip
@given(operations=st.lists(operation, min_size=1, max_size=25))
def test_the_summary_report_equals_the_old_aggregation(app: Flask, operations: list) -> None:
    empty_database(app)
    with app.app_context():
        sync_configured_content()
        ids, hr = make_learners(1)
        db.session.commit()
        for step, (kind, learner, target) in enumerate(operations):
            apply(kind, learner, target, ids, hr)
            if step % 5 == 4:
                db.session.commit()
        db.session.commit()
        for now in (utcnow(), utcnow() + timedelta(days=20)):
            assert_same_report(now)
        assert_summary_is_rebuilt_the_same()
        db.session.remove()


def test_a_write_updates_the_summary_in_its_own_transaction(synced: Flask) -> None:
    """Before the commit, the same transaction already reads the new row; a rollback takes
    it away with the write."""
    with synced.app_context():
        learner = accounts.create_user("l@example.com", "L", None, {"learner"})
        lesson = db.session.execute(
            db.select(Lesson).where(Lesson.status == LessonStatus.PUBLISHED)
        ).scalars().first()  # fmt: skip
        db.session.commit()
        progress.complete_lesson(learner.id, lesson)
        row = db.session.get(LearnerCourseSummary, (learner.id, lesson.course_id))
        assert row is not None and row.lessons_done == 1 and row.last_activity is not None
        db.session.rollback()
        assert db.session.get(LearnerCourseSummary, (learner.id, lesson.course_id)) is None


# --- the migration's backfill and the repair command ------------------------------------
def populate(seed: int) -> list[int]:
    """Some learners with every kind of row, through the services."""
    ids, hr = make_learners(seed)
    rng = random.Random(seed)
    for _ in range(40):
        apply(rng.choice(KINDS[:9]), rng.randrange(LEARNERS), rng.randrange(10), ids, hr)
    db.session.commit()
    return ids


def summary_rows() -> list[tuple]:
    return [tuple(row) for row in db.session.execute(
        text("SELECT * FROM learner_course_summary ORDER BY user_id, course_id")
    )]  # fmt: skip


def test_the_migration_fills_the_summary_from_existing_rows(synced: Flask) -> None:
    """A database with learners' rows at 0011, upgraded to 0012, has the rows the writes
    would have kept, and reports the same as the old aggregation."""
    with synced.app_context():
        populate(7)
        kept = summary_rows()
        assert len(kept) >= 4
        new_before, old_before = both(ReportFilter())
        assert new_before == old_before
        db.session.remove()
        downgrade(revision="0011")
        db.session.remove()
        upgrade()
        db.session.remove()
        assert summary_rows() == kept
        new, old = both(ReportFilter())
        assert new == old == new_before


def test_rebuild_summary_repairs_the_table(synced: Flask, runner: FlaskCliRunner) -> None:
    with synced.app_context():
        populate(11)
        kept = summary_rows()
        # Damage it: a row lost, a row wrong, a row that should not be there.
        db.session.execute(text(
            "DELETE FROM learner_course_summary WHERE user_id = "
            "(SELECT MIN(user_id) FROM learner_course_summary)"))  # fmt: skip
        db.session.execute(text("UPDATE learner_course_summary SET lessons_done = 99"))
        db.session.commit()
        assert summary_rows() != kept
        db.session.remove()
    result = runner.invoke(args=["report", "rebuild-summary"])
    assert result.exit_code == 0, result.output
    assert f"rebuilt the report summary: {len(kept)} rows" in result.output
    with synced.app_context():
        assert summary_rows() == kept


@pytest.mark.parametrize("kind", ["lesson", "quiz"])
def test_content_changes_refresh_the_course(synced: Flask, kind: str) -> None:
    """Unpublishing a lesson changes lessons done; retiring the final exam, the best score."""
    with synced.app_context():
        populate(3)
        if kind == "lesson":
            lesson = db.session.execute(
                db.select(Lesson).where(Lesson.status == LessonStatus.PUBLISHED)
            ).scalars().first()  # fmt: skip
            editing.set_lesson_status(lesson, LessonStatus.DRAFT, None)
        else:
            final = db.session.execute(db.select(Quiz).where(Quiz.is_final)).scalars().first()
            final.status = QuestionStatus.RETIRED
        db.session.commit()
        new, old = both(ReportFilter())
        assert new == old


def test_two_transactions_refreshing_one_learner_wait_for_each_other(synced: Flask) -> None:
    """On PostgreSQL two transactions that each complete a lesson of one learner at once
    both count: the second refresh waits for the first transaction (the learner's row is
    locked), then reads its lesson too. (SQLite has one writer at a time anyway.)"""
    from sqlalchemy.orm import Session

    with synced.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite runs one write transaction at a time")
        learner = accounts.create_user("both@example.com", "Both", None, {"learner"}).id
        first, second = db.session.execute(
            db.select(Lesson.id, Lesson.course_id)
            .where(Lesson.status == LessonStatus.PUBLISHED).order_by(Lesson.position).limit(2)
        ).all()  # fmt: skip
        db.session.commit()
        engine = db.engine

        def complete(lesson_id: int, session: Session) -> None:
            session.add(LessonProgress(user_id=learner, lesson_id=lesson_id,
                                       completed_at=utcnow()))  # fmt: skip
            session.flush()  # the summary's refresh runs here

        with Session(engine) as one, Session(engine) as two:
            complete(first.id, one)  # holds the learner's row until it commits

            def other() -> None:
                complete(second.id, two)
                two.commit()

            waits_for(other, one.commit, "the second refresh did not wait for the first")
        row = db.session.get(LearnerCourseSummary, (learner, first.course_id))
        assert row is not None and row.lessons_done == 2
