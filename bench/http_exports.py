"""The HR exports over HTTP, as HR downloads them, at 5,000, 10,000 and 1,000,000 report rows.

    .venv/bin/python bench/http_exports.py [--quick] [--rows 5000,10000,1000000]
        [--formats csv,csv-excel,xlsx,xapi] [--redis-url redis://127.0.0.1:6379/12]

It makes a SQLite database with demo data (`--base` demo learners, 2,000), then, for each
size in turn, adds plain copies of those learners (each with a copy of its source's summary
row, so rows look like real ones) until the report has that many rows. Trainer runs as
bench/run.py starts it (gunicorn, two sync workers, the 30 s worker timeout) beside the
background worker (`flask --app trainer worker` on Redis), as the README's deployment
section lays them out. For each format it asks `/hr/export` as an HR user:

- an export of up to EXPORT_DIRECT_MAX_ROWS rows downloads at once: it prints the time to
  the first byte and rows/s of the whole download;
- a larger one becomes a job: it prints the time until the worker has written the file,
  then the download's first byte, and rows/s from the request to the last byte.

Peak RSS is sampled every 20 ms over Trainer's processes (gunicorn's and the worker's) and
printed as growth over what they held before the export. It also times the report's first
page and the API's first page at each size (median of 5, one at a time). It exits non-zero
when an export fails or answers an unexpected status, never because of a timing.
Without Redis, large exports run inline in the request (see trainer/jobs.py), where the
sync worker's timeout would cut them: the script then refuses to run. See bench/README.md.
"""

import argparse
import contextlib
import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import (
    BASE_URL,
    HOST,
    ROOT,
    SEED,
    USER_AGENT,
    Server,
    _children,
    _session,
)

FORMATS = ("csv", "csv-excel", "xlsx", "xapi")
CHUNK = 20_000  # copies inserted per statement batch
JOB_LIMIT_SECONDS = 1800


@dataclass(frozen=True)
class Settings:
    rows: tuple[int, ...]
    formats: tuple[str, ...]
    base: int
    redis_url: str


