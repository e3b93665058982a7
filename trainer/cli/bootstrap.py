"""`flask bootstrap`: bring a database to the current schema, content and a first admin."""

import click
from flask.cli import with_appcontext
from flask_migrate import upgrade

from trainer.cli.content import echo_plan, run_sync
from trainer.extensions import db
from trainer.people import accounts
from trainer.xapi import record


@click.command("bootstrap")
@click.option(
    "--admin-email",
    default="admin@example.com",
    show_default=True,
    help="E-mail of the first admin, created only if there is no admin yet.",
)
@with_appcontext
def bootstrap(admin_email: str) -> None:
    """Upgrade the schema, sync lessons/ and quizzes/, create a first admin if none exists.

    The sync keeps every browser edit (see `content sync`), so running this on every release
    or every start loses nothing a trainer made.
    """
    upgrade()
    plan = run_sync()
    echo_plan(plan)
    click.echo("content: " + ("synced" if plan.changed else "no changes"))
    password = accounts.ensure_first_admin(admin_email)
    if written := record.backfill():
        click.echo(f"xAPI: {written} statements logged for what was recorded before the log")
    db.session.commit()
    if password:
        click.echo(f"First admin created: {admin_email}")
        click.echo(f"One-time password:   {password}")
        click.echo("Sign in and change it under Account.")
    else:
        click.echo("An admin already exists; no account created.")
