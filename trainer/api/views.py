"""API root: what this API is and which version answers."""

from flask import Blueprint, Response, jsonify

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/")
def index() -> Response:
    """Name and version; every other API route needs a bearer token."""
    return jsonify(name="Trainer API", version="v1")
