"""`flask questions ...`: exchange questions with other LMSs (Moodle GIFT)."""

from pathlib import Path

import click
from flask.cli import AppGroup

from trainer.authoring import gift_exchange
from trainer.authoring.gift_exchange import GiftImportError, ImportPlan
from trainer.extensions import db
from trainer.learning import catalogue
from trainer.models import Course

questions = AppGroup("questions", help="Question exchange.")

REASONS = {
    "too_large": f"the file is larger than {gift_exchange.MAX_GIFT_BYTES // 1024} KiB",
    "not_utf8": "the file is not UTF-8 text",
    "conflict": "a question id was taken while importing; run the import again",
    "invalid": "the file has errors",
}


def _course(slug: str) -> Course:
    course = catalogue.course_by_slug(slug)
    if course is None:
        raise click.ClickException(f"no course with slug {slug!r}")
    return course


ACTIONS = {"create": "will create", "update": "will update", "unchanged": "unchanged"}


def _counts(plan: ImportPlan) -> str:
    return (
        f"{plan.count('create')} to create, {plan.count('update')} to update, "
        f"{plan.count('unchanged')} unchanged"
    )


def _print_plan(plan: ImportPlan) -> None:
    for item in plan.questions:
        question = item.question
        click.echo(f"line {item.line}: {ACTIONS[item.action]} {question.key} ({question.type})")
    for skipped in plan.skipped:
        title = f" {skipped.title!r}" if skipped.title else ""
        click.echo(f"line {skipped.line}: skipped{title}: {skipped.text()}")
    for warning in plan.warnings:
        click.echo(f"warning: {warning}")
    for error in plan.errors:
        click.echo(f"error: {error}", err=True)


@questions.command("import-gift")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--course", "course_slug", required=True, help="Slug of the course.")
@click.option("--lesson", "lesson_slug", help="Lesson to link to (default: the first one).")
@click.option("--dry-run", is_flag=True, help="Show what would be imported; change nothing.")
def import_gift(file: Path, course_slug: str, lesson_slug: str | None, dry_run: bool) -> None:
    """Import the questions of a GIFT FILE into a course's bank, all or nothing.

    A question whose id (from its title) is already in the course is updated, keeping its
    previous version; new questions link to the lesson (default: the first one).
    """
    course = _course(course_slug)
    lessons = gift_exchange.course_lessons(course)
    lesson = next((x for x in lessons if x.slug == lesson_slug), None) if lesson_slug else None
    if lesson_slug and lesson is None:
        raise click.ClickException(f"course {course_slug!r} has no lesson {lesson_slug!r}")
    lesson = lesson or (lessons[0] if lessons else None)
    if lesson is None:
        raise click.ClickException(f"course {course_slug!r} has no lesson to link questions to")
    try:
        text = gift_exchange.read_upload(file.read_bytes())
        plan = gift_exchange.plan_import(course, lesson, text, file.name)
        _print_plan(plan)
        if plan.errors:
            raise GiftImportError("invalid")
        if dry_run or not plan.ready:
            done = "dry run: nothing was imported" if dry_run else "nothing to import"
            click.echo(f"{done} ({_counts(plan)})")
            return
        counts = gift_exchange.apply_import(course, plan, "cli")
    except GiftImportError as error:
        db.session.rollback()
        raise click.ClickException(f"{REASONS[error.reason]}; nothing was imported") from error
    db.session.commit()
    click.echo(
        f"imported into {course.slug}: {counts['create']} created, {counts['update']} updated, "
        f"{counts['unchanged']} unchanged (default lesson: {lesson.slug})"
    )


@questions.command("export-gift")
@click.option("--course", "course_slug", required=True, help="Slug of the course.")
@click.option(
    "--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="File to write."
)
def export_gift(course_slug: str, out: Path) -> None:
    """Write a course's active questions as a GIFT file (scenarios as pairs)."""
    course = _course(course_slug)
    text, count = gift_exchange.export_gift(course, "cli")
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as error:
        db.session.rollback()
        raise click.ClickException(f"cannot write {out}: {error}") from error
    db.session.commit()
    click.echo(f"wrote {count} question(s) to {out}")
