"""Large exports as jobs: written by the worker into a file, with progress, then downloaded.

`create` checks the request and records the job (the caller commits), `start` hands it to
the worker (trainer.jobs: inline without Redis), `run` is the job: it writes the file under
the instance folder's `exports/`, named by the job's random token, counts the rows as they
go, and audits the export once the file is complete. `purge` removes files older than
EXPORT_RETENTION_HOURS. Who may see or download a job is `visible_to`'s to say.
"""

import logging
import os
import secrets
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import update

from trainer import jobs
from trainer.extensions import db
from trainer.models import ExportJob, User
from trainer.models.types import utcnow
from trainer.people import audit
from trainer.reporting import exports, report, report_pages
from trainer.reporting.report import ReportFilter

EXPORTS_FOLDER = "exports"
log = logging.getLogger(__name__)
# What a failed job shows when the error is not one of ours (details go to the log).
UNEXPECTED = "the export failed unexpectedly; the worker's log has the details"


def folder() -> Path:
    """Where export files are written: inside the instance folder, readable by Trainer only."""
    path = Path(current_app.instance_path) / EXPORTS_FOLDER
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def file_path(job: ExportJob) -> Path:
    """The finished file of `job` (its name is the job's unguessable token)."""
    return folder() / job.token


def direct_limit() -> int:
    """Exports of more rows than this become jobs; smaller ones download at once."""
    return int(current_app.config["EXPORT_DIRECT_MAX_ROWS"])


def options_to_dict(options: exports.ExportOptions) -> dict[str, Any]:
    """ExportOptions as JSON for the job's row."""
    return {
        "filters": options.filters.as_dict(), "sort": options.sort,
        "descending": options.descending, "locale": options.locale, "zone": options.zone,
    }  # fmt: skip


def options_from_dict(values: dict[str, Any]) -> exports.ExportOptions:
    """The ExportOptions `options_to_dict` wrote."""
    filters = dict(values.get("filters") or {})
    for key in ("since", "until"):
        if filters.get(key):
            filters[key] = date.fromisoformat(filters[key])
    return exports.ExportOptions(
        ReportFilter(**filters), values.get("sort") or "name", bool(values.get("descending")),
        values.get("locale") or "pl", values.get("zone"),
    )  # fmt: skip


def create(
    fmt: str, options: exports.ExportOptions, user: User, rows: int | None = None
) -> ExportJob:
    """Record a queued export (flushed; the caller commits, then `start`s it).

    ExportError or report.FilterError, before anything is written, if it cannot be made.
    `rows`: the report's row count, when the caller has counted it already.
    """
    exports.check_export(fmt, options)
    total = report_pages.count_rows(options.filters) if rows is None else rows
    job = ExportJob(
        token=secrets.token_urlsafe(32), requested_by_id=user.id, format=fmt,
        options=options_to_dict(options), status="queued", rows_total=total, rows_written=0,
        filename=exports.filename(fmt, options.filters.course, utcnow().date()),
    )  # fmt: skip
    db.session.add(job)
    db.session.flush()
    return job


def start(job_id: int) -> None:
    """Hand the committed job to the worker (or, without one, run it now)."""
    try:
        jobs.enqueue("trainer.reporting.export_jobs:run", job_id)
    except Exception as error:  # Redis is away: say so on the job, not with a 500
        log.exception("could not queue export job %s", job_id)
        db.session.rollback()
        _finish(job_id, "failed", error=f"the export could not be queued: {error}")


