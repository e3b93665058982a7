"""Moodle GIFT exchange: upload with a preview, import, and export a course's bank."""

from flask import Blueprint

bp = Blueprint("gift", __name__, url_prefix="/author/gift")
