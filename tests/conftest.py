"""Fixtures: an app on a migrated test database, clients, users by role, small factories.

The database is migrated once per run (SQLite in a temporary folder, or the PostgreSQL
database named by TRAINER_TEST_DATABASE_URL) and emptied after every test.
"""

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import downgrade, upgrade

from tests.db_state import empty_database
from tests.people.mailbox import Mailbox, start_server
from trainer import create_app
from trainer.config import PROJECT_ROOT
from trainer.content.loader import load_taxonomy
from trainer.extensions import db
from trainer.models import User
from trainer.people import accounts

# The browser tests' shared Chromium, live server and pages (tests/browsers.py).
pytest_plugins = ("tests.browsers",)
RESOURCES = Path(__file__).parent / "resources"
SAMPLE_CONTENT = RESOURCES / "content"
# The first course's taxonomy, as its course.yaml declares it: seven dimensions, B2B and B2C.
COURSE_TAXONOMY = load_taxonomy(PROJECT_ROOT / "lessons" / "b2b-b2c")
DIMENSION_KEYS = COURSE_TAXONOMY.dimension_keys
PASSWORD = "correct horse battery"
# What production must set (start-up says so); testing falls back to a placeholder instead.
BASE_URL = "https://trainer.example"
# Required outside debug and testing; set for every app a test makes, subprocesses included.
XAPI_BASE_IRI = "https://trainer.example/xapi"
os.environ["TRAINER_XAPI_BASE_IRI"] = XAPI_BASE_IRI
CHEAP_HASH_METHOD = "scrypt:1024:8:1"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TRAINER_TEST_DATABASE_URL") or (
        f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    )
    app = create_app(
        {"DATABASE_URL": url, "SECRET_KEY": "x", "TESTING": True},
        instance_path=str(tmp_path_factory.mktemp("instance")),
    )
    with app.app_context():
        downgrade(revision="base")  # a database left by an earlier run starts empty too
        upgrade()
        db.engine.dispose()
    return url


def make_app(database_url: str, instance: Path, **config: object) -> Flask:
    """An app for tests on the shared test database, with `config` on top."""
    settings = {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test secret",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,  # tests sign in often; test_ratelimit turns it on
        "REGISTRATION_OPEN": True,  # off by default (test_factory); many tests register people
        # Cheap scrypt: tests hash many passwords. Production's cost is in trainer.config.
        "PASSWORD_HASH_METHOD": CHEAP_HASH_METHOD,
        "LESSONS_DIR": str(SAMPLE_CONTENT / "lessons"),
        "QUIZZES_DIR": str(SAMPLE_CONTENT / "quizzes"),
    }
    return create_app({**settings, **config}, instance_path=str(instance))


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = make_app(database_url, tmp_path / "instance")
    yield app
    empty_database(app)


@pytest.fixture
def mailbox(app: Flask) -> Iterator[Mailbox]:
    """Mail from the app goes to this mailbox; links in it point at https://trainer.firma.pl."""
    controller, mailbox = start_server()
    app.config.update(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, BASE_URL="https://trainer.firma.pl/"
    )
    yield mailbox
    controller.stop()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser that asks for English, so tests can read messages by their msgids.

    Polish, the default, is tested explicitly with `polish_client` and in the browser tests.
    """
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def polish_client(app: Flask) -> FlaskClient:
    """A browser that states no language preference: it gets Polish."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def make_user(app: Flask):
    """Create a user with roles and the test password; returns its id."""

    def make(email: str = "learner@example.com", *roles: str, **fields: object) -> int:
        with app.app_context():
            user = accounts.create_user(
                email, fields.pop("name", "Jan Kowalski"), PASSWORD, set(roles) or {"learner"},
                **fields,
            )  # fmt: skip
            db.session.commit()
            return user.id

    return make


class AuthActions:
    """Sign in and out through the real forms."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, email: str = "learner@example.com", password: str = PASSWORD):
        return self.client.post("/login", data={"email": email, "password": password})

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def login_as(make_user, auth: AuthActions):
    """Create a user holding `roles` and sign them in."""

    def login(*roles: str) -> int:
        email = f"{'-'.join(roles) or 'learner'}@example.com"
        user_id = make_user(email, *roles)
        auth.login(email)
        return user_id

    return login


@pytest.fixture
def synced(app: Flask) -> Flask:
    """The app with the sample course loaded."""
    from trainer.authoring.content_files import sync_configured_content

    with app.app_context():
        sync_configured_content()
        db.session.commit()
    return app


def get_user(app: Flask, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user is not None
        db.session.expunge(user)
        return user


def csrf_token(html: str) -> str:
    """The CSRF token of the first form in `html`."""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token in the page"
    return match.group(1)


class StatementCounter:
    """The SQL statements an engine sends while `counting()` is open."""

    def __init__(self) -> None:
        self.statements: list[str] = []
        self._on = False

    def record(self, _conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if self._on:
            self.statements.append(statement)

    def count(self, request, *args: object, **kwargs: object):
        """Call `request` (a test client's get or post); its response and the statements it
        sent, in order."""
        self.statements = []
        self._on = True
        try:
            response = request(*args, **kwargs)
        finally:
            self._on = False
        return response, list(self.statements)


@pytest.fixture
def sql(app: Flask) -> Iterator[StatementCounter]:
    """Counts SQL statements per request through SQLAlchemy's `before_cursor_execute` event:
    `response, statements = sql.count(client.get, "/")`."""
    from sqlalchemy import event

    with app.app_context():
        engine = db.engine
    counter = StatementCounter()
    event.listen(engine, "before_cursor_execute", counter.record)
    yield counter
    event.remove(engine, "before_cursor_execute", counter.record)
