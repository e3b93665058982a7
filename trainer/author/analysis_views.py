"""Item analysis per quiz and question, and group progress, for trainers."""

from flask import Blueprint

bp = Blueprint("analysis", __name__, url_prefix="/author/analysis")
