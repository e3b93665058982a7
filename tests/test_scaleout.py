"""Several instances, for real: two gunicorns on one PostgreSQL and one Redis, behind nginx.

Through nginx (round robin, deploy/nginx.py's configuration, as the README shows it) a
learner signs in, takes a quiz and gets the right result while consecutive requests are
answered by different instances; a sign-in rate limit counts across both; one instance
killed mid-attempt loses no answer and the next ones are saved by the other; an instance
whose database is unreachable answers 503 on /readyz and on its pages, and nginx's passive
check takes it out.

Needs Debian's nginx, a PostgreSQL server (where TRAINER_TEST_DATABASE_URL points, else
postgres@127.0.0.1:5432; a fresh database is created and dropped) and Redis on
127.0.0.1:6379 (keys under a prefix of this run, deleted after). Without one of them the
tests skip, unless TRAINER_REQUIRE_NGINX=1 (set in CI) makes them fail.
"""

from __future__ import annotations

import itertools
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from deploy import nginx
from tests.conftest import BASE_URL, CHEAP_HASH_METHOD, PASSWORD, SAMPLE_CONTENT, make_app
from trainer.config import PROJECT_ROOT

requests = pytest.importorskip("requests")
redis = pytest.importorskip("redis")

pytestmark = pytest.mark.nginx

HOST = "127.0.0.1"
SERVER_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/14"  # a database of its own; keys under a prefix, too
SIGN_IN_LIMIT = 3  # per minute, per client address
LEARNERS = ("ala@example.com", "ola@example.com", "ela@example.com")
EXAM = "egzamin"  # the sample course's final exam: 4 items of 3 types, 6 points


