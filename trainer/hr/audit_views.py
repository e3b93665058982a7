"""The audit log, read-only, for HR and admins."""

from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from trainer.auth.decorators import role_required
from trainer.i18n import ROLE_LABELS, role_label
from trainer.people import audit
from trainer.reporting.report import STATUS_LABELS
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
    "user.create": _l("Account created"),
    "user.invite": _l("Invitation link made"),
    "analysis.export_csv": _l("Question analysis exported to CSV"),
}
# What each key of an event's details (and of an imported person's changes) is called.
DETAILS = {
    "after": _l("After"),
    "before": _l("Before"),
    "changes": _l("Changes"),
    "course": _l("Course"),
    "created": _l("Created"),
    "department": _l("Department"),
    "due": _l("Due date"),
    "email": _l("E-mail"),
    "employee_id": _l("Employee id"),
    "file": _l("File"),
    "filter": _l("Filters"),
    "filters": _l("Filters"),
    "format": _l("Format"),
    "found": _l("Found"),
    "learners": _l("Learners"),
    "lesson": _l("Lesson"),
    "limit": _l("Page size"),
    "manager": _l("Manager"),
    "name": _l("Name"),
    "quiz": _l("Quiz"),
    "rejected": _l("Rejected"),
    "roles": _l("Roles"),
    "scope": _l("Scope"),
    "search": _l("Search"),
    "seed": _l("Seed"),
    "since": _l("Since"),
    "skipped": _l("Skipped"),
    "status": _l("Status"),
    "token": _l("Token"),
    "token_id": _l("Token number"),
    "unchanged": _l("Unchanged"),
    "until": _l("Until"),
    "updated": _l("Updated"),
    "user": _l("Person"),
    "user_id": _l("Person's number"),
    "users": _l("People"),
    "warnings": _l("Warnings"),
}


def action_label(action: str) -> str:
    """A recorded action in words; an export or API call names its format or endpoint."""
    kind, _dot, rest = action.partition(".")
    if kind == "export":
        return _("Report export (%(format)s)", format=rest.upper())
    if kind == "api":
        return _("API request: %(endpoint)s", endpoint=rest)
    return str(ACTIONS.get(action, action))


def detail_label(key: str) -> str:
    """A key of an event's details in words; one not known yet is shown as recorded."""
    return str(DETAILS.get(key, key))


def plain(value: Any, key: str = "") -> str:
    """A detail's value as a reader writes it, `Status: Completed; Course: b2b`, not a dict:
    keys in words, and roles and report statuses by their names."""
    if isinstance(value, dict):
        parts = (f"{detail_label(name)}: {plain(item, name)}" for name, item in value.items())
        return "; ".join(parts) or "—"
    if isinstance(value, list | tuple):
        if value and all(isinstance(item, str) and item in ROLE_LABELS for item in value):
            return ", ".join(role_label(item) for item in value)
        return ", ".join(plain(item, key) for item in value) or "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if key == "status" and value in STATUS_LABELS:
        return str(STATUS_LABELS[value])
    if key == "format" and isinstance(value, str):
        return value.upper()
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
        detail_label=detail_label,
    )  # fmt: skip
