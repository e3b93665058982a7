"""A large HR export made by the worker into a file, and downloaded when it is done."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from trainer.extensions import db
from trainer.models.types import UTCDateTime, one_of, utcnow

EXPORT_STATUSES: tuple[str, ...] = ("queued", "running", "done", "failed", "expired")


class ExportJob(db.Model):
    """Who asked for which export, how far it got, and the file it wrote.

    The file lives under the instance folder (`exports/`), named by `token`, a random value
    nobody can guess; it is handed out only through the HR page, never served statically.
    """

    __tablename__ = "export_job"
    __table_args__ = (CheckConstraint(one_of("status", EXPORT_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    format: Mapped[str] = mapped_column(String(16))
    # ExportOptions as plain values: filters, sort, descending, locale, zone.
    options: Mapped[dict[str, Any]] = mapped_column(JSON)
    filename: Mapped[str] = mapped_column(String(255))  # the name the download gets
    status: Mapped[str] = mapped_column(String(16), default="queued")
    rows_total: Mapped[int] = mapped_column(default=0)
    rows_written: Mapped[int] = mapped_column(default=0)
    size_bytes: Mapped[int | None] = mapped_column()
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
