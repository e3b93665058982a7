"""Bulk employee import: preview a CSV against the database, then apply it all together."""

import hashlib
import json
from dataclasses import astuple, dataclass, field

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError

from trainer.database import savepoint
from trainer.extensions import db
from trainer.models import User
from trainer.people import accounts, audit, invitations
from trainer.people.import_csv import EmployeeRow, Rejection, read_employee_csv

PREVIEW_SALT = "trainer.import-preview"
PREVIEW_MAX_AGE = 60 * 60  # an hour from preview to confirmation
LOOKUP_CHUNK = 500  # keeps IN (...) lists far below every database's parameter limit


class ImportStale(Exception):
    """The signed preview is invalid, too old, or the database changed since it was made."""


class ImportFailed(Exception):
    """The database refused a change at apply time; nothing was applied."""


@dataclass(frozen=True)
class Change:
    """One field of an existing account that the import changes."""

    field: str
    before: str
    after: str


@dataclass(frozen=True)
class Update:
    """An existing account (same e-mail) and what the import changes on it."""

    row: EmployeeRow
    user_id: int
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class KeptRoles:
    """A row naming other roles than its existing account holds: an import never changes
    the roles of an existing account (that stays with an admin), so they are kept."""

    row: int
    email: str
    holds: str
    named: str


@dataclass
class Preview:
    """What applying the file would do: create, update, leave alone, and skip."""

    create: list[EmployeeRow] = field(default_factory=list)
    update: list[Update] = field(default_factory=list)
    unchanged: list[EmployeeRow] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    kept_roles: list[KeptRoles] = field(default_factory=list)

    @property
    def rows(self) -> list[EmployeeRow]:
        """Every row that will be applied, in file order."""
        rows = self.create + [update.row for update in self.update] + self.unchanged
        return sorted(rows, key=lambda row: row.row)

    @property
    def rejected_rows(self) -> int:
        """How many rows are skipped (a row may be rejected for several reasons)."""
        return len({rejection.row for rejection in self.rejected})

    def fingerprint(self) -> str:
        """A digest of the planned changes, to tell whether the plan still holds."""
        plan = {
            "create": [row.email for row in self.create],
            "update": [[u.row.email, [astuple(c) for c in u.changes]] for u in self.update],
            "unchanged": [row.email for row in self.unchanged],
        }
        return hashlib.sha256(json.dumps(plan, sort_keys=True).encode()).hexdigest()


@dataclass
class ImportResult:
    """What was applied, and an invitation for everyone who still has no password."""

    created: int
    updated: int
    unchanged: int
    rejected: int
    invitations: list[invitations.Invitation]


def preview(data: bytes) -> Preview:
    """Read the file and compare it with the database; changes nothing."""
    rows, rejected = read_employee_csv(data)
    return plan(rows, rejected)


def plan(rows: list[EmployeeRow], rejected: list[Rejection] | None = None) -> Preview:
    """Sort checked rows into create, update and unchanged; reject taken employee ids."""
    result = Preview(rejected=list(rejected or []))
    users = _users_by_email([row.email for row in rows])
    owners = _owners_of_employee_ids([row.employee_id for row in rows if row.employee_id])
    for row in rows:
        owner = owners.get(row.employee_id or "")
        if owner is not None and owner != row.email:
            result.rejected.append(
                Rejection(row.row, "employee_id_taken", {"value": row.employee_id})
            )
            continue
        user = users.get(row.email)
        if user is None:
            result.create.append(row)
            continue
        if row.roles is not None and set(row.roles) != user.role_names:
            result.kept_roles.append(
                KeptRoles(row.row, row.email, _joined(user.role_names), _joined(row.roles))
            )
        changes = _changes(user, row)
        if changes:
            result.update.append(Update(row, user.id, changes))
        else:
            result.unchanged.append(row)
    result.rejected.sort(key=lambda rejection: rejection.row)
    return result


def _users_by_email(emails: list[str]) -> dict[str, User]:
    found: dict[str, User] = {}
    for start in range(0, len(emails), LOOKUP_CHUNK):
        chunk = emails[start : start + LOOKUP_CHUNK]
        for user in db.session.execute(
            db.select(User).where(func.lower(User.email).in_(chunk))
        ).scalars():
            found[user.email.casefold()] = user
    return found


