"""The lesson editor: create, edit, preview, reorder, retire; sanitising; who may use it."""

import re
import tempfile

import pytest
from flask import Flask
from flask.testing import FlaskClient

from trainer import create_app
from trainer.extensions import db
from trainer.models import Lesson, LessonProgress, Question

OWNED_BLUEPRINTS = ("author", "question_editor")
EVIL_BODY = (
    "## Sekcja {#sekcja}\n\n"
    "Zwykły tekst.\n\n"
    "<script>alert('x')</script>\n\n"
    '<img src="x.png" onerror="alert(1)">\n\n'
    "[kliknij](javascript:alert(1))\n\n"
    '<iframe src="https://evil.example/"></iframe>\n'
)


def _owned_rules() -> list[tuple[str, str]]:
    """(method, path pattern) of every route of the authoring blueprints this file tests."""
    with tempfile.TemporaryDirectory() as instance:
        app = create_app(
            {"TESTING": True, "DATABASE_URL": "sqlite://", "SECRET_KEY": "x"},
            instance_path=instance,
        )
        return sorted(
            (method, path)
            for rule in app.url_map.iter_rules()
            if rule.endpoint.split(".")[0] in OWNED_BLUEPRINTS
            for method in rule.methods & {"GET", "POST"}
            for path in _each_choice(rule.rule)
        )


def _each_choice(rule: str) -> list[str]:
    """`rule` with its `<any(a, b):name>` part spelled out once per choice."""
    match = re.search(r"<any\(([^)]*)\):\w+>", rule)
    if match is None:
        return [rule]
    return [rule.replace(match.group(0), choice.strip()) for choice in match.group(1).split(",")]


OWNED_RULES = _owned_rules()


def lesson_id(app: Flask, slug: str) -> int:
    with app.app_context():
        return db.session.execute(db.select(Lesson.id).where(Lesson.slug == slug)).scalar_one()


def get_lesson(app: Flask, slug: str) -> Lesson:
    with app.app_context():
        lesson = db.session.execute(db.select(Lesson).where(Lesson.slug == slug)).scalar_one()
        db.session.expunge(lesson)
        return lesson


def lesson_form(**changes: object) -> dict[str, object]:
    """A complete, valid lesson form; `changes` override fields."""
    data: dict[str, object] = {
        "version": 1,
        "title": "Nowa lekcja",
        "slug": "nowa-lekcja",
        "dimension": "marketing",
        "summary": "Krótkie podsumowanie.",
        "estimated_minutes": 7,
        "objectives": "Pierwszy cel\r\n\r\nDrugi cel",
        "takeaways": "Wniosek",
        "body": "## Marketing w B2B {#b2b}\r\n\r\nTreść lekcji.",
        "status": "draft",
        "submit": "Save",
    }
    data.update(changes)
    return data


@pytest.fixture
def trainer(synced: Flask, client: FlaskClient, login_as) -> FlaskClient:
    """The client, signed in as a trainer, reading English."""
    login_as("trainer")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_overview_links_to_the_editors(synced: Flask, trainer: FlaskClient) -> None:
    html = trainer.get("/author/").text
    assert 'href="/author/courses/sample/lessons"' in html
    assert 'href="/author/questions/courses/sample"' in html
    assert f'href="/author/lessons/{lesson_id(synced, "szkic")}"' in html
    assert 'href="/author/analysis/"' in html and 'href="/author/gift/"' in html


