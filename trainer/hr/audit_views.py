"""The audit log, read-only, for HR and admins."""

from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from trainer.auth.decorators import role_required
from trainer.people import audit
from trainer.routing import page_number

bp = Blueprint("audit", __name__, url_prefix="/audit")
PAGE_SIZE = 100

# What each recorded action is called; the key stays in the database and the exports.
ACTIONS = {
    "demo.generate": _l("Demo data generated"),
    "questions.export_gift": _l("Questions exported to GIFT"),
    "questions.import_gift": _l("Questions imported from GIFT"),
    "token.create": _l("API token created"),
    "token.revoke": _l("API token revoked"),
    "user.deactivate": _l("Account deactivated"),
    "user.erase": _l("Personal data erased"),
    "assignment.department": _l("Course assigned to a department"),
    "assignment.people": _l("Course assigned to people"),
    "assignment.remove": _l("Assignment withdrawn"),
    "roles.change": _l("Roles changed"),
    "users.import": _l("Employees imported"),
}


def action_label(action: str) -> str:
    """A recorded action in words; an export or API call names its format or endpoint."""
    kind, _dot, rest = action.partition(".")
    if kind == "export":
        return _("Report export (%(format)s)", format=rest.upper())
    if kind == "api":
        return _("API request: %(endpoint)s", endpoint=rest)
    return str(ACTIONS.get(action, action))


def plain(value: Any) -> str:
    """A detail's value as a reader writes it: `status: completed; course: b2b`, not a dict."""
    if isinstance(value, dict):
        return "; ".join(f"{key}: {plain(item)}" for key, item in value.items()) or "—"
    if isinstance(value, list | tuple):
        return ", ".join(plain(item) for item in value) or "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return "—" if value is None else str(value)


@bp.get("/")
@role_required("hr")
def log() -> str:
    """The newest events first, a page at a time; nothing here can change them."""
    page = page_number(request.args)
    events = audit.recent(limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    return render_template(
        "audit/log.html", events=events[:PAGE_SIZE], page=page,
        has_next=len(events) > PAGE_SIZE, action_label=action_label, plain=plain,
    )  # fmt: skip
