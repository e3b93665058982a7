"""The xAPI statement log: each statement written once, when its event is recorded.

It is both the source of every xAPI export and the outbox of the push to a learning record
store: a statement is added in the same transaction as what it describes, and its delivery
columns say whether, when and how often it was sent.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from trainer.extensions import db
from trainer.models.types import UTCDateTime, utcnow


class XapiStatement(db.Model):
    """One statement as Trainer recorded it, and its delivery to the LRS."""

    __tablename__ = "xapi_statement"
    # One statement per event: what it is about (`attempt_graded`) and that row's id.
    __table_args__ = (UniqueConstraint("source", "source_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The statement's own id (UUID), derived from the learner's id and the event.
    statement_id: Mapped[str] = mapped_column(String(36), unique=True)
    source: Mapped[str] = mapped_column(String(20))
    source_id: Mapped[int]
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    verb: Mapped[str] = mapped_column(String(32))
    # When Trainer recorded the statement: xAPI's `stored`, which `since` and `until` filter.
    stored: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # The statement without `stored`, exactly as exported and sent.
    statement: Mapped[dict[str, Any]] = mapped_column(JSON)

    # Delivery to the LRS: when it was accepted (None: still queued), tries, the last error.
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    send_attempts: Mapped[int] = mapped_column(default=0)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
