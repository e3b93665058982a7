"""All models, importable from one place (and known to Alembic through this import)."""

from trainer.models.audit import ApiToken, Assignment, AuditEvent, ContentVersion
from trainer.models.content import (
    Course,
    Lesson,
    LessonStatus,
    Origin,
    Question,
    QuestionOption,
    QuestionStatus,
    Quiz,
    QuizQuestion,
)
from trainer.models.export import EXPORT_STATUSES, ExportJob
from trainer.models.progress import (
    Attempt,
    AttemptItem,
    AttemptStatus,
    CourseCompletion,
    LessonProgress,
    PracticeItem,
)
from trainer.models.revision import ContentRevision
from trainer.models.summary import LearnerCourseSummary
from trainer.models.user import ROLES, User, UserRole, normalize_email
from trainer.models.xapi import XapiStatement

__all__ = [
    "EXPORT_STATUSES",
    "ROLES",
    "ApiToken",
    "Assignment",
    "Attempt",
    "AttemptItem",
    "AttemptStatus",
    "AuditEvent",
    "ContentRevision",
    "ContentVersion",
    "Course",
    "CourseCompletion",
    "ExportJob",
    "LearnerCourseSummary",
    "Lesson",
    "LessonProgress",
    "LessonStatus",
    "Origin",
    "PracticeItem",
    "Question",
    "QuestionOption",
    "QuestionStatus",
    "Quiz",
    "QuizQuestion",
    "User",
    "UserRole",
    "XapiStatement",
    "normalize_email",
]