def test_create_lesson_as_draft_at_the_end(synced: Flask, trainer: FlaskClient) -> None:
    assert "Nowa lekcja" not in trainer.get("/author/courses/sample/lessons").text
    assert (
        '<option selected value="draft">' in trainer.get("/author/courses/sample/lessons/new").text
    )
    response = trainer.post("/author/courses/sample/lessons/new", data=lesson_form())
    assert response.status_code == 302
    lesson = get_lesson(synced, "nowa-lekcja")
    assert response.location == f"/author/lessons/{lesson.id}"
    assert (lesson.title, lesson.dimension, lesson.status) == ("Nowa lekcja", "marketing", "draft")
    assert lesson.position == 4 and lesson.version == 1 and lesson.estimated_minutes == 7
    assert lesson.objectives == ["Pierwszy cel", "Drugi cel"]
    assert lesson.body == "## Marketing w B2B {#b2b}\n\nTreść lekcji.\n"  # no CRLF kept
    assert "Nowa lekcja" in trainer.get("/author/courses/sample/lessons").text


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"slug": "Zła Nazwa"}, "slug", "lowercase letters"),
        ({"slug": "wstep"}, "slug", "already has this slug"),
        ({"slug": ""}, "slug", "This field is required."),
        ({"title": " "}, "title", "This field is required."),
        ({"summary": ""}, "summary", "This field is required."),
        ({"estimated_minutes": 0}, "estimated_minutes", "from 1 to 240"),
        ({"estimated_minutes": 241}, "estimated_minutes", "from 1 to 240"),
        ({"estimated_minutes": "dużo"}, "estimated_minutes", ""),
        ({"dimension": "pricing"}, "dimension", ""),
        ({"status": "retired"}, "status", ""),
        ({"body": ""}, "body", "This field is required."),
    ],
    ids=[
        "bad slug", "taken slug", "no slug", "blank title", "no summary", "0 minutes",
        "241 minutes", "minutes not a number", "unknown dimension", "status retired",
        "no body",
    ],
)  # fmt: skip
def test_bad_lesson_is_refused_next_to_its_field(
    synced: Flask, trainer: FlaskClient, changes: dict, field: str, message: str
) -> None:
    response = trainer.post("/author/courses/sample/lessons/new", data=lesson_form(**changes))
    assert response.status_code == 200
    errors = re.search(rf'<ul class="errors" id="{field}-errors">(.*?)</ul>', response.text, re.S)
    assert errors, f"no error shown for {field}"
    assert message in errors.group(1)
    with synced.app_context():
        assert db.session.query(Lesson).count() == 3


def test_edit_publishes_in_place_and_bumps_the_version(synced: Flask, trainer: FlaskClient) -> None:
    draft = get_lesson(synced, "szkic")
    page = trainer.get(f"/author/lessons/{draft.id}").text
    assert 'name="version" type="hidden" value="1"' in page
    assert "Jeszcze niegotowe." in page
    response = trainer.post(
        f"/author/lessons/{draft.id}",
        data=lesson_form(title="Gotowe", slug="szkic", status="published", body="Już gotowe."),
    )
    assert response.status_code == 302
    saved = get_lesson(synced, "szkic")
    assert (saved.id, saved.title, saved.status, saved.version) == (
        draft.id,
        "Gotowe",
        "published",
        2,
    )
    assert saved.position == draft.position
    assert "Gotowe" in trainer.get("/courses/sample").text


def test_body_must_keep_the_sections_questions_link_to(synced: Flask, trainer: FlaskClient) -> None:
    lesson = get_lesson(synced, "proces-decyzyjny")
    data = lesson_form(slug="proces-decyzyjny", body="## Tylko B2C {#b2c}\n\nTekst.")
    response = trainer.post(f"/author/lessons/{lesson.id}", data=data)
    assert response.status_code == 200
    errors = re.search(r'id="body-errors">(.*?)</ul>', response.text, re.S).group(1)
    assert "dp-1" in errors and "#b2b" in errors and "b2c" not in errors
    assert get_lesson(synced, "proces-decyzyjny").version == 1
    with synced.app_context():  # a retired question no longer holds the section
        for question in db.session.execute(db.select(Question)).scalars():
            question.status = "retired" if question.lesson_anchor == "b2b" else question.status
        db.session.commit()
    assert trainer.post(f"/author/lessons/{lesson.id}", data=data).status_code == 302


def test_preview_without_javascript_saves_nothing(synced: Flask, trainer: FlaskClient) -> None:
    lesson = get_lesson(synced, "wstep")
    response = trainer.post(
        f"/author/lessons/{lesson.id}",
        data=lesson_form(slug="wstep", body="## Podgląd {#p}\n\n**ważne**", preview="Preview"),
    )
    assert response.status_code == 200
    preview = re.search(r'id="lesson-preview"[^>]*>(.*?)</div>', response.text, re.S).group(1)
    assert '<h2 id="p">Podgląd</h2>' in preview and "<strong>ważne</strong>" in preview
    assert "**ważne**" in response.text  # the trainer's text stays in the form
    assert 'name="version" type="hidden" value="1"' in response.text
    after = get_lesson(synced, "wstep")
    assert (after.title, after.body, after.version) == (lesson.title, lesson.body, 1)


