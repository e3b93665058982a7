"""A fingerprint of the whole test database, to tell whether a request changed anything."""

import hashlib

from flask import Flask

from trainer.extensions import db


def fingerprint(app: Flask) -> dict[str, str]:
    """Each table's name and a digest of all its rows in primary-key order."""
    digests = {}
    with app.app_context():
        for table in db.metadata.sorted_tables:
            rows = db.session.execute(db.select(table).order_by(*table.primary_key.columns))
            digests[table.name] = hashlib.sha256(repr(rows.all()).encode()).hexdigest()
    return digests


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """The tables whose rows differ between two fingerprints."""
    return sorted(name for name in before if before[name] != after.get(name))


def empty_database(app: Flask) -> None:
    """Delete every row `app`'s database holds (children first), for the next test."""
    with app.app_context():
        db.session.remove()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
        db.engine.dispose()
