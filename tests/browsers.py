"""The browser the browser tests share: one headless Chromium for the whole run (a second
Playwright could not start beside it), the live server, pages with their console errors.

Chromium comes from Debian's `chromium` package and Playwright from the test extra. Without
them the browser tests skip, unless TRAINER_REQUIRE_BROWSER=1 (set in CI) makes them fail.
Registered for every test module by tests/conftest.py (`pytest_plugins`).
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.conftest import PASSWORD

try:
    from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright
except ImportError:  # the `browser` fixture explains how to install them
    sync_playwright = None

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip
TIMEOUT_MS = 10_000  # a step that takes longer is broken; fail sooner than the default 30 s


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Chromium for the whole run; skipped (or failed, in CI) when it is missing."""
    missing = [
        what
        for what, absent in (
            (f"Chromium at {CHROMIUM} (apt-get install chromium)", not Path(CHROMIUM).exists()),
            ("Playwright (pip install -e '.[test]')", sync_playwright is None),
        )
        if absent
    ]
    if missing:
        message = "browser tests need " + " and ".join(missing)
        if os.environ.get("TRAINER_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{message}; TRAINER_REQUIRE_BROWSER=1 requires them", pytrace=False)
        pytest.skip(message)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def live_server(synced: Flask) -> Iterator[str]:
    """The base URL of the app (sample course loaded, CSRF on), served from a thread.

    Built on conftest's `app`, so the rows are deleted after the test, once this stops.
    """
    synced.config["WTF_CSRF_ENABLED"] = True
    server = make_server("127.0.0.1", 0, synced, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    server.server_close()


class Browsing:
    """Pages in fresh browser contexts on the live server; console errors are collected."""

    def __init__(self, browser: Browser, base_url: str, viewport: dict[str, int]) -> None:
        self.browser, self.base_url, self.viewport = browser, base_url, viewport
        self.contexts: list[BrowserContext] = []
        self.errors: list[str] = []

    def page(self, javascript: bool = True, time_zone: str = "Europe/Warsaw") -> Page:
        context = self.browser.new_context(
            base_url=self.base_url,
            viewport=self.viewport,
            locale="pl-PL",
            timezone_id=time_zone,
            java_script_enabled=javascript,
        )
        context.set_default_timeout(TIMEOUT_MS)
        self.contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: self._console(page, message))
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))
        return page

    def _console(self, page: Page, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"{page.url}: {message.text}")

    def close(self) -> None:
        for context in self.contexts:
            context.close()


def expect_path(page: Page, pattern: str) -> re.Match[str]:
    """Wait until the page at a path matching `pattern` (a regex) has loaded; return the match."""
    url = re.compile(rf"^https?://[^/]+{pattern}$")
    page.wait_for_url(url)
    return url.match(page.url)


def sign_in(page: Page, email: str) -> None:
    """Sign in through the form (its script sends the browser's time zone along)."""
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Hasło", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Zaloguj się").click()
    expect_path(page, "/")
