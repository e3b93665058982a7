"""Bulk employee import from CSV: preview, then apply all or nothing."""

from flask import Blueprint

bp = Blueprint("hr_import", __name__, url_prefix="/hr/import")
