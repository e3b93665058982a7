"""Accepting an invitation: a signed, expiring, single-use link to set a password."""

from flask import Blueprint

bp = Blueprint("invitation", __name__, url_prefix="/invitation")
