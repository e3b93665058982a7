"""Large HR exports, made by the worker: their progress, and the download when done.

Only the HR user who asked for an export, or an admin, sees it or downloads it; anyone else
gets a 404, as if it did not exist.
"""

from flask import Blueprint, abort, render_template, send_file
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from trainer.auth.decorators import role_required
from trainer.extensions import db
from trainer.models import ExportJob
from trainer.reporting import export_jobs, exports

bp = Blueprint("hr_exports", __name__, url_prefix="/hr/exports")
REFRESH_SECONDS = 2  # how often a page of an unfinished export reloads itself


def _job(job_id: int) -> ExportJob:
    job = db.session.get(ExportJob, job_id)
    if job is None or not export_jobs.visible_to(job, current_user):
        abort(404)
    return job


def _unfinished(jobs: list[ExportJob]) -> bool:
    return any(job.status in ("queued", "running") for job in jobs)


@bp.get("/")
@role_required("hr")
def index() -> str:
    """The user's exports (an admin's: everyone's), newest first."""
    jobs = export_jobs.for_user(current_user)
    return render_template(
        "hr/exports.html", jobs=jobs, refresh=REFRESH_SECONDS if _unfinished(jobs) else None,
        formats=exports.EXPORT_FORMATS,
    )  # fmt: skip


@bp.get("/<int:job_id>")
@role_required("hr")
def show(job_id: int) -> str:
    """One export: queued, running (rows written of the total), done, failed or expired.

    Until it ends the page reloads itself (a meta refresh: no script needed).
    """
    job = _job(job_id)
    return render_template(
        "hr/export_job.html", job=job, refresh=REFRESH_SECONDS if _unfinished([job]) else None,
        formats=exports.EXPORT_FORMATS,
    )  # fmt: skip


@bp.get("/<int:job_id>/download")
@role_required("hr")
def download(job_id: int) -> BaseResponse:
    """The finished file, as an attachment (audited)."""
    job = _job(job_id)
    path = export_jobs.downloaded(job, current_user)
    if path is None:
        abort(404)
    db.session.commit()
    return send_file(
        path, mimetype=exports.EXPORT_FORMATS[job.format].mimetype, as_attachment=True,
        download_name=job.filename, max_age=0,
    )  # fmt: skip
