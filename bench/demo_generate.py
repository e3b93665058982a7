"""Benchmark `flask demo generate`: time for 10,000 learners against a 1,000-learner baseline.

Run by hand, not in the test suite:

    .venv/bin/python bench/demo_generate.py [--learners 10000] [--baseline 1000] [--seed 1]
        [--database-url postgresql://postgres@127.0.0.1:5432/trainer_bench]

Each size runs on a freshly migrated database with the course content of lessons/ and
quizzes/ loaded (a temporary SQLite file unless --database-url names an empty database,
which is emptied before each run). Prints the seconds of each run, learners per second, and
the ratio of the two times to the ratio of the sizes (1.0 means it scales linearly).
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import downgrade, upgrade

from trainer import create_app
from trainer.authoring.content_files import sync_configured_content
from trainer.demo import dataset
from trainer.extensions import db


def run(learners: int, seed: int, database_url: str | None, folder: Path) -> float:
    """Seconds to generate and commit `learners` on a fresh database."""
    url = database_url or f"sqlite:///{folder / f'bench-{learners}.db'}"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"}, instance_path=str(folder))
    with app.app_context():
        if database_url:
            downgrade(revision="base")
        upgrade()
        sync_configured_content()
        db.session.commit()
        started = time.perf_counter()
        report = dataset.generate(learners, seed)
        db.session.commit()
        elapsed = time.perf_counter() - started
        db.session.remove()
        db.engine.dispose()
    print(
        f"{learners:>6} learners: {elapsed:6.1f} s ({learners / elapsed:,.0f} learners/s; "
        f"{report.attempts:,} attempts, {report.answers:,} answers, "
        f"{report.completions:,} completions)"
    )
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--baseline", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        base = run(args.baseline, args.seed, args.database_url, Path(folder))
        full = run(args.learners, args.seed, args.database_url, Path(folder))
    size_ratio = args.learners / args.baseline
    print(
        f"time ratio {full / base:.1f} for {size_ratio:.0f}x the learners "
        f"(scaling factor {full / base / size_ratio:.2f}; 1.00 = linear)"
    )


if __name__ == "__main__":
    main()
