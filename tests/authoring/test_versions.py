"""Versions: every save keeps the previous state; history, diff, restore; edit conflicts."""

import re
import threading

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.authoring.test_authoring import get_lesson, lesson_form
from tests.conftest import PASSWORD
from trainer.authoring import versions
from trainer.extensions import db
from trainer.models import ContentVersion, Lesson, Question


@pytest.fixture
def trainer(synced: Flask, client: FlaskClient, login_as) -> FlaskClient:
    login_as("trainer")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def second_trainer(app: Flask, make_user) -> FlaskClient:
    """Another trainer, signed in on a client of their own."""
    make_user("druga@example.com", "trainer", name="Ewa Nowak")
    other = app.test_client()
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert other.post("/login", data={"email": "druga@example.com", "password": PASSWORD})
    return other


def save(client: FlaskClient, lesson_id: int, version: int, body: str, **changes: object):
    data = lesson_form(slug="wstep", title="Wstęp", status="published", version=version, body=body)
    data.update(changes)
    return client.post(f"/author/lessons/{lesson_id}", data=data)


def records(app: Flask, kind: str = "lesson") -> list[ContentVersion]:
    with app.app_context():
        rows = db.session.execute(
            db.select(ContentVersion).where(ContentVersion.kind == kind)
            .order_by(ContentVersion.number)
        ).scalars().all()  # fmt: skip
        db.session.expunge_all()
        return list(rows)


def test_every_save_keeps_the_previous_state(synced: Flask, trainer: FlaskClient) -> None:
    lesson = get_lesson(synced, "wstep")
    assert save(trainer, lesson.id, 1, "Druga treść.").status_code == 302
    assert save(trainer, lesson.id, 2, "Trzecia treść.").status_code == 302
    kept = records(synced)
    assert [(r.object_id, r.number) for r in kept] == [(lesson.id, 1), (lesson.id, 2)]
    assert kept[0].data["body"] == lesson.body and kept[1].data["body"] == "Druga treść.\n"
    assert kept[0].data["objectives"] == [] and "position" not in kept[0].data
    assert kept[0].note == "edit" and kept[0].author_id is not None
    assert get_lesson(synced, "wstep").version == 3


def test_history_diff_and_restore(synced: Flask, trainer: FlaskClient) -> None:
    lesson = get_lesson(synced, "wstep")
    save(trainer, lesson.id, 1, "Nowa <treść>.\n\nDruga linia.", title="Wstęp nowy")
    history = trainer.get(f"/author/lesson/{lesson.id}/history").text
    assert "2 (current)" in history and "First version" in history and "Edited" in history
    assert "Restore version 1" in history and "Restore version 2" not in history

    diff = trainer.get(f"/author/lesson/{lesson.id}/diff", query_string={"old": 1, "new": 2}).text
    assert '<span class="diff-line diff-add">+Nowa &lt;treść&gt;.</span>' in diff  # escaped
    assert '<span class="diff-line diff-del">-Sprzedaż firmom.</span>' in diff
    assert "+Wstęp nowy" in diff
    assert "Estimated minutes" in diff  # 3 became 7
    assert "style=" not in diff

    response = trainer.post(f"/author/lesson/{lesson.id}/versions/1/restore")
    assert response.status_code == 302
    restored = get_lesson(synced, "wstep")
    assert (restored.body, restored.title, restored.version) == (lesson.body, "Wstęp", 3)
    assert [r.note for r in records(synced)] == ["edit", "restore:1"]
    assert "Restored from version 1" in trainer.get(f"/author/lesson/{lesson.id}/history").text


def test_restore_keeps_the_current_status(synced: Flask, trainer: FlaskClient) -> None:
    lesson = get_lesson(synced, "wstep")
    save(trainer, lesson.id, 1, "Inna treść.", status="draft")
    trainer.post(f"/author/lesson/{lesson.id}/versions/1/restore")
    assert get_lesson(synced, "wstep").status == "draft"


@pytest.mark.parametrize(
    "query", [{}, {"old": 1}, {"old": 1, "new": 9}, {"old": "x", "new": 1}],
    ids=["nothing", "one", "unknown", "not a number"],
)  # fmt: skip
def test_bad_diff_request_goes_back_to_history(
    synced: Flask, trainer: FlaskClient, query: dict
) -> None:
    lesson = get_lesson(synced, "wstep")
    response = trainer.get(f"/author/lesson/{lesson.id}/diff", query_string=query)
    assert response.status_code == 302
    assert response.location == f"/author/lesson/{lesson.id}/history"


def test_restoring_an_unknown_version_is_404(synced: Flask, trainer: FlaskClient) -> None:
    lesson = get_lesson(synced, "wstep")
    assert trainer.post(f"/author/lesson/{lesson.id}/versions/7/restore").status_code == 404
    assert get_lesson(synced, "wstep").version == 1


