"""`flask bootstrap`: bring a database to the current schema, content and a first admin."""

import click
from flask.cli import with_appcontext
from flask_migrate import upgrade

from trainer.content.model import ContentError
from trainer.extensions import db
from trainer.services import accounts
from trainer.services.content import sync_configured_content


@click.command("bootstrap")
@click.option(
    "--admin-email",
    default="admin@example.com",
    show_default=True,
    help="E-mail of the first admin, created only if there is no admin yet.",
)
@with_appcontext
def bootstrap(admin_email: str) -> None:
    """Upgrade the schema, load lessons/ and quizzes/, create a first admin if none exists."""
    upgrade()
    try:
        report = sync_configured_content()
    except ContentError as error:
        db.session.rollback()
        for problem in error.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException("content has problems; fix them and run again") from error
    password = accounts.ensure_first_admin(admin_email)
    db.session.commit()
    click.echo("content: " + ("synced" if report.changed else "no changes"))
    if password:
        click.echo(f"First admin created: {admin_email}")
        click.echo(f"One-time password:   {password}")
        click.echo("Sign in and change it under Account.")
    else:
        click.echo("An admin already exists; no account created.")
