"""Reading an employee CSV file into checked rows, before the database is consulted."""

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import gettext as _

from trainer.models import normalize_email
from trainer.people.accounts import is_valid_email

MAX_IMPORT_BYTES = 1024 * 1024
MAX_IMPORT_ROWS = 5000
# Admin rights are never granted or taken by a file; an admin does that by hand.
IMPORT_ROLES: tuple[str, ...] = ("learner", "trainer", "hr")
ROLE_ALIASES = {"kursant": "learner", "uczestnik": "learner", "trener": "trainer", "kadry": "hr"}
# Several roles in one cell: `learner|trainer` (documented), or `;`, `,` inside quotes.
ROLE_SEPARATORS = re.compile(r"[|;,\s]+")
LIMITS = {"email": 254, "name": 120, "employee_id": 64, "department": 120, "manager": 120}

# Header spellings, compared without case, spaces, hyphens, underscores and dots.
HEADER_ALIASES = {
    "email": "email", "mail": "email", "adresemail": "email",
    "name": "name", "fullname": "name", "displayname": "name", "imięinazwisko": "name",
    "imieinazwisko": "name", "nazwiskoiimię": "name", "pracownik": "name",
    "employeeid": "employee_id", "nrpracownika": "employee_id", "numerpracownika": "employee_id",
    "idpracownika": "employee_id", "nrewidencyjny": "employee_id",
    "department": "department", "dział": "department", "dzial": "department",
    "roles": "roles", "role": "roles", "rola": "roles",
    "manager": "manager", "kierownik": "manager", "przełożony": "manager",
    "przelozony": "manager", "menedżer": "manager", "menedzer": "manager",
}  # fmt: skip
REQUIRED_COLUMNS = ("email", "name")


