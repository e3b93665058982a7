"""Load Trainer's pages against a bare Flask app under the same gunicorn, in one run.

    .venv/bin/python bench/run.py [--quick] [--database-url postgresql://…/trainer_bench]
        [--paths lesson,dashboard,…] [--learners N] [--duration S] [--load wrk|python]
        [--compare FOLDER] [--logs FOLDER] [--instances 2] [--exports]

It makes a database with demo data (a temporary SQLite file unless --database-url names a
PostgreSQL database, which is emptied first), starts Trainer and a "hello" Flask app under
gunicorn with `make run`'s worker settings, warms both up, then loads each path at 16
connections, each run right after a run of the baseline, three times over. It prints one
line per path: requests/s, p50 and p99 latency, CPU milliseconds per request of the
gunicorn processes (master and workers, from /proc, per line of their access log), and the
median ratio to the baseline. With --instances N (on PostgreSQL) Trainer runs as N gunicorns
behind nginx, configured as the README's deployment section says (deploy/nginx.py), and so
does the baseline: N "hello" gunicorns behind an nginx of their own.
The load comes from wrk when it is installed (Debian's `wrk`), else from a small asyncio
client of this file. With --exports it then measures the HR exports over HTTP
(bench/http_exports.py: at 5,000, 10,000 and 1,000,000 rows; with --quick the first two).
It exits non-zero only when an answer was not the expected status (or a connection
failed), never because of a timing. See bench/README.md.
"""

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
USER_AGENT = "trainer-bench"
# What production must set; the xAPI statements the bench's requests log are named under it.
BASE_URL = "https://bench.invalid"
# The settings issue 13 measured with (two sync workers, as `make run` then started Trainer;
# it now starts one process with four threads), the access log on standard output.
GUNICORN_SETTINGS = ("--workers", "2", "--access-logfile", "-")
SEED = 1


@dataclass(frozen=True)
class BenchPath:
    """One benchmarked path: what it asks for and the status every answer must have."""

    name: str
    description: str
    expected: int
    single_use: bool = False  # each request may be sent once (a submit grades its attempt)


PATHS: dict[str, BenchPath] = {
    p.name: p
    for p in (
        BenchPath("lesson", "GET a lesson page (signed in)", 200),
        BenchPath("dashboard", "GET the dashboard (signed in)", 200),
        BenchPath("quiz", "GET a quiz item of an attempt in progress", 200),
        BenchPath("answer", "POST one step of an answer", 302),
        BenchPath(
            "submit", "POST a 14-item final exam for grading (a new attempt each)", 302, True
        ),
        BenchPath("report", "GET the HR report's first page", 200),
        BenchPath("api", "GET the API's first completions page (bearer token)", 200),
        BenchPath("verify", "GET the public certificate check", 200),
        BenchPath("signin", "POST the sign-in form (a real password check)", 302),
    )
}


@dataclass(frozen=True)
class Settings:
    quick: bool
    learners: int
    duration: float
    warmup: float
    connections: int
    repetitions: int
    database_url: str | None
    paths: tuple[str, ...]
    load: str  # "wrk" or "python"
    logs: Path | None = None
    compare: Path | None = None
    instances: int = 1  # more than one: that many gunicorns behind nginx
    exports: bool = False  # then the HR exports over HTTP (bench/http_exports.py)


