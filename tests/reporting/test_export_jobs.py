"""Large exports as jobs, without Redis: run inline in the request, then shown done.

Who may see and download them, bad input, a job that fails, the purge of old files. The
same jobs on a real worker are in tests/test_worker.py.
"""

import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import PASSWORD
from tests.reporting.hr_rows import add_user, seed
from tests.reporting.test_exports import as_dicts, parse_csv
from trainer.extensions import db
from trainer.models import AuditEvent, ExportJob
from trainer.models.types import utcnow
from trainer.reporting import export_jobs, exports


@pytest.fixture
def ids(synced: Flask) -> dict[str, int]:
    synced.config["EXPORT_DIRECT_MAX_ROWS"] = 3  # the seed's report has 10 rows
    return seed(synced)


def sign_in(client: FlaskClient, email: str) -> FlaskClient:
    client.post("/logout")
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


@pytest.fixture
def hr_client(ids: dict, client: FlaskClient) -> FlaskClient:
    return sign_in(client, "halina@example.com")


def jobs(app: Flask) -> list[ExportJob]:
    with app.app_context():
        found = list(db.session.execute(db.select(ExportJob).order_by(ExportJob.id)).scalars())
        for job in found:
            db.session.expunge(job)
        return found


def actions(app: Flask) -> list[tuple[str, str, int | None]]:
    with app.app_context():
        return [(event.actor, event.action, event.row_count)
                for event in db.session.execute(db.select(AuditEvent).order_by(AuditEvent.id))
                .scalars() if event.action.startswith("export")]  # fmt: skip


def start_job(client: FlaskClient, query: str = "format=csv") -> str:
    response = client.get(f"/hr/export?{query}")
    assert response.status_code == 302, response.text
    assert response.location.startswith("/hr/exports/")
    return response.location


def test_a_large_export_runs_inline_and_is_done_when_its_page_shows(
    synced: Flask, hr_client: FlaskClient
) -> None:
    page_url = start_job(hr_client, "format=csv&sort=name")
    page = hr_client.get(page_url)
    assert page.status_code == 200
    assert "Done" in page.text and 'http-equiv="refresh"' not in page.text
    [job] = jobs(synced)
    assert (job.status, job.rows_total, job.rows_written) == ("done", 10, 10)
    # Audited once the file was complete, not before.
    assert actions(synced) == [("halina@example.com", "export.csv", 10)]
    path = Path(synced.instance_path) / "exports" / job.token
    assert path.is_file() and len(job.token) >= 40
    assert oct(path.stat().st_mode & 0o777) == "0o600"

    download = hr_client.get(f"{page_url}/download")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"] == f"attachment; filename={job.filename}"
    rows = as_dicts(parse_csv(download.data))
    assert len(rows) == 10
    direct = parse_csv(exports_direct(synced))
    assert parse_csv(download.data) == direct
    download.close()
    assert actions(synced)[-1] == ("halina@example.com", "export.download", 10)
    assert "Done" in hr_client.get("/hr/exports/").text


def exports_direct(app: Flask) -> bytes:
    with app.app_context():
        options = exports.ExportOptions(exports.ReportFilter(), locale="en")
        return b"".join(exports.start_export("csv", options, "cli").chunks)


def test_small_exports_still_download_at_once(synced: Flask, hr_client: FlaskClient) -> None:
    response = hr_client.get("/hr/export?format=csv&status=completed")
    assert response.status_code == 200 and response.is_streamed
    response.close()
    assert jobs(synced) == []


@pytest.mark.parametrize("fmt", ["csv-excel", "xlsx", "xapi"])
def test_every_format_can_be_a_job(synced: Flask, hr_client: FlaskClient, fmt: str) -> None:
    page_url = start_job(hr_client, f"format={fmt}")
    [job] = jobs(synced)
    assert job.status == "done", job.error
    download = hr_client.get(f"{page_url}/download")
    assert download.status_code == 200
    assert download.mimetype == exports.EXPORT_FORMATS[fmt].mimetype.split(";")[0]
    assert download.data
    download.close()


def test_learners_and_trainers_cannot_see_hr_exports(
    synced: Flask, hr_client: FlaskClient, client: FlaskClient
) -> None:
    page_url = start_job(hr_client)
    for email in ("anna@example.com", "tomasz@example.com"):
        sign_in(client, email)
        for url in ("/hr/exports/", page_url, f"{page_url}/download", "/hr/export?format=csv"):
            assert client.get(url).status_code == 403, (email, url)


