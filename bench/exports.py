"""How fast the HR export writers go, and how much memory they take, at 10,000 and 1,000,000 rows.

    .venv/bin/python bench/exports.py [--rows 10000,1000000] [--formats csv,csv-excel,xlsx,xapi]
        [--trainer FOLDER]

Each (format, rows) runs in a fresh Python process, which makes an app (no database), the
export's real column layout (two quizzes: 25 columns) and synthesised report rows (or, for
xAPI, statements shaped like the log's), and feeds them to the format's writer in
trainer.reporting.exports, writing the bytes to /dev/null. It prints, per run: rows/s, the
time to the writer's first chunk (the first byte a direct download would send, less the
database), the output's size, and the process's peak RSS, with its growth from 10,000 to
1,000,000 rows. The database's side (the report query) is left out on purpose: these are
the writers' figures; see bench/README.md.

rows/s is by the wall clock, rows/CPU s by the process's CPU time: on a shared machine the
second is the one to compare. `--formats source` only makes the rows (what the synthesised
source itself costs). `--trainer FOLDER` measures the writers of another checkout (e.g.
`git archive` of an older commit), for a before-and-after on the same machine.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections import namedtuple
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ("csv", "csv-excel", "xlsx", "xapi")
WRITERS = {"csv": "_csv", "csv-excel": "_csv_excel", "xlsx": "_xlsx", "xapi": "_json_array"}
FIELDS = ("user_id employee_id name email department course_slug course_title status "
          "lessons_done lessons_total best_score passed attempts first_started completed_at "
          "certificate_code due_at manager assigned_at last_activity")  # fmt: skip
STATUSES = ("completed", "in_progress", "not_started", "overdue")
T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def report_rows(count: int, quiz_ids: list[int]) -> Any:
    """`count` export rows like the report's: a quarter in each status, dates, two quizzes."""
    from trainer.reporting.quiz_bests import Best, ExportRow

    row = namedtuple("ReportRow", FIELDS)  # the attribute access of SQLAlchemy's Row
    for n in range(count):
        status = STATUSES[n % 4]
        started = T0 + timedelta(minutes=n)
        done = status == "completed"
        score = 40.0 + (n % 600) / 10 if status in ("completed", "in_progress") else None
        report = row(
            n, f"E-{n:07d}", f"Uczestnik Numer {n}", f"uczestnik{n}@firma.example",
            ("Sprzedaż", "Marketing", "Obsługa klienta", "Zarząd")[n % 4], "b2b-b2c",
            "Sprzedaż B2B a B2C", status, 12 if done else n % 12, 12, score, done,
            n % 5, started if status != "not_started" else None,
            started + timedelta(days=3) if done else None,
            f"CERT-{n:08d}" if done else None, T0 + timedelta(days=30) if n % 3 else None,
            f"Kierownik {n % 50}", T0 - timedelta(days=1), started + timedelta(hours=5),
        )  # fmt: skip
        bests = (
            {quiz: Best(score, started + timedelta(days=1)) for quiz in quiz_ids} if score else {}
        )
        yield ExportRow(report, bests)


