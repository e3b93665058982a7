"""The state of the test database and Redis: a fingerprint, to tell whether a request changed
anything, and emptying them between tests."""

import hashlib
import os

import pytest
import redis
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


def delete_rows() -> None:
    """Delete every row of the current app's database (children first), committed, but the
    content revision's: a row the schema holds (migration 0016), as in production."""
    for table in reversed(db.metadata.sorted_tables):
        if table.name != "content_revision":
            db.session.execute(table.delete())
    db.session.commit()


def empty_database(app: Flask) -> None:
    """Delete every row `app`'s database holds, for the next test."""
    with app.app_context():
        db.session.remove()
        delete_rows()
        db.engine.dispose()


def empty_redis(url: str) -> None:
    """Empty the Redis database `url` names; skip the test without a Redis server, or fail
    where TRAINER_REQUIRE_REDIS=1 (CI) says there must be one."""
    try:
        redis.Redis.from_url(url).flushdb()
    except redis.exceptions.ConnectionError:
        if os.environ.get("TRAINER_REQUIRE_REDIS") == "1":
            pytest.fail("no Redis server on 127.0.0.1:6379; TRAINER_REQUIRE_REDIS=1 requires it")
        pytest.skip("no Redis server on 127.0.0.1:6379")
