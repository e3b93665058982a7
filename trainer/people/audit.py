"""The audit log: append-only records of exports, API use, imports, role and token changes."""

from typing import Any

from sqlalchemy import insert

from trainer.database import execute_core
from trainer.extensions import db
from trainer.models import AuditEvent, User


def record(
    actor: User | str, action: str, details: dict[str, Any] | None = None,
    row_count: int | None = None,
) -> None:  # fmt: skip
    """Write one event in the current transaction; `actor` is a user, or a label such as
    `token:Kadry` or `cli`.

    A plain insert: the event is never read back in the request that writes it, and the
    session's unit of work cost an API page more CPU than the insert itself.
    """
    execute_core(
        insert(AuditEvent),
        {
            "actor_id": actor.id if isinstance(actor, User) else None,
            "actor": actor.email if isinstance(actor, User) else actor,
            "action": action,
            "details": details or {},
            "row_count": row_count,
        },
    )


def recent(limit: int = 200, offset: int = 0) -> list[AuditEvent]:
    """The newest events first."""
    return list(
        db.session.execute(
            db.select(AuditEvent)
            .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
            .limit(limit)
            .offset(offset)
        ).scalars()
    )
