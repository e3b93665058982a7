"""Exports of the completion report, streamed: CSV, CSV for Excel, XLSX and xAPI.

One registry, `EXPORT_FORMATS`, says what each format is called and how it is written; one
function, `start_export`, serves the web page and the CLI alike: it checks the filter,
records the export in the audit log and returns the file's name and a lazy stream of bytes.
"""

import csv
import io
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
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
from trainer.reporting import quiz_bests, report, report_pages, xapi
from trainer.reporting.csv_fields import formula_safe, row_fields
from trainer.reporting.export_columns import Column, Kind, Layout, layout
from trainer.reporting.report import ReportFilter

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


def _delimited(layout: Layout, rows: Iterable[Any], excel: bool) -> Iterator[bytes]:
    buffer = io.StringIO()
    # Excel in a Polish locale splits on semicolons and needs the BOM to read UTF-8.
    writer = csv.writer(buffer, delimiter=";" if excel else ",", lineterminator="\r\n")
    if excel:
        buffer.write("\ufeff")
    writer.writerow([formula_safe(label) for label in layout.labels] if excel else layout.keys)
    fields = row_fields(layout, excel)
    chunk_rows = CHUNK_ROWS
    batch: list[list[Any]] = []
    for row in rows:
        batch.append(fields(row))
        if len(batch) == chunk_rows:
            writer.writerows(batch)
            batch = []
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    writer.writerows(batch)
    yield buffer.getvalue().encode("utf-8")


def _csv(layout: Layout, rows: Iterable[Any]) -> Iterator[bytes]:
    return _delimited(layout, rows, excel=False)


def _csv_excel(layout: Layout, rows: Iterable[Any]) -> Iterator[bytes]:
    return _delimited(layout, rows, excel=True)


# Writes one cell of an XLSX row: (line, column number, value); returns the characters shown.
XlsxCell = Callable[[int, int, Any], int]


def _xlsx_writer(sheet: Any, column: Column, layout: Layout, formats: tuple[Any, Any]) -> XlsxCell:
    """How `column`'s values are written as typed cells: decided once per column."""
    when, score = formats
    write_string, write_number = sheet.write_string, sheet.write_number

    def text(line: int, number: int, value: Any) -> int:
        if value is None:
            return 0
        value = str(value)
        write_string(line, number, value)
        return max(map(len, value.splitlines() or [""])) if "\n" in value else len(value)

    if column.kind in (Kind.FLAG, Kind.STATUS):
        word = layout.word

        def words(line: int, number: int, value: Any) -> int:
            return 0 if value is None else text(line, number, word(column, value))

        return words
    local, write_datetime = layout.local, sheet.write_datetime

    def typed(line: int, number: int, value: Any) -> int:
        # Blank cells are left out: an absent cell reads as empty, and costs nothing.
        if value is None:
            return 0
        if isinstance(value, datetime):
            write_datetime(line, number, local(value), when)
            return 19  # len("yyyy-mm-dd hh:mm:ss")
        if isinstance(value, int | float) and not isinstance(value, bool):
            if column.kind is Kind.SCORE:
                write_number(line, number, value, score)
                return len(f"{value:.1f}")
            write_number(line, number, value)
            return len(str(value))
        return text(line, number, value)

    return typed


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
        cells = [(number, column.value, _xlsx_writer(sheet, column, layout, (when, score)))
                 for number, column in enumerate(layout.columns)]  # fmt: skip
        last = 0
        for last, row in enumerate(rows, 1):
            for number, value, write in cells:
                shown = write(last, number, value(row))
                if shown > longest[number]:
                    longest[number] = shown
        for number, length in enumerate(longest):
            sheet.set_column(number, number, min(max(length + 1, MIN_WIDTH), MAX_WIDTH))
        sheet.autofilter(0, 0, last, width - 1)
        workbook.close()
        with open(path, "rb") as file:
            while chunk := file.read(CHUNK_BYTES):
                yield chunk
    finally:
        os.unlink(path)


def _json_array(statements: Iterable[str]) -> Iterator[bytes]:
    """Statements' JSON texts as one JSON array, a chunk per CHUNK_ROWS statements."""
    yield b"["
    chunk_rows, batch, separator = CHUNK_ROWS, [], ""
    for statement in statements:
        batch.append(statement)
        if len(batch) == chunk_rows:
            yield (separator + ",".join(batch)).encode("utf-8")
            batch, separator = [], ","
    yield ((separator + ",".join(batch)) if batch else "").encode("utf-8") + b"]"


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
    # Writes the bytes of the export that `options` describe, telling `progress` (if any)
    # how many rows (xAPI: statements) it has read so far, now and then.
    write: Callable[[ExportOptions, "Progress | None"], Iterator[bytes]]


Writer = Callable[[Layout, Iterable[Any]], Iterator[bytes]]
Progress = Callable[[int], None]
PROGRESS_ROWS = 5000  # rows between two calls of a progress callback


def counted(items: Iterable[Any], progress: Progress | None) -> Iterator[Any]:
    """`items`, calling `progress` with how many went by every PROGRESS_ROWS and at the end."""
    if progress is None:
        yield from items
        return
    number = 0
    for number, item in enumerate(items, 1):
        if number % PROGRESS_ROWS == 0:
            progress(number)
        yield item
    progress(number)


def _rows_as(writer: Writer) -> Callable[[ExportOptions, Progress | None], Iterator[bytes]]:
    def write(options: ExportOptions, progress: Progress | None) -> Iterator[bytes]:
        # The layout is made now, in the caller's context; the rows are read as they stream.
        quizzes = quiz_bests.report_quizzes(options.filters.course)
        columns = layout(options.locale, time_zone(options.zone), quizzes,
                         current_app.config.get("BASE_URL"))  # fmt: skip
        rows = report.iter_rows(options.filters, options.sort, options.descending)
        return writer(columns, counted(quiz_bests.with_bests(rows, quizzes), progress))

    return write


def _statements(options: ExportOptions, progress: Progress | None) -> Iterator[bytes]:
    return _json_array(counted(xapi.statement_texts(options.filters), progress))


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


def check_export(fmt: str, options: ExportOptions) -> "ExportFormat":
    """The format `fmt` names, once the options are known to be sound; else ExportError (an
    unknown format, language or zone) or report.FilterError."""
    export_format = EXPORT_FORMATS.get(fmt)
    if export_format is None:
        raise ExportError(f"unknown format {fmt!r}; use one of: {', '.join(FORMATS)}")
    if options.locale not in LOCALES:
        raise ExportError(f"unknown language {options.locale!r}; use one of: {', '.join(LOCALES)}")
    time_zone(options.zone)
    report.check_filter(options.filters)
    return export_format


def start_export(
    fmt: str, options: ExportOptions, actor: User | str, today: date | None = None,
    row_count: int | None = None,
) -> Export:  # fmt: skip
    """Check the filter, audit the export (flushed; the caller commits), return its stream.

    `row_count`: the report's rows under the filter, when the caller has counted them.
    """
    export_format = check_export(fmt, options)
    filters = options.filters
    chunks = export_format.write(options, None)
    # Counted before streaming, so the record stands even if the download is interrupted.
    # For xAPI it is the number of report rows the statements describe.
    count = report_pages.count_rows(filters) if row_count is None else row_count
    audit.record(actor, f"export.{fmt}", {"format": fmt, "filter": filters.as_dict()}, count)
    name = filename(fmt, filters.course, today or utcnow().date())
    return Export(fmt, name, export_format.mimetype, count, chunks)