def test_another_hr_user_cannot_download_it_but_an_admin_can(
    synced: Flask, hr_client: FlaskClient, client: FlaskClient
) -> None:
    page_url = start_job(hr_client)
    add_user(synced, "hanna@example.com", "Hanna Druga-HR", {"hr"}, login=True)
    add_user(synced, "adam@example.com", "Adam Admin", {"admin"}, login=True)
    sign_in(client, "hanna@example.com")
    assert client.get(page_url).status_code == 404
    assert client.get(f"{page_url}/download").status_code == 404
    assert "No export yet" in client.get("/hr/exports/").text
    sign_in(client, "adam@example.com")
    assert "ukonczenia-wszystkie" in client.get("/hr/exports/").text
    download = client.get(f"{page_url}/download")
    assert download.status_code == 200
    download.close()
    assert actions(synced)[-1] == ("adam@example.com", "export.download", 10)


@pytest.mark.parametrize(
    "query",
    ["format=pdf", "format=csv&status=lost", "format=csv&since=2026-11-30&until=2026-11-01",
     "format=csv&course=nope", "format=csv&since=yesterday"],
)  # fmt: skip
def test_bad_input_is_refused_and_leaves_no_job(
    synced: Flask, hr_client: FlaskClient, query: str
) -> None:
    response = hr_client.get(f"/hr/export?{query}")
    assert response.status_code == 400
    assert "The export was not made: correct the filters below." in response.text
    assert jobs(synced) == [] and actions(synced) == []


def test_unknown_options_are_refused_before_a_job_is_recorded(synced: Flask, ids: dict) -> None:
    with synced.app_context():
        user = db.session.get(export_jobs.User, ids["halina"])
        with pytest.raises(exports.ExportError, match="unknown format"):
            export_jobs.create("pdf", exports.ExportOptions(exports.ReportFilter()), user)
        with pytest.raises(exports.ExportError, match="unknown time zone"):
            export_jobs.create("csv", exports.ExportOptions(exports.ReportFilter(), zone="Mars"),
                               user)  # fmt: skip
        with pytest.raises(exports.report.FilterError):
            export_jobs.create("csv", exports.ExportOptions(exports.ReportFilter(course="x")),
                               user)  # fmt: skip
        db.session.rollback()
    assert jobs(synced) == []


def test_a_failing_job_is_shown_failed_with_a_message(
    synced: Flask, hr_client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object) -> object:
        raise RuntimeError("disk on fire")

    csv_format = exports.EXPORT_FORMATS["csv"]
    monkeypatch.setitem(exports.EXPORT_FORMATS, "csv",
                        exports.ExportFormat("csv", csv_format.label, ".csv",
                                             csv_format.mimetype, broken))  # fmt: skip
    page_url = start_job(hr_client)
    page = hr_client.get(page_url)
    assert page.status_code == 200
    assert "Failed" in page.text and "failed unexpectedly" in page.text
    assert "disk on fire" not in page.text  # details go to the log, not to the page
    [job] = jobs(synced)
    assert job.status == "failed"
    assert hr_client.get(f"{page_url}/download").status_code == 404
    assert actions(synced) == []  # nothing was exported
    assert list((Path(synced.instance_path) / "exports").iterdir()) == []


def test_an_unfinished_job_page_reloads_itself_and_shows_progress(
    synced: Flask, hr_client: FlaskClient, ids: dict
) -> None:
    with synced.app_context():
        user = db.session.get(export_jobs.User, ids["halina"])
        job = export_jobs.create("csv", exports.ExportOptions(exports.ReportFilter()), user)
        job.status, job.rows_written = "running", 4
        db.session.commit()
        job_id = job.id
    page = hr_client.get(f"/hr/exports/{job_id}")
    assert '<meta http-equiv="refresh" content="2">' in page.text
    assert "Running: 4 of 10 rows written" in page.text
    assert '<progress max="10" value="4">' in page.text
    assert hr_client.get(f"/hr/exports/{job_id}/download").status_code == 404


def test_old_files_are_purged(synced: Flask, hr_client: FlaskClient, runner) -> None:
    start_job(hr_client)
    [job] = jobs(synced)
    folder = Path(synced.instance_path) / "exports"
    stray = folder / "left-by-a-dead-worker.part"
    stray.write_bytes(b"x")
    result = runner.invoke(args=["hr", "purge-exports"])
    assert result.exit_code == 0 and "removed 0 export files" in result.output
    assert (folder / job.token).exists()

    later = time.time() - 73 * 3600
    os.utime(stray, (later, later))
    with synced.app_context():
        db.session.execute(db.update(ExportJob).values(finished_at=utcnow() - timedelta(hours=73)))
        db.session.commit()
    result = runner.invoke(args=["hr", "purge-exports"])
    assert "removed 2 export files" in result.output, result.output
    assert list(folder.iterdir()) == []
    [job] = jobs(synced)
    assert job.status == "expired"
    page = hr_client.get(f"/hr/exports/{job.id}")
    assert "Removed after the retention period" in page.text
    assert hr_client.get(f"/hr/exports/{job.id}/download").status_code == 404
