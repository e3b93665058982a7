"""The API's OpenAPI document as Trainer serves it, generated from its code."""

import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from tests.conftest import make_app


@cache
def served_document() -> dict[str, Any]:
    """The document, from an app that needs no database to describe itself."""
    with tempfile.TemporaryDirectory() as instance:
        response = make_app("sqlite://", Path(instance)).test_client().get("/api/v1/openapi.json")
    document: dict[str, Any] = response.get_json()
    return document