def test_preview_endpoint_returns_sanitised_fragment(trainer: FlaskClient) -> None:
    response = trainer.post("/author/preview", data={"body": EVIL_BODY})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.text.lower()
    assert '<h2 id="sekcja">' in html and "zwykły tekst." in html
    for forbidden in ("<script", "onerror", "javascript:", "<iframe", "<html"):
        assert forbidden not in html


def test_unsafe_body_never_reaches_preview_or_learner(
    synced: Flask, trainer: FlaskClient, make_user, auth
) -> None:
    lesson = get_lesson(synced, "wstep")
    page = trainer.post(
        f"/author/lessons/{lesson.id}",
        data=lesson_form(slug="wstep", status="published", body=EVIL_BODY, preview="Preview"),
    ).text
    preview = re.search(r'id="lesson-preview"[^>]*>(.*?)</div>\s*</section>', page, re.S).group(1)
    assert "Zwykły tekst." in preview
    assert trainer.post(
        f"/author/lessons/{lesson.id}",
        data=lesson_form(slug="wstep", status="published", body=EVIL_BODY),
    ).status_code == 302  # fmt: skip
    make_user("kursant@example.com")
    auth.logout()
    auth.login("kursant@example.com")
    learner_page = trainer.get("/courses/sample/lessons/wstep").text
    assert "Zwykły tekst." in learner_page
    for html in (preview.lower(), learner_page.lower()):
        for forbidden in ("<script", "onerror", "javascript:", "<iframe"):
            assert forbidden not in html


def test_move_up_and_down_renumbers_the_course(synced: Flask, trainer: FlaskClient) -> None:
    draft = lesson_id(synced, "szkic")
    assert trainer.post(f"/author/lessons/{draft}/move-up").status_code == 302
    assert trainer.post(f"/author/lessons/{draft}/move-up").status_code == 302
    trainer.post(f"/author/lessons/{draft}/move-up")  # already first: nothing happens
    order = [get_lesson(synced, slug).position for slug in ("szkic", "wstep", "proces-decyzyjny")]
    assert order == [1, 2, 3]
    trainer.post(f"/author/lessons/{draft}/move-down")
    assert get_lesson(synced, "szkic").position == 2
    assert get_lesson(synced, "szkic").version == 1  # reordering is not an edit


def test_retire_hides_the_lesson_and_unretire_brings_a_draft(
    synced: Flask, trainer: FlaskClient
) -> None:
    wstep = lesson_id(synced, "wstep")
    assert trainer.post(f"/author/lessons/{wstep}/retire").status_code == 302
    assert get_lesson(synced, "wstep").status == "retired"
    assert '<option selected value="retired">' in trainer.get(f"/author/lessons/{wstep}").text
    assert trainer.get("/courses/sample/lessons/wstep").status_code == 404
    trainer.post(f"/author/lessons/{wstep}/unretire")
    lesson = get_lesson(synced, "wstep")
    assert (lesson.status, lesson.version) == ("draft", 3)


def test_learner_progress_survives_edit_and_publish(
    synced: Flask, client: FlaskClient, make_user, auth
) -> None:
    learner = make_user("kursant@example.com")
    make_user("autor@example.com", "trainer")
    auth.login("kursant@example.com")
    assert client.post("/courses/sample/lessons/wstep/done").status_code == 302
    auth.logout()
    auth.login("autor@example.com")
    wstep = get_lesson(synced, "wstep")
    response = client.post(
        f"/author/lessons/{wstep.id}",
        data=lesson_form(slug="wstep", title="Wstęp, wydanie 2", status="published"),
    )
    assert response.status_code == 302
    auth.logout()
    auth.login("kursant@example.com")
    with synced.app_context():
        progress = db.session.execute(
            db.select(LessonProgress).where(LessonProgress.user_id == learner)
        ).scalar_one()
        assert progress.lesson_id == wstep.id and progress.completed_at is not None
    assert "Wstęp, wydanie 2" in client.get("/courses/sample").text
    assert (
        "You have completed this lesson."
        in client.get("/courses/sample/lessons/wstep", headers={"Accept-Language": "en"}).text
    )


