"""The CSV fields of an export row, by one function made for the export's columns.

A CSV export of a million rows formats 25 million cells. Calling a formatter per cell
costs more than the rest of the export together, so `row_fields` writes, once per export,
the source of one function that reads every column of a row and formats it inline by the
column's kind, and compiles it. Its output is `csv.writer`'s input: values the writer turns
into the right text itself (None, int, plain text) are passed through untouched.

The rules are those of `plain`, which the generated code falls back to for any value of an
unexpected type, so both always agree:

- plain CSV (integrations): codes and `true`/`false`, times in UTC as `...Z`, scores with
  one decimal and a point;
- CSV for Excel (people): words in the export's language, local times without a zone,
  scores with a decimal comma;
- both: text a spreadsheet would run as a formula gets a leading quote (`formula_safe`).
"""

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from trainer.reporting.export_columns import Kind, Layout
from trainer.reporting.quiz_bests import NO_BEST

# Characters that make a spreadsheet read a CSV field as a formula (OWASP CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A signed plain number (a phone number, an employee id such as -12) calls no function, so it
# is left as it is: "+48 600 100 200" stays a phone number.
PLAIN_NUMBER = re.compile(r"[+-]?\d[\d .,]*")


def formula_safe(value: str) -> str:
    """Prefix a CSV field that a spreadsheet would run as a formula with a single quote.

    Only for CSV: an XLSX string cell is text whatever it starts with, and a prefix there would
    only change the value.
    """
    if value.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def plain(value: Any, layout: Layout, excel: bool) -> str:
    """Any value as a CSV field, whatever its column: the rules, spelled out."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        if excel:
            return layout.local(value).isoformat(" ")
        return value.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"
    if isinstance(value, float):
        text = f"{value:.1f}"
        return text.replace(".", ",") if excel else text
    return formula_safe(value) if isinstance(value, str) else str(value)


# The expression of a cell `@` by kind (`@` stands for the cell's variable, `COLUMN` for its
# Column); `other(@)` is `plain`. None passes through where the writer's "" is the answer, and
# so do int counts and ordinary text.
_TEXT = (
    "(@ if not @.startswith(STARTS) else safe(@)) if @.__class__ is str "
    "else @ if @ is None else other(@)"
)
_EXPRESSIONS = {
    (Kind.TEXT, False): _TEXT,
    (Kind.TEXT, True): _TEXT,
    (Kind.STATUS, False): _TEXT,
    (Kind.STATUS, True): "None if @ is None else (STATUS.get(@) or safe(WORD(COLUMN, @)))",
    (Kind.FLAG, False): "(TRUE if @ else FALSE) if @.__class__ is bool else other(@)",
    (Kind.FLAG, True): "None if @ is None else (YES if @ else NO)",
    (Kind.COUNT, False): "@ if @.__class__ is int or @ is None else other(@)",
    (Kind.COUNT, True): "@ if @.__class__ is int or @ is None else other(@)",
    (Kind.SCORE, False): "@ if @ is None else format(@, '.1f') if @.__class__ is float "
                         "else other(@)",
    (Kind.SCORE, True): "@ if @ is None else format(@, '.1f').replace('.', ',') "
                        "if @.__class__ is float else other(@)",
    # A time is formatted once per export (the dict remembers it: due dates and assignment
    # times repeat); isoformat(timespec="seconds")[:19] is the wall-clock time without
    # fraction or zone.
    (Kind.WHEN, False): "(SEEN.get(@) or remember(@, @.astimezone(UTC).isoformat('T', 'seconds')"
                        "[:19] + 'Z')) if @.__class__ is datetime and @.tzinfo is not None "
                        "else @ if @ is None else other(@)",
    (Kind.WHEN, True): "(SEEN_LOCAL.get(@) or remember_local(@, @.astimezone(ZONE)"
                       ".isoformat(' ', 'seconds')[:19])) if @.__class__ is datetime "
                       "and @.tzinfo is not None else @ if @ is None else other(@)",
}  # fmt: skip


MEMO_SIZE = 4096  # formatted times an export remembers (then it starts over)


def _remember(seen: dict[Any, str]) -> Callable[[Any, str], str]:
    def remember(value: Any, text: str) -> str:
        if len(seen) >= MEMO_SIZE:
            seen.clear()
        seen[value] = text
        return text

    return remember


def row_fields(layout: Layout, excel: bool) -> Callable[[Any], list[Any]]:
    """A function from an export row to its CSV fields (csv.writer's input), for `layout`."""
    names: dict[str, Any] = {
        "STARTS": FORMULA_STARTS, "safe": formula_safe, "UTC": UTC, "ZONE": layout.zone,
        "datetime": datetime, "TRUE": "true", "FALSE": "false",
        "YES": formula_safe(layout.yes), "NO": formula_safe(layout.no),
        "STATUS": {code: formula_safe(word) for code, word in layout.statuses.items()},
        "WORD": layout.word,
        "other": lambda value: plain(value, layout, excel),
    }  # fmt: skip
    for name in ("SEEN", "SEEN_LOCAL"):
        seen: dict[Any, str] = {}
        names[name], names["remember" + name.removeprefix("SEEN").lower()] = seen, _remember(seen)
    lines, cells = ["def fields(row):", "    report, bests = row.report, row.bests"], []
    names["NO_BEST"] = NO_BEST
    quizzes_read: set[int] = set()
    for number, column in enumerate(layout.columns):
        if column.attribute is not None:
            lines.append(f"    c{number} = report.{column.attribute}")
        elif column.best is not None:
            # A quiz's two columns read its best once, into b<quiz id>.
            quiz_id, field = column.best
            if quiz_id not in quizzes_read:
                quizzes_read.add(quiz_id)
                lines.append(f"    b{quiz_id} = bests.get({int(quiz_id)}, NO_BEST)")
            lines.append(f"    c{number} = b{quiz_id}.{field}")
        else:
            names[f"VALUE{number}"] = column.value
            lines.append(f"    c{number} = VALUE{number}(row)")
        names[f"COLUMN{number}"] = column
        expression = _EXPRESSIONS[(column.kind, excel)]
        cells.append("(" + expression.replace("@", f"c{number}")
                     .replace("COLUMN", f"COLUMN{number}") + ")")  # fmt: skip
    lines.append("    return [" + ", ".join(cells) + "]")
    namespace = dict(names)
    exec(compile("\n".join(lines), "<export row fields>", "exec"), namespace)  # noqa: S102
    fields: Callable[[Any], list[Any]] = namespace["fields"]
    return fields
