"""Every export format read back by tools nobody here wrote (openpyxl, pandas) and compared
with the database: each cell holds what the rows hold, and values that look like numbers or
formulas come out as intended in each format."""

import io
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pandas as pd
import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from tests.reporting.hr_rows import seed
from trainer.extensions import db
from trainer.models import (
    Assignment,
    Attempt,
    Course,
    CourseCompletion,
    Quiz,
    User,
)
from trainer.people import accounts
from trainer.people.assignments import due_day_end

WARSAW = ZoneInfo("Europe/Warsaw")
BASE_URL = "https://trainer.firma.pl"
TEXT_KEYS = ("employee_id", "name", "email", "department", "manager", "course", "course_title",
             "certificate_code", "certificate_url")  # fmt: skip
TIME_KEYS = ("completed_at", "due_at", "assigned_at")
# Values a spreadsheet must not change: a phone number and a negative id are plain numbers
# (kept as they are everywhere); a text starting with "=" runs as a formula in a CSV (so the
# two CSVs prefix it with ') but is only text in an XLSX string cell (kept as it is).
TRICKY = {"employee_id": "-12", "department": "+48 600 100 200", "manager": "=Kowalski"}


@pytest.fixture
def world(synced: Flask) -> Flask:
    """The report's known rows, one learner holding the tricky values, and BASE_URL set."""
    seed(synced)
    synced.config["BASE_URL"] = BASE_URL
    with synced.app_context():
        user = accounts.create_user("tricky@example.com", "Zofia Trudna", None, {"learner"},
                                    **TRICKY)  # fmt: skip
        db.session.get(User, user.id).manager = TRICKY["manager"]
        db.session.commit()
    return synced


def database_rows(app: Flask) -> dict[tuple[str, str], dict[str, Any]]:
    """(email, course) -> what the database says each column should hold, read with the ORM."""
    with app.app_context():
        users = db.session.execute(
            db.select(User).where(User.is_active_learner())
        ).scalars().all()  # fmt: skip
        courses = db.session.execute(db.select(Course)).scalars().all()
        quizzes = db.session.execute(db.select(Quiz)).scalars().all()
        rows = {}
        for user in users:
            for course in courses:
                done = db.session.execute(db.select(CourseCompletion).filter_by(
                    user_id=user.id, course_id=course.id)).scalar_one_or_none()  # fmt: skip
                assigned = db.session.execute(db.select(Assignment).filter_by(
                    user_id=user.id, course_id=course.id)).scalar_one_or_none()  # fmt: skip
                row = {
                    "employee_id": user.employee_id, "name": user.display_name,
                    "email": user.email, "department": user.department, "manager": user.manager,
                    "course": course.slug, "course_title": course.title,
                    "completed_at": done.completed_at if done else None,
                    "certificate_code": done.certificate_code if done else None,
                    "certificate_url": f"{BASE_URL}/verify/{done.certificate_code}"
                    if done else None,
                    "due_at": due_day_end(assigned.due_at) if assigned else None,
                    "assigned_at": assigned.created_at if assigned else None,
                }  # fmt: skip
                for quiz in quizzes:  # a row shows only its own course's quizzes
                    best = db.select(Attempt).filter_by(
                        user_id=user.id, quiz_id=quiz.id, status="graded"
                    ).order_by(Attempt.percent.desc(), Attempt.submitted_at)  # fmt: skip
                    graded = db.session.execute(best).scalars().first()
                    if quiz.course_id != course.id:
                        graded = None
                    key = f"quiz.{quiz.course.slug}.{quiz.slug}"
                    row[f"{key}.best_score"] = graded.percent if graded else None
                    row[f"{key}.best_at"] = graded.submitted_at if graded else None
                rows[(user.email, course.slug)] = row
        return rows