def parse_args(argv: Sequence[str] | None = None) -> Settings:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: under 3 minutes")
    parser.add_argument("--learners", type=int, help="demo learners (10,000; quick: 1,000)")
    parser.add_argument("--duration", type=float, help="seconds per run (10; quick: 2)")
    parser.add_argument("--warmup", type=float, help="seconds of warm-up per path (3; 1)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument(
        "--database-url", help="an empty PostgreSQL database to use (it is emptied first)"
    )
    parser.add_argument(
        "--paths", default=",".join(PATHS), help=f"comma-separated, of: {', '.join(PATHS)}"
    )
    parser.add_argument(
        "--load", choices=("auto", "wrk", "python"), default="auto",
        help="load generator: wrk if installed (auto), or the asyncio client",
    )  # fmt: skip
    parser.add_argument("--logs", type=Path, help="keep the servers' gunicorn logs here")
    parser.add_argument(
        "--instances", type=int, default=1,
        help="run Trainer (and the baseline) as this many gunicorns behind nginx; needs "
        "--database-url (instances share PostgreSQL, as in production) and Debian's nginx",
    )  # fmt: skip
    parser.add_argument(
        "--compare", type=Path, metavar="FOLDER",
        help="also run the Trainer of another checkout (e.g. a git worktree of an older "
        "commit) on a copy of the same data, interleaved: before and after in one run",
    )  # fmt: skip
    parser.add_argument(
        "--exports", action="store_true",
        help="then measure the HR exports over HTTP, as bench/http_exports.py does (on "
        "SQLite; needs Redis for the worker); with --quick at 5,000 and 10,000 rows only",
    )  # fmt: skip
    args = parser.parse_args(argv)
    paths = tuple(name.strip() for name in args.paths.split(",") if name.strip())
    unknown = [name for name in paths if name not in PATHS]
    if unknown or not paths:
        parser.error(f"unknown path(s): {', '.join(unknown) or '(none)'}")
    load = args.load
    if load == "auto":
        load = "wrk" if shutil.which("wrk") else "python"
    elif load == "wrk" and not shutil.which("wrk"):
        parser.error("wrk is not installed (apt-get install wrk), use --load python")
    if args.compare and args.database_url:
        parser.error("--compare runs on SQLite only (it copies the database file)")
    if args.compare and not (args.compare / "trainer" / "__init__.py").is_file():
        parser.error(f"--compare: no Trainer checkout at {args.compare}")
    if args.instances > 1 and not args.database_url:
        parser.error("--instances: several instances share a PostgreSQL --database-url")
    if args.instances > 1 and args.compare:
        parser.error("--instances and --compare do not go together")
    if args.instances > 1 and not _nginx_installed():
        parser.error("--instances needs nginx (apt-get install nginx)")
    for name in ("learners", "duration", "warmup", "connections", "repetitions", "instances"):
        value = getattr(args, name)
        if value is not None and value <= 0:
            parser.error(f"--{name} must be positive")
    return Settings(
        quick=args.quick,
        learners=args.learners or (1_000 if args.quick else 10_000),
        duration=args.duration or (2.0 if args.quick else 10.0),
        warmup=args.warmup or (1.0 if args.quick else 3.0),
        connections=args.connections,
        repetitions=args.repetitions,
        database_url=args.database_url,
        paths=paths,
        load=load,
        logs=args.logs,
        compare=args.compare.resolve() if args.compare else None,
        instances=args.instances,
        exports=args.exports,
    )


def _nginx_installed() -> bool:
    return Path("/usr/sbin/nginx").is_file() or shutil.which("nginx") is not None


# --- the baseline -------------------------------------------------------------------------


def hello_app() -> Any:
    """The baseline: a bare Flask app saying "Hello, World!" ('bench.run:hello_app()')."""
    from flask import Flask

    app = Flask("hello")

    @app.get("/")
    def hello() -> str:
        return "Hello, World!"

    return app


# --- requests -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    method: str
    target: str
    headers: tuple[tuple[str, str], ...] = ()
    body: str = ""

    def all_headers(self) -> list[tuple[str, str]]:
        headers = [("User-Agent", USER_AGENT), *self.headers]
        if self.body:
            headers += [
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("Content-Length", str(len(self.body.encode()))),
            ]
        return headers

    def raw(self) -> bytes:
        lines = [f"{self.method} {self.target} HTTP/1.1", f"Host: {HOST}", "Connection: close"]
        lines += [f"{name}: {value}" for name, value in self.all_headers()]
        return ("\r\n".join(lines) + "\r\n\r\n" + self.body).encode()


def form(**fields: object) -> str:
    from urllib.parse import urlencode

    return urlencode({key: str(value) for key, value in fields.items()})


# --- the database and the requests of each path ---------------------------------------------


@dataclass
class World:
    """The database Trainer runs on and the requests that load each path."""

    database_url: str
    secret_key: str
    requests: dict[str, list[Request]] = field(default_factory=dict)
    note: list[str] = field(default_factory=list)


