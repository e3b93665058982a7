"""`flask xapi ...`: the xAPI statement log."""

import click
from flask import current_app
from flask.cli import AppGroup

from trainer.extensions import db
from trainer.xapi import lrs, record

xapi = AppGroup("xapi", help="xAPI statements: the log and its delivery to an LRS.")


@xapi.command("backfill")
def backfill() -> None:
    """Log the statements of everything recorded before the log existed (bootstrap does it)."""
    written = record.backfill()
    db.session.commit()
    click.echo(f"{written} statements logged")


@xapi.command("push")
@click.option("--batch-size", type=click.IntRange(1, 1000), help="Statements per request.")
@click.option("--retries", type=click.IntRange(0, 20), help="Further tries of a failed batch.")
@click.option("--backoff", type=click.FloatRange(0), help="Seconds before the first retry.")
def push(batch_size: int | None, retries: int | None, backoff: float | None) -> None:
    """Send the queued statements to TRAINER_LRS_ENDPOINT; exit 1 if any stays queued."""
    config = current_app.config
    try:
        report = lrs.push(
            current_app,
            batch_size=batch_size or int(config["LRS_BATCH_SIZE"]),
            retries=int(config["LRS_RETRIES"]) if retries is None else retries,
            backoff=float(config["LRS_BACKOFF_SECONDS"]) if backoff is None else backoff,
        )
    except lrs.LrsNotConfigured as error:
        raise click.ClickException(str(error)) from None
    state = lrs.queue_state(errors=0)
    click.echo(
        f"{report.delivered} statements delivered, {report.known} already in the LRS, "
        f"{report.rejected} refused, {state.queued} still queued"
    )
    for line in report.errors[:20]:
        click.echo(f"refused {line}", err=True)
    if report.stopped:
        click.echo(f"stopped: {report.stopped}", err=True)
    if not report.ok:
        raise SystemExit(1)
