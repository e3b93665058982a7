"""Schemathesis reads the OpenAPI document a running Trainer serves, sends what it allows and
what it does not over HTTP, and checks every answer against it: status codes, content types,
headers, bodies, no 5xx."""

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.core.parameters import ParameterLocation
from werkzeug.serving import make_server

from tests.conftest import make_app
from tests.db_state import empty_database
from tests.reporting.api_document import served_document
from trainer.extensions import db
from trainer.people import tokens

EXAMPLES = 20


@pytest.fixture
def running_api(database_url: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Trainer answering HTTP on a loopback port, and one of its tokens."""
    app = make_app(database_url, tmp_path / "instance")
    with app.app_context():
        _token, secret = tokens.create_token("Schemathesis", "hr:read", "cli")
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", secret
    server.shutdown()
    thread.join()
    empty_database(app)


schema = schemathesis.openapi.from_dict(served_document())


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)  # the same cases on every run: a red CI is one anyone can reproduce
def test_every_answer_is_what_the_document_says(
    case: schemathesis.Case, running_api: tuple[str, str]
) -> None:
    base_url, secret = running_api
    # Valid values the document cannot describe are left out of valid queries; a query made
    # invalid on purpose is sent as it is.
    if case.query and not made_invalid(case, ParameterLocation.QUERY):
        case.query.pop("cursor", None)  # opaque: only a page's next_cursor is one (test_api)
        case.query.pop("course", None)  # a slug that is no course is a 400 (test_api)
        if "since" in case.query and "until" in case.query:  # reversed dates: 400 (test_api)
            dates = sorted((str(case.query["since"]), str(case.query["until"])))
            case.query["since"], case.query["until"] = dates
    signed = (
        {}
        if made_invalid(case, ParameterLocation.HEADER)
        else {"Authorization": f"Bearer {secret}"}
    )
    case.call_and_validate(base_url=base_url, headers=signed)


def made_invalid(case: schemathesis.Case, location: ParameterLocation) -> bool:
    """Whether Schemathesis broke this part of the request on purpose (a negative case)."""
    component = case.meta.components.get(location) if case.meta else None
    return component is not None and component.mode.is_negative
