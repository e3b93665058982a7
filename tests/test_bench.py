"""The benchmarks' arguments and path table (they run by hand: bench/README.md)."""

import asyncio
import importlib.util
import os
import shutil
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "bench" / "run.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_run", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_issue_s_paths_in_order_with_their_expected_status(bench) -> None:
    assert list(bench.PATHS) == [
        "lesson", "dashboard", "quiz", "answer", "submit", "report", "api", "verify", "signin",
    ]  # fmt: skip
    expected = {name: path.expected for name, path in bench.PATHS.items()}
    assert {name for name, status in expected.items() if status == 302} == {
        "answer", "submit", "signin",
    }  # fmt: skip
    assert set(expected.values()) == {200, 302}


def test_defaults_and_quick(bench) -> None:
    full = bench.parse_args(["--load", "python"])
    assert (full.learners, full.duration, full.connections, full.repetitions) == (
        10_000, 10.0, 16, 3,
    )  # fmt: skip
    assert full.paths == tuple(bench.PATHS) and full.database_url is None
    assert not full.exports and bench.parse_args(["--exports", "--load", "python"]).exports
    quick = bench.parse_args(["--quick", "--load", "python"])
    assert quick.quick and quick.learners < full.learners and quick.duration < full.duration
    runs = 2 * len(bench.PATHS) * quick.repetitions  # each path after its baseline run
    assert runs * quick.duration + len(bench.PATHS) * quick.warmup < 150  # under 3 minutes
    chosen = bench.parse_args(
        ["--paths", "signin, api", "--database-url", "postgresql://x/y", "--load", "python"]
    )
    assert chosen.paths == ("signin", "api") and chosen.database_url == "postgresql://x/y"


def test_the_load_generator_is_wrk_only_when_installed(bench) -> None:
    expected = "wrk" if shutil.which("wrk") else "python"
    assert bench.parse_args([]).load == expected
    assert bench.parse_args(["--load", "python"]).load == "python"


class Recorder(BaseHTTPRequestHandler):
    """Answers 200 to anything, and notes the path asked for."""

    def do_GET(self) -> None:
        self.server.paths.append(self.path)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.send_header("Connection", "close")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    server.paths = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


TARGETS = [f"/r{n}" for n in range(10_000)]


def requests_from(paths: list[str]) -> set[int]:
    return {int(path.removeprefix("/r")) for path in paths}


def settled(paths: list[str]) -> list[str]:
    """`paths` once the server has stopped adding to them: wrk may exit with a request sent
    that a server thread has yet to note (seen on a busy machine)."""
    while True:
        seen = len(paths)
        time.sleep(0.2)
        if len(paths) == seen:
            return paths


def test_the_asyncio_client_goes_on_from_where_the_last_run_stopped(bench, recorder) -> None:
    """A submit's request grades its attempt once: the next run must not send it again."""
    settings = bench.parse_args(["--connections", "2"])
    requests = [bench.Request("GET", target) for target in TARGETS]
    port = recorder.server_address[1]
    first = asyncio.run(bench._python_load(port, requests, 200, 0.3, settings, 0))
    sent = requests_from(recorder.paths)
    recorder.paths.clear()
    second = asyncio.run(bench._python_load(port, requests, 200, 0.3, settings, first.next_request))
    assert first.requests and second.requests and not first.errors
    assert max(sent) < first.next_request <= min(requests_from(recorder.paths))


def test_wrk_goes_on_from_where_the_last_run_stopped(bench, recorder) -> None:
    if not shutil.which("wrk"):
        if os.environ.get("TRAINER_REQUIRE_WRK") == "1":
            pytest.fail("wrk is not installed; TRAINER_REQUIRE_WRK=1 requires it", pytrace=False)
        pytest.skip("wrk is not installed (apt-get install wrk)")
    requests = [bench.Request("GET", target) for target in TARGETS]
    port = recorder.server_address[1]
    first = bench._wrk(port, requests, 200, 1, 2, 0)
    sent = requests_from(settled(recorder.paths))
    recorder.paths.clear()
    second = bench._wrk(port, requests, 200, 1, 2, first.next_request)
    assert first.requests and second.requests and not first.errors
    assert max(sent) < first.next_request <= min(requests_from(settled(recorder.paths)))


def test_several_instances_share_a_postgresql_database(bench) -> None:
    assert bench.parse_args(["--load", "python"]).instances == 1
    with pytest.raises(SystemExit):
        bench.parse_args(["--instances", "2", "--load", "python"])  # not on SQLite


@pytest.mark.parametrize(
    "argv",
    [["--paths", "lesson,nowhere"], ["--paths", ","], ["--duration", "0"], ["--learners", "-5"],
     ["--load", "curl"], ["--instances", "0"]],
)  # fmt: skip
def test_bad_arguments_are_refused(bench, argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        bench.parse_args(argv)
    assert exit_.value.code == 2


def test_a_request_is_plain_http(bench) -> None:
    raw = bench.Request("POST", "/login", (("Cookie", "session=x"),), "a=1&b=%40").raw()
    head, body = raw.split(b"\r\n\r\n")
    assert head.startswith(b"POST /login HTTP/1.1\r\n") and body == b"a=1&b=%40"
    assert b"Content-Length: 9" in head and b"Cookie: session=x" in head


@pytest.fixture(scope="module")
def http_exports():
    from bench import http_exports

    return http_exports


def test_http_exports_sizes_and_formats(http_exports) -> None:
    """bench/http_exports.py: the issue's sizes by default, a quick run without the million,
    and bad sizes or formats refused before anything starts."""
    full = http_exports.parse_args([])
    assert full.rows == (5_000, 10_000, 1_000_000)
    assert full.formats == ("csv", "csv-excel", "xlsx", "xapi")
    assert http_exports.parse_args(["--quick"]).rows == (5_000, 10_000)
    chosen = http_exports.parse_args(["--rows", "100,200", "--formats", "csv,xlsx"])
    assert (chosen.rows, chosen.formats) == ((100, 200), ("csv", "xlsx"))
    for bad in (["--rows", "200,100"], ["--rows", "0"], ["--rows", "many"],
                ["--formats", "pdf"], ["--base", "0"]):  # fmt: skip
        with pytest.raises(SystemExit):
            http_exports.parse_args(bad)
