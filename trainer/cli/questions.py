"""`flask questions ...`: exchange questions with other LMSs (Moodle GIFT)."""

from flask.cli import AppGroup

questions = AppGroup("questions", help="Question exchange.")
