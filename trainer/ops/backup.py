"""Backing up and restoring the database while Trainer runs.

On SQLite, Python's binding of SQLite's online backup API copies a consistent snapshot page by
page while other connections keep reading and writing, and restores the same way. PostgreSQL
has its own tools, which know its types, roles and large objects better than we could: for it
we say which command to run.
"""

import sqlite3
from contextlib import closing
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL, make_url

from trainer.database import MIGRATIONS_DIR
from trainer.extensions import db


class BackupError(Exception):
    """A backup or restore that cannot be done as asked; nothing was changed."""


def sqlite_path(url: URL) -> Path | None:
    """The file of a SQLite database URL; None for other databases."""
    if url.get_backend_name() != "sqlite":
        return None
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory database cannot be backed up")
    return Path(url.database)


def backup_sqlite(database: Path, out: Path) -> None:
    """Copy a consistent snapshot of `database` into the new file `out`."""
    if out.exists():
        raise BackupError(f"{out} exists; choose a new file name")
    out.parent.mkdir(parents=True, exist_ok=True)
    with closing(_connect(database)) as source, closing(_connect(out)) as target:
        source.backup(target)


def restore_sqlite(backup: Path, database: Path) -> None:
    """Replace the contents of `database` with the Trainer backup `backup`."""
    if not backup.is_file():
        raise BackupError(f"{backup} does not exist")
    _check_is_trainer_backup(backup)
    db.engine.dispose()  # our pooled connections would keep reading the old pages
    with closing(_connect(backup)) as source, closing(_connect(database)) as target:
        source.backup(target)
        target.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _check_is_trainer_backup(path: Path) -> None:
    known = {script.revision for script in ScriptDirectory(str(MIGRATIONS_DIR)).walk_revisions()}
    try:
        with closing(_connect(path)) as connection:
            rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.DatabaseError as error:  # not a database, or no migrations table
        raise BackupError(f"{path} is not a Trainer backup ({error})") from error
    versions = {version for (version,) in rows}
    if not versions or not versions <= known:
        raise BackupError(f"{path} is not a backup of this version of Trainer")


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, timeout=30)  # wait for a writer rather than fail


def postgres_commands(url: str, file: str) -> tuple[str, str]:
    """The pg_dump and pg_restore commands for `url` (its password left out: use PGPASSWORD)."""
    given = make_url(url)
    target = URL.create(
        "postgresql", given.username, None, given.host, given.port, given.database, given.query
    ).render_as_string(hide_password=False)
    return (
        f"pg_dump --format=custom --file {file} '{target}'",
        f"pg_restore --clean --if-exists --no-owner --dbname '{target}' {file}",
    )
