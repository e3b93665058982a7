"""`flask hr ...`: completion exports, the same code path as the report page."""

from flask.cli import AppGroup

hr = AppGroup("hr", help="HR exports.")