def unavailable(reason: str) -> None:
    if os.environ.get("TRAINER_REQUIRE_NGINX") == "1":
        pytest.fail(f"{reason}; TRAINER_REQUIRE_NGINX=1 requires it", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


# --- the database, Redis -------------------------------------------------------------------


def server_url() -> str:
    """The maintenance database of the PostgreSQL server the suite runs on (or the local one)."""
    given = os.environ.get("TRAINER_TEST_DATABASE_URL", "")
    if given.startswith(("postgresql:", "postgres:")):
        parts = urlsplit(given)
        return urlunsplit(("postgresql", parts.netloc, "/postgres", "", ""))
    return SERVER_URL


@dataclass(frozen=True)
class World:
    database_url: str
    exam_id: int
    folder: Path  # for the apps the tests read the database with

    def app(self):
        return make_app(self.database_url, self.folder)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """A fresh PostgreSQL database, migrated, with the sample course and three learners."""
    if not nginx.available():
        unavailable("no nginx (apt-get install nginx)")
    import psycopg
    from flask_migrate import upgrade

    maintenance = server_url()
    name = f"trainer_scaleout_{secrets.token_hex(4)}"
    try:
        with psycopg.connect(maintenance, autocommit=True, connect_timeout=5) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        unavailable(f"no PostgreSQL server at {maintenance} ({error})")
    url = urlunsplit(urlsplit(maintenance)._replace(path=f"/{name}"))
    try:
        from trainer.authoring.content_files import sync_configured_content
        from trainer.extensions import db
        from trainer.models import Quiz
        from trainer.people import accounts

        folder = tmp_path_factory.mktemp("setup")
        app = make_app(url, folder)
        with app.app_context():
            upgrade()
            sync_configured_content()
            for email in LEARNERS:
                accounts.create_user(email, "Ala Nowak", PASSWORD, {"learner"})
            db.session.commit()
            exam_id = db.session.execute(db.select(Quiz.id).where(Quiz.slug == EXAM)).scalar_one()
            db.engine.dispose()
        yield World(url, exam_id, folder)
    finally:
        with psycopg.connect(maintenance, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def key_prefix() -> Iterator[str]:
    """The rate limits' key prefix in Redis for this run; its keys are deleted after."""
    prefix = f"trainer-scaleout-{secrets.token_hex(4)}"
    store = redis.Redis.from_url(REDIS_URL)
    try:
        store.ping()
    except redis.exceptions.ConnectionError:
        unavailable("no Redis server on 127.0.0.1:6379")
    yield prefix
    keys = list(store.scan_iter(match=f"*{prefix}*"))
    if keys:
        store.delete(*keys)


def limit_keys(prefix: str) -> list[bytes]:
    return list(redis.Redis.from_url(REDIS_URL).scan_iter(match=f"*{prefix}*"))


# --- the instances ---------------------------------------------------------------------------


@dataclass
class Instance:
    """One Trainer: gunicorn as `make run` starts it, in a process group of its own."""

    name: str
    folder: Path
    env: dict[str, str]
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"{HOST}:{self.port}"

    @property
    def log(self) -> Path:
        return self.folder / f"{self.name}.log"

    def start(self) -> Instance:
        app = f"trainer:create_app(instance_path={str(self.folder / self.name)!r})"
        command = [
            sys.executable, "-m", "gunicorn", "--workers", "1", "--threads", "4",
            "--bind", self.address, "--chdir", str(PROJECT_ROOT), app,
        ]  # fmt: skip
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, env={**os.environ, **self.env}, stdout=log, stderr=log,
                start_new_session=True,  # SIGKILL to the group takes the workers too
            )  # fmt: skip
        return self

    def wait_ready(self, timeout: float = 60) -> Instance:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} stopped: {self.log.read_text()[-3000:]}")
            try:
                if requests.get(f"http://{self.address}/healthz", timeout=5).ok:
                    return self
            except requests.RequestException:  # not listening yet, or its worker still boots
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not start in {timeout} s")

    def kill(self) -> None:
        """SIGKILL to the master and its workers at once: as if its machine died."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        # Until its workers are gone the kernel still takes connections on its port, and a
        # POST sent there is lost in flight (nginx never sends a POST twice): wait for that.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection((HOST, self.port), 1).close()
            except OSError:
                return
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} still takes connections after SIGKILL")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def instance_env(database_url: str, prefix: str, secret: str) -> dict[str, str]:
    """What every instance shares: the secret key, the database, the rate limits' Redis."""
    return {
        "TRAINER_SECRET_KEY": secret,
        "TRAINER_DATABASE_URL": database_url,
        "TRAINER_RATELIMIT_STORAGE_URI": REDIS_URL,
        "TRAINER_RATELIMIT_KEY_PREFIX": prefix,
        "TRAINER_TRUSTED_PROXIES": "1",  # nginx: the client's address is its X-Forwarded-For
        "TRAINER_SIGN_IN_RATE_LIMIT": f"{SIGN_IN_LIMIT} per minute",
        "TRAINER_BASE_URL": BASE_URL,
        "TRAINER_XAPI_BASE_IRI": f"{BASE_URL}/xapi",
        "TRAINER_PASSWORD_HASH_METHOD": CHEAP_HASH_METHOD,
        "TRAINER_LESSONS_DIR": str(SAMPLE_CONTENT / "lessons"),
        "TRAINER_QUIZZES_DIR": str(SAMPLE_CONTENT / "quizzes"),
    }


@dataclass
class Cluster:
    world: World
    prefix: str
    env: dict[str, str]
    instances: dict[str, Instance]
    proxy: nginx.Nginx

    def name_of(self, address: str) -> str:
        return next(name for name, i in self.instances.items() if i.address == address)


@pytest.fixture(scope="module")
def cluster(
    world: World, key_prefix: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    """Instances `a` and `b` behind nginx, round robin."""
    folder = tmp_path_factory.mktemp("cluster")
    env = instance_env(world.database_url, key_prefix, secrets.token_hex(32))
    instances = {name: Instance(name, folder, env) for name in ("a", "b")}
    proxy = nginx.Nginx(folder / "nginx", [i.address for i in instances.values()], free_port())
    try:
        for instance in instances.values():
            instance.start()
        for instance in instances.values():
            instance.wait_ready()
        proxy.start()
        yield Cluster(world, key_prefix, env, instances, proxy)
    finally:
        proxy.stop()
        for instance in instances.values():
            instance.stop()


# --- a browser that says which instance answered ------------------------------------------------


class _FromAddress(requests.adapters.HTTPAdapter):
    """Connections from one loopback address: a client of its own for the rate limits."""

    def __init__(self, source: str) -> None:
        self.source = source
        super().__init__()

    def init_poolmanager(self, *args: object, **kwargs: object) -> None:
        kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)


