"""`flask worker`: the background worker that runs mail, the xAPI push and large exports."""

import click
from flask import current_app
from flask.cli import with_appcontext

from trainer import jobs


@click.command("worker")
@with_appcontext
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
def worker(burst: bool) -> None:
    """Run queued jobs from TRAINER_REDIS_URL (one at a time; start several for more)."""
    if not jobs.configured(current_app.config):
        raise click.ClickException(
            "TRAINER_REDIS_URL is not set: without it every job runs inline, in the request "
            "that asks for it, and no worker is needed."
        )
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    click.echo(f"worker: serving the queue {app.config.get('JOB_QUEUE') or 'trainer'!r}")
    jobs.work(app, burst=burst)
