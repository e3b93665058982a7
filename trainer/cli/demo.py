"""`flask demo ...`: synthetic learners with realistic progress, for trying and benchmarks."""

import time
from datetime import UTC, datetime

import click
from flask.cli import AppGroup

from trainer.demo import dataset
from trainer.extensions import db

demo = AppGroup("demo", help="Demo data.")


@demo.command("generate")
@click.option("--learners", type=click.IntRange(1, 100_000), default=100, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same data.")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help=f"Reference date the history ends at (default {dataset.REFERENCE_DATE:%Y-%m-%d}).",
)
@click.option("--force", is_flag=True, help="Run even though real (non-admin) accounts exist.")
def generate(learners: int, seed: int, today: datetime | None, force: bool) -> None:
    """Replace the demo learners (@demo.trainer.invalid) with new ones and their history."""
    reference = today.replace(hour=12, tzinfo=UTC) if today is not None else dataset.REFERENCE_DATE
    started = time.perf_counter()
    try:
        report = dataset.generate(learners, seed, force=force, today=reference)
        db.session.commit()
    except dataset.DemoRefused as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    except Exception:
        db.session.rollback()
        raise
    elapsed = time.perf_counter() - started
    if report.replaced:
        click.echo(f"removed {report.replaced} earlier demo learner(s)")
    click.echo(
        f"{report.learners} learners, {report.lessons} lesson records, {report.attempts} attempts "
        f"with {report.answers} answers, {report.completions} completions, "
        f"{report.assignments} assignments, {report.practice} practice items, "
        f"{report.statements} xAPI statements "
        f"(seed {seed}, history up to {reference:%Y-%m-%d}) in {elapsed:.1f} s"
    )
