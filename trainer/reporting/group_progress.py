"""The progress of a course's learners, for trainers: one row per learner, from one query.

The rows come from the completion report's select (reporting/report.py), so a trainer and HR
never see different numbers; trainers get three statuses, an overdue learner counting as
not started or in progress by what they did.
"""

from dataclasses import dataclass

from trainer.extensions import db
from trainer.models import Course
from trainer.reporting.report import ProgressStatus, ReportFilter, report_select

# A trainer's view of a group has no due dates: no one is overdue.
STATUSES: tuple[ProgressStatus, ...] = (
    ProgressStatus.NOT_STARTED, ProgressStatus.IN_PROGRESS, ProgressStatus.COMPLETED,
)  # fmt: skip


@dataclass(frozen=True)
class LearnerProgress:
    """Where one learner stands in the course."""

    user_id: int
    name: str
    department: str | None
    lessons_done: int
    lessons_total: int
    attempts: int  # graded attempts at the course's quizzes
    best_score: float | None  # best final exam percent
    status: str


def course_progress(course: Course, department: str | None = None) -> list[LearnerProgress]:
    """Every active learner of `course` (of one department, if given), by name."""
    rows = db.session.execute(
        report_select(ReportFilter(course=course.slug, department=department or None))
    ).all()
    return [
        LearnerProgress(
            user_id=row.user_id,
            name=row.name,
            department=row.department,
            lessons_done=row.lessons_done,
            lessons_total=row.lessons_total,
            attempts=row.attempts,
            best_score=row.best_score,
            status=_status(row.status, row.first_started is not None),
        )
        for row in rows
    ]


def _status(status: str, started: bool) -> str:
    if status in STATUSES:
        return status
    return ProgressStatus.IN_PROGRESS if started else ProgressStatus.NOT_STARTED


def status_counts(rows: list[LearnerProgress]) -> dict[str, int]:
    """How many learners are in each status."""
    return {status: sum(row.status == status for row in rows) for status in STATUSES}
