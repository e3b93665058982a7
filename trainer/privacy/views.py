"""Download one's own data; erase a learner (admins)."""

from flask import Blueprint

bp = Blueprint(
    "privacy",
    __name__,
)
