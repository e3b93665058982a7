"""The audit log, read-only, for HR and admins."""

from flask import Blueprint, render_template, request

from trainer.auth.decorators import role_required
from trainer.people import audit

bp = Blueprint("audit", __name__, url_prefix="/audit")
PAGE_SIZE = 100


@bp.get("/")
@role_required("hr")
def log() -> str:
    """The newest events first, a page at a time; nothing here can change them."""
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    events = audit.recent(limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    return render_template(
        "audit/log.html", events=events[:PAGE_SIZE], page=page,
        has_next=len(events) > PAGE_SIZE,
    )  # fmt: skip
