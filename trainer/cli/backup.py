"""`flask backup` and `flask restore`: a copy of the database, taken while Trainer runs."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url

from trainer.ops.backup import (
    BackupError,
    backup_sqlite,
    postgres_commands,
    restore_sqlite,
    sqlite_path,
)


@click.command("backup")
@with_appcontext
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def backup(out: Path) -> None:
    """Write a consistent copy of the database to OUT (a new file)."""
    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    try:
        database = sqlite_path(make_url(url))
        if database is None:
            dump, _restore = postgres_commands(url, str(out))
            click.echo("PostgreSQL is backed up with its own tool; run:")
            click.echo(dump)
            return
        backup_sqlite(database, out)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"backed up {database} to {out}")


@click.command("restore")
@with_appcontext
@click.option("--from", "source", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.confirmation_option(prompt="This replaces every row of the database. Go on?")
def restore(source: Path) -> None:
    """Replace the database with the backup SOURCE."""
    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    try:
        database = sqlite_path(make_url(url))
        if database is None:
            _dump, load = postgres_commands(url, str(source))
            click.echo("PostgreSQL is restored with its own tool; stop Trainer, then run:")
            click.echo(load)
            return
        restore_sqlite(source, database)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"restored {database} from {source}")
    click.echo("if the backup is from an older release, run `flask --app trainer bootstrap` now")
