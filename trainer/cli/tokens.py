"""`flask tokens ...`: create and revoke HR API tokens."""

from flask.cli import AppGroup

tokens = AppGroup("tokens", help="HR API tokens.")