def statements(count: int) -> Any:
    """`count` statements' texts shaped like the log's (a lesson completed, about 900 bytes
    each, without `stored`, which the writer adds)."""
    for n in range(count):
        yield json.dumps({
            "id": f"6f1c2a4e-{n:04x}-4000-8000-{n:012x}",
            "actor": {"objectType": "Agent", "account": {
                "homePage": "https://trainer.example", "name": f"{n:08x}-learner"}},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/completed",
                     "display": {"en-US": "completed", "pl-PL": "ukończył(a)"}},
            "object": {"objectType": "Activity",
                       "id": f"https://trainer.example/xapi/courses/b2b-b2c/lessons/{n % 12}",
                       "definition": {"type": "http://adlnet.gov/expapi/activities/lesson",
                                      "name": {"pl-PL": f"Lekcja {n % 12}: różnice B2B i B2C"}}},
            "result": {"completion": True, "success": True, "score": {"scaled": 0.8}},
            "context": {"platform": "Trainer", "language": "pl-PL",
                        "contextActivities": {"parent": [{"id": "https://trainer.example/xapi/courses/b2b-b2c"}]},
                        "extensions": {"https://trainer.example/xapi/ext/department": "Sprzedaż"}},
            "timestamp": (T0 + timedelta(seconds=n)).isoformat(),
            "version": "1.0.3",
        })  # fmt: skip


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def child(fmt: str, count: int) -> dict[str, Any]:
    """One measurement, in this process: the writer of `fmt` over `count` rows."""
    from zoneinfo import ZoneInfo

    from trainer import create_app
    from trainer.reporting import exports
    from trainer.reporting.export_columns import layout
    from trainer.reporting.quiz_bests import QuizInfo
    from trainer.reporting.xapi import text_with_stored

    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": "sqlite://",
                      "BASE_URL": "https://trainer.example"})  # fmt: skip
    with app.app_context():
        course = ("b2b-b2c", "Sprzedaż B2B a B2C")
        quizzes = [QuizInfo(1, "sprawdzian", "Sprawdzian", *course),
                   QuizInfo(2, "egzamin", "Egzamin końcowy", *course)]  # fmt: skip
        columns = layout("pl", ZoneInfo("Europe/Warsaw"), quizzes, "https://trainer.example")
        writer = getattr(exports, WRITERS.get(fmt, "_csv"))
        before = rss_kib()
        start, cpu = time.perf_counter(), time.process_time()
        if fmt == "source":
            chunks = (b"" for _row in report_rows(count, [1, 2]))
        elif fmt == "xapi":
            stored = T0 + timedelta(seconds=1)
            chunks = writer(text_with_stored(text, stored) for text in statements(count))
        else:
            chunks = writer(columns, report_rows(count, [1, 2]))
        size, first = 0, None
        with open(os.devnull, "wb") as sink:
            for chunk in chunks:
                if first is None:
                    first = time.perf_counter() - start
                size += len(chunk)
                sink.write(chunk)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {"format": fmt, "rows": count, "seconds": seconds, "rows_per_s": count / seconds,
            "cpu_seconds": cpu, "rows_per_cpu_s": count / cpu,
            "first_byte_s": first, "bytes": size, "rss_before_kib": before,
            "peak_rss_kib": peak, "columns": len(columns.columns)}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="10000,1000000")
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--trainer", type=Path, default=ROOT, help="the checkout to measure")
    parser.add_argument("--child", nargs=2, metavar=("FORMAT", "ROWS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child[0], int(args.child[1]))))
        return 0
    sizes = [int(n) for n in args.rows.split(",")]
    env = {**os.environ, "PYTHONPATH": str(args.trainer.resolve()),
           "TRAINER_XAPI_BASE_IRI": "https://trainer.example/xapi"}  # fmt: skip
    print(f"{'format':10} {'rows':>9} {'rows/s':>9} {'rows/CPU s':>10} {'first byte':>10} "
          f"{'MB':>7} {'peak RSS':>9} {'growth':>7}")  # fmt: skip
    for fmt in args.formats.split(","):
        peaks: dict[int, int] = {}
        for count in sizes:
            out = (
                subprocess.run(
                    [sys.executable, str(Path(__file__).resolve()), "--child", fmt, str(count)],
                    env=env,
                    cwd=args.trainer,
                    capture_output=True,
                    text=True,
                    check=True,
                )
                .stdout.strip()
                .splitlines()[-1]
            )
            result = json.loads(out)
            peaks[count] = result["peak_rss_kib"]
            growth = (peaks[count] - peaks[sizes[0]]) / 1024
            first_ms = 1000 * result["first_byte_s"]
            print(f"{fmt:10} {count:>9,} {result['rows_per_s']:>9,.0f} "
                  f"{result['rows_per_cpu_s']:>10,.0f} {first_ms:>8.1f}ms "
                  f"{result['bytes'] / 1e6:>7.1f} {result['peak_rss_kib'] / 1024:>7.1f}Mi "
                  f"{growth:>6.1f}Mi", flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
