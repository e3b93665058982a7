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
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import xlsxwriter
from flask import current_app
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from trainer.models import User
from trainer.models.types import utcnow
from trainer.models.user import LANGUAGES as LOCALES
from trainer.people import audit
from trainer.reporting import quiz_bests, report, xapi
from trainer.reporting.export_columns import Column, Kind, Layout, layout
from trainer.reporting.report import ReportFilter

# Characters that make a spreadsheet read a CSV field as a formula (OWASP CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A signed plain number (a phone number, an employee id such as -12) calls no function, so it
# is left as it is: "+48 600 100 200" stays a phone number.
PLAIN_NUMBER = re.compile(r"[+-]?\d[\d .,]*")
CHUNK_ROWS = 500
CHUNK_BYTES = 64 * 1024
# XLSX column widths, in characters: fitted to the longest value, within these bounds.
MIN_WIDTH = 8
MAX_WIDTH = 60


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


def _csv_cell(column: Column, value: Any, layout: Layout, excel: bool) -> str:
    if value is None:
        return ""
    if column.kind in (Kind.FLAG, Kind.STATUS) and excel:
        return formula_safe(layout.word(column, value))
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


def _delimited(layout: Layout, rows: Iterable[Any], excel: bool) -> Iterator[bytes]:
    buffer = io.StringIO()
    # Excel in a Polish locale splits on semicolons and needs the BOM to read UTF-8.
    writer = csv.writer(buffer, delimiter=";" if excel else ",", lineterminator="\r\n")
    if excel:
        buffer.write("\ufeff")
    writer.writerow([formula_safe(label) for label in layout.labels] if excel else layout.keys)
    for number, row in enumerate(rows, 1):
        writer.writerow([_csv_cell(column, value, layout, excel)
                         for column, value in layout.cells(row)])  # fmt: skip
        if number % CHUNK_ROWS == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def _csv(layout: Layout, rows: Iterable[Any]) -> Iterator[bytes]:
    return _delimited(layout, rows, excel=False)


def _csv_excel(layout: Layout, rows: Iterable[Any]) -> Iterator[bytes]:
    return _delimited(layout, rows, excel=True)


def _xlsx_cell(
    sheet: Any, line: int, number: int, column: Column, value: Any, layout: Layout,
    formats: tuple[Any, Any],
) -> int:  # fmt: skip
    """Write one typed cell; return how many characters it shows."""
    when, score = formats
    if value is None:
        sheet.write_blank(line, number, None)
        return 0
    if column.kind in (Kind.FLAG, Kind.STATUS):
        value = layout.word(column, value)
    elif isinstance(value, datetime):
        sheet.write_datetime(line, number, layout.local(value), when)
        return len("yyyy-mm-dd hh:mm:ss")
    elif isinstance(value, int | float):
        sheet.write_number(line, number, value, score if column.kind is Kind.SCORE else None)
        return len(f"{value:.1f}" if column.kind is Kind.SCORE else str(value))
    text = str(value)
    sheet.write_string(line, number, text)
    return max(map(len, text.splitlines() or [""]))


def _xlsx(layout: Layout, rows: Iterable[Any]) -> Iterator[bytes]:
    # constant_memory writes each row to disk as it comes; the finished file is then streamed.
    handle, path = tempfile.mkstemp(prefix="trainer-export-", suffix=".xlsx")
    os.close(handle)
    try:
        workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "in_memory": False})
        sheet = workbook.add_worksheet(layout.sheet)
        bold = workbook.add_format({"bold": True})
        when = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        score = workbook.add_format({"num_format": "0.0"})
        sheet.freeze_panes(1, 0)
        width = len(layout.columns)
        # The longest text of each column, measured as rows go by (XlsxWriter's autofit
        # needs the whole sheet in memory, which constant_memory does not keep).
        longest = [len(label) + 2 for label in layout.labels]  # +2: bold, filter button
        for column, label in enumerate(layout.labels):
            sheet.write_string(0, column, label, bold)
        last = 0
        for last, row in enumerate(rows, 1):
            for number, (column, value) in enumerate(layout.cells(row)):
                shown = _xlsx_cell(sheet, last, number, column, value, layout, (when, score))
                longest[number] = max(longest[number], shown)
        for number, length in enumerate(longest):
            sheet.set_column(number, number, min(max(length + 1, MIN_WIDTH), MAX_WIDTH))
        sheet.autofilter(0, 0, last, width - 1)
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
class ExportOptions:
    """Which rows to export, in which order, and the language people's formats are in."""

    filters: ReportFilter
    sort: str = "name"
    descending: bool = False
    locale: str = "pl"
    zone: str | None = None  # an IANA time zone name; None: the TIME_ZONE setting


@dataclass(frozen=True)
class ExportFormat:
    """One export format: its name, label, file name suffix, MIME type and writer."""

    name: str
    label: LazyString
    suffix: str
    mimetype: str
    # Writes the bytes of the export that `options` describe.
    write: Callable[[ExportOptions], Iterator[bytes]]


Writer = Callable[[Layout, Iterable[Any]], Iterator[bytes]]


def _rows_as(writer: Writer) -> Callable[[ExportOptions], Iterator[bytes]]:
    def write(options: ExportOptions) -> Iterator[bytes]:
        # The layout is made now, in the caller's context; the rows are read as they stream.
        quizzes = quiz_bests.report_quizzes(options.filters.course)
        columns = layout(options.locale, time_zone(options.zone), quizzes,
                         current_app.config.get("BASE_URL"))  # fmt: skip
        rows = report.iter_rows(options.filters, options.sort, options.descending)
        return writer(columns, quiz_bests.with_bests(rows, quizzes))

    return write


def _statements(options: ExportOptions) -> Iterator[bytes]:
    return _json_array(xapi.iter_statements(options.filters))


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


def time_zone(name: str | None = None) -> ZoneInfo:
    """The zone called `name`, or the TIME_ZONE setting's; ExportError if there is none."""
    name = name or current_app.config["TIME_ZONE"]
    try:
        return ZoneInfo(name)
    except (ValueError, OSError, ZoneInfoNotFoundError):
        raise ExportError(
            f"unknown time zone {name!r}; use an IANA name such as Europe/Warsaw"
        ) from None


def start_export(
    fmt: str, options: ExportOptions, actor: User | str, today: date | None = None
) -> Export:
    """Check the filter, audit the export (flushed; the caller commits), return its stream."""
    export_format = EXPORT_FORMATS.get(fmt)
    if export_format is None:
        raise ExportError(f"unknown format {fmt!r}; use one of: {', '.join(FORMATS)}")
    if options.locale not in LOCALES:
        raise ExportError(f"unknown language {options.locale!r}; use one of: {', '.join(LOCALES)}")
    time_zone(options.zone)
    filters = options.filters
    report.check_filter(filters)
    chunks = export_format.write(options)
    # Counted before streaming, so the record stands even if the download is interrupted.
    # For xAPI it is the number of report rows the statements describe.
    count = report.count_rows(filters)
    audit.record(actor, f"export.{fmt}", {"format": fmt, "filter": filters.as_dict()}, count)
    name = filename(fmt, filters.course, today or utcnow().date())
    return Export(fmt, name, export_format.mimetype, count, chunks)
