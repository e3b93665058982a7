"""`flask report ...`: the completion report's summary table."""

import click
from flask.cli import AppGroup

from trainer.extensions import db
from trainer.models import summary

report = AppGroup("report", help="The completion report's per-learner summary.")


@report.command("rebuild-summary")
def rebuild_summary() -> None:
    """Compute every learner's summary row again from progress, attempts, completions and
    assignments (a repair: every write keeps the rows up to date by itself)."""
    rows = summary.rebuild(db.session.connection())
    db.session.commit()
    click.echo(f"rebuilt the report summary: {rows} row{'' if rows == 1 else 's'}")
