"""`flask xapi ...`: the xAPI statement log."""

import click
from flask.cli import AppGroup

from trainer.extensions import db
from trainer.xapi import record

xapi = AppGroup("xapi", help="xAPI statements: the log and its delivery to an LRS.")


@xapi.command("backfill")
def backfill() -> None:
    """Log the statements of everything recorded before the log existed (bootstrap does it)."""
    written = record.backfill()
    db.session.commit()
    click.echo(f"{written} statements logged")