def test_missing_course_and_lesson_are_404(trainer: FlaskClient) -> None:
    assert trainer.get("/author/courses/nope/lessons").status_code == 404
    assert trainer.get("/author/courses/nope/lessons/new").status_code == 404
    assert trainer.get("/author/lessons/999999").status_code == 404
    assert trainer.post("/author/lessons/999999/move-up").status_code == 404
    assert trainer.post("/author/lessons/999999/retire").status_code == 404
    assert trainer.get("/author/lesson/999999/history").status_code == 404


def _url_for_rule(app: Flask, rule: str) -> str:
    """A URL matching `rule` whose ids are those of real rows of the sample course."""
    with app.app_context():
        lesson = db.session.execute(db.select(Lesson).where(Lesson.slug == "wstep")).scalar_one()
        question = db.session.execute(
            db.select(Question).where(Question.key == "dp-1")
        ).scalar_one()
        values = {
            "course_slug": "sample", "lesson_id": lesson.id, "question_id": question.id,
            "object_id": question.id if rule.startswith("/author/question/") else lesson.id,
            "number": 1, "kind": "true_false",
        }  # fmt: skip
    return re.sub(r"<(?:[^>]*:)?(\w+)>", lambda match: str(values[match.group(1)]), rule)


def test_the_authoring_routes_are_all_covered() -> None:
    rules = {rule for _, rule in OWNED_RULES}
    assert {"/author/", "/author/preview", "/author/lessons/<int:lesson_id>/retire",
            "/author/lesson/<int:object_id>/versions/<int:number>/restore",
            "/author/question/<int:object_id>/history",
            "/author/questions/courses/<course_slug>/new/<kind>",
            "/author/questions/<int:question_id>"} <= rules  # fmt: skip
    assert len(OWNED_RULES) >= 24


@pytest.mark.parametrize(("method", "rule"), OWNED_RULES, ids=[" ".join(r) for r in OWNED_RULES])
@pytest.mark.parametrize("role", ["learner", "hr"])
def test_learner_and_hr_get_403_everywhere(
    synced: Flask, client: FlaskClient, login_as, method: str, rule: str, role: str
) -> None:
    url = _url_for_rule(synced, rule)
    login_as(role)
    response = client.open(url, method=method, data=lesson_form())
    assert response.status_code == 403
    assert get_lesson(synced, "wstep").status == "published"
    assert get_lesson(synced, "wstep").version == 1


@pytest.mark.parametrize(("method", "rule"), OWNED_RULES, ids=[" ".join(r) for r in OWNED_RULES])
def test_anonymous_is_sent_to_sign_in(
    synced: Flask, client: FlaskClient, method: str, rule: str
) -> None:
    response = client.open(_url_for_rule(synced, rule), method=method)
    assert response.status_code == 302
    assert response.location.startswith("/login")


def test_admin_may_author(synced: Flask, client: FlaskClient, login_as) -> None:
    login_as("admin")
    assert client.get("/author/courses/sample/lessons").status_code == 200
    assert client.post("/author/courses/sample/lessons/new", data=lesson_form()).status_code == 302


def test_button_posts_need_a_csrf_token(
    database_url: str, tmp_path, make_user, auth, synced: Flask
) -> None:
    from tests.conftest import csrf_token, make_app

    app = make_app(database_url, tmp_path / "csrf", WTF_CSRF_ENABLED=True)
    client = app.test_client()
    make_user("autor@example.com", "trainer")
    page = client.get("/login").text
    client.post(
        "/login",
        data={"email": "autor@example.com", "password": "correct horse battery",
              "csrf_token": csrf_token(page)},
    )  # fmt: skip
    wstep = lesson_id(synced, "wstep")
    assert client.post(f"/author/lessons/{wstep}/retire").status_code == 400
    assert client.post("/author/preview", data={"body": "x"}).status_code == 400
    page = client.get("/author/courses/sample/lessons").text
    assert client.post(
        f"/author/lessons/{wstep}/retire", data={"csrf_token": csrf_token(page)}
    ).status_code == 302  # fmt: skip
    assert get_lesson(synced, "wstep").status == "retired"
