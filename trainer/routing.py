"""Numbers taken from URLs and query strings, kept within what the database's integers hold.

Every id column is an `Integer`: 32 bits on PostgreSQL, 64 on SQLite. A larger number in a
request would make the database raise (a 500); here it is simply a row that does not exist.
"""

from typing import Any

from flask import Flask
from werkzeug.datastructures import MultiDict
from werkzeug.routing import IntegerConverter, Map

ID_MIN = 1
ID_MAX = 2**31 - 1  # PostgreSQL's integer, the smaller of the two
# Digits of ID_MAX: a longer string is out of range without converting it.
_ID_DIGITS = len(str(ID_MAX))


class IdConverter(IntegerConverter):
    """`<int:…>` for ids, positions and version numbers: 1 to ID_MAX, else no route (404)."""

    regex = r"[0-9]+"  # ASCII digits only: one URL per row, not one per script's digits

    def __init__(
        self, map: Map, fixed_digits: int = 0, min: int | None = ID_MIN, max: int | None = ID_MAX,
        signed: bool = False,
    ) -> None:  # fmt: skip
        super().__init__(map, fixed_digits, min, max, signed)


def id_number(text: str) -> int:
    """`text` as an id or a version number; ValueError when it is not one (for `type=`)."""
    text = text.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= _ID_DIGITS):
        raise ValueError(f"not a number from {ID_MIN} to {ID_MAX}")
    number = int(text)
    if not ID_MIN <= number <= ID_MAX:
        raise ValueError(f"not a number from {ID_MIN} to {ID_MAX}")
    return number


def page_number(args: MultiDict[str, str], name: str = "page") -> int:
    """`?page=`: 1 when missing or not a page number; a huge one is the largest page there is
    (which shows no rows, as any page past the last does)."""
    raw = args.get(name, "").strip()
    if not (raw.isascii() and raw.isdigit()):
        return 1
    return ID_MAX if len(raw) > _ID_DIGITS else min(max(int(raw), 1), ID_MAX)


def init_app(app: Flask) -> None:
    """Make every `<int:…>` route an id route; call before the blueprints are registered."""
    converters: dict[str, Any] = app.url_map.converters
    converters["int"] = IdConverter
