"""The audit log, read-only, for HR and admins."""

from flask import Blueprint, render_template, request

from trainer.auth.decorators import role_required
from trainer.people import audit
from trainer.routing import page_number

bp = Blueprint("audit", __name__, url_prefix="/audit")
PAGE_SIZE = 100


@bp.get("/")
@role_required("hr")
def log() -> str:
    """The newest events first, a page at a time; nothing here can change them."""
    page = page_number(request.args)
    events = audit.recent(limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    return render_template(
        "audit/log.html", events=events[:PAGE_SIZE], page=page,
        has_next=len(events) > PAGE_SIZE,
    )  # fmt: skip
