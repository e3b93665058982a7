"""The audit log: append-only records of exports, API use, imports, role and token changes."""

from typing import Any

from trainer.extensions import db
from trainer.models import AuditEvent, User


def record(
    actor: User | str, action: str, details: dict[str, Any] | None = None,
    row_count: int | None = None,
) -> AuditEvent:  # fmt: skip
    """Add one event; `actor` is a user, or a label such as `token:Kadry` or `cli`."""
    event = AuditEvent(
        actor_id=actor.id if isinstance(actor, User) else None,
        actor=actor.email if isinstance(actor, User) else actor,
        action=action,
        details=details or {},
        row_count=row_count,
    )
    db.session.add(event)
    db.session.flush()
    return event


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
