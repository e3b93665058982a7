"""The columns of a report export: a stable machine key, a label in the reader's language,
and the kind of value, which says how each format writes it.

The plain CSV is for integrations: its header is the keys (English snake_case, never
translated) and its values are codes (`completed`, `true`), whoever exports it. The CSV for
Excel and the XLSX are for people: their header is the labels and their values read in the
language chosen for the export. Labels and words are resolved once, when the export starts,
so the stream that follows needs no request and no locale.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import StrEnum
from functools import partial
from operator import attrgetter
from typing import Any

from flask import current_app
from flask_babel import LazyString, force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from trainer.people.assignments import due_day_end, site_zone
from trainer.reporting import report
from trainer.reporting.quiz_bests import ExportRow, QuizInfo
from trainer.urls import link_maker


class Kind(StrEnum):
    """How a column's values are written."""

    TEXT = "text"
    COUNT = "count"
    SCORE = "score"  # a percentage, one decimal
    WHEN = "when"  # an aware datetime
    FLAG = "flag"  # yes or no
    STATUS = "status"  # a report.ProgressStatus code


@dataclass(frozen=True)
class Column:
    """One exported column."""

    key: str  # the plain CSV's header: stable, English snake_case
    label: str  # the header for people, in the export's language
    kind: Kind
    value: Callable[[Any], Any]  # the cell's value from an export row
    # The report row's attribute `value` reads, for a report column: writers may read it
    # straight from the row (ExportRow.report) instead of calling `value`.
    attribute: str | None = None
    # For a quiz's column, (quiz id, the Best's field `value` reads): writers may read the
    # row's best in that quiz once for both of its columns.
    best: tuple[int, str] | None = None


# (key, label, kind) of the report's columns; each is read from the report row's
# attribute of the same name (`course` from `course_slug`).
REPORT_COLUMNS: tuple[tuple[str, LazyString, Kind], ...] = (
    ("employee_id", _l("Employee id"), Kind.TEXT),
    ("name", _l("Name"), Kind.TEXT),
    ("email", _l("E-mail"), Kind.TEXT),
    ("department", _l("Department"), Kind.TEXT),
    ("course", _l("Course key"), Kind.TEXT),
    ("course_title", _l("Course"), Kind.TEXT),
    ("status", _l("Status"), Kind.STATUS),
    ("lessons_done", _l("Lessons done"), Kind.COUNT),
    ("lessons_total", _l("Lessons in the course"), Kind.COUNT),
    ("best_score", _l("Best exam score (%)"), Kind.SCORE),
    ("passed", _l("Passed"), Kind.FLAG),
    ("attempts", _l("Graded attempts"), Kind.COUNT),
    ("first_started", _l("First started"), Kind.WHEN),
    ("completed_at", _l("Completed at"), Kind.WHEN),
    ("certificate_code", _l("Certificate code"), Kind.TEXT),
    ("due_at", _l("Due"), Kind.WHEN),
    # Added after the first sixteen, so that integrations reading by position keep working.
    ("manager", _l("Manager"), Kind.TEXT),
    ("assigned_at", _l("Assigned at"), Kind.WHEN),
    ("last_activity", _l("Last activity"), Kind.WHEN),
)


@dataclass(frozen=True)
class Layout:
    """Everything a writer needs besides the rows: columns and the words for values."""

    columns: tuple[Column, ...]
    locale: str
    zone: tzinfo  # where people's formats put their times
    statuses: dict[str, str]  # status code -> its label
    yes: str
    no: str
    sheet: str  # the XLSX worksheet's name

    @property
    def keys(self) -> list[str]:
        """The plain CSV's header."""
        return [column.key for column in self.columns]

    @property
    def labels(self) -> list[str]:
        """The header for people."""
        return [column.label for column in self.columns]

    def cells(self, row: Any) -> Iterable[tuple[Column, Any]]:
        """Each column with its value in `row`."""
        return ((column, column.value(row)) for column in self.columns)

    def word(self, column: Column, value: Any) -> str:
        """A status or a yes/no in the export's language."""
        if column.kind is Kind.FLAG:
            return self.yes if value else self.no
        return self.statuses.get(value, str(value))

    def local(self, when: datetime) -> datetime:
        """`when` as a wall-clock time in the export's zone, without a zone attached."""
        return when.astimezone(self.zone).replace(microsecond=0, tzinfo=None)


