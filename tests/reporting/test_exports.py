"""Exports of the report: content of each format, formula safety, filters, audit, web and CLI."""

import csv
import io
import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from tests.conftest import PASSWORD
from tests.reporting.hr_rows import CODE, NAMES, T0, seed
from trainer.extensions import db
from trainer.models import Assignment, Attempt, AuditEvent, Course, Quiz, User, UserRole
from trainer.models.types import utcnow
from trainer.reporting import exports, report_pages, xapi
from trainer.reporting.report import ReportFilter
from trainer.xapi import record

# The plain CSV's header: stable machine keys that integrations rely on, in every language.
KEYS = ("employee_id", "name", "email", "department", "course", "course_title", "status",
        "lessons_done", "lessons_total", "best_score", "passed", "attempts", "first_started",
        "completed_at", "certificate_code", "due_at", "manager", "assigned_at", "last_activity",
        "certificate_url")  # fmt: skip
# Then a pair per quiz of the exported courses: the sample course's two quizzes.
QUIZ_KEYS = ("quiz.sample.sprawdzian.best_score", "quiz.sample.sprawdzian.best_at",
             "quiz.sample.egzamin.best_score", "quiz.sample.egzamin.best_at")  # fmt: skip
WARSAW = ZoneInfo("Europe/Warsaw")
DANGEROUS = ['=HYPERLINK("http://evil.example","klik")', "+1+cmd|' /C calc'!A0", "-2+3",
             "@SUM(1)", "\tx", "\rx", "-Zarząd"]  # fmt: skip