def test_restore_that_breaks_a_rule_saves_nothing(synced: Flask, trainer: FlaskClient) -> None:
    lesson = get_lesson(synced, "wstep")
    save(trainer, lesson.id, 1, "Treść.", slug="nowy-wstep")
    other = get_lesson(synced, "szkic")
    trainer.post(
        f"/author/lessons/{other.id}", data=lesson_form(slug="wstep", body="x", status="draft")
    )
    page = trainer.post(f"/author/lesson/{lesson.id}/versions/1/restore", follow_redirects=True)
    assert "Version 1 cannot be restored" in page.text
    assert get_lesson(synced, "nowy-wstep").version == 2


def test_conflict_keeps_both_texts_then_resubmit_wins(
    synced: Flask, trainer: FlaskClient, make_user
) -> None:
    lesson = get_lesson(synced, "wstep")
    other = second_trainer(synced, make_user)
    # Both open version 1.
    for client in (trainer, other):
        assert 'name="version" type="hidden" value="1"' in client.get(
            f"/author/lessons/{lesson.id}"
        ).text  # fmt: skip
    assert save(other, lesson.id, 1, "Tekst Ewy.").status_code == 302

    response = save(trainer, lesson.id, 1, "Mój tekst.")
    assert response.status_code == 200
    page = response.text
    assert "Someone else saved in the meantime" in page
    assert "Ewa Nowak saved version 2" in page
    assert "Mój tekst." in page  # mine, still in the form
    assert "Tekst Ewy." in page  # theirs, shown beside it
    assert '<span class="diff-line diff-del">-Tekst Ewy.</span>' in page
    assert '<span class="diff-line diff-add">+Mój tekst.</span>' in page
    assert 'name="version" type="hidden" value="2"' in page  # resubmitting means "over v2"
    assert get_lesson(synced, "wstep").body == "Tekst Ewy.\n"  # nothing overwritten
    assert len(records(synced)) == 1

    assert save(trainer, lesson.id, 2, "Mój tekst.").status_code == 302
    final = get_lesson(synced, "wstep")
    assert (final.body, final.version) == ("Mój tekst.\n", 3)
    assert [r.data["body"] for r in records(synced)] == [lesson.body, "Tekst Ewy.\n"]


def test_stale_row_in_memory_cannot_win(synced: Flask) -> None:
    """The database itself refuses the second save, even when the first check is fooled."""
    lesson_id = get_lesson(synced, "wstep").id
    with synced.app_context():
        lesson = db.session.get(Lesson, lesson_id)
        assert lesson.version == 1
        with db.engine.begin() as connection:  # someone else saves meanwhile
            connection.execute(
                db.update(Lesson).where(Lesson.id == lesson_id).values(version=2, title="Ich")
            )
        assert lesson.version == 1  # still the stale copy
        assert versions.begin_save(lesson, 1, None, "edit") is False
        db.session.rollback()
        assert db.session.query(ContentVersion).count() == 0
        assert db.session.get(Lesson, lesson_id).version == 2


def test_concurrent_saves_one_wins(synced: Flask) -> None:
    lesson_id = get_lesson(synced, "wstep").id
    barrier = threading.Barrier(2)
    won: list[str] = []

    def edit(title: str) -> None:
        with synced.app_context():
            lesson = db.session.get(Lesson, lesson_id)
            lesson.version  # noqa: B018 (read version 1 before the other saves)
            barrier.wait()
            if versions.begin_save(lesson, 1, None, "edit"):
                lesson.title = title
                won.append(title)
            db.session.commit()
            db.session.remove()

    threads = [threading.Thread(target=edit, args=(name,)) for name in ("A", "B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 1
    final = get_lesson(synced, "wstep")
    assert (final.title, final.version) == (won[0], 2)
    assert len(records(synced)) == 1


def test_question_versions_hold_options(synced: Flask, trainer: FlaskClient) -> None:
    with synced.app_context():
        question = db.session.execute(
            db.select(Question).where(Question.key == "dp-1")
        ).scalar_one()
        before = versions.snapshot(question)
        question_id = question.id
    assert before["lesson"] == "proces-decyzyjny#b2b"
    assert [o["correct"] for o in before["options"]] == [True, False, False]
    trainer.post(f"/author/questions/{question_id}/retire")
    kept = records(synced, "question")
    assert [(r.number, r.note, r.data["status"]) for r in kept] == [(1, "retired", "active")]
    assert kept[0].data["options"] == before["options"]
    history = trainer.get(f"/author/question/{question_id}/history").text
    assert re.search(r"2 \(current\)", history) and "Retired" in history
