"""The content sync and the browser editor: neither silently wins, history only grows.

Each test works on a copy of the sample content that it edits as a trainer would in git,
while the same trainer edits in the browser; `bootstrap`, `content sync` and `content export`
run through the CLI as `make run` and a trainer run them.
"""

import shutil
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from tests.authoring.test_authoring import get_lesson, lesson_form
from tests.authoring.test_question_editor import get_question, scenario_form
from tests.authoring.test_versions import records
from tests.conftest import SAMPLE_CONTENT
from trainer.extensions import db
from trainer.models import ContentVersion, Lesson, Origin

WSTEP = "lessons/sample/01-wstep.md"
BANK = "quizzes/sample/bank.yaml"


@pytest.fixture
def files(app: Flask, tmp_path: Path) -> Path:
    """A copy of the sample content that the app syncs from."""
    root = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, root)
    app.config.update(LESSONS_DIR=str(root / "lessons"), QUIZZES_DIR=str(root / "quizzes"))
    return root


@pytest.fixture
def trainer(app: Flask, files: Path, client: FlaskClient, login_as) -> FlaskClient:
    """A trainer signed in, on a database bootstrapped from the files."""
    assert cli(app, "bootstrap").exit_code == 0
    login_as("trainer")
    return client


def cli(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(args=list(args))


def edit_file(root: Path, name: str, old: str, new: str) -> None:
    path = root / name
    text_before = path.read_text(encoding="utf-8")
    assert old in text_before
    path.write_text(text_before.replace(old, new, 1), encoding="utf-8")


def save_lesson(client: FlaskClient, app: Flask, version: int, body: str, **changes: object):
    lesson = get_lesson(app, "wstep")
    data = lesson_form(slug="wstep", title="Wstęp", dimension="", summary=lesson.summary,
                       estimated_minutes=3, objectives="", takeaways="", status="published",
                       version=version, body=body)  # fmt: skip
    data.update(changes)
    return client.post(f"/author/lessons/{lesson.id}", data=data)


def test_browser_edit_survives_bootstrap_with_its_history(
    app: Flask, files: Path, trainer: FlaskClient
) -> None:
    """The report that opened this work: edit, run `make run` again, the edit was gone."""
    assert save_lesson(trainer, app, 1, "Poprawiona treść.").status_code == 302
    assert trainer.post("/author/courses/sample/lessons/new", data=lesson_form()).status_code == 302

    result = cli(app, "bootstrap")
    assert result.exit_code == 0, result.output
    assert "lessons: 0 created, 0 updated, 2 unchanged, 0 retired, 2 kept" in result.output
    assert "kept: lesson wstep (lessons/sample/01-wstep.md:1): edited in the browser" in (
        result.output
    )
    assert "kept: lesson nowa-lekcja: made in Trainer, not in the files" in result.output

    lesson = get_lesson(app, "wstep")
    assert (lesson.body, lesson.version) == ("Poprawiona treść.\n", 2)
    assert get_lesson(app, "nowa-lekcja").status == "draft"  # not retired
    assert [(r.number, r.note) for r in records(app)] == [(1, "edit")]
    history = trainer.get(f"/author/lesson/{lesson.id}/history").text
    assert "2 (current)" in history and "Restore version 1" in history

    # Version 2 is a version like any other: edited over, it can be restored.
    assert save_lesson(trainer, app, 2, "Trzecia treść.").status_code == 302
    assert trainer.post(f"/author/lesson/{lesson.id}/versions/2/restore").status_code == 302
    restored = get_lesson(app, "wstep")
    assert (restored.body, restored.version) == ("Poprawiona treść.\n", 4)


def test_browser_born_question_survives_a_sync(app: Flask, trainer: FlaskClient) -> None:
    response = trainer.post("/author/questions/courses/sample/new/scenario", data=scenario_form())
    assert response.status_code == 302
    result = cli(app, "content", "sync")
    assert "kept: question mk-b2b-01: made in Trainer, not in the files" in result.output
    question = get_question(app, "mk-b2b-01")
    assert (question.status, question.origin) == ("active", Origin.BROWSER)
    with app.app_context():
        exam = db.session.execute(text("SELECT quiz_id FROM quiz_question WHERE question_id = :q"),
                                  {"q": question.id}).all()  # fmt: skip
    assert exam, "a question made in the browser stays in the pools of its dimension"


def test_file_change_is_applied_through_the_versions(
    app: Flask, files: Path, trainer: FlaskClient
) -> None:
    edit_file(files, WSTEP, "Sprzedaż firmom.", "Sprzedaż innym firmom.")
    result = cli(app, "content", "sync")
    assert "lessons: 0 created, 1 updated, 2 unchanged" in result.output
    lesson = get_lesson(app, "wstep")
    assert (lesson.body, lesson.version) == ("## Czym jest B2B {#czym-jest-b2b}\n\nSprzedaż innym "
                                             "firmom.\n", 2)  # fmt: skip
    [record] = records(app)
    assert (record.number, record.note, record.author_id, record.applied) == (
        1,
        "files",
        None,
        True,
    )
    history = trainer.get(f"/author/lesson/{lesson.id}/history").text
    assert "From the content files, at a sync" in history
    assert "no changes" in cli(app, "content", "sync").output


def test_an_editor_left_open_across_a_sync_sees_both_texts(
    app: Flask, files: Path, trainer: FlaskClient
) -> None:
    lesson = get_lesson(app, "wstep")
    assert 'name="version" type="hidden" value="1"' in trainer.get(
        f"/author/lessons/{lesson.id}"
    ).text  # fmt: skip
    edit_file(files, WSTEP, "Sprzedaż firmom.", "Tekst z plików.")
    assert cli(app, "content", "sync").exit_code == 0

    response = save_lesson(trainer, app, 1, "Mój tekst.")
    assert response.status_code == 200
    assert "A sync of the content files saved version 2 while you were editing." in response.text
    assert '<span class="diff-line diff-del">-Tekst z plików.</span>' in response.text
    assert '<span class="diff-line diff-add">+Mój tekst.</span>' in response.text
    assert "Tekst z plików." in get_lesson(app, "wstep").body


def test_both_changed_keeps_the_edit_and_offers_the_files_text(
    app: Flask, files: Path, trainer: FlaskClient
) -> None:
    assert save_lesson(trainer, app, 1, "Wersja z przeglądarki.").status_code == 302
    edit_file(files, WSTEP, "Sprzedaż firmom.", "Wersja z plików.")

    result = cli(app, "content", "sync")
    assert result.exit_code == 0, result.output
    assert (
        "conflict: lesson wstep (lessons/sample/01-wstep.md:1) changed in the files and in the "
        "browser; kept the browser edit, the files' text is version 3, not applied"
    ) in result.output
    assert "1 conflict(s)" in result.output
    lesson = get_lesson(app, "wstep")
    assert (lesson.body, lesson.version) == ("Wersja z przeglądarki.\n", 2)
    offered = [r for r in records(app) if not r.applied]
    assert [(r.number, r.note, r.author_id) for r in offered] == [(3, "files-not-applied", None)]
    assert "Wersja z plików." in offered[0].data["body"]

    # The trainer sees it in the editor and in the history, and can compare it.
    editor = trainer.get(f"/author/lessons/{lesson.id}").text
    assert "The content files say something else" in editor and "version 3, not applied" in editor
    history = trainer.get(f"/author/lesson/{lesson.id}/history").text
    assert "3 (not applied)" in history and "2 (current)" in history
    assert "From the content files, not applied" in history
    diff = trainer.get(f"/author/lesson/{lesson.id}/diff", query_string={"old": 3, "new": 2}).text
    assert '<span class="diff-line diff-del">-Wersja z plików.</span>' in diff

    # A second sync reports the same conflict without storing the text twice.
    again = cli(app, "content", "sync")
    assert "version 3, not applied" in again.output
    assert len(records(app)) == 2

    # Restoring the files' text resolves it: the next sync has nothing to do.
    assert trainer.post(f"/author/lesson/{lesson.id}/versions/3/restore").status_code == 302
    restored = get_lesson(app, "wstep")
    assert "Wersja z plików." in restored.body and restored.version == 4
    settled = cli(app, "content", "sync")
    assert "no changes" in settled.output and "conflict:" not in settled.output


def test_version_numbers_only_grow_past_an_offered_version(
    app: Flask, files: Path, trainer: FlaskClient
) -> None:
    assert save_lesson(trainer, app, 1, "Z przeglądarki.").status_code == 302
    edit_file(files, WSTEP, "Sprzedaż firmom.", "Z plików.")
    cli(app, "content", "sync")
    assert save_lesson(trainer, app, 2, "Znowu z przeglądarki.").status_code == 302
    assert get_lesson(app, "wstep").version == 4  # 3 is the files' version
    assert [(r.number, r.applied) for r in records(app)] == [(1, True), (2, True), (3, False)]
    lesson_id = get_lesson(app, "wstep").id
    history = trainer.get(f"/author/lesson/{lesson_id}/history").text
    # Version 4 was made from version 2 by an edit, not from the offered version 3.
    assert f"/author/lesson/{lesson_id}/diff?old=2&amp;new=4" in history


def test_prefer_files_keeps_the_overwritten_edit_as_a_version(
    app: Flask, files: Path, trainer: FlaskClient
) -> None:
    assert save_lesson(trainer, app, 1, "Wersja z przeglądarki.").status_code == 302
    edit_file(files, WSTEP, "Sprzedaż firmom.", "Wersja z plików.")
    result = cli(app, "content", "sync", "--prefer", "files")
    assert result.exit_code == 0, result.output
    assert "replaced browser edit: lesson wstep (lessons/sample/01-wstep.md:1)" in result.output
    assert "kept as version 2" in result.output
    lesson = get_lesson(app, "wstep")
    assert "Wersja z plików." in lesson.body and lesson.version == 3
    assert [(r.number, r.data["body"], r.note) for r in records(app)][-1] == (
        2, "Wersja z przeglądarki.\n", "files",
    )  # fmt: skip
    assert "no changes" in cli(app, "content", "sync").output


def test_a_deleted_file_retires_only_an_unedited_row(
    app: Flask, files: Path, trainer: FlaskClient
) -> None:
    assert save_lesson(trainer, app, 1, "Zmieniona.").status_code == 302
    (files / WSTEP).unlink()
    (files / "lessons/sample/03-szkic.md").unlink()
    result = cli(app, "content", "sync")
    assert "retired: lesson szkic: no longer in the files" in result.output
    assert "kept: lesson wstep: edited in the browser; its file was removed" in result.output
    assert get_lesson(app, "szkic").status == "retired"
    assert get_lesson(app, "wstep").status == "published"
    szkic = get_lesson(app, "szkic")
    assert [(r.object_id, r.note) for r in records(app)][-1] == (szkic.id, "files")

    # The file comes back: the row is brought back from it.
    shutil.copy(SAMPLE_CONTENT / "lessons/sample/03-szkic.md", files / "lessons/sample/")
    back = cli(app, "content", "sync")
    assert "1 updated" in back.output
    assert get_lesson(app, "szkic").status == "draft"


def table_rows(app: Flask) -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order."""
    with app.app_context():
        return {
            table.name: sorted(
                (tuple(map(repr, row)) for row in db.session.execute(table.select()).all()),
            )
            for table in db.metadata.sorted_tables
        }


def test_dry_run_prints_the_plan_and_changes_nothing(
    app: Flask, files: Path, trainer: FlaskClient
) -> None:
    assert save_lesson(trainer, app, 1, "Z przeglądarki.").status_code == 302
    edit_file(files, WSTEP, "Sprzedaż firmom.", "Z plików.")
    edit_file(files, BANK, "Tak, decyduje zespół.", "Tak, zespół.")
    (files / "lessons/sample/03-szkic.md").unlink()
    database = app.config["SQLALCHEMY_DATABASE_URI"]
    sqlite_file = (
        Path(database.removeprefix("sqlite:///")) if database.startswith("sqlite") else None
    )
    before = table_rows(app)
    file_bytes = sqlite_file.read_bytes() if sqlite_file else b""

    result = cli(app, "content", "sync", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "questions: 0 created, 1 updated" in result.output
    assert "conflict: lesson wstep" in result.output
    assert "retired: lesson szkic" in result.output
    assert "dry run: nothing was changed" in result.output
    assert table_rows(app) == before
    if sqlite_file:
        assert sqlite_file.read_bytes() == file_bytes


def test_export_then_sync_finds_nothing_to_do(
    app: Flask, files: Path, trainer: FlaskClient
) -> None:
    assert save_lesson(trainer, app, 1, "Z przeglądarki.").status_code == 302
    assert trainer.post("/author/courses/sample/lessons/new", data=lesson_form()).status_code == 302
    assert trainer.post(
        "/author/questions/courses/sample/new/scenario", data=scenario_form()
    ).status_code == 302  # fmt: skip

    exported = cli(app, "content", "export")
    assert exported.exit_code == 0, exported.output
    assert "Z przeglądarki." in (files / WSTEP).read_text(encoding="utf-8")
    assert (files / "lessons/sample/04-nowa-lekcja.md").exists()
    assert "id: mk-b2b-01" in (files / "quizzes/sample/decision_process.yaml").read_text("utf-8")

    result = cli(app, "content", "sync")
    assert result.exit_code == 0, result.output
    assert "no changes" in result.output
    assert "conflict" not in result.output.replace("0 conflict", "")


def test_export_refuses_to_overwrite_what_a_sync_has_not_loaded(
    app: Flask, files: Path, trainer: FlaskClient
) -> None:
    edit_file(files, WSTEP, "Sprzedaż firmom.", "Zmiana w gicie.")
    result = cli(app, "content", "export")
    assert result.exit_code != 0
    assert (
        "lessons/sample/01-wstep.md:1: lesson wstep changed in the files since the last sync"
        in (result.output)
    )
    assert "nothing was written" in result.output
    assert "Zmiana w gicie." in (files / WSTEP).read_text(encoding="utf-8")
    forced = cli(app, "content", "export", "--force")
    assert forced.exit_code == 0, forced.output
    assert "Zmiana w gicie." not in (files / WSTEP).read_text(encoding="utf-8")


def test_a_slug_renamed_in_the_browser_is_not_loaded_twice(
    app: Flask, files: Path, trainer: FlaskClient
) -> None:
    assert save_lesson(trainer, app, 1, "Sprzedaż firmom.", slug="wstep-nowy").status_code == 302
    result = cli(app, "content", "sync")
    assert "0 created" in result.output
    with app.app_context():
        slugs = db.session.execute(db.select(Lesson.slug).order_by(Lesson.slug)).scalars().all()
    assert slugs == ["proces-decyzyjny", "szkic", "wstep-nowy"]


def test_rows_from_before_the_upgrade_are_not_overwritten(
    app: Flask, files: Path, trainer: FlaskClient
) -> None:
    """Rows loaded before sync remembered anything: a difference is kept, never overwritten."""
    assert save_lesson(trainer, app, 1, "Edycja sprzed aktualizacji.").status_code == 302
    with app.app_context():
        db.session.execute(db.update(Lesson).values(file_hash=None, origin=Origin.FILES))
        db.session.commit()
    result = cli(app, "content", "sync")
    assert "conflict: lesson wstep" in result.output
    assert get_lesson(app, "wstep").body == "Edycja sprzed aktualizacji.\n"
    assert get_lesson(app, "szkic").file_hash is not None  # equal to its file: matched again
    with app.app_context():
        assert db.session.query(ContentVersion).filter_by(applied=False).count() == 1