def prepare(settings: Settings, folder: Path) -> World:
    """Migrate, load the course content, generate demo learners, and build the requests."""
    sys.path.insert(0, str(ROOT))
    from flask_migrate import upgrade
    from sqlalchemy import MetaData

    from trainer import create_app
    from trainer.authoring.content_files import sync_configured_content
    from trainer.demo import dataset
    from trainer.extensions import db

    url = settings.database_url or f"sqlite:///{folder / 'bench.db'}"
    world = World(url, secrets.token_hex(32))
    app = create_app(
        {"DATABASE_URL": url, "SECRET_KEY": world.secret_key, "RATELIMIT_ENABLED": False,
         "BASE_URL": BASE_URL, "XAPI_BASE_IRI": f"{BASE_URL}/xapi"},
        instance_path=str(folder / "instance"),
    )  # fmt: skip
    with app.app_context():
        started = time.perf_counter()
        if settings.database_url:
            # Emptied by dropping every table: a downgrade cannot undo the demo data of an
            # earlier run (a constraint it puts back refuses those rows).
            existing = MetaData()
            existing.reflect(bind=db.engine)
            existing.drop_all(bind=db.engine)
        upgrade()
        sync_configured_content()
        db.session.commit()
        report = dataset.generate(settings.learners, SEED)
        db.session.commit()
        print(
            f"database: {report.learners:,} demo learners, {report.attempts:,} attempts, "
            f"{report.completions:,} completions in {time.perf_counter() - started:.0f} s",
            flush=True,
        )
        needed = submits_needed(settings) if "submit" in settings.paths else 0
        world.requests = _requests(app, settings, needed, world)
        db.session.remove()
        if db.engine.dialect.name == "sqlite":
            # Start from an empty write-ahead log: the first write would otherwise copy all
            # of the set-up's pages into the database, while the clock runs.
            with db.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.engine.dispose()
    return world


# Submits a second the prepared attempts allow for: a quiet machine graded about 150 a
# second on SQLite. A faster run uses them all up, and says so (`_run`).
SUBMITS_PER_SECOND = 200


def submits_needed(settings: Settings) -> int:
    """Attempts to grade: each submit needs its own."""
    seconds = settings.warmup + settings.duration * settings.repetitions
    return int(SUBMITS_PER_SECOND * seconds) + 100


POOL = 32  # learners the signed-in paths take turns with


