"""Sync: idempotent, keyed by stable ids, keeps progress, and all or nothing."""

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import SAMPLE_CONTENT
from trainer.authoring.sync import sync_content
from trainer.config import PROJECT_ROOT
from trainer.content.loader import load_content
from trainer.content.model import ContentError
from trainer.extensions import db
from trainer.models import Course, Lesson, LessonProgress, Question, Quiz, User


@pytest.fixture
def content(tmp_path: Path) -> Path:
    shutil.copytree(SAMPLE_CONTENT, tmp_path / "content")
    return tmp_path / "content"


def sync(app: Flask, root: Path) -> dict[str, dict[str, int]]:
    with app.app_context():
        report = sync_content(load_content(root / "lessons", root / "quizzes"))
        db.session.commit()
        return {kind: dict(counts) for kind, counts in report.counts.items()}


def edit(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


def test_first_sync_creates_and_second_changes_nothing(app: Flask, content: Path) -> None:
    first = sync(app, content)
    assert first["lessons"]["created"] == 3
    assert first["questions"]["created"] == 4
    assert first["quizzes"]["created"] == 2
    second = sync(app, content)
    assert second["lessons"] == {"unchanged": 3}
    assert second["questions"] == {"unchanged": 4}
    assert second["quizzes"] == {"unchanged": 2}
    with app.app_context():
        final = db.session.execute(db.select(Quiz).where(Quiz.is_final)).scalar_one()
        assert {q.key for q in final.questions} == {"dp-1", "dp-2", "mc-1", "tf-1"}
        assert final.draw_rules == {
            "per_dimension": None, "balance_markets": False, "dimensions": ["decision_process"],
            "questions": ["mc-1", "tf-1"],
        }  # fmt: skip


def test_edit_updates_in_place_and_keeps_progress(app: Flask, content: Path) -> None:
    sync(app, content)
    with app.app_context():
        user = User(email="a@example.com", display_name="A")
        lesson = db.session.execute(db.select(Lesson).where(Lesson.slug == "wstep")).scalar_one()
        db.session.add(user)
        db.session.flush()
        db.session.add(
            LessonProgress(user_id=user.id, lesson_id=lesson.id, completed_at=datetime.now(UTC))
        )
        question = db.session.execute(
            db.select(Question).where(Question.key == "dp-1")
        ).scalar_one()
        option_ids = [option.id for option in question.options]
        lesson_id = lesson.id
        db.session.commit()
    edit(content / "lessons/sample/01-wstep.md", "Sprzedaż firmom.", "Sprzedaż innym firmom.")
    edit(content / "quizzes/sample/bank.yaml", "Tak, decyduje zespół.", "Tak, zespół.")
    report = sync(app, content)
    assert report["lessons"] == {"updated": 1, "unchanged": 2}
    assert report["questions"] == {"updated": 1, "unchanged": 3}
    with app.app_context():
        lesson = db.session.get(Lesson, lesson_id)
        assert "innym firmom" in lesson.body
        assert lesson.version == 2  # an editor opened before the sync sees a conflict
        assert db.session.query(LessonProgress).filter_by(lesson_id=lesson_id).count() == 1
        question = db.session.execute(
            db.select(Question).where(Question.key == "dp-1")
        ).scalar_one()
        assert [option.id for option in question.options] == option_ids
        assert question.version == 2
        assert question.options[0].feedback == "Tak, zespół."


def test_removed_files_retire_rows(app: Flask, content: Path) -> None:
    sync(app, content)
    (content / "lessons/sample/03-szkic.md").unlink()
    report = sync(app, content)
    assert report["lessons"]["retired"] == 1
    with app.app_context():
        lesson = db.session.execute(db.select(Lesson).where(Lesson.slug == "szkic")).scalar_one()
        assert lesson.status == "retired"
    assert sync(app, content)["lessons"] == {"unchanged": 2}


def snapshot(app: Flask) -> list[tuple]:
    with app.app_context():
        return [
            *db.session.execute(db.select(Lesson.slug, Lesson.title, Lesson.body)).all(),
            *db.session.execute(db.select(Question.key, Question.explanation)).all(),
            *db.session.execute(db.select(Course.slug, Course.title)).all(),
        ]


def test_bad_file_in_a_batch_changes_nothing(app: Flask, content: Path) -> None:
    sync(app, content)
    before = snapshot(app)
    edit(content / "lessons/sample/01-wstep.md", "Sprzedaż firmom.", "Zmieniona treść.")
    edit(content / "quizzes/sample/bank.yaml", "market: B2B", "market: B2X")
    with pytest.raises(ContentError):
        sync(app, content)
    assert snapshot(app) == before


def test_database_failure_mid_sync_rolls_back(app: Flask, content: Path) -> None:
    sync(app, content)
    before = snapshot(app)
    edit(content / "lessons/sample/01-wstep.md", "Sprzedaż firmom.", "Zmieniona treść.")
    courses = load_content(content / "lessons", content / "quizzes")
    # A question with a value the database refuses, after the lesson change was flushed.
    broken = courses[0].questions[0].__class__(**{**vars(courses[0].questions[0]), "difficulty": 9})
    courses[0].__dict__["questions"] = (broken, *courses[0].questions[1:])
    with app.app_context():
        with pytest.raises(Exception):  # noqa: B017 (the database's own error type)
            sync_content(courses)
        db.session.rollback()
    assert snapshot(app) == before


@pytest.mark.parametrize("source", [SAMPLE_CONTENT, PROJECT_ROOT], ids=["sample", "repository"])
def test_rows_match_their_files_exactly_after_a_sync(app: Flask, source: Path) -> None:
    """A row's fingerprint equals its file's, so a second sync finds no browser edit anywhere."""
    sync(app, source)
    second = sync(app, source)
    assert {outcome for counts in second.values() for outcome in counts} == {"unchanged"}