def _report_value(key: str) -> tuple[Callable[[ExportRow], Any], str | None]:
    """The column's value from the report row, and the row's attribute writers may read
    straight (none for a due date, written as the instant its day ends)."""
    name = "course_slug" if key == "course" else key
    value = attrgetter(f"report.{name}")
    if key != "due_at":
        return value, name
    zone = site_zone()  # read now: the rows stream later, outside the request

    def due(row: ExportRow) -> datetime | None:
        stored = value(row)
        return due_day_end(stored, zone) if stored is not None else None

    return due, None


def _label(label: str, kind: Kind, zone: tzinfo) -> str:
    # A time's header names its zone: "Ukończenie (Europe/Warsaw)".
    return f"{label} ({zone})" if kind is Kind.WHEN else label


def _certificate_url(base_url: str | None) -> Callable[[ExportRow], str | None]:
    """The public verification link of the row's certificate; None without BASE_URL."""
    # Built from the URL map, not url_for: the CLI has no request, and links never come
    # from a request's Host header.
    adapter = current_app.url_map.bind("localhost")
    if not base_url:
        return lambda row: None
    path = link_maker(lambda endpoint, **values: adapter.build(endpoint, values),
                      "certificates.verify", "code")  # fmt: skip
    site = base_url.rstrip("/")

    def value(row: ExportRow) -> str | None:
        code = row.report.certificate_code
        return site + path(code) if code else None

    return value


def _best_score(quiz_id: int, row: ExportRow) -> float | None:
    return row.best(quiz_id).percent


def _best_at(quiz_id: int, row: ExportRow) -> datetime | None:
    return row.best(quiz_id).at


def _quiz_columns(quizzes: list[QuizInfo], zone: tzinfo) -> list[Column]:
    """Two columns per quiz: the best score and when it was handed in."""
    several = len({quiz.course_slug for quiz in quizzes}) > 1
    columns = []
    for quiz in quizzes:
        key = f"quiz.{quiz.course_slug}.{quiz.slug}"
        title = f"{quiz.course_title} – {quiz.title}" if several else quiz.title
        handed_in = _("%(quiz)s: best score handed in", quiz=title)
        columns += [
            Column(f"{key}.best_score", _("%(quiz)s: best score (%%)", quiz=title), Kind.SCORE,
                   partial(_best_score, quiz.id), best=(quiz.id, "percent")),
            Column(f"{key}.best_at", _label(handed_in, Kind.WHEN, zone), Kind.WHEN,
                   partial(_best_at, quiz.id), best=(quiz.id, "at")),
        ]  # fmt: skip
    return columns


def layout(
    locale: str, zone: tzinfo, quizzes: list[QuizInfo], base_url: str | None = None
) -> Layout:
    """The export's columns, labelled in `locale` ("pl" or "en"), times in `zone`."""
    with force_locale(locale):
        columns = (
            *(Column(key, _label(str(label), kind, zone), kind, *_report_value(key))
              for key, label, kind in REPORT_COLUMNS),
            Column("certificate_url", _("Certificate verification link"), Kind.TEXT,
                   _certificate_url(base_url)),
            *_quiz_columns(quizzes, zone),
        )  # fmt: skip
        statuses = {str(code): str(label) for code, label in report.STATUS_LABELS.items()}
        return Layout(columns, locale, zone, statuses, _("Yes"), _("No"), _("Report"))