class ImportFileError(ValueError):
    """The file as a whole cannot be read; `message` says why, in the user's language."""

    def __init__(self, reason: str, **params: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.params = params

    @property
    def message(self) -> str:
        """What is wrong with the file."""
        return FILE_MESSAGES[self.reason](**self.params)


FILE_MESSAGES = {
    "too_large": lambda limit: _("The file is larger than %(limit)s.", limit=limit),
    "not_csv": lambda: _("This is not a CSV file in UTF-8."),
    "empty": lambda: _("The file has no employee rows."),
    "too_many_rows": lambda limit: _(
        "The file has more than %(limit)d employee rows; split it into smaller files.", limit=limit
    ),
    "missing_columns": lambda columns: _(
        "The first row must name the columns; missing: %(columns)s.", columns=columns
    ),
    "duplicate_column": lambda column: _(
        "The column %(column)s appears twice in the first row.", column=column
    ),
}


@dataclass(frozen=True)
class EmployeeRow:
    """One employee as the file gives them, trimmed and normalised; None means not given."""

    row: int
    email: str
    name: str
    employee_id: str | None
    department: str | None
    roles: tuple[str, ...] | None
    manager: str | None = None


@dataclass
class Rejection:
    """Why one row of the file is skipped."""

    row: int
    reason: str
    params: dict[str, object] = field(default_factory=dict)

    @property
    def message(self) -> str:
        """The reason in the user's language."""
        return ROW_MESSAGES[self.reason](**self.params)


ROW_MESSAGES = {
    "missing_email": lambda: _("The e-mail address is missing."),
    "bad_email": lambda value: _("Not a valid e-mail address: %(value)s", value=value),
    "missing_name": lambda: _("The name is missing."),
    "too_long": lambda column, limit: _(
        "The value in column %(column)s is too long (at most %(limit)d characters).",
        column=column,
        limit=limit,
    ),
    "field_count": lambda count, expected: _(
        "The row has %(count)d fields but the first row names %(expected)d.",
        count=count,
        expected=expected,
    ),
    "unknown_role": lambda value, allowed: _(
        "Unknown role: %(value)s (allowed: %(allowed)s).", value=value, allowed=allowed
    ),
    "duplicate_email": lambda value, rows: _(
        "The e-mail %(value)s appears more than once in the file (rows %(rows)s).",
        value=value,
        rows=rows,
    ),
    "duplicate_employee_id": lambda value, rows: _(
        "The employee id %(value)s appears more than once in the file (rows %(rows)s).",
        value=value,
        rows=rows,
    ),
    "employee_id_taken": lambda value: _(
        "The employee id %(value)s already belongs to another person.", value=value
    ),
}


def read_employee_csv(data: bytes) -> tuple[list[EmployeeRow], list[Rejection]]:
    """Rows that passed every check of their own, and the rejected ones with reasons."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportFileError("too_large", limit=f"{MAX_IMPORT_BYTES // 1024} KiB")
    try:
        text = data.decode("utf-8-sig")  # Excel puts a BOM in front; others do not
    except UnicodeDecodeError:
        raise ImportFileError("not_csv") from None
    if "\x00" in text:
        raise ImportFileError("not_csv")
    first_line = text.lstrip().split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error:
        raise ImportFileError("not_csv") from None
    numbered = [
        (number, rec) for number, rec in enumerate(records, 1) if any(c.strip() for c in rec)
    ]
    if not numbered:
        raise ImportFileError("empty")
    header = numbered[0][1]
    columns = _columns(header)
    body = numbered[1:]
    if not body:
        raise ImportFileError("empty")
    if len(body) > MAX_IMPORT_ROWS:
        raise ImportFileError("too_many_rows", limit=MAX_IMPORT_ROWS)
    rows: list[EmployeeRow] = []
    rejected: list[Rejection] = []
    for number, record in body:
        row, problems = _check_row(number, record, columns, len(header))
        rejected += problems
        if row is not None and not problems:
            rows.append(row)
    # A value given twice is ambiguous: every row that carries it is skipped.
    rejected += _duplicates(body, columns, "email", normalize_email, "duplicate_email")
    rejected += _duplicates(body, columns, "employee_id", str.strip, "duplicate_employee_id")
    skipped = {rejection.row for rejection in rejected}
    rejected.sort(key=lambda rejection: rejection.row)
    return [row for row in rows if row.row not in skipped], rejected


def _columns(header: list[str]) -> dict[str, int]:
    """Position of each known column; unknown columns are ignored."""
    columns: dict[str, int] = {}
    for position, title in enumerate(header):
        key = HEADER_ALIASES.get(re.sub(r"[\s_\-.]+", "", title.strip().casefold()))
        if key is None:
            continue
        if key in columns:
            raise ImportFileError("duplicate_column", column=title.strip())
        columns[key] = position
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise ImportFileError("missing_columns", columns=", ".join(missing))
    return columns


def _cell(record: list[str], columns: dict[str, int], key: str) -> str:
    position = columns.get(key)
    if position is None or position >= len(record):
        return ""
    return " ".join(record[position].split())


def _check_row(
    number: int, record: list[str], columns: dict[str, int], width: int
) -> tuple[EmployeeRow | None, list[Rejection]]:
    problems: list[Rejection] = []
    # Trailing empty cells are what spreadsheets leave behind; anything more is a shifted row.
    if len(record) > width and any(cell.strip() for cell in record[width:]):
        count = {"count": len(record), "expected": width}
        problems.append(Rejection(number, "field_count", count))
    email = normalize_email(_cell(record, columns, "email"))
    name = _cell(record, columns, "name")
    values = {
        "email": email,
        "name": name,
        "employee_id": _cell(record, columns, "employee_id"),
        "department": _cell(record, columns, "department"),
        "manager": _cell(record, columns, "manager"),
    }
    if not email:
        problems.append(Rejection(number, "missing_email"))
    elif not is_valid_email(email):
        problems.append(Rejection(number, "bad_email", {"value": email}))
    if not name:
        problems.append(Rejection(number, "missing_name"))
    for key, value in values.items():
        if len(value) > LIMITS[key]:
            problems.append(Rejection(number, "too_long", {"column": key, "limit": LIMITS[key]}))
    roles, unknown = _roles(_cell(record, columns, "roles"))
    if unknown:
        allowed = ", ".join(IMPORT_ROLES)
        problems.append(Rejection(number, "unknown_role", {"value": unknown, "allowed": allowed}))
    if problems:
        return None, problems
    return EmployeeRow(
        row=number,
        email=email,
        name=name,
        employee_id=values["employee_id"] or None,
        department=values["department"] or None,
        roles=roles,
        manager=values["manager"] or None,
    ), []


def _roles(cell: str) -> tuple[tuple[str, ...] | None, str]:
    """The roles named in a cell (None when empty) and the first unknown name, if any."""
    names = [name for name in ROLE_SEPARATORS.split(cell.casefold()) if name]
    if not names:
        return None, ""
    roles = set()
    for name in names:
        role = ROLE_ALIASES.get(name, name)
        if role not in IMPORT_ROLES:
            return None, name
        roles.add(role)
    return tuple(sorted(roles)), ""


def _duplicates(
    body: list[tuple[int, list[str]]], columns: dict[str, int], key: str, normal, reason: str
) -> list[Rejection]:
    if key not in columns:
        return []
    seen: dict[str, list[int]] = defaultdict(list)
    for number, record in body:
        value = normal(_cell(record, columns, key))
        if value:
            seen[value].append(number)
    return [
        Rejection(number, reason, {"value": value, "rows": ", ".join(map(str, numbers))})
        for value, numbers in seen.items()
        if len(numbers) > 1
        for number in numbers
    ]
