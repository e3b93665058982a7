"""Every page of the app in a real browser, as each role: axe-core finds nothing serious or
critical, and none scrolls sideways at 320 px (a table may scroll inside its own box).

The pages come from the URL map, with the ids of the route table's world, as in
test_pages_in_polish: a new page is covered without being listed here.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from tests.browsers import Browsing, sign_in
from tests.routes import rules
from tests.test_browser import take
from tests.test_route_table import ROLES, _url, build_world, signed_in

try:
    from axe_playwright_python.base import AxeResults
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import Browser
except ImportError:  # the `browser` fixture says how to install it, and skips (fails in CI)
    Axe = AxeResults = None

pytestmark = pytest.mark.browser

NARROWEST = {"width": 320, "height": 640}
# The outermost elements reaching past the window's right edge, to say what to fix.
WIDEST = """() => Array.from(document.querySelectorAll("main *"))
  .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1
    && e.parentElement.getBoundingClientRect().right <= window.innerWidth + 1)
  .slice(0, 3).map((e) => e.tagName + "." + e.className + " " + Math.round(
    e.getBoundingClientRect().right) + "px")"""


def html_pages(app: Flask, world: dict, role: str) -> list[str]:
    """The paths `role` gets as an HTML page (200) for a GET, found with the test client
    (which signs in without a CSRF token: the live server's checks are off meanwhile)."""
    app.config["WTF_CSRF_ENABLED"] = False
    client = signed_in(app, None if role == "anonymous" else f"{role}@example.com")
    app.config["WTF_CSRF_ENABLED"] = True
    found = []
    for rule, method in rules(app):
        if method != "GET" or rule.rule.startswith("/api"):
            continue
        url = _url(app, rule, world, role)
        with client.get(url) as response:
            if response.status_code == 200 and response.mimetype == "text/html":
                found.append(url)
    return found


@pytest.fixture
def narrow(browser: Browser, live_server: str) -> Iterator[Browsing]:
    """Browsing at 320 x 640, the narrowest phone still in use."""
    browsing = Browsing(browser, live_server, NARROWEST)
    yield browsing
    browsing.close()


@pytest.mark.parametrize("role", ROLES)
def test_every_page_is_accessible_and_fits_320_px(
    narrow: Browsing, synced: Flask, role: str
) -> None:
    world = build_world(synced)
    pages = html_pages(synced, world, role)
    if role == "learner":  # a graded attempt's result, which the world has none of
        graded = take(synced, world["people"]["learner"], "sprawdzian", right=True)
        pages.append(f"/attempts/{graded}/result")
    page = narrow.page()
    if role != "anonymous":
        sign_in(page, f"{role}@example.com")
    reports, too_wide = [], []
    for path in pages:
        response = page.goto(path)
        assert response is not None and response.status == 200, f"{path} as {role}"
        wide, room = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if wide > room:
            culprits = page.evaluate(WIDEST)
            too_wide.append(f"{path}: {wide} px wide in a {room} px window; widest: {culprits}")
        violations = Axe().run(page).response["violations"]
        serious = [v for v in violations if v["impact"] in ("serious", "critical")]
        if serious:
            report = AxeResults({"violations": serious}).generate_report()
            reports.append(f"== {path}\n{report}")
    assert len(pages) > 3
    problems = [*too_wide, *reports]
    assert not problems, f"as {role} at 320 px:\n" + "\n".join(problems)
    assert not narrow.errors, "the console shows errors:\n" + "\n".join(narrow.errors)
