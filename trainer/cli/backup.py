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

FILE = click.Path(dir_okay=False, path_type=Path)


@click.command("backup")
@with_appcontext
@click.option("--out", "out", required=True, type=FILE)
def backup(out: Path) -> None:
    """Write a consistent copy of the database to OUT (a new file)."""
    try:
        database = _sqlite_file(out, "PostgreSQL is backed up with its own tool; run:", 0)
        if database is not None:
            backup_sqlite(database, out)
            click.echo(f"backed up {database} to {out}")
    except BackupError as error:
        raise click.ClickException(str(error)) from error


@click.command("restore")
@with_appcontext
@click.option("--from", "source", required=True, type=FILE)
@click.confirmation_option(prompt="This replaces every row of the database. Go on?")
def restore(source: Path) -> None:
    """Replace the database with the backup SOURCE."""
    intro = "PostgreSQL is restored with its own tool; stop Trainer, then run:"
    try:
        database = _sqlite_file(source, intro, 1)
        if database is not None:
            restore_sqlite(source, database)
            click.echo(f"restored {database} from {source}")
            click.echo("a backup from an older release: run `flask --app trainer bootstrap`")
    except BackupError as error:
        raise click.ClickException(str(error)) from error


def _sqlite_file(file: Path, intro: str, command: int) -> Path | None:
    """The SQLite database to work on; on PostgreSQL None, after printing `intro` and its
    pg_dump (`command` 0) or pg_restore (1) command for `file`."""
    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    database = sqlite_path(make_url(url))
    if database is None:
        click.echo(intro)
        click.echo(postgres_commands(url, str(file))[command])
    return database
