"""Schemathesis reads the API's OpenAPI document, sends what it allows and what it does not,
and checks every answer against it: status codes, content types, headers, bodies, no 5xx."""

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis.core.parameters import ParameterLocation

import trainer.api
from tests.conftest import make_app
from tests.db_state import empty_database
from trainer.extensions import db
from trainer.people import tokens

EXAMPLES = 20
schema = schemathesis.openapi.from_path(Path(trainer.api.__file__).parent / "openapi.json")


@pytest.fixture
def api(database_url: str, tmp_path: Path) -> Iterator[tuple[Flask, str]]:
    """An app and one of its tokens."""
    app = make_app(database_url, tmp_path / "instance")
    with app.app_context():
        _token, secret = tokens.create_token("Schemathesis", "hr:read", "cli")
        db.session.commit()
    yield app, secret
    empty_database(app)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)  # the same cases on every run: a red CI is one anyone can reproduce
def test_every_answer_is_what_the_document_says(
    case: schemathesis.Case, api: tuple[Flask, str]
) -> None:
    app, secret = api
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
    case.operation.schema.app = app  # sent in-process, through the WSGI interface
    case.call_and_validate(app=app, headers=signed)


def made_invalid(case: schemathesis.Case, location: ParameterLocation) -> bool:
    """Whether Schemathesis broke this part of the request on purpose (a negative case)."""
    component = case.meta.components.get(location) if case.meta else None
    return component is not None and component.mode.is_negative
