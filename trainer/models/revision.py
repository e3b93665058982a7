"""One row whose token changes with every write to the content learners see, so that a
process can keep what it read of a course until the token moves (trainer/learning/published.py).

A transaction that adds, changes or deletes a course, a lesson or a quiz through the ORM
changes the token just before it commits (the listeners below): an edit committed on one
instance is seen by every instance at its next request. Just before the commit, not at the
flush: the token's row lock is then the last lock a transaction takes, so two writers of
content can never hold it and wait for each other's rows. The token is a random value, not
a count, so that a restored backup never matches what a process kept of another state.
"""

from typing import Any
from uuid import uuid4

from sqlalchemy import String, event, update
from sqlalchemy.orm import Mapped, Session, SessionTransaction, mapped_column

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


WRITTEN = "content_written"  # a session.info key: this transaction wrote content


@event.listens_for(Session, "after_flush")
def _note_content_writes(session: Session, _flush_context: Any) -> None:
    if _content_written(session):
        session.info[WRITTEN] = True


@event.listens_for(Session, "before_commit")
def _change_token_before_commit(session: Session) -> None:
    # Also when a savepoint is released: the token is then changed again at the commit if
    # more content follows, and rolled back with the transaction if it is.
    session.flush()  # what is still pending takes its row locks before the token's
    if session.info.pop(WRITTEN, False):
        session.connection().execute(update(ContentRevision).values(token=new_token()))


@event.listens_for(Session, "after_transaction_end")
def _forget_content_writes(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(WRITTEN, None)
