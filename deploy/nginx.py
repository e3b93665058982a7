"""nginx in front of several Trainer instances: the site configuration, and a runner.

`site()` is the configuration the README's deployment section shows (print it with
`python deploy/nginx.py 127.0.0.1:8001 127.0.0.1:8002`); `Nginx` runs Debian's nginx in the
foreground with that site, wrapped in a main configuration whose pid, logs and temporary
files live in one folder. `tests/test_scaleout.py` and `bench/run.py --instances 2` both run
it on loopback, so what is tested and measured is what the README tells you to deploy.

Only the standard library: the tests, the benchmark and a deployment script can import it.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

NGINX = "/usr/sbin/nginx"  # Debian's `nginx` package
# How long nginx leaves an instance out after a failed request (passive health check).
FAIL_TIMEOUT_SECONDS = 10

_SITE = """\
# Trainer behind nginx: its gunicorn instances, round robin.
upstream trainer {{
    # nginx (the open-source one) has no active health checks: an instance is left out for
    # fail_timeout after a request to it failed as proxy_next_upstream says (refused, timed
    # out, 502/503/504; Trainer answers 503 when its database does not). /readyz is for an
    # orchestrator or a load balancer that does check actively.
{servers}
}}

server {{
    listen {listen};
    server_name {server_name};

    client_max_body_size 5m;      # Trainer's MAX_CONTENT_LENGTH: refused here, not upstream
    client_header_timeout 10s;    # a client that sends nothing waits on nginx, not on a worker
    client_body_timeout 10s;

    location / {{
        proxy_pass http://trainer;
        proxy_http_version 1.1;
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;  # TRUSTED_PROXIES=1
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Request-ID $request_id;  # the same id in nginx's and Trainer's logs

        # Buffering both ways (nginx's defaults, stated): a request reaches gunicorn whole,
        # and an answer leaves it at once, however slow the client.
        proxy_request_buffering on;
        proxy_buffering on;

        proxy_connect_timeout 2s;
        proxy_read_timeout 60s;       # above gunicorn's 30 s worker timeout
        # A refused connection, a timeout or a 502/503/504 goes to the next instance. A POST
        # already sent is never sent twice (no `non_idempotent`): it might have been saved.
        proxy_next_upstream error timeout http_502 http_503 http_504;
        proxy_next_upstream_timeout 10s;
{extra}    }}
}}
"""

_MAIN = """\
# Written by deploy/nginx.py: everything nginx writes stays in {folder}.
{user}daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;

events {{
    worker_connections 1024;
}}

http {{
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    log_format upstream '$remote_addr [$time_local] "$request" $status $body_bytes_sent '
                        '$request_time upstream=$upstream_addr ($upstream_status) '
                        'id=$request_id';
    access_log {folder}/access.log upstream;

{site}}}
"""


def site(
    upstreams: Sequence[str],
    listen: str = "80",
    server_name: str = "trainer.example.com",
    served_by: bool = False,
) -> str:
    """The `upstream` and `server` blocks for Trainer instances at `upstreams` (host:port).

    `served_by` adds an `X-Served-By` header naming the instance(s) that answered (the
    tests read it; it shows internal addresses, so a deployment leaves it out).
    """
    servers = "\n".join(
        f"    server {address} max_fails=1 fail_timeout={FAIL_TIMEOUT_SECONDS}s;"
        for address in upstreams
    )
    extra = "        add_header X-Served-By $upstream_addr always;\n" if served_by else ""
    return _SITE.format(servers=servers, listen=listen, server_name=server_name, extra=extra)


def main_config(site_text: str, folder: Path) -> str:
    """A whole nginx configuration around `site_text`, writing only inside `folder`."""
    # As root, nginx's workers would run as `nobody`, who cannot enter a private folder.
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};\n" if os.geteuid() == 0 else ""
    lines = site_text.splitlines(keepends=True)
    indented = "".join(f"    {line}" if line.strip() else line for line in lines)
    return _MAIN.format(folder=folder, user=user, site=indented)


def available() -> bool:
    """Whether Debian's nginx is installed."""
    return Path(NGINX).is_file() or shutil.which("nginx") is not None


class Nginx:
    """nginx in the foreground on `host:port`, in front of `upstreams`, files in `folder`."""

    def __init__(
        self, folder: Path, upstreams: Sequence[str], port: int, host: str = "127.0.0.1"
    ) -> None:
        self.folder, self.host, self.port = folder, host, port
        self.url = f"http://{host}:{port}"
        folder.mkdir(parents=True, exist_ok=True)
        self.config = folder / "nginx.conf"
        text = site(upstreams, f"{host}:{port}", "localhost", served_by=True)
        self.config.write_text(main_config(text, folder))
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 15) -> Nginx:
        binary = NGINX if Path(NGINX).is_file() else shutil.which("nginx") or NGINX
        command = [binary, "-p", str(self.folder), "-e", str(self.folder / "error.log"),
                   "-c", str(self.config)]  # fmt: skip
        check = subprocess.run([*command, "-t", "-q"], capture_output=True, text=True, check=False)
        if check.returncode != 0:
            raise RuntimeError(f"nginx refused its configuration: {check.stderr}")
        with (self.folder / "stderr.log").open("wb") as stderr:
            self.process = subprocess.Popen(command, stdout=stderr, stderr=stderr)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx stopped: {self.error_log()}")
            try:
                socket.create_connection((self.host, self.port), 1).close()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"nginx did not listen on {self.port} in {timeout} s")

    def error_log(self) -> str:
        path = self.folder / "error.log"
        return path.read_text()[-3000:] if path.exists() else ""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGQUIT)  # graceful: finish what is in flight
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


if __name__ == "__main__":
    print(site(sys.argv[1:] or ["127.0.0.1:8001", "127.0.0.1:8002"]), end="")
