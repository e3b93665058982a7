"""A small LRS on loopback that answers as it is told: the statements resource, strictly.

It keeps what it accepts by id; a batch holding an id it already has is refused whole with
409, as a strict LRS may (Ralph accepts identical copies quietly); a statement without
an actor is a 400. `script` holds statuses to answer the next requests with instead.
"""

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

USERNAME, PASSWORD = "trainer", "1e5"  # a password JSON would read as a number


@dataclass
class Seen:
    method: str
    path: str
    authorization: str | None
    version: str | None
    body: Any


@dataclass
class FakeLrs:
    url: str = ""
    stored: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[Seen] = field(default_factory=list)
    script: list[int] = field(default_factory=list)

    def answer(self, method: str, path: str, body: Any) -> int:
        if self.script:
            return self.script.pop(0)
        parts = urlsplit(path)
        if parts.path != "/xAPI/statements":
            return 404
        if method == "PUT":
            (statement_id,) = parse_qs(parts.query)["statementId"]
            batch = [{**body, "id": statement_id}]
        else:
            batch = body if isinstance(body, list) else [body]
        if any("actor" not in statement for statement in batch):
            return 400
        if any(statement["id"] in self.stored for statement in batch):
            return 409
        for statement in batch:
            self.stored[statement["id"]] = statement
        return 204 if method == "PUT" else 200

    @property
    def sent_ids(self) -> list[str]:
        """Every statement id in every request, in order (repeats included)."""
        ids = []
        for seen in self.requests:
            if seen.method == "PUT":
                ids.append(parse_qs(urlsplit(seen.path).query)["statementId"][0])
            elif isinstance(seen.body, list):
                ids += [statement["id"] for statement in seen.body]
        return ids


def basic(username: str = USERNAME, password: str = PASSWORD) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


@contextmanager
def running() -> Iterator[FakeLrs]:
    lrs = FakeLrs()

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"null")
            lrs.requests.append(Seen(
                self.command, self.path, self.headers.get("Authorization"),
                self.headers.get("X-Experience-API-Version"), body,
            ))  # fmt: skip
            if self.headers.get("Authorization") != basic():
                status = 401
            else:
                status = lrs.answer(self.command, self.path, body)
            payload = b"" if status == 204 else json.dumps({"status": status}).encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_POST = do_PUT = _handle

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    lrs.url = f"http://127.0.0.1:{server.server_address[1]}/xAPI"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield lrs
    finally:
        server.shutdown()
        server.server_close()