@pytest.fixture
def ids(synced: Flask) -> dict[str, int]:
    return seed(synced)


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    """An empty folder for CLI output (out_dir also holds the app's instance folder)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


@pytest.fixture
def hr_client(ids: dict, client: FlaskClient, auth) -> FlaskClient:
    auth.login("halina@example.com")
    return client


def parse_csv(data: bytes, delimiter: str = ",", encoding: str = "utf-8") -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(encoding), newline=""), delimiter=delimiter))


def as_dicts(table: list[list[str]]) -> list[dict[str, str]]:
    return [dict(zip(table[0], line, strict=True)) for line in table[1:]]


def audit_events(app: Flask) -> list[tuple[str, str, dict, int | None]]:
    with app.app_context():
        return [
            (event.actor, event.action, event.details, event.row_count)
            for event in db.session.execute(db.select(AuditEvent).order_by(AuditEvent.id))
            .scalars()
            .all()
            if event.action.startswith("export.")
        ]


def export(client: FlaskClient, query: str) -> bytes:
    response = client.get(f"/hr/export?{query}")
    assert response.status_code == 200, response.text
    assert response.is_streamed
    return response.data


# --- formats ----------------------------------------------------------------------------


def test_csv_is_rfc_4180_utf8_with_iso_utc_times(hr_client: FlaskClient) -> None:
    data = export(hr_client, "format=csv&course=sample")
    assert not data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\r\n") == 6 and b"\n" not in data.replace(b"\r\n", b"")
    table = parse_csv(data)
    assert tuple(table[0]) == KEYS + QUIZ_KEYS
    rows = {row["name"]: row for row in as_dicts(table)}
    assert list(rows) == sorted(NAMES)
    anna = rows["Anna Nowak"]
    assert anna == {
        "employee_id": "E-1", "name": "Anna Nowak", "email": "anna@example.com",
        "department": "Sprzedaż", "course": "sample", "course_title": "Kurs próbny",
        "status": "completed", "lessons_done": "2", "lessons_total": "2", "best_score": "87.5",
        "passed": "true", "attempts": "3", "first_started": "2026-11-02T09:00:00Z",
        "completed_at": "2026-11-20T10:00:00Z", "certificate_code": CODE, "due_at": "",
        "manager": "", "assigned_at": "", "last_activity": "2026-11-06T09:10:00Z",
        "certificate_url": "",  # no BASE_URL
        "quiz.sample.sprawdzian.best_score": "100.0",
        "quiz.sample.sprawdzian.best_at": "2026-11-02T11:10:00Z",
        "quiz.sample.egzamin.best_score": "87.5",
        "quiz.sample.egzamin.best_at": "2026-11-06T09:10:00Z",
    }  # fmt: skip
    assert rows["Celina Wójcik"]["status"] == "overdue"
    assert rows["Celina Wójcik"]["due_at"].endswith("Z")
    assert (
        rows["Bartek Zieliński"]["best_score"] == ""
        and rows["Bartek Zieliński"]["passed"] == "false"
    )


def test_csv_for_excel_has_bom_semicolons_and_decimal_comma(hr_client: FlaskClient) -> None:
    data = export(hr_client, "format=csv-excel&course=sample")
    assert data.startswith(b"\xef\xbb\xbf")
    table = parse_csv(data, delimiter=";", encoding="utf-8-sig")
    assert table[0][:3] == ["Employee id", "Name", "E-mail"]  # halina reads English
    anna = {row["Name"]: row for row in as_dicts(table)}["Anna Nowak"]
    assert anna["Best exam score (%)"] == "87,5"
    # Times in the TIME_ZONE setting (Warsaw: UTC+1 in November), named in the header.
    assert anna["Completed at (Europe/Warsaw)"] == "2026-11-20 11:00:00"
    assert anna["First started (Europe/Warsaw)"] == "2026-11-02 10:00:00"
    assert anna["Status"] == "Completed" and anna["Passed"] == "Yes"


def test_xlsx_has_typed_cells_a_frozen_header_and_an_autofilter(hr_client: FlaskClient) -> None:
    data = export(hr_client, "format=xlsx&course=sample")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:X{len(NAMES) + 1}"  # 20 columns and 2 per quiz
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["Employee id", "Name", "E-mail"]
    assert len(header) == len(KEYS + QUIZ_KEYS)
    header = list(KEYS + QUIZ_KEYS)  # read the rows by key
    rows = {line[1]: dict(zip(header, line, strict=True))
            for line in sheet.iter_rows(min_row=2, values_only=True)}  # fmt: skip
    assert list(rows) == sorted(NAMES)
    anna = rows["Anna Nowak"]
    assert anna["completed_at"] == datetime(2026, 11, 20, 11, 0)  # Warsaw, UTC+1
    assert anna["first_started"] == T0.astimezone(WARSAW).replace(tzinfo=None)
    assert isinstance(anna["best_score"], float) and anna["best_score"] == 87.5
    assert anna["passed"] == "Yes" and anna["status"] == "Completed"
    assert anna["attempts"] == 3 and anna["lessons_done"] == 2
    assert anna["certificate_code"] == CODE
    assert rows["Bartek Zieliński"]["best_score"] is None
    assert isinstance(rows["Celina Wójcik"]["due_at"], datetime)
    cell = next(c for c in sheet["O"] if c.value == CODE)
    assert cell.data_type == "s"
    assert sheet["N2"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert sheet["N1"].value == "Completed at (Europe/Warsaw)"


def test_xlsx_columns_fit_their_longest_value_within_bounds(
    synced: Flask, ids: dict, hr_client: FlaskClient
) -> None:
    email = "anna.konstancja.nowak-wisniewska@sprzedaz.example"  # 50 characters
    with synced.app_context():
        anna = db.session.get(User, ids["anna"])
        anna.email, anna.department = email, "D" * 120
        db.session.commit()
    sheet = openpyxl.load_workbook(io.BytesIO(export(hr_client, "format=xlsx"))).active
    widths = {cell.value: sheet.column_dimensions[cell.column_letter].width for cell in sheet[1]}
    assert widths["E-mail"] >= len(email)  # the longest e-mail is not cut
    assert widths["Department"] <= exports.MAX_WIDTH + 1  # a very long value is bounded
    assert widths["Passed"] < widths["E-mail"]  # not one width for all
    assert all(exports.MIN_WIDTH <= width <= exports.MAX_WIDTH + 1 for width in widths.values())
    assert widths["Completed at (Europe/Warsaw)"] >= len("2026-11-20 11:00:00")


def test_xapi_is_one_json_array_of_the_logs_statements(
    synced: Flask, hr_client: FlaskClient
) -> None:
    """The export passes the log's text on with `stored` spliced in: the same statements
    the API and the LRS get, decoded."""
    with synced.app_context():
        assert record.backfill() > 0  # the seeded rows' statements, as an upgrade records them
        db.session.commit()
    statements = json.loads(export(hr_client, "format=xapi&course=sample"))
    assert isinstance(statements, list) and statements
    with synced.app_context():
        assert statements == list(xapi.iter_statements(ReportFilter(course="sample")))


@pytest.mark.parametrize("statement", [
    {"id": "x", "verb": {"display": {"pl-PL": "ukończył(a)"}}, "version": "1.0.3"},
    {"nested": {"braces": "} {", "list": [{}]}}, {},
])  # fmt: skip
def test_stored_spliced_into_a_statements_text(statement: dict) -> None:
    stored = datetime(2026, 11, 30, 8, 0, 1, tzinfo=ZoneInfo("UTC"))
    for text in (json.dumps(statement), json.dumps(statement, indent=2, ensure_ascii=False)):
        spliced = xapi.text_with_stored(text, stored)
        assert json.loads(spliced) == xapi.with_stored(statement, stored)


def test_json_array_joins_statements() -> None:
    chunks = exports._json_array(iter(['{"a": 1}', '{"b": "ż"}']))
    assert json.loads(b"".join(chunks)) == [{"a": 1}, {"b": "ż"}]
    assert b"".join(exports._json_array(iter([]))) == b"[]"


# --- formula safety ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "safe"),
    [("=1+1", "'=1+1"), ("+1+1", "'+1+1"), ("-2*A1", "'-2*A1"), ("@SUM(1)", "'@SUM(1)"),
     ("\tx", "'\tx"), ("\rx", "'\rx"), ("-Zarząd", "'-Zarząd"), ("=12", "'=12"),
     ("Anna", "Anna"), ("", ""), ("a=b", "a=b"), ("'=x", "'=x"),
     # plain numbers stay as they are
     ("+48 600 100 200", "+48 600 100 200"), ("-12", "-12"), ("+1", "+1"), ("-2,5", "-2,5")],
)  # fmt: skip
def test_formula_safe(value: str, safe: str) -> None:
    assert exports.formula_safe(value) == safe


@pytest.fixture
def dangerous(synced: Flask) -> list[str]:
    """Learners whose names (and other text) a spreadsheet would run as formulas."""
    with synced.app_context():
        for number, name in enumerate(DANGEROUS):
            user = User(email=f"x{number}@example.com", display_name=name,
                        employee_id=f"-{number}", department="=cmd|' /C calc'!A0")  # fmt: skip
            user.roles = [UserRole(role="learner")]
            db.session.add(user)
        db.session.commit()
    return DANGEROUS


def test_csv_cells_are_formula_safe(
    synced: Flask, dangerous: list, client: FlaskClient, login_as
) -> None:
    login_as("hr")
    for fmt, delimiter, encoding in (("csv", ",", "utf-8"), ("csv-excel", ";", "utf-8-sig")):
        table = parse_csv(export(client, f"format={fmt}&course=sample"), delimiter, encoding)
        rows = as_dicts([list(KEYS + QUIZ_KEYS), *table[1:]])
        assert sorted(row["name"] for row in rows) == sorted("'" + name for name in dangerous)
        assert {row["department"] for row in rows} == {"'=cmd|' /C calc'!A0"}
        assert all(row["employee_id"].startswith("-") for row in rows)  # a plain number


def test_xlsx_keeps_text_as_it_is_in_string_cells(
    synced: Flask, dangerous: list, client: FlaskClient, login_as
) -> None:
    login_as("hr")
    data = export(client, "format=xlsx&course=sample")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    cells = [row[1] for row in sheet.iter_rows(min_row=2)]
    # XlsxWriter stores a carriage return as the OOXML escape _x000D_; openpyxl keeps it so.
    values = sorted(cell.value.replace("_x000D_", "\r") for cell in cells)
    assert values == sorted(dangerous)  # a string cell never runs, so nothing is prefixed
    assert all(cell.data_type == "s" for cell in cells)
    departments = [row[3] for row in sheet.iter_rows(min_row=2)]
    assert {cell.value for cell in departments} == {"=cmd|' /C calc'!A0"}
    assert all(cell.data_type == "s" for cell in departments)


# --- filters, sorting, streaming --------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["", "course=second", "status=overdue", "status=not_started&course=sample",
     "department=Marketing", "since=2026-11-20&until=2026-11-20", "q=nowak", "since=2027-01-01"],
)  # fmt: skip
def test_export_holds_exactly_the_rows_the_report_shows(
    synced: Flask, hr_client: FlaskClient, query: str
) -> None:
    exported = as_dicts(parse_csv(export(hr_client, f"format=csv&{query}")))
    args = dict(pair.split("=") for pair in query.split("&") if pair)
    page = hr_client.get(f"/hr/?{query}").text.split("<tbody>")[1]
    with synced.app_context():
        form_filter = ReportFilter(
            course=args.get("course"), department=args.get("department"),
            status=args.get("status"), search=args.get("q"),
            since=datetime.fromisoformat(args["since"]).date() if "since" in args else None,
            until=datetime.fromisoformat(args["until"]).date() if "until" in args else None,
        )  # fmt: skip
        shown = report_pages.page_rows(form_filter, per_page=1000)
    assert [(r["email"], r["course"]) for r in exported] == [
        (row.email, row.course_slug) for row in shown
    ]
    for row in exported:
        assert row["name"] in page


def test_export_follows_the_sort_order(hr_client: FlaskClient) -> None:
    rows = as_dicts(parse_csv(export(hr_client, "format=csv&course=sample&sort=score&dir=desc")))
    assert rows[0]["name"] == "Anna Nowak"
    rows = as_dicts(parse_csv(export(hr_client, "format=csv&course=sample&sort=name&dir=desc")))
    assert [row["name"] for row in rows] == sorted(NAMES, reverse=True)


def test_export_streams_in_chunks(synced: Flask, ids: dict, monkeypatch) -> None:
    monkeypatch.setattr(exports, "CHUNK_ROWS", 2)
    with synced.app_context():
        started = exports.start_export("csv", exports.ExportOptions(ReportFilter()), "cli")
        chunks = list(started.chunks)
    assert len(chunks) == 1 + 10 // 2  # a chunk every two rows, then the rest
    assert started.row_count == 10


@pytest.mark.parametrize(
    ("query", "name"),
    [("format=csv&course=sample", "ukonczenia-sample-{today}.csv"),
     ("format=csv-excel", "ukonczenia-wszystkie-{today}-excel.csv"),
     ("format=xlsx&course=second", "ukonczenia-second-{today}.xlsx")],
)  # fmt: skip
def test_file_name_carries_course_and_date(hr_client: FlaskClient, query: str, name: str) -> None:
    response = hr_client.get(f"/hr/export?{query}")
    today = utcnow().date().isoformat()
    assert (
        response.headers["Content-Disposition"]
        == f'attachment; filename="{name.format(today=today)}"'
    )
    response.close()


def test_filename_cleans_the_slug() -> None:
    from datetime import date

    assert (
        exports.filename("csv", "b2b-b2c", date(2026, 11, 26))
        == "ukonczenia-b2b-b2c-2026-11-26.csv"
    )
    assert exports.filename("xapi", '../"x', date(2026, 11, 26)) == "ukonczenia-x-2026-11-26.json"


# --- audit and bad input ----------------------------------------------------------------


def test_every_web_export_is_audited(synced: Flask, hr_client: FlaskClient) -> None:
    export(hr_client, "format=csv&course=sample&status=completed")
    export(hr_client, "format=xlsx&department=Marketing")
    assert audit_events(synced) == [
        ("halina@example.com", "export.csv",
         {"format": "csv", "filter": {"course": "sample", "status": "completed"}}, 1),
        ("halina@example.com", "export.xlsx",
         {"format": "xlsx", "filter": {"department": "Marketing"}}, 4),
    ]  # fmt: skip


@pytest.mark.parametrize(
    "query",
    ["format=pdf", "", "format=csv&since=2026-02-30", "format=csv&status=done",
     "format=csv&course=no-such-course", "format=xlsx&since=2026-02-01&until=2026-01-01"],
)  # fmt: skip
def test_bad_export_requests_get_a_message_and_no_file(
    synced: Flask, hr_client: FlaskClient, query: str
) -> None:
    response = hr_client.get(f"/hr/export?{query}", headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "The export was not made" in response.text
    assert audit_events(synced) == []


@pytest.mark.parametrize("fmt", exports.FORMATS)
def test_learner_cannot_export(synced: Flask, client: FlaskClient, login_as, fmt: str) -> None:
    login_as("learner")
    assert client.get(f"/hr/export?format={fmt}").status_code == 403
    assert audit_events(synced) == []


# --- the CLI ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "csv-excel", "xlsx"])
def test_cli_export_writes_the_same_file_as_the_web(
    synced: Flask, hr_client: FlaskClient, runner: FlaskCliRunner, out_dir: Path, fmt: str
) -> None:
    out = out_dir / f"report.{fmt}"
    result = runner.invoke(args=["hr", "export", "--format", fmt, "--course", "sample",
                                 "--status", "completed", "--since", "2026-11-01",
                                 "--until", "2026-11-30", "--lang", "en",
                                 "--out", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"wrote 1 row to {out}" in result.output
    web = export(
        hr_client, f"format={fmt}&course=sample&status=completed&since=2026-11-01&until=2026-11-30"
    )
    if fmt == "xlsx":
        cli_rows = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
        web_rows = list(openpyxl.load_workbook(io.BytesIO(web)).active.iter_rows(values_only=True))
        assert cli_rows == web_rows and len(cli_rows) == 2
    else:
        assert out.read_bytes() == web
    assert [event[:2] for event in audit_events(synced)] == [
        ("cli", f"export.{fmt}"),
        ("halina@example.com", f"export.{fmt}"),
    ]
    assert audit_events(synced)[0][2]["filter"] == {
        "course": "sample",
        "status": "completed",
        "since": "2026-11-01",
        "until": "2026-11-30",
    }
    assert audit_events(synced)[0][3] == 1
    assert [p.name for p in out_dir.iterdir()] == [out.name]  # no partial file left behind


@pytest.mark.parametrize("fmt", ["csv-excel", "xlsx"])
def test_cli_export_speaks_polish_unless_told_otherwise(
    synced: Flask, ids: dict, runner: FlaskCliRunner, out_dir: Path, fmt: str
) -> None:
    def header_and_anna(*lang: str) -> tuple[list, list]:
        out = out_dir / f"report-{'-'.join(lang) or 'default'}.{fmt}"
        args = ["hr", "export", "--format", fmt, "--course", "sample", "--status", "completed"]
        result = runner.invoke(args=[*args, *lang, "--out", str(out)])
        assert result.exit_code == 0, result.output
        if fmt == "xlsx":
            return [list(line) for line in openpyxl.load_workbook(out).active.values]  # type: ignore[return-value]
        return parse_csv(out.read_bytes(), ";", "utf-8-sig")  # type: ignore[return-value]

    header, anna = header_and_anna()
    assert header[:4] == ["Nr pracownika", "Imię i nazwisko", "E-mail", "Dział"]
    assert anna[header.index("Status")] == "Ukończono"
    assert anna[header.index("Zaliczone")] == "Tak"
    header, anna = header_and_anna("--lang", "en")
    assert header[:4] == ["Employee id", "Name", "E-mail", "Department"]
    assert (anna[header.index("Status")], anna[header.index("Passed")]) == ("Completed", "Yes")
    plain = runner.invoke(args=["hr", "export", "--format", "csv", "--course", "sample",
                                "--lang", "en", "--out", str(out_dir / "plain.csv")])  # fmt: skip
    assert plain.exit_code == 0, plain.output
    assert tuple(parse_csv((out_dir / "plain.csv").read_bytes())[0]) == KEYS + QUIZ_KEYS


def test_web_export_follows_the_hr_users_language(
    synced: Flask, ids: dict, polish_client: FlaskClient
) -> None:
    polish_client.post("/login", data={"email": "halina@example.com", "password": PASSWORD})
    for language, status, passed, flag in (("pl", "Ukończono", "Zaliczone", "Tak"),
                                           ("en", "Completed", "Passed", "Yes")):  # fmt: skip
        with synced.app_context():
            db.session.get(User, ids["halina"]).language = language
            db.session.commit()
        # The account's language wins over the browser's.
        data = polish_client.get("/hr/export?format=csv-excel&course=sample&status=completed",
                                 headers={"Accept-Language": "de, en;q=0.1"}).data  # fmt: skip
        header, anna = parse_csv(data, ";", "utf-8-sig")
        assert (anna[header.index("Status")], anna[header.index(passed)]) == (status, flag)
        plain = polish_client.get("/hr/export?format=csv&course=sample&status=completed").data
        assert tuple(parse_csv(plain)[0]) == KEYS + QUIZ_KEYS and b",completed," in plain


@pytest.mark.parametrize(
    ("zone", "completed", "header"),
    [([], "2026-11-20 11:00:00", "Ukończenie (Europe/Warsaw)"),
     (["--tz", "UTC"], "2026-11-20 10:00:00", "Ukończenie (UTC)"),
     (["--tz", "America/New_York"], "2026-11-20 05:00:00", "Ukończenie (America/New_York)")],
)  # fmt: skip
def test_cli_export_writes_times_in_the_chosen_zone(
    synced: Flask, ids: dict, runner: FlaskCliRunner, out_dir: Path, zone: list,
    completed: str, header: str,
) -> None:  # fmt: skip
    for fmt in ("csv-excel", "csv", "xlsx"):
        out = out_dir / f"r.{fmt}"
        args = ["hr", "export", "--format", fmt, "--status", "completed", *zone, "--out", str(out)]
        assert runner.invoke(args=args).exit_code == 0
    table = parse_csv((out_dir / "r.csv-excel").read_bytes(), ";", "utf-8-sig")
    assert table[1][table[0].index(header)] == completed
    plain = as_dicts(parse_csv((out_dir / "r.csv").read_bytes()))
    assert plain[0]["completed_at"] == "2026-11-20T10:00:00Z"  # the plain CSV stays in UTC
    sheet = openpyxl.load_workbook(out_dir / "r.xlsx").active
    values = dict(zip(*sheet.iter_rows(values_only=True), strict=True))
    assert values[header] == datetime.fromisoformat(completed)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "pdf"], "Invalid value for '--format'"),
        (["--format", "xlsx", "--tz", "Mars/Olympus"], "unknown time zone 'Mars/Olympus'"),
        (["--format", "xlsx", "--tz", "Europe"], "unknown time zone 'Europe'"),
        (["--format", "xlsx", "--tz", "../../etc/passwd"], "unknown time zone"),
        (["--format", "csv", "--lang", "de"], "Invalid value for '--lang'"),
        (["--format", "csv", "--since", "2026-13-01"], "Invalid value for '--since'"),
        (["--format", "csv", "--until", "jutro"], "Invalid value for '--until'"),
        (["--format", "csv", "--status", "done"], "Invalid value for '--status'"),
        (["--format", "csv", "--course", "no-such-course"], "Unknown course no-such-course."),
        (["--format", "csv", "--since", "2026-02-01", "--until", "2026-01-01"],
         "The end date is before the start date."),
    ],
)  # fmt: skip
def test_cli_export_refuses_bad_input(
    synced: Flask, runner: FlaskCliRunner, out_dir: Path, args: list, message: str
) -> None:
    result = runner.invoke(args=["hr", "export", *args, "--out", str(out_dir / "r.csv")])
    assert result.exit_code != 0
    assert message in result.output
    assert list(out_dir.iterdir()) == []
    assert audit_events(synced) == []


@pytest.mark.parametrize("where", ["missing-dir/r.csv", "a-file/r.csv", "a-dir"])
def test_cli_export_refuses_an_unwritable_path(
    synced: Flask, runner: FlaskCliRunner, out_dir: Path, where: str
) -> None:
    (out_dir / "a-file").write_text("x")
    (out_dir / "a-dir").mkdir()
    result = runner.invoke(args=["hr", "export", "--format", "csv", "--out", str(out_dir / where)])
    assert result.exit_code != 0
    assert "cannot write" in result.output or "is a directory" in result.output
    assert sorted(p.name for p in out_dir.iterdir()) == ["a-dir", "a-file"]
    assert audit_events(synced) == []


# --- columns beyond the report's --------------------------------------------------------


def test_assignment_activity_manager_and_certificate_link(
    synced: Flask, ids: dict, hr_client: FlaskClient
) -> None:
    synced.config["BASE_URL"] = "https://trainer.firma.pl/"
    with synced.app_context():
        db.session.get(User, ids["bartek"]).manager = "Anna Nowak"
        db.session.commit()
        assigned = {a.user_id: a.created_at for a in db.session.execute(
            db.select(Assignment)).scalars()}  # fmt: skip
    rows = {row["name"]: row for row in as_dicts(parse_csv(export(hr_client, "format=csv")))}
    anna, bartek = rows["Anna Nowak"], rows["Bartek Zieliński"]
    assert anna["certificate_url"] == f"https://trainer.firma.pl/verify/{CODE}"
    assert bartek["certificate_url"] == "" and bartek["manager"] == "Anna Nowak"
    celina = rows["Celina Wójcik"]
    assert celina["assigned_at"] == assigned[ids["celina"]].strftime("%Y-%m-%dT%H:%M:%SZ")
    # Bartek's latest: the exam he started and left unfinished on day 2.
    assert bartek["last_activity"] == "2026-11-04T09:00:00Z"
    assert rows["Dawid Kowal"]["last_activity"] == ""


def test_every_course_brings_its_quizzes_and_a_row_shows_only_its_own(
    synced: Flask, ids: dict, hr_client: FlaskClient
) -> None:
    with synced.app_context():
        second = db.session.execute(db.select(Course).filter_by(slug="second")).scalar_one()
        quiz = Quiz(course_id=second.id, slug="koniec", title="Koniec", position=1,
                    items_per_attempt=1, pass_mark=50)  # fmt: skip
        db.session.add(quiz)
        db.session.flush()
        db.session.add(Attempt(user_id=ids["anna"], quiz_id=quiz.id, status="graded",
                               started_at=T0, submitted_at=T0, percent=40.0,
                               passed=False))  # fmt: skip
        db.session.commit()
    table = parse_csv(export(hr_client, "format=csv"))
    # Courses in the report's order (by title: "Drugi kurs", then "Kurs próbny").
    assert table[0][len(KEYS):] == ["quiz.second.koniec.best_score", "quiz.second.koniec.best_at",
                                    *QUIZ_KEYS]  # fmt: skip
    rows = {(row["email"], row["course"]): row for row in as_dicts(table)}
    anna_second, anna_sample = (
        rows[("anna@example.com", "second")],
        rows[("anna@example.com", "sample")],
    )
    assert anna_second["quiz.second.koniec.best_score"] == "40.0"
    assert anna_second["quiz.sample.egzamin.best_score"] == ""  # another course's quiz
    assert anna_sample["quiz.second.koniec.best_score"] == ""
    assert anna_sample["quiz.sample.egzamin.best_score"] == "87.5"
    sheet = openpyxl.load_workbook(io.BytesIO(export(hr_client, "format=xlsx"))).active
    header = [cell.value for cell in sheet[1]][len(KEYS) :]
    assert header[:2] == ["Drugi kurs – Koniec: best score (%)",
                          "Drugi kurs – Koniec: best score handed in (Europe/Warsaw)"]  # fmt: skip
