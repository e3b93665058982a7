"""`flask demo ...`: synthetic learners with realistic progress, for trying and benchmarks."""

from flask.cli import AppGroup

demo = AppGroup("demo", help="Demo data.")
