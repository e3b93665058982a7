"""Database binding: SQLAlchemy, migrations and SQLite's per-connection settings."""

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import CursorResult, Executable, event, make_url
from sqlalchemy.exc import ArgumentError

from trainer.config import SettingError
from trainer.extensions import db, migrate

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000


def init_app(app: Flask) -> None:
    """Bind db and migrate to `app`, and tune SQLite connections as they open."""
    from trainer import models  # noqa: F401  (registers every table on the metadata)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _configure_sqlite)


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets readers work during a write; the busy timeout makes writers wait their turn;
    secure_delete overwrites what is deleted or changed (an erased person's data) instead of
    leaving it in free space of the file."""
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA secure_delete = ON")
    cursor.close()


def database_url(url: str) -> str:
    """Point plain PostgreSQL URLs at the psycopg 3 driver, the one we install; refuse other
    databases by the setting's name, not with a missing driver's traceback."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    try:
        backend = make_url(url).get_backend_name()
    except ArgumentError:
        backend = None
    if backend not in ("sqlite", "postgresql"):
        scheme = url.partition(":")[0]  # not the rest: it may hold a password
        raise SettingError(
            f"TRAINER_DATABASE_URL starts with {scheme!r}: Trainer runs on SQLite "
            "(sqlite:///path/to/trainer.db) or PostgreSQL (postgresql://user@host:5432/name)."
        )
    return url


def execute_core(
    statement: Executable,
    values: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
) -> CursorResult[Any]:
    """Run a statement of plain columns (no mapped objects) on the session's connection,
    once, or once for each set of `values` in a sequence.

    The session's own `execute` readies every statement for the ORM (its loaders, the
    identity map): for the small reads of a learner's page that costs more CPU than the
    database takes to answer. Pending changes are flushed first, as the session would.
    """
    if db.session.autoflush:
        db.session.flush()
    return db.session.connection().execute(statement, values)


@contextmanager
def savepoint() -> Iterator[None]:
    """`db.session.begin_nested()`, nested in the request's transaction on SQLite too.

    Python's sqlite3 opens a transaction only before a write. A SAVEPOINT sent before the
    transaction's first write opens one of its own, and releasing it commits: what the
    savepoint holds would no longer roll back with the rest (an import without its audit
    record, an attempt without its xAPI statement). So on SQLite the transaction is opened
    first, as the driver would open it before a write.
    """
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        driver_connection = connection.connection.driver_connection
        if driver_connection is not None and not driver_connection.in_transaction:
            driver_connection.execute("BEGIN")
    with db.session.begin_nested():
        yield