def run(job_id: int) -> None:
    """The job: write the file, then mark it done and audit it; a failure marks it failed."""
    job = db.session.get(ExportJob, job_id)
    if job is None or job.status != "queued":
        return  # gone, or already taken by another worker
    job.status, job.started_at = "running", utcnow()
    db.session.commit()
    target = file_path(job)
    partial = target.with_name(target.name + ".part")
    fmt, options = job.format, options_from_dict(job.options)
    try:
        export_format = exports.check_export(fmt, options)
        size = _write(export_format, options, partial, job_id)
        # The stream read in a transaction of its own: end it before writing the outcome.
        db.session.commit()
        os.replace(partial, target)
    except Exception as error:
        db.session.rollback()
        partial.unlink(missing_ok=True)
        known = isinstance(error, exports.ExportError | report.FilterError | OSError)
        if not known:
            log.exception("export job %s failed", job_id)
        _finish(job_id, "failed", error=str(error) if known else UNEXPECTED)
        return
    job = db.session.get(ExportJob, job_id)
    if job is None:  # deleted while it ran (its user erased): the file goes with it
        target.unlink(missing_ok=True)
        return
    job.status, job.finished_at, job.size_bytes = "done", utcnow(), size
    requester = db.session.get(User, job.requested_by_id) if job.requested_by_id else None
    details = {"format": fmt, "filter": options.filters.as_dict(), "job": job.id}
    # Audited now that the file is complete (and again when it is downloaded).
    audit.record(requester or "unknown", f"export.{fmt}", details, job.rows_total)
    db.session.commit()
    purge()


def _write(export_format: exports.ExportFormat, options: exports.ExportOptions, path: Path,
           job_id: int) -> int:  # fmt: skip
    """Write the export to `path`; its size in bytes. Progress goes on its own connection,
    committed at once, so that the HR page sees it while the export runs."""

    def progress(rows: int) -> None:
        with db.engine.begin() as connection:
            connection.execute(
                update(ExportJob).where(ExportJob.id == job_id).values(rows_written=rows)
            )

    size = 0
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as file:
        for chunk in export_format.write(options, progress):
            file.write(chunk)
            size += len(chunk)
    return size


def _finish(job_id: int, status: str, error: str | None = None) -> None:
    job = db.session.get(ExportJob, job_id)
    if job is not None:
        job.status, job.finished_at, job.error = status, utcnow(), error
        db.session.commit()


def visible_to(job: ExportJob, user: User) -> bool:
    """Whether `user` may see and download `job`: whoever asked for it, and admins."""
    return job.requested_by_id == user.id or "admin" in user.role_names


def for_user(user: User, limit: int = 50) -> list[ExportJob]:
    """The newest jobs `user` may see."""
    query = db.select(ExportJob).order_by(ExportJob.created_at.desc(), ExportJob.id.desc())
    if "admin" not in user.role_names:
        query = query.where(ExportJob.requested_by_id == user.id)
    return list(db.session.execute(query.limit(limit)).scalars())


def downloaded(job: ExportJob, user: User) -> Path | None:
    """Audit a download of `job` by `user` (flushed; the caller commits); the file, or None
    if it is not there (not done, or purged)."""
    path = file_path(job)
    if job.status != "done" or not path.is_file():
        return None
    audit.record(user, "export.download", {"format": job.format, "job": job.id}, job.rows_total)
    return path


def purge(now: datetime | None = None) -> int:
    """Remove the files of jobs finished more than EXPORT_RETENTION_HOURS ago (their rows
    stay, as expired), and leftovers no job owns; how many files were removed."""
    now = now or utcnow()
    cutoff = now - timedelta(hours=float(current_app.config["EXPORT_RETENTION_HOURS"]))
    # A job running past the job timeout lost its worker (stopped, or killed with it).
    lost = now - timedelta(seconds=int(current_app.config["JOB_TIMEOUT_SECONDS"]) + 60)
    db.session.execute(
        update(ExportJob)
        .where(ExportJob.status == "running", ExportJob.started_at < lost)
        .values(status="failed", finished_at=now, error="the worker stopped before it was done")
    )
    old = db.session.execute(
        db.select(ExportJob).where(
            ExportJob.status.in_(("done", "failed")), ExportJob.finished_at < cutoff
        )
    ).scalars()
    removed = 0
    for job in old:
        path = file_path(job)
        if path.exists():
            path.unlink()
            removed += 1
        job.status = "expired" if job.status == "done" else job.status
    db.session.commit()
    known = set(db.session.execute(
        db.select(ExportJob.token).where(ExportJob.status.in_(("queued", "running", "done")))
    ).scalars())  # fmt: skip
    for path in folder().iterdir():
        name = path.name.removesuffix(".part")
        stale = datetime.fromtimestamp(path.stat().st_mtime, now.tzinfo) < cutoff
        if name not in known and stale and path.is_file():
            path.unlink()
            removed += 1
    return removed
