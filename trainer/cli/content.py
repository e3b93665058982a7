"""`flask content ...`: check, sync, export and derive course content files."""

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from trainer.content.derive import derive_lessons, write_lessons
from trainer.content.model import ContentError
from trainer.extensions import db
from trainer.services.content import (
    load_configured_content,
    summarize,
    sync_configured_content,
)
from trainer.services.content_export import ExportError, export_content

content = AppGroup("content", help="Check, load, export and derive course content files.")


def _fail(error: ContentError) -> None:
    for problem in error.problems:
        click.echo(str(problem), err=True)
    raise click.ClickException(f"{len(error.problems)} problem(s) found; nothing was changed")


@content.command("check")
@click.option("--json", "as_json", is_flag=True, help="Print counts per course as JSON.")
def check(as_json: bool) -> None:
    """Validate every content file without touching the database."""
    try:
        courses = load_configured_content()
    except ContentError as error:
        _fail(error)
        return
    summary = summarize(courses)
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    for slug, counts in summary.items():
        click.echo(
            f"{slug}: {counts['lessons']} lessons, {counts['questions']} questions, "
            f"{counts['quizzes']} quizzes"
        )
    click.echo("content OK")


@content.command("sync")
def sync() -> None:
    """Load lessons/ and quizzes/ into the database, all or nothing."""
    try:
        report = sync_configured_content()
    except ContentError as error:
        db.session.rollback()
        _fail(error)
        return
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    for line in report.lines():
        click.echo(line)
    click.echo("content synced" if report.changed else "no changes")


@content.command("derive")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--course", "course_slug", required=True, help="Slug of the course.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write to (default: LESSONS_DIR/<course>).",
)
@click.option("--force", is_flag=True, help="Overwrite existing lesson files.")
def derive(source: Path, course_slug: str, out: Path | None, force: bool) -> None:
    """Write one draft lesson per section heading of SOURCE (plain text or Markdown)."""
    try:
        text = source.read_text(encoding="utf-8-sig")
        lessons = derive_lessons(text, course_slug)
        folder = out or Path(current_app.config["LESSONS_DIR"]) / course_slug
        paths = write_lessons(lessons, folder, force=force)
    except (UnicodeDecodeError, ValueError, FileExistsError) as error:
        raise click.ClickException(str(error)) from error
    for path in paths:
        click.echo(f"wrote {path}")
    click.echo(f"{len(paths)} draft lesson(s) derived from {source}")


@content.command("export")
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write lessons/ and quizzes/ into.",
)
@click.option("--course", "course_slug", help="Export only this course.")
@click.option("--force", is_flag=True, help="Replace the course folders' existing files.")
def export(out: Path, course_slug: str | None, force: bool) -> None:
    """Write the database's courses as content files under OUT/lessons and OUT/quizzes."""
    try:
        result = export_content(out, course_slug, force=force)
    except ExportError as error:
        for problem in error.problems:
            click.echo(problem, err=True)
        raise click.ClickException("nothing was written") from error
    for path in result.written:
        click.echo(f"wrote {path}")
    for path in result.removed:
        click.echo(f"removed {path}")
    click.echo(
        f"{len(result.written)} written, {len(result.unchanged)} unchanged, "
        f"{len(result.removed)} removed"
    )
