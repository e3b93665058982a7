"""Health checks for a load balancer: is the process up, and can it serve?

`/healthz` answers without touching anything, so a busy database never gets an instance
restarted. `/readyz` answers 503 while the database is unreachable or its schema is not the
one this code expects (a release started before `bootstrap` ran), so the balancer sends
requests elsewhere until it is.
"""

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy.exc import SQLAlchemyError

from trainer.database import MIGRATIONS_DIR
from trainer.extensions import db

bp = Blueprint("health", __name__)
_expected_heads: set[str] = set()


@bp.get("/healthz")
def healthz() -> Response:
    """The process is up."""
    return _no_store(jsonify(status="ok"))


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    """The database answers and its schema is at this code's migration head."""
    try:
        with db.engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError:
        current_app.logger.warning("readiness check: database unreachable", exc_info=True)
        return _no_store(jsonify(status="unavailable", database="unreachable")), 503
    if current != expected_heads():
        return _no_store(jsonify(status="unavailable", database="migrations pending")), 503
    return _no_store(jsonify(status="ok")), 200


def expected_heads() -> set[str]:
    """The migration heads this code ships with (read once: they never change at run time)."""
    if not _expected_heads:
        _expected_heads.update(ScriptDirectory(str(MIGRATIONS_DIR)).get_heads())
    return _expected_heads


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response
