"""`flask content ...`: check, sync, export and derive course content files."""

import json
from pathlib import Path
from typing import NoReturn

import click
from flask import current_app
from flask.cli import AppGroup

from trainer.authoring.content_export import ExportError, export_content
from trainer.authoring.content_files import (
    load_configured_content,
    plan_configured_sync,
    summarize,
)
from trainer.authoring.lint import lint_courses
from trainer.authoring.sync import apply_sync
from trainer.authoring.sync_plan import SyncPlan, SyncRace
from trainer.content.derive import derive_lessons, write_lessons
from trainer.content.loader import load_taxonomy
from trainer.content.model import ContentError
from trainer.extensions import db

content = AppGroup("content", help="Check, load, export and derive course content files.")


def _fail(error: ContentError) -> NoReturn:
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


def echo_plan(plan: SyncPlan) -> None:
    """The summary lines, then a line for each row kept, retired or in conflict."""
    for line in plan.lines() + plan.details():
        click.echo(line)


def run_sync(prefer_files: bool = False, dry_run: bool = False) -> SyncPlan:
    """Plan a sync of the content files and apply it unless `dry_run`; all or nothing."""
    try:
        plan = plan_configured_sync(prefer_files)
        if not dry_run:
            apply_sync(plan)
    except ContentError as error:
        db.session.rollback()
        _fail(error)
    except SyncRace as error:
        db.session.rollback()
        raise click.ClickException(
            f"{error} was saved in the browser while the sync ran; nothing was changed, "
            "run it again"
        ) from error
    except Exception:
        db.session.rollback()
        raise
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    return plan


@content.command("sync")
@click.option("--dry-run", is_flag=True, help="Print what would happen; change nothing.")
@click.option(
    "--prefer",
    type=click.Choice(["files"]),
    help="'files': apply the files over browser edits (each edit is kept as a version).",
)
def sync(dry_run: bool, prefer: str | None) -> None:
    """Load lessons/ and quizzes/ into the database, keeping browser edits; all or nothing."""
    plan = run_sync(prefer_files=prefer == "files", dry_run=dry_run)
    echo_plan(plan)
    if dry_run:
        click.echo("dry run: nothing was changed")
    elif plan.conflicts:
        click.echo(
            f"{plan.conflicts} conflict(s): the browser edits were kept; compare them with the "
            "files' text under History, or run with --prefer files"
        )
    else:
        click.echo("content synced" if plan.changed else "no changes")


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
        course_dir = Path(current_app.config["LESSONS_DIR"]) / course_slug
        lessons = derive_lessons(text, course_slug, load_taxonomy(course_dir))
        folder = out or course_dir
        paths = write_lessons(lessons, folder, force=force)
    except ContentError as error:
        _fail(error)
    except (UnicodeDecodeError, ValueError, FileExistsError) as error:
        raise click.ClickException(str(error)) from error
    for path in paths:
        click.echo(f"wrote {path}")
    click.echo(f"{len(paths)} draft lesson(s) derived from {source}")


def _content_root() -> Path:
    """The folder holding the configured lessons/ and quizzes/, where an export goes back to."""
    lessons = Path(current_app.config["LESSONS_DIR"])
    quizzes = Path(current_app.config["QUIZZES_DIR"])
    if (lessons.name, quizzes.name) != ("lessons", "quizzes") or lessons.parent != quizzes.parent:
        raise click.UsageError(
            "LESSONS_DIR and QUIZZES_DIR are not lessons/ and quizzes/ of one folder; "
            "say where to write with --out"
        )
    return lessons.parent


@content.command("export")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write lessons/ and quizzes/ into (default: the content files themselves).",
)
@click.option("--course", "course_slug", help="Export only this course.")
@click.option("--force", is_flag=True, help="Overwrite files that changed since the last sync.")
def export(out: Path | None, course_slug: str | None, force: bool) -> None:
    """Write the database's courses, browser edits included, as content files.

    By default the files of LESSONS_DIR and QUIZZES_DIR are rewritten, so that a trainer's
    work can be committed; a later `content sync` then finds nothing to change.
    """
    out = out or _content_root()
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


@content.command("lint")
@click.option("--json", "as_json", is_flag=True, help="Print every finding and figure as JSON.")
def lint(as_json: bool) -> None:
    """Check the quality of every question before it reaches a learner; exit 1 on errors.

    Per item: the key is the longest option, options differ in form, words only wrong options
    use, a market giveaway in the situation, near-duplicate situations, reused names. Per
    bank: how far a word classifier answers without judgement, beside chance. A warning kept
    on purpose is waived under `lint:` in the course's course.yaml.
    """
    try:
        reports = lint_courses(load_configured_content())
    except ContentError as error:
        _fail(error)
        return
    errors = sum(len(report.errors) for report in reports)
    if as_json:
        document = {
            "courses": [report.as_dict() for report in reports],
            "errors": errors,
            "warnings": sum(len(report.warnings) for report in reports),
            "waived": sum(len(report.waived) for report in reports),
        }
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        for report in reports:
            for line in report.lines():
                click.echo(line)
    if errors:
        raise click.exceptions.Exit(1)
