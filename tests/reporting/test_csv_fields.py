"""The generated CSV row function agrees with the rules spelled out in `csv_fields.plain`."""

import csv
import dataclasses
import io
from collections import namedtuple
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from flask import Flask

from trainer.reporting.csv_fields import plain, row_fields
from trainer.reporting.export_columns import Column, Kind, layout
from trainer.reporting.quiz_bests import ExportRow

ODD_VALUES = [
    None, "", "tekst", "=SUM(1)", "-12", "+48 600 100 200", "@x", 0, 7, -3, 1.25, 99.95, 0.0,
    True, False, datetime(2026, 3, 29, 0, 30, 15, 999_999, tzinfo=UTC),
    datetime(2026, 10, 25, 1, 30, tzinfo=timezone(timedelta(hours=5))),
    "completed", "overdue", "nieznany",
]  # fmt: skip


def as_csv(fields: list[object]) -> str:
    out = io.StringIO()
    csv.writer(out).writerow(fields)
    return out.getvalue()


@pytest.mark.parametrize("excel", [False, True])
@pytest.mark.parametrize("kind", list(Kind))
def test_every_kind_and_odd_value_is_written_as_plain_says(
    app: Flask, kind: Kind, excel: bool
) -> None:
    with app.app_context():
        base = layout("en", ZoneInfo("Europe/Warsaw"), [])
        Row = namedtuple("Row", ["value"])
        columns = (
            Column("a", "A", kind, lambda row: row.report.value, "value"),
            Column("b", "B", kind, lambda row: row.report.value),  # read through `value`
        )
        mine = dataclasses.replace(base, columns=columns)
        fields = row_fields(mine, excel)
        for value in ODD_VALUES:
            got = as_csv(fields(ExportRow(Row(value))))
            if kind in (Kind.FLAG, Kind.STATUS) and excel and value is not None:
                word = plain(mine.word(columns[0], value), mine, excel)
                expected = as_csv([word, word])
            else:
                expected = as_csv([plain(value, mine, excel)] * 2)
            assert got == expected, (kind, excel, value)
            assert fields(ExportRow(Row(value))) == fields(ExportRow(Row(value)))  # memo agrees


@pytest.mark.parametrize("excel", [False, True])
def test_quiz_columns_read_each_rows_own_bests(app: Flask, excel: bool) -> None:
    """The generated function reads a quiz's best once for both its columns; a row without a
    graded attempt in a quiz leaves both empty, as each column's own `value` says."""
    from trainer.reporting import report
    from trainer.reporting.quiz_bests import Best, QuizInfo

    quizzes = [QuizInfo(7, "check", "Check", "c", "C"), QuizInfo(9, "exam", "Exam", "c", "C")]
    when = datetime(2026, 11, 30, 9, 15, tzinfo=UTC)
    with app.app_context():
        chosen = layout("pl", ZoneInfo("Europe/Warsaw"), quizzes)
        fields = row_fields(chosen, excel)
        Row = namedtuple("Row", [*report.COLUMNS, *report.EXPORT_COLUMNS])
        report_row = Row(*([None] * len(Row._fields)))
        for bests in ({}, {7: Best(82.5, when)}, {7: Best(82.5, when), 9: Best(None, None)}):
            row = ExportRow(report_row, bests)
            expected = [plain(column.value(row), chosen, excel) for column in chosen.columns]
            got = next(csv.reader(io.StringIO(as_csv(fields(row)))))
            assert got[-4:] == expected[-4:], bests
