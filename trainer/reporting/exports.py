"""Exports of the completion report, streamed: CSV, CSV for Excel, XLSX and xAPI.

One registry, `EXPORT_FORMATS`, says what each format is called and how it is written; one
function, `start_export`, serves the web page and the CLI alike: it checks the filter,
records the export in the audit log and returns the file's name and a lazy stream of bytes.
"""

import csv
import io
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import xlsxwriter
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from trainer.models import User
from trainer.models.types import utcnow
from trainer.people import audit
from trainer.reporting import report, xapi
from trainer.reporting.report import ReportFilter

# What each exported row holds, in order; the header row uses these names.
HEADER: tuple[str, ...] = (
    "employee_id", "name", "email", "department", "course", "course_title", "status",
    "lessons_done", "lessons_total", "best_score", "passed", "attempts", "first_started",
    "completed_at", "certificate_code", "due_at",
)  # fmt: skip
# The report column each exported one comes from (the slug is the export's `course`).
SOURCE: tuple[str, ...] = tuple("course_slug" if name == "course" else name for name in HEADER)
# Characters that make a spreadsheet read a CSV field as a formula (OWASP CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A signed plain number (a phone number, an employee id such as -12) calls no function, so it
# is left as it is: "+48 600 100 200" stays a phone number.
PLAIN_NUMBER = re.compile(r"[+-]?\d[\d .,]*")
CHUNK_ROWS = 500
CHUNK_BYTES = 64 * 1024


class ExportError(ValueError):
    """An export that cannot be made (an unknown format); the message says why."""


@dataclass(frozen=True)
class Export:
    """A started export: its file name, type, the rows it covers and its bytes, read lazily."""

    format: str
    filename: str
    mimetype: str
    row_count: int
    chunks: Iterator[bytes]


def formula_safe(value: str) -> str:
    """Prefix a CSV field that a spreadsheet would run as a formula with a single quote.

    Only for CSV: an XLSX string cell is text whatever it starts with, and a prefix there would
    only change the value.
    """
    if value.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def _values(row: Any) -> Iterator[tuple[str, Any]]:
    for name, source in zip(HEADER, SOURCE, strict=True):
        yield name, getattr(row, source)


def _csv_cell(value: Any, excel: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        value = value.astimezone(UTC).replace(microsecond=0, tzinfo=None)
        return value.isoformat(" ") if excel else value.isoformat() + "Z"
    if isinstance(value, float):
        text = f"{value:.1f}"
        return text.replace(".", ",") if excel else text
    return formula_safe(value) if isinstance(value, str) else str(value)


def _delimited(rows: Iterable[Any], excel: bool) -> Iterator[bytes]:
    buffer = io.StringIO()
    # Excel in a Polish locale splits on semicolons and needs the BOM to read UTF-8.
    writer = csv.writer(buffer, delimiter=";" if excel else ",", lineterminator="\r\n")
    if excel:
        buffer.write("\ufeff")
    writer.writerow(HEADER)
    for number, row in enumerate(rows, 1):
        writer.writerow([_csv_cell(value, excel) for _name, value in _values(row)])
        if number % CHUNK_ROWS == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def _csv(rows: Iterable[Any]) -> Iterator[bytes]:
    return _delimited(rows, excel=False)


def _csv_excel(rows: Iterable[Any]) -> Iterator[bytes]:
    return _delimited(rows, excel=True)


def _xlsx(rows: Iterable[Any]) -> Iterator[bytes]:
    # constant_memory writes each row to disk as it comes; the finished file is then streamed.
    handle, path = tempfile.mkstemp(prefix="trainer-export-", suffix=".xlsx")
    os.close(handle)
    try:
        workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "in_memory": False})
        sheet = workbook.add_worksheet("Report")
        bold = workbook.add_format({"bold": True})
        when = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        score = workbook.add_format({"num_format": "0.0"})
        sheet.freeze_panes(1, 0)
        sheet.set_column(0, len(HEADER) - 1, 18)
        for column, name in enumerate(HEADER):
            sheet.write_string(0, column, name, bold)
        last = 0
        for last, row in enumerate(rows, 1):
            for column, (name, value) in enumerate(_values(row)):
                if value is None:
                    sheet.write_blank(last, column, None)
                elif isinstance(value, bool):
                    sheet.write_boolean(last, column, value)
                elif isinstance(value, datetime):
                    naive = value.astimezone(UTC).replace(tzinfo=None)
                    sheet.write_datetime(last, column, naive, when)
                elif isinstance(value, int | float):
                    sheet.write_number(last, column, value, score if name == "best_score" else None)
                else:
                    sheet.write_string(last, column, str(value))
        sheet.autofilter(0, 0, last, len(HEADER) - 1)
        workbook.close()
        with open(path, "rb") as file:
            while chunk := file.read(CHUNK_BYTES):
                yield chunk
    finally:
        os.unlink(path)


