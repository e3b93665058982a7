"""All models, importable from one place (and known to Alembic through this import)."""

from trainer.models.audit import ApiToken, Assignment, AuditEvent, ContentVersion
from trainer.models.content import (
    Course,
    Lesson,
    Origin,
    Question,
    QuestionOption,
    Quiz,
    QuizQuestion,
)
from trainer.models.progress import (
    Attempt,
    AttemptItem,
    CourseCompletion,
    LessonProgress,
    PracticeItem,
)
from trainer.models.user import ROLES, User, UserRole, normalize_email

__all__ = [
    "ROLES",
    "ApiToken",
    "Assignment",
    "Attempt",
    "AttemptItem",
    "AuditEvent",
    "ContentVersion",
    "Course",
    "CourseCompletion",
    "Lesson",
    "LessonProgress",
    "Origin",
    "PracticeItem",
    "Question",
    "QuestionOption",
    "Quiz",
    "QuizQuestion",
    "User",
    "UserRole",
    "normalize_email",
]