def _owners_of_employee_ids(employee_ids: list[str]) -> dict[str, str]:
    owners: dict[str, str] = {}
    for start in range(0, len(employee_ids), LOOKUP_CHUNK):
        chunk = employee_ids[start : start + LOOKUP_CHUNK]
        rows = db.session.execute(
            db.select(User.employee_id, User.email).where(User.employee_id.in_(chunk))
        )
        owners.update({employee_id: email.casefold() for employee_id, email in rows})
    return owners


def _joined(roles: set[str] | tuple[str, ...]) -> str:
    return ", ".join(sorted(roles))


def _changes(user: User, row: EmployeeRow) -> tuple[Change, ...]:
    """Differences between the account and the row; an empty cell changes nothing, and
    roles are never among them."""
    changes = []
    if row.name != user.display_name:
        changes.append(Change("name", user.display_name, row.name))
    for name in ("employee_id", "department", "manager"):
        new, old = getattr(row, name), getattr(user, name)
        if new is not None and new != old:
            changes.append(Change(name, old or "", new))
    return tuple(changes)


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=PREVIEW_SALT)


def sign_preview(result: Preview, actor_id: int | None, secret_key: str) -> str:
    """A signed, compressed token carrying the rows to apply, for the confirmation form."""
    payload = {
        "by": actor_id,
        "rows": [astuple(row) for row in result.rows],
        "fp": result.fingerprint(),
        "rejected": result.rejected_rows,
    }
    return _serializer(secret_key).dumps(payload)


def load_preview(
    token: str, actor_id: int | None, secret_key: str
) -> tuple[list[EmployeeRow], str, int]:
    """The rows, fingerprint and rejected count of a token this actor signed within the hour."""
    try:
        payload = _serializer(secret_key).loads(token, max_age=PREVIEW_MAX_AGE)
        if payload["by"] != actor_id:
            raise ImportStale
        rows = [
            EmployeeRow(
                number,
                email,
                name,
                employee_id,
                department,
                tuple(roles) if roles else None,
                manager,
            )
            for number, email, name, employee_id, department, roles, manager in payload["rows"]
        ]
        return rows, str(payload["fp"]), int(payload["rejected"])
    except (BadSignature, KeyError, TypeError, ValueError):
        raise ImportStale from None


def apply(
    rows: list[EmployeeRow], fingerprint: str, rejected: int, actor: User | str
) -> ImportResult:
    """Create and update every row together, or nothing; audit the counts."""
    fresh = plan(rows)
    if fresh.rejected or fresh.fingerprint() != fingerprint:
        raise ImportStale
    try:
        with savepoint():
            created = [
                accounts.create_user(
                    row.email,
                    row.name,
                    roles=set(row.roles or ("learner",)),
                    employee_id=row.employee_id,
                    department=row.department,
                    manager=row.manager,
                )
                for row in fresh.create
            ]
            for update in fresh.update:
                _apply_update(update)
            db.session.flush()
    except (IntegrityError, accounts.AccountError) as error:
        raise ImportFailed(str(error)) from error
    # Everyone in the file still without a password gets a (new) link: a lost link is
    # recovered by importing the same file again.
    new = {row.email for row in fresh.create}
    existing = _users_by_email([row.email for row in fresh.rows if row.email not in new])
    pending = [user for user in existing.values() if user.password_hash is None and user.active]
    invited = sorted(created + pending, key=lambda user: user.email)
    audit.record(
        actor, "users.import", _audit_details(fresh, rejected),
        row_count=len(created) + len(fresh.update),
    )  # fmt: skip
    return ImportResult(
        created=len(created),
        updated=len(fresh.update),
        unchanged=len(fresh.unchanged),
        rejected=rejected,
        invitations=[invitations.invitation_for(user) for user in invited],
    )


def _audit_details(applied: Preview, rejected: int) -> dict[str, object]:
    """Who was created and what changed on whom, field by field, before and after."""
    return {
        "created": [
            {"email": row.email, "roles": sorted(row.roles or ("learner",))}
            for row in applied.create
        ],
        "updated": [
            {
                "email": update.row.email,
                "changes": {
                    change.field: {"before": change.before, "after": change.after}
                    for change in update.changes
                },
            }
            for update in applied.update
        ],
        "unchanged": len(applied.unchanged),
        "rejected": rejected,
    }


def _apply_update(update: Update) -> None:
    user = db.session.get(User, update.user_id)
    if user is None:
        raise ImportFailed("user vanished")
    row = update.row
    for change in update.changes:
        if change.field == "name":
            user.display_name = row.name
        else:
            setattr(user, change.field, getattr(row, change.field))