def _json_array(statements: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    yield b"["
    for number, statement in enumerate(statements):
        yield (b"," if number else b"") + json.dumps(statement, ensure_ascii=False).encode("utf-8")
    yield b"]"


@dataclass(frozen=True)
class ExportFormat:
    """One export format: its name, label, file name suffix, MIME type and writer."""

    name: str
    label: LazyString
    suffix: str
    mimetype: str
    # Writes the bytes of the export of the report rows that `filters` select.
    write: Callable[[ReportFilter, str, bool], Iterator[bytes]]


def _rows_as(writer: Callable[[Iterable[Any]], Iterator[bytes]]) -> Callable[..., Iterator[bytes]]:
    def write(filters: ReportFilter, sort: str, descending: bool) -> Iterator[bytes]:
        return writer(report.iter_rows(filters, sort, descending))

    return write


def _statements(filters: ReportFilter, _sort: str, _descending: bool) -> Iterator[bytes]:
    return _json_array(xapi.iter_statements(filters))


CSV_TYPE = "text/csv; charset=utf-8"
EXPORT_FORMATS: dict[str, ExportFormat] = {
    fmt.name: fmt
    for fmt in (
        ExportFormat("csv", _l("CSV (UTF-8)"), ".csv", CSV_TYPE, _rows_as(_csv)),
        ExportFormat("csv-excel", _l("CSV for Excel"), "-excel.csv", CSV_TYPE,
                     _rows_as(_csv_excel)),
        ExportFormat("xlsx", _l("Excel workbook (XLSX)"), ".xlsx",
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     _rows_as(_xlsx)),
        ExportFormat("xapi", _l("xAPI statements (JSON)"), ".json", "application/json",
                     _statements),
    )
}  # fmt: skip
FORMATS: tuple[str, ...] = tuple(EXPORT_FORMATS)


def filename(fmt: str, course: str | None, today: date) -> str:
    """E.g. `ukonczenia-b2b-b2c-2026-11-26.csv`: what, which course, when."""
    slug = re.sub(r"[^a-z0-9-]+", "-", (course or "wszystkie").lower()).strip("-") or "kurs"
    return f"ukonczenia-{slug}-{today.isoformat()}{EXPORT_FORMATS[fmt].suffix}"


def start_export(
    fmt: str, filters: ReportFilter, actor: User | str, sort: str = "name",
    descending: bool = False, today: date | None = None,
) -> Export:  # fmt: skip
    """Check the filter, audit the export (flushed; the caller commits), return its stream."""
    export_format = EXPORT_FORMATS.get(fmt)
    if export_format is None:
        raise ExportError(f"unknown format {fmt!r}; use one of: {', '.join(FORMATS)}")
    report.check_filter(filters)
    chunks = export_format.write(filters, sort, descending)
    # Counted before streaming, so the record stands even if the download is interrupted.
    # For xAPI it is the number of report rows the statements describe.
    count = report.count_rows(filters)
    audit.record(actor, f"export.{fmt}", {"format": fmt, "filter": filters.as_dict()}, count)
    name = filename(fmt, filters.course, today or utcnow().date())
    return Export(fmt, name, export_format.mimetype, count, chunks)