def parse_args(argv: Sequence[str] | None = None) -> Settings:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5,000 and 10,000 rows only")
    parser.add_argument("--rows", help="report sizes, ascending (5000,10000,1000000)")
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--base", type=int, default=2_000, help="demo learners to copy from")
    parser.add_argument(
        "--redis-url", default="redis://127.0.0.1:6379/12",
        help="the worker's queue (a database of its own: it is emptied first)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    default = "5000,10000" if args.quick else "5000,10000,1000000"
    try:
        rows = tuple(int(part) for part in (args.rows or default).split(","))
    except ValueError:
        parser.error("--rows: whole numbers separated by commas")
    if any(size <= 0 for size in rows) or list(rows) != sorted(rows):
        parser.error("--rows: positive sizes in ascending order")
    formats = tuple(part.strip() for part in args.formats.split(",") if part.strip())
    unknown = [name for name in formats if name not in FORMATS]
    if unknown or not formats:
        parser.error(f"--formats: of {', '.join(FORMATS)}")
    if args.base <= 0:
        parser.error("--base must be positive")
    return Settings(rows, formats, args.base, args.redis_url)


# --- the database -------------------------------------------------------------------------


def make_app(folder: Path, secret_key: str, redis_url: str) -> Any:
    from trainer import create_app

    return create_app(
        {"DATABASE_URL": f"sqlite:///{folder / 'bench.db'}", "SECRET_KEY": secret_key,
         "RATELIMIT_ENABLED": False, "BASE_URL": BASE_URL, "XAPI_BASE_IRI": f"{BASE_URL}/xapi",
         "REDIS_URL": redis_url},
        instance_path=str(folder / "instance"),
    )  # fmt: skip


def prepare(app: Any, base: int) -> tuple[str, str]:
    """Migrate, load the content, make `base` demo learners and an HR user; the HR user's
    session cookie and an API token's secret."""
    from flask_migrate import upgrade

    from trainer.authoring.content_files import sync_configured_content
    from trainer.demo import dataset
    from trainer.extensions import db
    from trainer.people import accounts, tokens

    with app.app_context():
        upgrade()
        sync_configured_content()
        db.session.commit()
        dataset.generate(base, SEED)
        hr = accounts.create_user("bench-hr@bench.example.com", "Bench HR", None, {"hr"})
        _token, secret = tokens.create_token("bench", "hr:read", "cli")
        db.session.commit()
        cookie, _csrf = _session(app, hr)
        db.session.remove()
    return cookie, secret


def grow(app: Any, rows: int) -> int:
    """Add copies of the demo learners until the report has at least `rows` rows; how many
    rows it has. A copy is a new learner with its source's department, manager and summary
    rows (what the report reads), so the export writes the same kinds of values."""
    from sqlalchemy import func, insert, select

    from trainer.demo import dataset
    from trainer.extensions import db
    from trainer.models import LearnerCourseSummary, User, UserRole
    from trainer.reporting import report, report_pages

    with app.app_context():
        have = report_pages.count_rows(report.ReportFilter())
        courses = max(1, have // max(1, _learners()))
        sources = list(db.session.execute(
            select(User.id, User.display_name, User.department, User.manager)
            .where(User.email.like(f"%@{dataset.DEMO_DOMAIN}"))
            .order_by(User.id)
        ))  # fmt: skip
        summaries: dict[int, list[dict[str, Any]]] = {}
        columns = [c.key for c in LearnerCourseSummary.__table__.columns if c.key != "user_id"]
        for row in db.session.execute(select(LearnerCourseSummary)).scalars():
            summaries.setdefault(row.user_id, []).append({k: getattr(row, k) for k in columns})
        next_id = db.session.execute(select(func.max(User.id))).scalar_one() + 1
        needed = -(-(rows - have) // courses)
        for start in range(0, max(0, needed), CHUNK):
            users, roles, copies = [], [], []
            for n in range(start, min(start + CHUNK, needed)):
                source = sources[n % len(sources)]
                user_id = next_id + n
                users.append({
                    "id": user_id, "email": f"copy{user_id}@bench.invalid",
                    "display_name": f"{source.display_name} {user_id}",
                    "employee_id": f"B{user_id:09d}", "department": source.department,
                    "manager": source.manager, "learner_id": str(uuid.uuid4()),
                })  # fmt: skip
                roles.append({"user_id": user_id, "role": "learner"})
                copies += [{**s, "user_id": user_id} for s in summaries.get(source.id, [])]
            db.session.execute(insert(User), users)
            db.session.execute(insert(UserRole), roles)
            if copies:
                db.session.execute(insert(LearnerCourseSummary), copies)
            db.session.commit()
        total = report_pages.count_rows(report.ReportFilter())
        with db.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.session.remove()
    return total


def _learners() -> int:
    from sqlalchemy import func, select

    from trainer.extensions import db
    from trainer.models import User

    return db.session.execute(
        select(func.count()).select_from(User).where(User.is_active_learner())
    ).scalar_one()


# --- measuring ------------------------------------------------------------------------------


class PeakRss:
    """The highest summed RSS of some processes (and their children), sampled every 20 ms."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids
        self.before = self._now()
        self.peak = self.before
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _now(self) -> int:
        every = {p for pid in self.pids for p in (pid, *_children(pid))}
        return sum(_rss(pid) for pid in every)

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self._now())

    def growth_mib(self) -> float:
        self._stop.set()
        self._thread.join()
        return (self.peak - self.before) / 2**20


def _rss(pid: int) -> int:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


@dataclass
class Download:
    status: int
    location: str
    first_byte: float  # seconds from the request
    seconds: float  # to the last byte
    size: int


def get(port: int, target: str, headers: dict[str, str]) -> Download:
    """GET `target`, reading the whole body; when its first byte and its last arrived."""
    connection = http.client.HTTPConnection(HOST, port, timeout=JOB_LIMIT_SECONDS)
    started = time.perf_counter()
    connection.request("GET", target, headers={"User-Agent": USER_AGENT, **headers})
    answer = connection.getresponse()
    first = answer.read(1)
    first_byte = time.perf_counter() - started
    size = len(first)
    while chunk := answer.read(1 << 16):
        size += len(chunk)
    seconds = time.perf_counter() - started
    connection.close()
    return Download(answer.status, answer.getheader("Location", ""), first_byte, seconds, size)


@dataclass
class ExportResult:
    format: str
    rows: int
    job_seconds: float | None  # None: downloaded at once
    first_byte: float
    seconds: float
    size: int
    rss_growth_mib: float

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def export(port: int, cookie: str, fmt: str, job_rows: Any, pids: list[int]) -> ExportResult:
    """One export as HR asks for it; raises RuntimeError on a failed job or a wrong status."""
    memory = PeakRss(pids)
    try:
        found = _download(port, {"Cookie": f"session={cookie}"}, fmt, job_rows)
    finally:
        growth = memory.growth_mib()
    return ExportResult(fmt, *found, growth)


def _download(
    port: int, headers: dict[str, str], fmt: str, job_rows: Any
) -> tuple[int, float | None, float, float, int]:
    """(rows, job seconds or None, first byte, seconds to the last byte, size) of an export."""
    started = time.perf_counter()
    asked = get(port, f"/hr/export?format={fmt}", headers)
    if asked.status == 200:
        return job_rows(None), None, asked.first_byte, asked.seconds, asked.size
    if asked.status != 302 or "/hr/exports/" not in asked.location:
        raise RuntimeError(f"{fmt}: /hr/export answered {asked.status} {asked.location}")
    job_id = int(asked.location.rstrip("/").rsplit("/", 1)[1])
    while (status := job_rows(job_id))[0] in ("queued", "running"):
        if time.perf_counter() - started > JOB_LIMIT_SECONDS:
            raise RuntimeError(f"{fmt}: job {job_id} still {status[0]} after {JOB_LIMIT_SECONDS} s")
        time.sleep(0.05)
    if status[0] != "done":
        raise RuntimeError(f"{fmt}: job {job_id} ended {status[0]}: {status[2]}")
    job_seconds = time.perf_counter() - started
    download = get(port, f"/hr/exports/{job_id}/download", headers)
    if download.status != 200:
        raise RuntimeError(f"{fmt}: job {job_id}'s download answered {download.status}")
    total = time.perf_counter() - started
    return status[1], job_seconds, download.first_byte, total, download.size


def page_ms(port: int, target: str, headers: dict[str, str]) -> float:
    """The median time of five GETs of `target`, one at a time, in milliseconds."""
    times = []
    for _ in range(5):
        answer = get(port, target, headers)
        if answer.status != 200:
            raise RuntimeError(f"{target} answered {answer.status}")
        times.append(answer.seconds * 1000)
    return statistics.median(times)


# --- the run --------------------------------------------------------------------------------


def _wait_for_worker(worker: subprocess.Popen, redis_url: str, timeout: float = 120) -> None:
    """Wait until the worker listens on its queue: an export measured while it still starts
    would count the worker's own start-up as the export's memory."""
    import redis
    from rq import Worker

    connection = redis.Redis.from_url(redis_url)
    deadline = time.monotonic() + timeout
    while Worker.count(connection=connection) == 0:
        if worker.poll() is not None:
            raise RuntimeError(f"the worker stopped (exit status {worker.returncode})")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the worker did not start in {timeout:.0f} s")
        time.sleep(0.2)


@contextlib.contextmanager
def processes(folder: Path, env: dict[str, str]) -> Iterator[tuple[Server, subprocess.Popen]]:
    """Trainer under gunicorn and the background worker, sharing one instance folder."""
    app = f"trainer:create_app(instance_path={str(folder / 'instance')!r})"
    server = Server("trainer", app, env, folder, ROOT)
    with (folder / "worker.log").open("w") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", app, "worker"],
            cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        server.wait_ready()
        _wait_for_worker(worker, env["TRAINER_REDIS_URL"])
        yield server, worker
    finally:
        worker.terminate()
        worker.wait(15)
        server.stop()


def main(argv: Sequence[str] | None = None) -> int:
    settings = parse_args(argv)
    try:
        import redis

        redis.Redis.from_url(settings.redis_url).flushdb()
    except Exception as error:
        print(f"error: Redis at {settings.redis_url} is needed for the worker: {error}",
              file=sys.stderr)  # fmt: skip
        return 1
    secret_key = uuid.uuid4().hex * 2
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="trainer-exports-") as tmp:
        folder = Path(tmp)
        app = make_app(folder, secret_key, settings.redis_url)
        started = time.perf_counter()
        cookie, api_secret = prepare(app, settings.base)
        print(f"database: {settings.base:,} demo learners in "
              f"{time.perf_counter() - started:.0f} s", flush=True)  # fmt: skip
        env = {
            "TRAINER_DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
            "TRAINER_SECRET_KEY": secret_key, "TRAINER_RATELIMIT_ENABLED": "false",
            "TRAINER_BASE_URL": BASE_URL, "TRAINER_XAPI_BASE_IRI": f"{BASE_URL}/xapi",
            "TRAINER_REDIS_URL": settings.redis_url,
        }  # fmt: skip
        print(f"{'rows':>9} {'format':<10} {'job s':>7} {'first byte s':>12} {'rows/s':>9} "
              f"{'MiB':>7} {'RSS +MiB':>9}")  # fmt: skip
        for size in settings.rows:
            begun = time.perf_counter()
            rows = grow(app, size)
            print(f"# {rows:,} report rows ({time.perf_counter() - begun:.0f} s to add learners)",
                  flush=True)  # fmt: skip
            with processes(folder, env) as (server, worker):
                pids = [server.process.pid, worker.pid]
                hr = {"Cookie": f"session={cookie}"}
                bearer = {"Authorization": f"Bearer {api_secret}"}
                print(f"# report first page {page_ms(server.port, '/hr/', hr):.0f} ms, API page "
                      f"{page_ms(server.port, '/api/v1/completions', bearer):.0f} ms (median of "
                      "5, one at a time)", flush=True)  # fmt: skip
                for fmt in settings.formats:
                    try:
                        result = export(server.port, cookie, fmt, _job_reader(app, rows, fmt), pids)
                    except (RuntimeError, OSError) as error:
                        failures.append(f"{rows:,} rows, {fmt}: {error}")
                        print(f"{rows:>9,} {fmt:<10} failed: {error}", flush=True)
                        continue
                    job = f"{result.job_seconds:.1f}" if result.job_seconds is not None else "-"
                    print(f"{result.rows:>9,} {fmt:<10} {job:>7} {result.first_byte:>12.3f} "
                          f"{result.rate:>9,.0f} {result.size / 2**20:>7.1f} "
                          f"{result.rss_growth_mib:>9.1f}", flush=True)  # fmt: skip
    if failures:
        print("\nerrors:", *failures, sep="\n  ", file=sys.stderr)
        return 1
    return 0


def _job_reader(app: Any, rows: int, fmt: str) -> Any:
    """A function of a job id: the job's (status, rows written, error); of None, the rows a
    direct download holds: the report's, or for xAPI the statements of its rows."""
    from trainer.extensions import db
    from trainer.models import ExportJob
    from trainer.reporting import xapi
    from trainer.reporting.report import ReportFilter

    def read(job_id: int | None) -> Any:
        with app.app_context():
            if job_id is None:
                found: Any = rows
                if fmt == "xapi":
                    found = sum(1 for _ in xapi.iter_statements(ReportFilter()))
            else:
                job = db.session.get(ExportJob, job_id)
                found = (job.status, job.rows_written, job.error) if job else ("missing", 0, "")
            db.session.remove()
            return found

    return read


if __name__ == "__main__":
    sys.exit(main())
