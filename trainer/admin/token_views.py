"""API tokens for the HR API: create (shown once) and revoke; admins only."""

from flask import Blueprint

bp = Blueprint("tokens", __name__, url_prefix="/admin/tokens")