def _requests(app: Any, settings: Settings, submits: int, world: World) -> dict[str, list[Request]]:
    from trainer.extensions import db
    from trainer.learning import attempts, catalogue
    from trainer.models import CourseCompletion, QuestionStatus, Quiz, User
    from trainer.people import accounts, tokens

    course = catalogue.courses()[0]
    lessons = catalogue.published_lessons(course)
    lesson = lessons[len(lessons) // 2]
    quizzes = list(
        db.session.execute(
            db.select(Quiz)
            .where(Quiz.course_id == course.id, Quiz.status == QuestionStatus.ACTIVE)
            .order_by(Quiz.position)
        ).scalars()
    )
    check = next(quiz for quiz in quizzes if not quiz.is_final)
    final = next(quiz for quiz in quizzes if quiz.is_final)
    learners = list(
        db.session.execute(
            db.select(User).where(User.is_active_learner()).order_by(User.id)
        ).scalars()
    )
    pool, others = learners[:POOL], learners[POOL:]
    answering = []  # (user, attempt id, position, step, value) of an item in progress
    for user in pool:
        attempt = attempts.start_attempt(user.id, check)
        for item in attempt.items:
            found = _first_step(item)
            if found is not None:
                answering.append((user, attempt.id, item.position, *found))
                break
    graded = []
    # A learner has one unfinished attempt at a quiz: when the demo learners are too few,
    # learners of the bench's own (no password, no history) hold the rest.
    made: list[Any] = []

    def new_learners() -> Iterator[Any]:
        for n in itertools.count(1):
            made.append(accounts.create_user(f"bench-{n}@bench.example.com", f"Bench {n}"))
            yield made[-1]

    for user in itertools.chain(others, new_learners()):
        if len(graded) >= submits:
            break
        try:
            attempt = attempts.start_attempt(user.id, final)
        except attempts.AttemptRefused:
            if made and user is made[-1]:
                raise  # a new learner refused: more would be refused too
            continue
        for item in attempt.items:
            _answer_all_steps(item)
        graded.append((user, attempt.id))
        if len(graded) % 500 == 0:
            db.session.flush()
    if made:
        world.note.append(f"{len(made):,} learners of the bench's own hold attempts to submit")
    hr = accounts.create_user("bench-hr@bench.example.com", "Bench HR", None, {"hr"})
    password = secrets.token_urlsafe(12)
    signer = accounts.create_user("bench-signin@bench.example.com", "Bench", password, {"learner"})
    _token, api_secret = tokens.create_token("bench", "hr:read", "cli")
    code = db.session.execute(db.select(CourseCompletion.certificate_code).limit(1)).scalar()
    db.session.commit()

    def get(target: str, user: Any) -> Request:
        cookie, _csrf = _session(app, user)
        return Request("GET", target, (("Cookie", f"session={cookie}"),))

    def post(target: str, user: Any, **fields: object) -> Request:
        cookie, csrf = _session(app, user)
        body = form(csrf_token=csrf, **fields)
        return Request("POST", target, (("Cookie", f"session={cookie}"),), body)

    lesson_url = f"/courses/{course.slug}/lessons/{lesson.slug}"
    bearer = (("Authorization", f"Bearer {api_secret}"),)
    anonymous = [_session(app, None) for _ in range(4)]
    requests = {
        "lesson": [get(lesson_url, user) for user in pool],
        "dashboard": [get("/", user) for user in pool],
        "quiz": [get(f"/attempts/{aid}/items/{n}", user) for user, aid, n, _s, _v in answering],
        "answer": [
            post(f"/attempts/{aid}/items/{n}/{step}", user, **{step: value})
            for user, aid, n, step, value in answering
        ],
        "submit": [post(f"/attempts/{aid}/submit", user) for user, aid in graded],
        "report": [get("/hr/", hr)],
        "api": [Request("GET", "/api/v1/completions", bearer)],
        "verify": [Request("GET", f"/verify/{code}")] if code else [],
        "signin": [
            Request("POST", "/login", (("Cookie", f"session={cookie}"),), body)
            for cookie, csrf in anonymous
            for body in [form(csrf_token=csrf, email=signer.email, password=password)]
        ],
    }
    return {name: requests[name] for name in settings.paths}


def _first_step(item: Any) -> tuple[str, str] | None:
    """The first step of an item and a value it accepts (None for a dialogue's turns)."""
    from trainer.quiz.types import question_type

    kind = question_type(item.question.type)
    step = kind.steps[0].key
    for value in _candidates(item, step):
        with contextlib.suppress(Exception):
            kind.accept(item.question, {}, step, value, item.question.course.taxonomy)
            return step, value
    return None


def _candidates(item: Any, step: str) -> list[str]:
    question = item.question
    values = [str(option) for option in item.option_order or []]
    values += [str(option.id) for option in question.options]
    if step == "market":
        values = [question.market or "", *question.course.taxonomy.category_keys]
    return [value for value in values if value]


def _answer_all_steps(item: Any) -> None:
    """Give the item an answer for every step it has (the first value each step accepts)."""
    from trainer.quiz.types import question_type

    kind = question_type(item.question.type)
    answer: dict[str, Any] = {}
    for step in kind.steps:
        for value in _candidates(item, step.key):
            try:
                answer = kind.accept(
                    item.question, answer, step.key, value, item.question.course.taxonomy
                )
                break
            except Exception:  # noqa: S112 (try the next candidate)
                continue
    item.answer = answer


def _session(app: Any, user: Any) -> tuple[str, str]:
    """A session cookie as the app would set it for `user` (None: signed out), and the CSRF
    token of that session. Made here rather than by signing in, which is slow on purpose."""
    from flask import g, session
    from flask_login import login_user
    from flask_wtf.csrf import generate_csrf

    with app.test_request_context(
        "/", headers={"User-Agent": USER_AGENT}, environ_base={"REMOTE_ADDR": HOST}
    ):
        g.pop("csrf_token", None)  # `g` outlives the request here: a new token each time
        if user is not None:
            login_user(user)
        csrf = generate_csrf()
        cookie = app.session_interface.get_signing_serializer(app).dumps(dict(session))
    return cookie, csrf


# --- servers --------------------------------------------------------------------------------


class Server:
    """A gunicorn serving `app` on a free port, with the CPU time of its processes."""

    def __init__(self, name: str, app: str, env: dict[str, str], folder: Path, root: Path) -> None:
        self.name = name
        self.port = _free_port()
        self.log = folder / f"{name}.log"
        self.access_log = folder / f"{name}.access.log"
        command = [
            sys.executable, "-m", "gunicorn", *GUNICORN_SETTINGS,
            "--bind", f"{HOST}:{self.port}", "--chdir", str(root), app,
        ]  # fmt: skip
        with self.log.open("w") as log, self.access_log.open("w") as access:
            self.process = subprocess.Popen(
                command, env={**os.environ, **env}, stdout=access, stderr=log
            )

    def wait_ready(self, timeout: float = 120) -> None:
        """Wait until the server answers a request (its workers have booted)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} stopped: {self.log.read_text()[-2000:]}")
            with contextlib.suppress(OSError), socket.create_connection((HOST, self.port), 5) as s:
                s.sendall(Request("GET", "/").raw())
                if s.recv(16).startswith(b"HTTP/"):
                    return
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not start in {timeout} s")

    def cpu_seconds(self) -> float:
        """User and system CPU time of the master and its workers so far."""
        return sum(_cpu_of(pid) for pid in (self.process.pid, *_children(self.process.pid)))

    def served(self) -> int:
        """Requests answered so far: lines of the access log."""
        with self.access_log.open("rb") as log:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: log.read(1 << 16), b""))

    def wait_idle(self, limit: float = 120) -> None:
        """Wait until the server has answered what it was sent: wrk leaves a request on each
        connection when it stops, and the server still answers them."""
        deadline = time.monotonic() + limit
        cpu, served = self.cpu_seconds(), self.served()
        while time.monotonic() < deadline:
            time.sleep(0.1)
            now_cpu, now_served = self.cpu_seconds(), self.served()
            if now_served == served and now_cpu - cpu < 0.01:  # not one clock tick
                return
            cpu, served = now_cpu, now_served

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Balanced:
    """`count` gunicorns of `app` behind nginx, configured as the README's deployment section
    says (deploy/nginx.py): measured as one server, through nginx. CPU time counts the
    gunicorns and nginx; requests served, the lines of the gunicorns' access logs."""

    def __init__(
        self, name: str, app: str, env: dict[str, str], folder: Path, root: Path, count: int
    ) -> None:
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        from deploy.nginx import Nginx

        self.name = name
        self.servers = [
            Server(f"{name}-{n}", app.replace("{n}", str(n)), env, folder, root)
            for n in range(1, count + 1)
        ]
        upstreams = [f"{HOST}:{server.port}" for server in self.servers]
        self.proxy = Nginx(folder / f"{name}-nginx", upstreams, _free_port(), HOST)
        self.port = self.proxy.port

    def wait_ready(self, timeout: float = 120) -> None:
        for server in self.servers:
            server.wait_ready(timeout)
        self.proxy.start()

    def cpu_seconds(self) -> float:
        nginx = self.proxy.process.pid if self.proxy.process else None
        pids = (nginx, *_children(nginx)) if nginx else ()
        return sum(server.cpu_seconds() for server in self.servers) + sum(map(_cpu_of, pids))

    def served(self) -> int:
        return sum(server.served() for server in self.servers)

    def wait_idle(self, limit: float = 120) -> None:
        for server in self.servers:
            server.wait_idle(limit)

    def stop(self) -> None:
        self.proxy.stop()
        for server in self.servers:
            server.stop()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_of(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


# --- load -----------------------------------------------------------------------------------


@dataclass
class Run:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    cpu_ms: float  # per request
    errors: Counter = field(default_factory=Counter)
    next_request: int = 0  # the index in the requests after the last one sent

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def measure(
    server: Server | Balanced,
    requests: list[Request],
    expected: int,
    seconds: float,
    settings: Settings,
    start: int = 0,
) -> Run:
    """Load `server` with `requests` in turn for `seconds`, from the one at `start`.

    The CPU time per request counts from the start until the server is idle again, divided
    by the requests it answered in that time (its access log), those left in flight at the
    end included; the rate and latencies are the load generator's. The server is idle at
    the start: it was left so by its previous run, or when it started (`_servers`).
    """
    cpu, served = server.cpu_seconds(), server.served()
    if settings.load == "wrk":
        run = _wrk(server.port, requests, expected, seconds, settings.connections, start)
    else:
        run = asyncio.run(_python_load(server.port, requests, expected, seconds, settings, start))
    server.wait_idle()
    answered = server.served() - served
    run.cpu_ms = 1000 * (server.cpu_seconds() - cpu) / answered if answered else 0.0
    if not run.requests and not run.errors:
        run.errors["no answer within the run"] += 1
    return run


WRK_SCRIPT = """
local requests = {}
counter, step = 0, 1  -- global: done() reads each thread's counter
local threads = {}
local specs = %(specs)s
function setup(thread)
  table.insert(threads, thread)
  thread:set("first", #threads)
  thread:set("count", %(threads)d)
end
function init(args)
  for i, spec in ipairs(specs) do
    requests[i] = wrk.format(spec[1], spec[2], spec[3], spec[4])
  end
  counter, step = %(start)d + first - 1, count
end
function request()
  local r = requests[counter %% #requests + 1]
  counter = counter + step
  return r
end
function response(status, headers, body)
  if status ~= %(expected)d then
    wrong = (wrong or 0) + 1
  end
end
function done(summary, latency, requests)
  local wrong_total, next_request = 0, 0
  for _, thread in ipairs(threads) do
    wrong_total = wrong_total + (thread:get("wrong") or 0)
    next_request = math.max(next_request, thread:get("counter"))
  end
  local e = summary.errors
  io.write(string.format(
    "BENCH {\\"requests\\": %%d, \\"seconds\\": %%f, \\"p50\\": %%f, \\"p99\\": %%f, "
    .. "\\"wrong\\": %%d, \\"connect\\": %%d, \\"read\\": %%d, \\"write\\": %%d, "
    .. "\\"timeout\\": %%d, \\"next\\": %%d}\\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(99) / 1e3, wrong_total, e.connect, e.read, e.write, e.timeout,
    next_request))
end
"""
WRK_THREADS = 2


def _lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid Lua string literal for our ASCII text


def _wrk(
    port: int, requests: list[Request], expected: int, seconds: float, connections: int,
    start: int = 0,
) -> Run:  # fmt: skip
    specs = "{" + ",".join(
        "{%s, %s, {%s}, %s}" % (  # noqa: UP031 (Lua, not Python, formatting)
            _lua_string(r.method), _lua_string(r.target),
            ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in r.all_headers()
                      if k != "Content-Length"),
            _lua_string(r.body) if r.body else "nil",
        )
        for r in requests
    ) + "}"  # fmt: skip
    script = WRK_SCRIPT % {
        "specs": specs, "threads": WRK_THREADS, "expected": expected, "start": start
    }  # fmt: skip
    whole = max(1, round(seconds))  # wrk takes whole seconds
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(script)
    try:
        output = subprocess.run(
            ["wrk", "-t", str(WRK_THREADS), "-c", str(connections), "-d", f"{whole}s",
             "--timeout", "30s", "-s", file.name, f"http://{HOST}:{port}/"],
            capture_output=True, text=True, timeout=seconds + 60, check=False,
        )  # fmt: skip
    finally:
        os.unlink(file.name)
    line = next((ln for ln in output.stdout.splitlines() if ln.startswith("BENCH ")), None)
    if line is None:
        return Run(0, seconds, 0, 0, 0, Counter({"wrk gave no result": 1}), start)
    data = json.loads(line.removeprefix("BENCH "))
    errors = Counter(
        {f"{name} errors": data[name] for name in ("connect", "read", "write", "timeout")
         if data[name]}
    )  # fmt: skip
    if data["wrong"]:
        errors[f"status other than {expected}"] = data["wrong"]
    return Run(
        data["requests"], data["seconds"], data["p50"], data["p99"], 0.0, errors, data["next"]
    )


async def _python_load(
    port: int, requests: list[Request], expected: int, seconds: float, settings: Settings,
    start: int = 0,
) -> Run:  # fmt: skip
    raws = [request.raw() for request in requests]
    turn = itertools.count(start)
    latencies: list[float] = []
    errors: Counter = Counter()
    loop = asyncio.get_running_loop()
    started = loop.time()
    deadline = started + seconds

    async def connection() -> None:
        while loop.time() < deadline:
            raw = raws[next(turn) % len(raws)]
            begun = time.perf_counter()
            try:
                reader, writer = await asyncio.open_connection(HOST, port)
                writer.write(raw)
                await writer.drain()
                answer = await asyncio.wait_for(reader.read(), 30)
                writer.close()
            except (OSError, TimeoutError) as error:
                errors[type(error).__name__] += 1
                continue
            latencies.append(time.perf_counter() - begun)
            status = int(answer[9:12]) if answer[:5] == b"HTTP/" else 0
            if status != expected:
                errors[f"status {status}"] += 1

    await asyncio.gather(*(connection() for _ in range(settings.connections)))
    elapsed = loop.time() - started
    if not latencies:
        return Run(0, elapsed, 0, 0, 0, errors, next(turn))
    latencies.sort()
    p50 = latencies[len(latencies) // 2] * 1000
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    return Run(len(latencies), elapsed, p50, p99, 0.0, errors, next(turn))


# --- the run --------------------------------------------------------------------------------


@dataclass
class Result:
    path: str
    runs: list[Run] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)

    def median(self, name: str) -> float:
        return statistics.median(getattr(run, name) for run in self.runs)


def main(argv: Sequence[str] | None = None) -> int:
    settings = parse_args(argv)
    print(
        f"bench: {'quick, ' if settings.quick else ''}{settings.learners:,} learners, "
        f"{'PostgreSQL' if settings.database_url else 'SQLite'}, "
        f"{f'{settings.instances} instances behind nginx, ' if settings.instances > 1 else ''}"
        f"{settings.connections} "
        f"connections, {settings.repetitions} × {settings.duration} s per path, load: "
        f"{settings.load}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="trainer-bench-") as tmp:
        folder = Path(tmp)
        world = prepare(settings, folder)
        for note in world.note:
            print(f"note: {note}")
        empty = [name for name, requests in world.requests.items() if not requests]
        if empty:
            print(f"error: nothing to request for {', '.join(empty)}", file=sys.stderr)
            return 1
        env = {
            "TRAINER_TRUSTED_PROXIES": "1" if settings.instances > 1 else "0",
            "TRAINER_DATABASE_URL": world.database_url,
            "TRAINER_SECRET_KEY": world.secret_key,
            "TRAINER_RATELIMIT_ENABLED": "false",  # one address sends everything
            "TRAINER_BASE_URL": BASE_URL,
            "TRAINER_XAPI_BASE_IRI": f"{BASE_URL}/xapi",
        }
        apps = {"trainer": (ROOT, env)}
        if settings.compare:
            # The same data, in a copy of its own: each submit grades an attempt once.
            shutil.copy(folder / "bench.db", folder / "compare.db")
            compare_env = {**env, "TRAINER_DATABASE_URL": f"sqlite:///{folder / 'compare.db'}"}
            apps["compare"] = (settings.compare, compare_env)
        try:
            with _servers(apps, folder, settings.instances) as servers:
                status = _run(settings, world, servers)
        finally:
            if settings.logs:
                settings.logs.mkdir(parents=True, exist_ok=True)
                for log in folder.glob("*.log"):
                    shutil.copy(log, settings.logs / log.name)
    if settings.exports:
        from bench import http_exports

        print("\nHR exports over HTTP (bench/http_exports.py)", flush=True)
        status = max(status, http_exports.main(["--quick"] if settings.quick else []))
    return status


@contextlib.contextmanager
def _servers(
    apps: dict[str, tuple[Path, dict[str, str]]], folder: Path, instances: int = 1
) -> Iterator[dict[str, Server | Balanced]]:
    """The baseline, then each Trainer (its code's folder, its environment), started: one
    gunicorn each, or `instances` behind nginx each."""
    started: dict[str, Server | Balanced] = {}
    try:
        hello = "bench.run:hello_app()"
        if instances > 1:
            started["baseline"] = Balanced("baseline", hello, {}, folder, ROOT, instances)
        else:
            started["baseline"] = Server("baseline", hello, {}, folder, ROOT)
        for name, (root, env) in apps.items():
            if instances > 1:
                path = f"{folder / name}-{{n}}"  # an instance folder each: {n} is its number
                app = f"trainer:create_app(instance_path={path!r})"
                started[name] = Balanced(name, app, env, folder, root, instances)
            else:
                app = f"trainer:create_app(instance_path={str(folder / name)!r})"
                started[name] = Server(name, app, env, folder, root)
        for server in started.values():
            server.wait_ready()
            server.wait_idle()
        yield started
    finally:
        for server in started.values():
            server.stop()


def _run(settings: Settings, world: World, servers: dict[str, Server | Balanced]) -> int:
    hello = [Request("GET", "/")]
    baseline = servers["baseline"]
    trainers = {name: server for name, server in servers.items() if name != "baseline"}
    measure(baseline, hello, 200, settings.warmup, settings)
    failures: list[str] = []

    # Each run goes on from where the server's last run of the path stopped: a submit's
    # request grades its attempt once.
    sent: Counter = Counter()

    def load(server: Server | Balanced, name: str, seconds: float, when: str) -> Run:
        requests = world.requests[name]
        start = sent[server.name, name]
        run = measure(server, requests, PATHS[name].expected, seconds, settings, start)
        sent[server.name, name] = run.next_request
        label = f"{name}{'' if server.name == 'trainer' else f' ({server.name})'}"
        failures.extend(f"{label} ({when}): {what} × {n}" for what, n in run.errors.items())
        return run

    for name in settings.paths:
        for server in trainers.values():
            load(server, name, settings.warmup, "warm-up")
    results = {t: {name: Result(name) for name in settings.paths} for t in trainers}
    base_runs: list[Run] = []
    for repetition in range(1, settings.repetitions + 1):
        for name in settings.paths:
            for trainer, server in trainers.items():
                base = measure(baseline, hello, 200, settings.duration, settings)
                failures.extend(f"baseline: {what} × {n}" for what, n in base.errors.items())
                run = load(server, name, settings.duration, f"run {repetition}")
                base_runs.append(base)
                results[trainer][name].runs.append(run)
                results[trainer][name].ratios.append(run.rate / base.rate if base.rate else 0.0)
        print(f"repetition {repetition} of {settings.repetitions} done", flush=True)
    base = Result("baseline", base_runs)
    for trainer, rows in results.items():
        root = ROOT if trainer == "trainer" else settings.compare
        print(f"\nTrainer from {root}")
        _table(base, rows)
        for name in settings.paths:
            requests, used = len(world.requests[name]), sent[trainer, name]
            if PATHS[name].single_use and used > requests:
                print(
                    f"note: {name}: {used:,} requests for {requests:,} prepared, so "
                    f"{used - requests:,} repeated one (a second submit of a graded attempt "
                    "costs less): these figures mix the two; raise SUBMITS_PER_SECOND"
                )
    if failures:
        print("\nerrors:", *failures, sep="\n  ", file=sys.stderr)
        return 1
    return 0


def _table(base: Result, rows: dict[str, Result]) -> None:
    heads = ("requests/s", 10), ("p50 ms", 8), ("p99 ms", 8), ("CPU ms", 7), ("of baseline", 12)
    print(f"{'path':<10}", *(f"{head:>{width}}" for head, width in heads))
    print(
        f"{'baseline':<10} {base.median('rate'):>10.1f} {base.median('p50_ms'):>8.1f} "
        f"{base.median('p99_ms'):>8.1f} {base.median('cpu_ms'):>7.2f} {'100%':>12}"
    )
    for name, result in rows.items():
        ratio = statistics.median(result.ratios)
        print(
            f"{name:<10} {result.median('rate'):>10.1f} {result.median('p50_ms'):>8.1f} "
            f"{result.median('p99_ms'):>8.1f} {result.median('cpu_ms'):>7.2f} "
            f"{100 * ratio:>11.1f}%"
        )


if __name__ == "__main__":
    sys.exit(main())
