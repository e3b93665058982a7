"""`flask hr ...`: completion exports, the same code path as the report page."""

import os
import tempfile
from datetime import datetime
from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import force_locale

from trainer.extensions import db
from trainer.models.user import LANGUAGES as LOCALES
from trainer.reporting import export_jobs, exports, report

hr = AppGroup("hr", help="HR exports: write one, or purge old export files.")
day = click.DateTime(formats=["%Y-%m-%d"])


@hr.command("export")
@click.option("--format", "fmt", required=True, type=click.Choice(exports.FORMATS))
@click.option("--course", help="Course slug.")
@click.option("--department")
@click.option("--status", type=click.Choice(report.STATUSES))
@click.option("--since", type=day, help="Completed on or after this day (YYYY-MM-DD, UTC).")
@click.option("--until", type=day, help="Completed on or before this day (YYYY-MM-DD, UTC).")
@click.option("--search", help="Part of a name, e-mail or employee id.")
@click.option(
    "--lang",
    "locale",
    type=click.Choice(LOCALES),
    default="pl",
    show_default=True,
    help="Language of the headers and values of csv-excel and xlsx (csv stays in codes).",
)
@click.option(
    "--tz", "zone", metavar="ZONE",
    help="Time zone of the times in csv-excel and xlsx, e.g. Europe/Warsaw (default: the "
    "TIME_ZONE setting; csv stays in UTC).",
)  # fmt: skip
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def export(
    fmt: str, course: str | None, department: str | None, status: str | None,
    since: datetime | None, until: datetime | None, search: str | None, locale: str,
    zone: str | None, out: Path,
) -> None:  # fmt: skip
    """Write the completion report's filtered rows to a file (audited as `cli`)."""
    filters = report.ReportFilter(
        course=course, department=department, status=status,
        since=since.date() if since else None, until=until.date() if until else None,
        search=search,
    )  # fmt: skip
    # Written beside the target and renamed at the end: a failed export leaves no half file.
    try:
        handle, partial = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
    except OSError as error:
        raise click.ClickException(f"cannot write {out}: {error.strerror or error}") from error
    try:
        with os.fdopen(handle, "wb") as file:
            try:
                options = exports.ExportOptions(filters, locale=locale, zone=zone)
                with force_locale("en"):  # its messages, as the rest of the command line
                    started = exports.start_export(fmt, options, "cli")
            except (report.FilterError, exports.ExportError) as error:
                db.session.rollback()
                raise click.ClickException(str(error)) from error
            db.session.commit()
            for chunk in started.chunks:
                file.write(chunk)
        os.replace(partial, out)
    except OSError as error:
        raise click.ClickException(f"cannot write {out}: {error.strerror or error}") from error
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    rows = "row" if started.row_count == 1 else "rows"
    click.echo(f"wrote {started.row_count} {rows} to {out} ({fmt})")


@hr.command("purge-exports")
def purge_exports() -> None:
    """Remove export files older than EXPORT_RETENTION_HOURS (the worker does it too)."""
    removed = export_jobs.purge()
    click.echo(f"removed {removed} export file{'' if removed == 1 else 's'}")
