"""The learner's pages: dashboard, course, lesson; drafts stay hidden."""

from flask import Flask
from flask.testing import FlaskClient

from trainer.extensions import db
from trainer.learning import progress
from trainer.models import LessonProgress


def test_dashboard_lists_the_course_with_progress(
    synced: Flask, client: FlaskClient, login_as
) -> None:
    login_as("learner")
    html = client.get("/").text
    assert "Kurs próbny" in html
    assert '<progress max="2" value="0"' in html  # the draft lesson does not count


def test_course_page_lists_published_lessons_only(
    synced: Flask, client: FlaskClient, login_as
) -> None:
    login_as("learner")
    html = client.get("/courses/sample").text
    assert "Wstęp" in html and "Różnice w procesie decyzyjnym" in html
    assert "Szkic" not in html


def test_lesson_page_renders_body_objectives_and_navigation(
    synced: Flask, client: FlaskClient, login_as
) -> None:
    login_as("learner")
    html = client.get("/courses/sample/lessons/proces-decyzyjny").text
    assert '<h2 id="b2b">Proces decyzyjny w B2B</h2>' in html
    assert "Rozpoznajesz, ile osób decyduje o zakupie." in html
    assert "W B2B decyduje zespół." in html
    assert 'rel="prev" href="/courses/sample/lessons/wstep"' in html
    assert 'rel="next"' not in html  # the draft after it is hidden
    assert "Różnice w procesie decyzyjnym" in html


def test_polish_by_default_english_on_request(synced: Flask, client: FlaskClient, login_as) -> None:
    login_as("learner")
    client.environ_base.pop("HTTP_ACCEPT_LANGUAGE")  # a browser that states no preference
    assert "Cele lekcji" in client.get("/courses/sample/lessons/proces-decyzyjny").text
    english = client.get(
        "/courses/sample/lessons/proces-decyzyjny", headers={"Accept-Language": "en"}
    ).text
    assert "Learning objectives" in english
    assert 'lang="pl"' in english  # the content keeps its own language


def test_user_setting_beats_browser_language(synced: Flask, client: FlaskClient, login_as) -> None:
    login_as("learner")
    client.post("/account", data={"lang-language": "pl", "lang-submit": "1"})
    html = client.get("/", headers={"Accept-Language": "en"}).text
    assert "Pulpit" in html


def test_missing_and_draft_pages_are_404(synced: Flask, client: FlaskClient, login_as) -> None:
    login_as("learner")
    for path in ("/courses/nope", "/courses/sample/lessons/szkic",
                 "/courses/sample/lessons/nope"):  # fmt: skip
        assert client.get(path).status_code == 404


def test_pages_need_sign_in(synced: Flask, client: FlaskClient) -> None:
    for path in ("/", "/courses/sample", "/courses/sample/lessons/wstep"):
        assert client.get(path).status_code == 302


def test_a_lesson_opened_in_two_tabs_at_once_is_recorded_once(
    synced: Flask, client: FlaskClient, login_as, monkeypatch
) -> None:
    """Both requests read "not opened yet"; the second to insert finds the first's row."""
    user_id = login_as("learner")
    read_progress = progress._progress
    opened_by_the_other_tab = []

    def the_other_tab_opens_it_first(user: int, lesson_id: int) -> LessonProgress | None:
        found = read_progress(user, lesson_id)
        if found is None and not opened_by_the_other_tab:
            with synced.app_context():  # another request, with its own session
                opened_by_the_other_tab.append(read_progress(user, lesson_id) is None)
                db.session.add(LessonProgress(user_id=user, lesson_id=lesson_id))
                db.session.commit()
        return found

    monkeypatch.setattr(progress, "_progress", the_other_tab_opens_it_first)
    response = client.get("/courses/sample/lessons/proces-decyzyjny")
    assert response.status_code == 200 and opened_by_the_other_tab == [True]
    with synced.app_context():
        rows = db.session.execute(
            db.select(LessonProgress).where(LessonProgress.user_id == user_id)
        ).scalars()
        assert len(list(rows)) == 1
