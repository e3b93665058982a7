"""A real browser (headless Chromium) on the learner's path: register, lesson, quiz, result;
times in the learner's zone, the course outline, and a phone that holds.

Chromium comes from Debian's `chromium` package and Playwright from the test extra. Without
them these tests skip, unless TRAINER_REQUIRE_BROWSER=1 (set in CI) makes them fail.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask, request_finished
from flask import request as flask_request

from tests.browsers import Browsing, expect_path, sign_in
from tests.conftest import PASSWORD
from tests.people.mailbox import Mailbox, link_in
from trainer.extensions import db
from trainer.learning import attempts
from trainer.models import Attempt, AttemptItem, Question, QuestionOption, Quiz

try:
    from axe_playwright_python.base import AxeResults
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import (
        Browser,
        Page,
        expect,
        sync_playwright,
    )
except ImportError:  # the `browser` fixture explains how to install them
    sync_playwright = None

pytestmark = pytest.mark.browser

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 360, "height": 740}}

# What a learner sees: the Polish interface (trainer/translations/pl) and the sample course.
MARKETS = {"B2B": "B2B: sprzedaż firmie", "B2C": "B2C: sprzedaż konsumentowi"}
# A phrase of each scenario's situation -> its market, right approach and that one's feedback.
SCENARIOS = {
    "kierownik magazynu": (
        "B2B", "Przygotuję argumenty dla każdej z trzech osób.", "Tak, decyduje zespół.",
    ),
    "Pani Ewa": (
        "B2C", "Pokażę, jak ekspres umili jej poranki.", "Tak, decyduje sama i emocje grają rolę.",
    ),
}  # fmt: skip

Visit = Callable[["Page", str], None]


@pytest.fixture(params=list(VIEWPORTS))
def browsing(
    browser: Browser, live_server: str, request: pytest.FixtureRequest
) -> Iterator[Browsing]:
    """Browsing on a desktop, then on a phone."""
    browsing = Browsing(browser, live_server, VIEWPORTS[request.param])
    yield browsing
    browsing.close()


def take_the_course(
    page: Page, javascript: bool, mailbox: Mailbox, visit: Visit | None = None
) -> None:
    """Register (the e-mailed link sets the password), open a lesson, mark it done, take its
    two-item quiz, see result and progress.

    `visit(page, name)` is called on every page of the way, once it has loaded.
    """
    visit = visit or (lambda page, name: None)
    page.goto("/register")
    expect(page.locator("input[name=csrf_token]").first).not_to_have_value("")  # CSRF is on
    visit(page, "register")
    page.get_by_label("Imię i nazwisko").fill("Ala Nowak")
    page.get_by_label("E-mail").fill("ala@example.com")
    page.get_by_role("button", name="Wyślij mi link").click()
    expect(page.get_by_role("heading", name="Sprawdź skrzynkę e-mail")).to_be_visible()
    [message] = mailbox.wait_for(1)
    page.goto(link_in(message))
    visit(page, "choose a password")
    page.get_by_label("Nowe hasło", exact=True).fill(PASSWORD)
    page.get_by_label("Powtórz nowe hasło").fill(PASSWORD)
    page.get_by_role("button", name="Załóż konto").click()

    expect_path(page, "/")
    expect(page.get_by_text("Witaj w Trainerze!")).to_be_visible()
    visit(page, "dashboard")
    page.get_by_role("link", name="Kurs próbny", exact=True).click()
    expect_path(page, "/courses/sample")
    visit(page, "course")
    page.get_by_role("link", name="Różnice w procesie decyzyjnym").click()
    expect_path(page, "/courses/sample/lessons/proces-decyzyjny")
    visit(page, "lesson")
    page.get_by_role("button", name="Oznacz jako ukończoną").click()

    expect_path(page, r"/quizzes/\d+")
    expect(page.get_by_text("Lekcja oznaczona jako ukończona.")).to_be_visible()
    expect(page.get_by_role("heading", name="Sprawdzian")).to_be_visible()
    visit(page, "quiz intro")
    page.get_by_role("button", name="Rozpocznij test").click()
    attempt = expect_path(page, r"/attempts/(\d+)/items/1").group(1)
    feedback = [answer_item(page, attempt, position, javascript, visit) for position in (1, 2)]

    expect_path(page, f"/attempts/{attempt}")
    visit(page, "review")
    page.get_by_role("button", name="Oddaj do oceny").click()
    expect_path(page, f"/attempts/{attempt}/result")
    expect(page.get_by_text("Wynik: 4 z 4 pkt (100%)")).to_be_visible()
    expect(page.get_by_text("Zaliczone", exact=True)).to_be_visible()
    for position, text in enumerate(feedback, start=1):
        item = page.get_by_role("article", name=f"Pytanie {position} · 2 z 2 pkt")
        expect(item.get_by_text(text)).to_be_visible()
    visit(page, "result")

    page.get_by_role("link", name="Kurs próbny", exact=True).click()
    expect_path(page, "/courses/sample")
    expect(page.get_by_text("Ukończone lekcje: 1 z 2")).to_be_visible()
    visit(page, "course after the quiz")
    page.get_by_role("link", name="Pulpit").click()
    expect_path(page, "/")
    expect(page.get_by_text("Ukończone lekcje: 1 z 2")).to_be_visible()
    progress = page.get_by_role("progressbar", name="Postęp w kursie Kurs próbny")
    expect(progress).to_have_attribute("value", "1")
    visit(page, "dashboard after the quiz")


def answer_item(page: Page, attempt: str, position: int, javascript: bool, visit: Visit) -> str:
    """Answer one scenario of a lesson's check rightly in its two steps, see its feedback at
    once, and go on; return the feedback the result shows."""
    url = expect_path(page, f"/attempts/{attempt}/items/{position}").group(0)
    step_1 = page.locator(f'form[action$="/attempts/{attempt}/items/{position}/market"]')
    step_2 = page.locator(f'form[action$="/attempts/{attempt}/items/{position}/option"]')
    expect(step_1).to_be_visible()
    expect(step_2).to_be_hidden()
    phrase = next((phrase for phrase in SCENARIOS if page.get_by_text(phrase).count()), None)
    assert phrase, f"item {position} is none of the sample course's scenarios"
    market, approach, feedback = SCENARIOS[phrase]
    visit(page, f"quiz item {position}")

    step_1.get_by_role("radio", name=MARKETS[market]).check()
    if javascript:
        page.evaluate("window.stillTheSamePage = true")
    step_1.get_by_role("button", name="Zapisz i pokaż krok 2").click()
    expect(step_2).to_be_visible()
    if javascript:
        expect(
            page.get_by_role("status").filter(has_text="Zapisano. Teraz krok 2.")
        ).to_be_visible()
        assert page.url == url
        assert page.evaluate("window.stillTheSamePage === true"), "the page reloaded"
        # The keyboard is on step 2's first answer, and step 2 is in view.
        expect(step_2.get_by_role("radio").first).to_be_focused()
        expect(step_2).to_be_in_viewport()
    else:
        expect(page).to_have_url(f"{url}#step-2")
    visit(page, f"quiz item {position}, step 2")

    step_2.get_by_role("radio", name=approach).check()
    step_2.get_by_role("button", name="Sprawdź odpowiedź").click()
    # A lesson's check says at once whether the answer was right, and why.
    verdict = page.locator("#feedback")
    expect(verdict.get_by_role("heading", name=re.compile("^Dobrze!"))).to_be_visible()
    expect(verdict.get_by_text(feedback)).to_be_visible()
    if javascript:
        expect(verdict).to_be_focused()
        assert page.evaluate("window.stillTheSamePage === true"), "the page reloaded"
    visit(page, f"quiz item {position}, feedback")
    onward = "Następne pytanie" if position == 1 else "Przejrzyj i oddaj"
    verdict.get_by_role("link", name=onward).click()
    expect(page).not_to_have_url(re.compile(rf"/items/{position}(#.*)?$"))
    return feedback


def sideways_scroll(pages: list[str]) -> Visit:
    """A visit that notes, in `pages`, each page wider than the window (it scrolls sideways)."""

    def measure(page: Page, name: str) -> None:
        width, room = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if width > room:
            pages.append(f"{name} ({page.url}): {width} px wide in a {room} px window")

    return measure


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_learner_takes_the_quiz(browsing: Browsing, mailbox: Mailbox, javascript: bool) -> None:
    """The whole path works; no page scrolls sideways; no JS error or CSP violation is logged."""
    too_wide: list[str] = []
    page = browsing.page(javascript)
    take_the_course(page, javascript, mailbox, visit=sideways_scroll(too_wide))
    assert not too_wide, "pages scroll sideways:\n" + "\n".join(too_wide)
    assert not browsing.errors, "the console shows errors:\n" + "\n".join(browsing.errors)


def test_no_serious_accessibility_violations(browsing: Browsing, mailbox: Mailbox) -> None:
    """axe-core finds nothing serious or critical on the pages a learner spends time on."""
    scanned = {
        "dashboard", "course", "lesson", "quiz item 1", "quiz item 1, step 2",
        "quiz item 1, feedback", "result",
    }  # fmt: skip
    reports: list[str] = []

    def scan(page: Page, name: str) -> None:
        if name not in scanned:
            return
        violations = Axe().run(page).response["violations"]
        serious = [v for v in violations if v["impact"] in ("serious", "critical")]
        if serious:
            report = AxeResults({"violations": serious}).generate_report()
            reports.append(f"== {name} ({page.url})\n{report}")

    take_the_course(browsing.page(), javascript=True, mailbox=mailbox, visit=scan)
    assert not reports, "\n\n".join(reports)


# Times in the learner's zone with a countdown, the course outline's statuses, and a phone
# (390 x 844) that never scrolls sideways on the learner's pages.

PHONE = {"width": 390, "height": 844}
NARROW_WIDTHS = (390, 320)  # a common phone, and the narrowest still in use


@pytest.fixture
def phone(browser: Browser, live_server: str) -> Iterator[Browsing]:
    """Browsing on a 390 x 844 phone."""
    browsing = Browsing(browser, live_server, PHONE)
    yield browsing
    browsing.close()


def quiz_by_slug(app: Flask, slug: str, **fields: object) -> int:
    with app.app_context():
        quiz = db.session.execute(db.select(Quiz).where(Quiz.slug == slug)).scalar_one()
        for name, value in fields.items():
            setattr(quiz, name, value)
        db.session.commit()
        return quiz.id


def take(app: Flask, user_id: int, slug: str, right: bool, submit: bool = True) -> int:
    """An attempt at a quiz answered all right or all wrong (submitted unless told)."""
    with app.app_context():
        quiz = db.session.execute(db.select(Quiz).where(Quiz.slug == slug)).scalar_one()
        attempt = attempts.start_attempt(user_id, quiz, random.Random(1))
        for item in attempt.items:
            question = item.question
            if question.market:
                wrong = "B2C" if question.market == "B2B" else "B2B"
                attempts.save_answer(attempt, item, "market", question.market if right else wrong)
            option = next(o for o in question.options if o.is_correct == right)
            attempts.save_answer(attempt, item, "option", str(option.id))
        if submit:
            attempts.submit(attempt)
        db.session.commit()
        return attempt.id


def deadline_of(app: Flask, attempt_id: int) -> datetime:
    with app.app_context():
        limit = attempts.deadline(db.session.get(Attempt, attempt_id))
        assert limit is not None
        return limit


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_a_timed_exam_shows_local_time_and_counts_down(
    browsing: Browsing, synced: Flask, make_user, javascript: bool
) -> None:
    make_user("ala@example.com")
    exam = quiz_by_slug(synced, "egzamin", time_limit_minutes=30)
    page = browsing.page(javascript, time_zone="Asia/Tokyo")
    sign_in(page, "ala@example.com")
    if javascript:  # the first sign-in took the browser's zone, and said so
        expect(page.get_by_text("Asia/Tokyo")).to_be_visible()
    page.goto(f"/quizzes/{exam}")
    page.get_by_role("button", name="Rozpocznij test").click()
    attempt = expect_path(page, r"/attempts/(\d+)/items/1").group(1)

    # Without the script's zone the account keeps the site's: Warsaw.
    zone = ZoneInfo("Asia/Tokyo" if javascript else "Europe/Warsaw")
    local = deadline_of(synced, int(attempt)).astimezone(zone)
    expect(page.get_by_text(f"Czas upływa o {local:%H:%M} {local.tzname()}.")).to_be_visible()
    timer = page.get_by_role("timer")
    if javascript:
        expect(timer).to_have_text(re.compile(r"^Zostało: (30:00|29:[0-5]\d)$"))
        first = timer.inner_text()
        expect(timer).not_to_have_text(first)  # it counts
    else:
        expect(timer).to_be_hidden()

    page.goto("/")
    card = page.get_by_role("link", name=re.compile(r"^Wróć do egzaminu — zostało (30|29) min$"))
    expect(card).to_be_visible()
    card.click()
    expect_path(page, f"/attempts/{attempt}/items/1")


def test_the_outline_shows_a_pass_and_a_fail(browsing: Browsing, synced: Flask, make_user) -> None:
    learner = make_user("ala@example.com")
    quiz_by_slug(synced, "egzamin", cooldown_minutes=60)
    take(synced, learner, "sprawdzian", right=True)
    failed = take(synced, learner, "egzamin", right=False)
    page = browsing.page()
    sign_in(page, "ala@example.com")
    page.goto("/courses/sample")

    rows = page.get_by_role("list", name="Plan kursu").get_by_role("listitem")
    expect(rows).to_have_count(4)
    check = rows.filter(has=page.get_by_role("link", name="Sprawdzian", exact=True))
    expect(check).to_contain_text("✓ zaliczone, 100%")
    exam = rows.filter(has=page.get_by_role("link", name="Egzamin", exact=True))
    with synced.app_context():
        submitted = db.session.get(Attempt, failed).submitted_at
    until = (submitted + timedelta(minutes=60)).astimezone(ZoneInfo("Europe/Warsaw"))
    expect(exam).to_contain_text("✗ niezaliczone, 0%")
    expect(exam).to_contain_text(f"kolejna próba po {until:%H:%M} {until.tzname()}")
    # The next step: the first lesson, not yet read.
    next_step = page.locator('.outline [aria-current="step"]')
    expect(next_step).to_have_count(1)
    expect(next_step).to_contain_text("Wstęp")
    expect(next_step).to_contain_text("Następny krok")
    expect(rows.first).to_contain_text("nierozpoczęte")
    progress = page.get_by_role("progressbar", name="Postęp w kursie Kurs próbny")
    assert progress.bounding_box()["height"] >= 16  # a bar people can see


def test_a_phone_never_scrolls_sideways_on_the_learners_pages(
    phone: Browsing, synced: Flask, make_user
) -> None:
    learner = make_user("ala@example.com", name="Aleksandra Wiśniewska-Grzybowska")
    take(synced, learner, "sprawdzian", right=False)
    quiz_by_slug(synced, "egzamin", time_limit_minutes=45)
    running = take(synced, learner, "egzamin", right=True, submit=False)
    page = phone.page()
    sign_in(page, "ala@example.com")
    too_wide = []
    for path in (
        "/",
        "/courses/sample",
        "/courses/sample/lessons/proces-decyzyjny",
        "/courses/sample/mastery",
        f"/attempts/{running}/items/1",
        f"/attempts/{running}",
        "/account",
    ):
        for width in NARROW_WIDTHS:
            page.set_viewport_size({**PHONE, "width": width})
            page.goto(path)
            wide, room = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            if wide > room:
                too_wide.append(f"{path}: {wide} px wide in a {room} px window")
    assert not too_wide, "pages scroll sideways:\n" + "\n".join(too_wide)
    assert not phone.errors, "the console shows errors:\n" + "\n".join(phone.errors)


def in_view(page: Page, selector: str) -> bool:
    """Whether the whole element is within the window, top to bottom and side to side."""
    return page.evaluate(
        """(selector) => { const box = document.querySelector(selector).getBoundingClientRect();
        return box.top >= 0 && box.left >= 0 && box.bottom <= window.innerHeight
            && box.right <= window.innerWidth; }""",
        selector,
    )


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_a_phone_keeps_the_situation_in_view_for_step_2(
    phone: Browsing, synced: Flask, make_user, javascript: bool
) -> None:
    make_user("ala@example.com")
    check = quiz_by_slug(synced, "sprawdzian")
    page = phone.page(javascript)
    sign_in(page, "ala@example.com")
    page.goto(f"/quizzes/{check}")
    page.get_by_role("button", name="Rozpocznij test").click()
    attempt = expect_path(page, r"/attempts/(\d+)/items/1").group(1)
    step_2 = page.locator(f'form[action$="/attempts/{attempt}/items/1/option"]')
    phrase = next(phrase for phrase in SCENARIOS if page.get_by_text(phrase).count())
    market, approach, _feedback = SCENARIOS[phrase]
    page.get_by_role("radio", name=MARKETS[market]).check()
    page.get_by_role("button", name="Zapisz i pokaż krok 2").click()
    expect(step_2).to_be_visible()
    first = step_2.get_by_role("radio").first
    if javascript:
        expect(first).to_be_focused()
    else:
        expect(page).to_have_url(re.compile(r"#step-2$"))
    expect(first).to_be_in_viewport()
    assert in_view(page, ".quiz-item .situation"), "the situation left the screen at step 2"
    # Further down step 2, at its button, the situation is still there to read.
    button = step_2.get_by_role("button")
    button.scroll_into_view_if_needed()
    expect(button).to_be_in_viewport()
    assert in_view(page, ".quiz-item .situation"), "the situation scrolled away in step 2"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    step_2.get_by_role("radio", name=approach).check()
    assert not phone.errors, "the console shows errors:\n" + "\n".join(phone.errors)


def long_attempt(app: Flask, user_id: int, items: int) -> int:
    """An open attempt of `items` items: the final exam's own, then copies of its questions
    (a long exam, which the sample course is too small to draw)."""
    with app.app_context():
        quiz = db.session.execute(db.select(Quiz).where(Quiz.slug == "egzamin")).scalar_one()
        attempt = attempts.start_attempt(user_id, quiz, random.Random(1))
        model = attempt.items[0].question
        for position in range(len(attempt.items) + 1, items + 1):
            copy = Question(
                course_id=model.course_id, key=f"{model.key}-copy-{position}", type=model.type,
                dimension=model.dimension, difficulty=model.difficulty, market=model.market,
                signals=model.signals, situation=model.situation, prompt=model.prompt,
                explanation=model.explanation, details=model.details, status=model.status,
                options=[
                    QuestionOption(position=o.position, text=o.text, is_correct=o.is_correct)
                    for o in model.options
                ],
            )  # fmt: skip
            db.session.add(copy)
            db.session.flush()
            order = [option.id for option in copy.options]
            db.session.add(
                AttemptItem(
                    attempt_id=attempt.id,
                    question_id=copy.id,
                    position=position,
                    option_order=order,
                )
            )
        db.session.commit()
        return attempt.id


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_a_phone_shows_a_long_exams_numbers_in_one_row(
    phone: Browsing, synced: Flask, make_user, javascript: bool
) -> None:
    learner = make_user("ala@example.com")
    attempt = long_attempt(synced, learner, items=16)
    page = phone.page(javascript)
    sign_in(page, "ala@example.com")
    page.set_viewport_size({**PHONE, "width": 320})
    page.goto(f"/attempts/{attempt}/items/12")
    numbers = page.locator(".item-nav ol a")
    expect(numbers).to_have_count(16)
    tops = {round(box["y"]) for box in (link.bounding_box() for link in numbers.all()) if box}
    assert len(tops) == 1, f"the numbers take {len(tops)} rows"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # The situation and step 1's answers fit on the first screen, under the numbers.
    expect(page.locator(".quiz-item .situation")).to_be_in_viewport(ratio=1)
    expect(page.get_by_role("radio").last).to_be_in_viewport(ratio=1)
    current = page.locator('.item-nav [aria-current="step"]')
    if javascript:  # scrolled to, within the row
        row = page.locator(".item-nav ol").bounding_box()
        box = current.bounding_box()
        assert row["x"] <= box["x"] and box["x"] + box["width"] <= row["x"] + row["width"]
    assert not phone.errors, "the console shows errors:\n" + "\n".join(phone.errors)


def test_a_phone_fetches_the_style_sheet_once_not_on_every_page(
    phone: Browsing, synced: Flask
) -> None:
    """The next page takes the style sheet from the phone's cache without asking the server
    again (static_files.py): one request less for every page a learner opens."""
    served: list[str] = []

    def count(sender: Flask, response: object, **extra: object) -> None:
        served.append(flask_request.path)

    page = phone.page()
    request_finished.connect(count, synced)
    try:
        page.goto("/login")
        expect(page.get_by_role("button", name="Zaloguj się")).to_be_visible()
        assert served.count("/static/css/trainer.css") == 1
        served.clear()
        page.goto("/password/forgot")
        expect(page.locator("main h1")).to_be_visible()
    finally:
        request_finished.disconnect(count, synced)
    # The icon is left out: Chromium's icon loader asks for it on its own schedule (the first
    # page's request may come late) and revalidates it across pages whatever its caching.
    assert [path for path in served if path != "/static/favicon.svg"] == ["/password/forgot"]
    # The page still has its styles: the font is the style sheet's, not the default.
    assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith("system-ui")
