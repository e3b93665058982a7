"""One row whose token changes with every write to the content learners see, so that a
process can keep what it read of a course until the token moves (trainer/learning/published.py).

The token changes in the same transaction as the write, after every ORM flush that adds,
changes or deletes a course, a lesson or a quiz (the listener below): an edit committed on
one instance is seen by every instance at its next request. It is a random value, not a
count, so that a restored backup never matches what a process kept of another state.
"""

from typing import Any
from uuid import uuid4

from sqlalchemy import String, event, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from trainer.extensions import db
from trainer.models.content import Course, Lesson, Quiz

CONTENT_MODELS = (Course, Lesson, Quiz)


class ContentRevision(db.Model):
    """The content's current token (one row, id 1, made by migration 0016)."""

    __tablename__ = "content_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32))


def new_token() -> str:
    return uuid4().hex


def _content_written(session: Session) -> bool:
    if any(isinstance(obj, CONTENT_MODELS) for obj in (*session.new, *session.deleted)):
        return True
    return any(
        isinstance(obj, CONTENT_MODELS) and session.is_modified(obj) for obj in session.dirty
    )


@event.listens_for(Session, "after_flush")
def _change_token_after_content_writes(session: Session, _flush_context: Any) -> None:
    if _content_written(session):
        session.connection().execute(update(ContentRevision).values(token=new_token()))