class Browser:
    """A `requests.Session` through nginx; records which instance answered each request."""

    def __init__(self, cluster: Cluster, source: str) -> None:
        self.cluster = cluster
        self.session = requests.Session()
        self.session.mount("http://", _FromAddress(source))
        self.session.headers["Accept-Language"] = "en"
        self.served: list[list[str]] = []  # per request: the instances nginx tried, in order

    def request(self, method: str, path: str, **kwargs: object) -> requests.Response:
        response = self.session.request(
            method, self.cluster.proxy.url + path, allow_redirects=False, timeout=30, **kwargs
        )
        tried = [a.strip() for a in response.headers.get("X-Served-By", "").split(",")]
        self.served.append([self.cluster.name_of(address) for address in tried if address])
        return response

    def get(self, path: str) -> requests.Response:
        return self.request("GET", path)

    def post(self, path: str, token: str, **fields: str) -> requests.Response:
        return self.request("POST", path, data={"csrf_token": token, **fields})

    def last(self) -> str:
        """The instance that answered the last request."""
        return self.served[-1][-1]

    def sign_in(self, email: str, password: str = PASSWORD) -> requests.Response:
        form = self.get("/login")
        assert form.status_code == 200
        return self.post("/login", csrf(form.text), email=email, password=password)


def csrf(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def right_answers(world: World, attempt_id: int) -> dict[int, list[tuple[str, str]]]:
    """Per item position, the (step, value) pairs of its full-marks answer, from the database."""
    from trainer.extensions import db
    from trainer.models import Attempt

    with world.app().app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt is not None
        answers = {}
        for item in attempt.items:
            question = item.question
            right = next(str(option.id) for option in question.options if option.is_correct)
            steps = [("market", question.market)] if question.type == "scenario" else []
            answers[item.position] = [*steps, ("option", right)]
        db.engine.dispose()
    return answers


def saved_answers(world: World, attempt_id: int) -> tuple[str, int, int, dict[int, dict]]:
    """The attempt's status, score, maximum and each item's saved answer, from the database."""
    from trainer.extensions import db
    from trainer.models import Attempt

    with world.app().app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt is not None
        found = (
            str(attempt.status), attempt.score, attempt.max_score,
            {item.position: dict(item.answer or {}) for item in attempt.items},
        )  # fmt: skip
        db.engine.dispose()
    return found


def start_exam(browser: Browser, world: World) -> int:
    intro = browser.get(f"/quizzes/{world.exam_id}")
    assert intro.status_code == 200
    started = browser.post(f"/quizzes/{world.exam_id}/start", csrf(intro.text))
    assert started.status_code == 302, started.text
    match = re.search(r"/attempts/(\d+)/items/1$", started.headers["Location"])
    assert match, started.headers["Location"]
    return int(match.group(1))


def answer_item(
    browser: Browser, attempt_id: int, position: int, steps, first_saver: str | None = None
) -> list[str]:
    """Open the item's page and save each step; the instances that saved them.

    With `first_saver`, the first step goes to that instance: round robin alternates, so a
    request to the other one comes first when the page came from it.
    """
    page = browser.get(f"/attempts/{attempt_id}/items/{position}")
    assert page.status_code == 200
    token = csrf(page.text)
    if first_saver is not None and browser.last() == first_saver:
        assert browser.get("/healthz").status_code == 200
    savers = []
    for step, value in steps:
        target = f"/attempts/{attempt_id}/items/{position}/{step}"
        saved = browser.post(target, token, **{step: value})
        assert saved.status_code == 302, (position, step, saved.status_code, saved.text[:500])
        savers.append(browser.last())
    return savers


def submit(browser: Browser, attempt_id: int) -> requests.Response:
    review = browser.get(f"/attempts/{attempt_id}")
    assert review.status_code == 200
    submitted = browser.post(f"/attempts/{attempt_id}/submit", csrf(review.text))
    assert submitted.status_code == 302
    assert submitted.headers["Location"].endswith(f"/attempts/{attempt_id}/result")
    return browser.get(f"/attempts/{attempt_id}/result")


# --- the tests ------------------------------------------------------------------------------------


def test_the_readme_shows_the_configuration_these_tests_run() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text()
    assert f"```nginx\n{nginx.site(['127.0.0.1:8001', '127.0.0.1:8002'])}```" in readme


def test_a_session_a_csrf_token_and_an_attempt_carry_across_instances(cluster: Cluster) -> None:
    browser = Browser(cluster, "127.0.0.1")
    form = browser.get("/login")
    token, form_from = csrf(form.text), browser.last()
    signed_in = browser.post("/login", token, email=LEARNERS[0], password=PASSWORD)
    assert signed_in.status_code == 302 and urlsplit(signed_in.headers["Location"]).path == "/"
    assert browser.last() != form_from  # the token one instance made, the other accepted
    dashboard = browser.get("/")
    assert dashboard.status_code == 200 and "Sign out" in dashboard.text  # the session, too
    assert browser.last() == form_from

    attempt_id = start_exam(browser, cluster.world)
    savers = []
    for position, steps in right_answers(cluster.world, attempt_id).items():
        savers += answer_item(browser, attempt_id, position, steps)
    result = submit(browser, attempt_id)
    assert result.status_code == 200
    assert "Score: 6 of 6 points (100%)" in result.text
    assert set(savers) == {"a", "b"}  # answers were saved by both instances
    answered_by = [tried[-1] for tried in browser.served]
    assert all(x != y for x, y in itertools.pairwise(answered_by)), answered_by
    status, score, max_score, _answers = saved_answers(cluster.world, attempt_id)
    assert (status, score, max_score) == ("graded", 6, 6)


def test_the_request_id_leads_to_the_instance_that_answered(cluster: Cluster) -> None:
    browser = Browser(cluster, "127.0.0.1")
    for _ in range(2):
        response = browser.get("/healthz")
        request_id = response.headers["X-Request-ID"]  # nginx's $request_id, kept by Trainer
        answered = cluster.instances[browser.last()]
        (other,) = (i for name, i in cluster.instances.items() if name != browser.last())
        assert re.fullmatch(r"[0-9a-f]{32}", request_id)
        assert f"[{request_id}] GET /healthz 200" in answered.log.read_text()
        assert request_id not in other.log.read_text()
        # nginx logs a request once its answer has gone: the line may come a moment later.
        access_log = cluster.proxy.folder / "access.log"
        deadline = time.monotonic() + 5
        while f"id={request_id}" not in access_log.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert f"id={request_id}" in access_log.read_text()


def test_a_sign_in_rate_limit_counts_across_instances(cluster: Cluster) -> None:
    guesser = Browser(cluster, "127.0.0.2")  # a client of its own address
    token = csrf(guesser.get("/login").text)
    answers = [
        guesser.post("/login", token, email=LEARNERS[1], password="guess")
        for _ in range(SIGN_IN_LIMIT + 2)
    ]
    statuses = [answer.status_code for answer in answers]
    assert statuses == [200] * SIGN_IN_LIMIT + [429, 429]
    remaining = [answer.headers["X-RateLimit-Remaining"] for answer in answers[:SIGN_IN_LIMIT]]
    assert remaining == [str(n) for n in range(SIGN_IN_LIMIT - 1, -1, -1)]
    counted_by = {tried[-1] for tried in guesser.served[1 : SIGN_IN_LIMIT + 1]}
    assert counted_by == {"a", "b"}  # one budget, spent on both instances
    assert limit_keys(cluster.prefix)  # counted in Redis, not in a process
    # Another address has a budget of its own: the learner still signs in.
    other = Browser(cluster, "127.0.0.3")
    assert other.sign_in(LEARNERS[1]).status_code == 302


def test_an_instance_killed_mid_attempt_loses_no_answer(cluster: Cluster) -> None:
    browser = Browser(cluster, "127.0.0.4")
    assert browser.sign_in(LEARNERS[2]).status_code == 302
    attempt_id = start_exam(browser, cluster.world)
    answers = right_answers(cluster.world, attempt_id)
    before = {
        position: answer_item(browser, attempt_id, position, answers[position], saver)
        for position, saver in ((1, "a"), (2, "b"))
    }
    assert before[1][0] == "a" and before[2][0] == "b"  # the victim saved answers too
    _, _, _, saved = saved_answers(cluster.world, attempt_id)

    victim = cluster.instances["b"]
    victim.kill()
    try:
        served_before = len(browser.served)
        for position in (3, 4):
            answer_item(browser, attempt_id, position, answers[position])
        after = browser.served[served_before:]
        assert all(tried[-1] == "a" for tried in after), after  # every answer: the survivor
        assert ["b", "a"] in after  # nginx tried the dead one, then passed the request on
        result = submit(browser, attempt_id)
        assert result.status_code == 200 and "Score: 6 of 6 points (100%)" in result.text
        status, score, _max, final = saved_answers(cluster.world, attempt_id)
        assert (status, score) == ("graded", 6)
        assert all(final[position] == saved[position] for position in (1, 2))  # none lost
        assert "upstream server temporarily disabled" in cluster.proxy.error_log()
    finally:
        victim.start().wait_ready()


def test_readyz_takes_an_instance_without_its_database_out(
    cluster: Cluster, tmp_path: Path
) -> None:
    """An instance whose database is unreachable says so on /readyz (for an orchestrator's
    active checks) and answers its pages with 503, which nginx's passive check takes out."""
    dead_port = free_port()  # nothing listens there
    broken_url = re.sub(r"@[^/]+/", f"@{HOST}:{dead_port}/", cluster.world.database_url)
    broken = Instance("broken", tmp_path, {**cluster.env, "TRAINER_DATABASE_URL": broken_url})
    healthy = cluster.instances["a"]
    gated = nginx.Nginx(tmp_path / "nginx", [broken.address, healthy.address], free_port())
    try:
        broken.start().wait_ready()
        ready = requests.get(f"http://{broken.address}/readyz", timeout=10)
        assert ready.status_code == 503
        assert ready.json() == {"status": "unavailable", "database": "unreachable"}
        assert requests.get(f"http://{healthy.address}/readyz", timeout=10).status_code == 200

        gated.start()
        browser = Browser(cluster, "127.0.0.5")
        assert browser.sign_in(LEARNERS[0]).status_code == 302  # through the pair
        # The same session through nginx in front of the broken instance and a healthy one.
        browser.cluster = Cluster(cluster.world, cluster.prefix, cluster.env,
                                  {"broken": broken, "a": healthy}, gated)  # fmt: skip
        browser.served = []
        pages = [browser.get("/") for _ in range(6)]
        assert [page.status_code for page in pages] == [200] * 6
        assert all(tried[-1] == "a" for tried in browser.served), browser.served
        tried_broken = [tried for tried in browser.served if "broken" in tried]
        assert tried_broken == [["broken", "a"]]  # once; then left out for fail_timeout

        # What nginx saw from it: a page that says the database is away, and when to retry.
        page = browser.session.get(f"http://{broken.address}/", timeout=10, allow_redirects=False)
        assert page.status_code == 503 and page.headers["Retry-After"] == "5"
        assert "cannot reach its database" in page.text and "Traceback" not in page.text
    finally:
        gated.stop()
        broken.stop()