def export_file(runner: FlaskCliRunner, tmp_path: Path, fmt: str, *args: str) -> Path:
    out = tmp_path / f"export-{fmt}{'-'.join(args)}.{fmt}"
    result = runner.invoke(args=["hr", "export", "--format", fmt, *args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def machine_keys(runner: FlaskCliRunner, tmp_path: Path) -> list[str]:
    """The plain CSV's header: the keys of the columns, in the order every format has them."""
    return list(pd.read_csv(export_file(runner, tmp_path, "csv"), nrows=0).columns)


def local(when: datetime | None) -> datetime | None:
    return when.astimezone(WARSAW).replace(tzinfo=None, microsecond=0) if when else None


def csv_text(value: str) -> str:
    """What a CSV cell holds for `value`: a formula gets its ' prefix, a plain number not."""
    return "'" + value if value.startswith("=") else value


def test_plain_csv_read_by_pandas_matches_the_database(
    world: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    path = export_file(runner, tmp_path, "csv")
    text = pd.read_csv(path, dtype=str, keep_default_na=False)
    typed = pd.read_csv(path)
    expected = database_rows(world)
    assert len(text) == len(expected) == 12  # six learners, two courses
    keys = [key for key in text.columns if key.startswith("quiz.")]
    assert keys == [key for key in expected[("anna@example.com", "sample")] if "." in key]
    assert keys  # the sample course's two quizzes, two columns each
    for index, line in text.iterrows():
        want = expected[(line["email"], line["course"])]
        for key in TEXT_KEYS:
            assert line[key] == csv_text(want[key] or ""), key
        for key in (*TIME_KEYS, *(k for k in keys if k.endswith("_at"))):
            stamp = typed.at[index, key]
            got = None if pd.isna(stamp) else pd.Timestamp(stamp).to_pydatetime()
            assert got == (want[key].replace(microsecond=0) if want[key] else None), key
        for key in (k for k in keys if k.endswith("best_score")):
            score = typed.at[index, key]
            assert (None if pd.isna(score) else float(score)) == want[key], key
    tricky = text[text["email"] == "tricky@example.com"].iloc[0]
    assert (tricky["employee_id"], tricky["department"], tricky["manager"]) == (
        "-12", "+48 600 100 200", "'=Kowalski")  # fmt: skip


def test_excel_csv_read_by_pandas_the_polish_way_matches_the_database(
    world: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    keys = machine_keys(runner, tmp_path)
    path = export_file(runner, tmp_path, "csv-excel")  # Polish and Warsaw by default
    header = list(pd.read_csv(path, sep=";", encoding="utf-8-sig", nrows=0).columns)
    assert len(header) == len(keys) and header[:2] == ["Nr pracownika", "Imię i nazwisko"]
    labels = dict(zip(keys, header, strict=True))
    table = pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig",
                        dtype={labels[key]: str for key in TEXT_KEYS})  # fmt: skip
    expected = database_rows(world)
    assert len(table) == len(expected)
    scores = [key for key in keys if key.endswith("score")]
    for key in scores:  # decimal commas are read as numbers
        assert table[labels[key]].dtype == "float64", key
    for _index, line in table.iterrows():
        cell = {key: None if pd.isna(line[label]) else line[label] for key, label in labels.items()}
        want = expected[(cell["email"], cell["course"])]
        for key in TEXT_KEYS:
            assert (cell[key] or "") == csv_text(want[key] or ""), key
        for key in (*TIME_KEYS, *(k for k in keys if k.endswith("_at") and "." in k)):
            assert labels[key].endswith(" (Europe/Warsaw)")
            got = pd.to_datetime(cell[key]).to_pydatetime() if cell[key] else None
            assert got == local(want[key]), key
        for key in scores[1:]:  # the quizzes' (the first is the final exam's best)
            assert cell[key] == want[key], key
        status = {"Ukończono", "W toku", "Po terminie", "Nierozpoczęty"}
        assert cell["status"] in status and cell["passed"] in {"Tak", "Nie"}
    tricky = table[table[labels["email"]] == "tricky@example.com"].iloc[0]
    assert [tricky[labels[key]] for key in TRICKY] == ["-12", "+48 600 100 200", "'=Kowalski"]


@pytest.mark.parametrize("reader", ["openpyxl", "pandas"])
def test_xlsx_read_by_openpyxl_and_pandas_matches_the_database(
    world: Flask, runner: FlaskCliRunner, tmp_path: Path, reader: str
) -> None:
    keys = machine_keys(runner, tmp_path)
    path = export_file(runner, tmp_path, "xlsx", "--lang", "en")
    if reader == "openpyxl":
        sheet = openpyxl.load_workbook(path).active
        lines = list(sheet.iter_rows(values_only=True))
        header, body = list(lines[0]), [dict(zip(keys, line, strict=True)) for line in lines[1:]]
        tricky_cells = [sheet.cell(row, 1).data_type for row in range(2, sheet.max_row + 1)]
        assert set(tricky_cells) <= {"s", "n"}  # "n": an empty cell
    else:
        frame = pd.read_excel(io.BytesIO(path.read_bytes()), engine="openpyxl", dtype=object)
        header = list(frame.columns)
        body = [
            {
                key: (None if pd.isna(value) else value)
                for key, value in zip(keys, line, strict=True)
            }
            for line in frame.itertuples(index=False)
        ]
    assert len(header) == len(keys) and header[0] == "Employee id"
    expected = database_rows(world)
    assert len(body) == len(expected)
    for line in body:
        want = expected[(line["email"], line["course"])]
        for key in TEXT_KEYS:
            assert line[key] == want[key], key  # raw text: a string cell never runs
        for key in (*TIME_KEYS, *(k for k in keys if k.endswith("_at") and "." in k)):
            got = line[key]
            got = got.to_pydatetime() if isinstance(got, pd.Timestamp) else got
            assert got == local(want[key]), key
        for key in (k for k in keys if k.endswith(".best_score")):
            assert line[key] == want[key], key
    tricky = next(line for line in body if line["email"] == "tricky@example.com")
    assert {key: tricky[key] for key in TRICKY} == TRICKY
