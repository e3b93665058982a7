"""Exporting the database as content files: exact reproduction, round trip, refusals."""

import shutil
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from tests.conftest import SAMPLE_CONTENT
from tests.db_state import delete_rows
from trainer.authoring.content_export import ExportError, course_data, export_content
from trainer.authoring.sync import sync_content
from trainer.config import PROJECT_ROOT
from trainer.content.loader import load_content
from trainer.content.model import CourseData, LessonData, OptionData, QuestionData
from trainer.content.writer import course_files, lesson_file
from trainer.extensions import db
from trainer.models import Course, Lesson, Question, QuestionOption, Quiz


def files_under(root: Path) -> dict[str, bytes]:
    """Every file of `root`'s lessons/ and quizzes/ folders, by relative path."""
    return {
        str(path.relative_to(root)): path.read_bytes()
        for area in ("lessons", "quizzes")
        for path in sorted((root / area).rglob("*"))
        if path.is_file()
    }


def load_and_sync(root: Path) -> None:
    sync_content(load_content(root / "lessons", root / "quizzes"))
    db.session.commit()


def snapshot() -> dict[str, Any]:
    """What the database holds, by stable keys (no ids, no timestamps), retired rows left out."""
    lesson_fields = (
        "slug", "title", "dimension", "position", "summary", "estimated_minutes", "body",
        "objectives", "takeaways", "status",
    )  # fmt: skip
    question_fields = (
        "key", "type", "dimension", "difficulty", "market", "situation", "prompt", "explanation",
        "lesson_anchor",
    )  # fmt: skip
    quiz_fields = (
        "slug", "title", "position", "is_final", "items_per_attempt", "pass_mark",
        "attempts_allowed", "cooldown_minutes", "time_limit_minutes", "draw_rules",
    )  # fmt: skip
    result: dict[str, Any] = {}
    for course in db.session.execute(db.select(Course)).scalars():
        lessons = db.session.execute(
            db.select(Lesson).where(Lesson.course_id == course.id, Lesson.status != "retired")
        ).scalars()
        questions = db.session.execute(
            db.select(Question).where(Question.course_id == course.id, Question.status == "active")
        ).scalars()
        quizzes = db.session.execute(
            db.select(Quiz).where(Quiz.course_id == course.id, Quiz.status == "active")
        ).scalars()
        result[course.slug] = {
            "course": (course.title, course.language, course.description),
            "lessons": {row.slug: [getattr(row, f) for f in lesson_fields] for row in lessons},
            "questions": {
                row.key: [getattr(row, f) for f in question_fields]
                + [row.lesson.slug if row.lesson else None]
                + [(o.position, o.text, o.feedback, o.is_correct) for o in row.options]
                for row in questions
            },
            "quizzes": {
                row.slug: [getattr(row, f) for f in quiz_fields]
                + [row.lesson.slug if row.lesson else None]
                + [sorted(q.key for q in row.questions if q.status == "active")]
                for row in quizzes
            },
        }
    return result


def test_export_of_the_synced_repository_reproduces_its_files_exactly(
    app: Flask, tmp_path: Path
) -> None:
    with app.app_context():
        load_and_sync(PROJECT_ROOT)
        result = export_content(tmp_path)
    assert not result.removed
    expected = files_under(PROJECT_ROOT)
    assert expected, "the repository has content files"
    assert files_under(tmp_path) == expected


def test_a_second_export_changes_nothing(synced: Flask, tmp_path: Path) -> None:
    with synced.app_context():
        first = export_content(tmp_path)
        second = export_content(tmp_path)
    assert first.written and not second.written and not second.removed
    assert sorted(second.unchanged) == sorted(first.written)


@pytest.mark.parametrize("source", [SAMPLE_CONTENT, PROJECT_ROOT], ids=["sample", "repository"])
def test_export_then_sync_into_an_empty_database_gives_the_same_rows(
    app: Flask, tmp_path: Path, source: Path
) -> None:
    with app.app_context():
        load_and_sync(source)
        before = snapshot()
        export_content(tmp_path)
        delete_rows()
        load_and_sync(tmp_path)
        assert snapshot() == before


@pytest.mark.parametrize("source", [SAMPLE_CONTENT, PROJECT_ROOT], ids=["sample", "repository"])
def test_the_database_read_as_content_syncs_back_unchanged(app: Flask, source: Path) -> None:
    with app.app_context():
        load_and_sync(source)
        courses = db.session.execute(db.select(Course)).scalars().all()
        report = sync_content([course_data(course) for course in courses])
        assert not report.changed, report.lines()


def add_awkward_content() -> None:
    """Rows as an editor might save them: texts YAML must quote, a retired lesson and question."""
    course = db.session.execute(db.select(Course).where(Course.slug == "sample")).scalar_one()
    lesson = db.session.execute(db.select(Lesson).where(Lesson.slug == "wstep")).scalar_one()
    lesson.title = "Wstęp: #1 – 'cytat' i \"cudzysłów\""
    lesson.summary = "yes"
    lesson.objectives = ["- myślnik na początku", "true", "100"]
    db.session.add(Lesson(
        course_id=course.id, slug="stara", title="Stara", position=9, summary="Wycofana.",
        estimated_minutes=1, body="x", status="retired",
    ))  # fmt: skip
    question = Question(
        course_id=course.id, key="mc-2", type="multiple_choice", difficulty=3,
        prompt="Pierwsza linia\ndruga linia: z dwukropkiem", lesson_id=lesson.id,
        explanation="Bardzo-długie-słowo-" * 8 + " i   podwójne  spacje, {nawiasy} & [więcej]",
    )  # fmt: skip
    question.options = [
        QuestionOption(position=1, text="null", feedback="@na początku", is_correct=True),
        QuestionOption(position=2, text="#hash", feedback="> znak większości"),
        QuestionOption(position=3, text="'apostrof'", feedback="ok: tak"),
    ]
    retired = Question(
        course_id=course.id, key="old-1", type="true_false", difficulty=1, prompt="Stare?",
        explanation="Stare.", lesson_id=lesson.id, status="retired",
    )  # fmt: skip
    retired.options = [
        QuestionOption(position=1, text="Prawda", is_correct=True),
        QuestionOption(position=2, text="Fałsz"),
    ]
    db.session.add_all([question, retired])
    exam = db.session.execute(db.select(Quiz).where(Quiz.slug == "egzamin")).scalar_one()
    exam.questions = [*exam.questions, question, retired]
    exam.draw_rules = {**exam.draw_rules, "questions": ["mc-1", "mc-2", "tf-1"]}
    db.session.commit()


def test_awkward_texts_survive_the_round_trip_and_retired_rows_stay_out(
    synced: Flask, tmp_path: Path
) -> None:
    with synced.app_context():
        add_awkward_content()
        before = snapshot()
        export_content(tmp_path)
        delete_rows()
        load_and_sync(tmp_path)
        assert snapshot() == before
    written = "\n".join(path.read_text(encoding="utf-8") for path in tmp_path.rglob("*.*"))
    assert "stara" not in written and "old-1" not in written
    bank = (tmp_path / "quizzes/sample/questions.yaml").read_text(encoding="utf-8")
    assert "  - id: mc-2\n" in bank  # a question without a dimension goes to questions.yaml
    quizzes = (tmp_path / "quizzes/sample/quizzes.yaml").read_text(encoding="utf-8")
    assert "      dimensions: [decision_process]\n      questions: [mc-1, mc-2, tf-1]\n" in quizzes


def test_lesson_files_keep_the_body_and_fold_long_prose() -> None:
    lesson = LessonData(
        slug="a", title="Tytuł: z dwukropkiem", position=3, estimated_minutes=4,
        summary=("słowo " * 30).strip() + " a kot", body="\n\n## Nagłówek {#n}\n\nTreść.\n\n",
    )  # fmt: skip
    text = lesson_file(lesson)
    front, body = text.split("\n---\n", 1)
    assert body == "\n## Nagłówek {#n}\n\nTreść.\n"
    assert 'title: "Tytuł: z dwukropkiem"' in front
    assert "summary: >\n" in front
    assert all(len(line) <= 95 for line in front.splitlines())
    folded = [line for line in front.splitlines() if line.startswith("  ")]
    assert folded[-1] == "  a kot"  # a one-letter word never ends a line


def test_file_layout_follows_dimensions_and_positions() -> None:
    option = OptionData("Tak", "Dobrze.", True)
    course = CourseData(
        slug="k", title="K",
        lessons=(LessonData("l", "L", 12, "S.", 5, "B"),),
        questions=(
            QuestionData("b-2", "multiple_choice", 1, "E.", "l", dimension="marketing",
                         prompt="P?", options=(option, OptionData("Nie", "Źle."))),
            QuestionData("q-10", "true_false", 1, "E.", "l", prompt="P?",
                         options=(OptionData("Prawda", "", True), OptionData("Fałsz", "Nie."))),
            QuestionData("q-9", "true_false", 1, "E.", "l", prompt="P?",
                         options=(OptionData("Prawda", ""), OptionData("Fałsz", "", True))),
        ),
    )  # fmt: skip
    files = course_files(course)
    assert sorted(files) == [
        "lessons/k/12-l.md", "lessons/k/course.yaml", "quizzes/k/marketing.yaml",
        "quizzes/k/questions.yaml",
    ]  # fmt: skip
    plain = files["quizzes/k/questions.yaml"]
    assert plain.index("id: q-9") < plain.index("id: q-10")  # natural order of ids
    assert "answer: true\n    feedback_false: >\n      Nie.\n" in plain
    assert "answer: false\n    explanation" in plain


def test_existing_files_are_replaced_only_with_force(synced: Flask, tmp_path: Path) -> None:
    stale = tmp_path / "lessons/sample/99-stara.md"
    stale.parent.mkdir(parents=True)
    stale.write_text("old", encoding="utf-8")
    keep = tmp_path / "lessons/sample/obrazek.png"
    keep.write_bytes(b"png")
    with synced.app_context():
        with pytest.raises(ExportError) as error:
            export_content(tmp_path)
        assert "99-stara.md" in str(error.value)
        assert not (tmp_path / "lessons/sample/course.yaml").exists()
        result = export_content(tmp_path, force=True)
    assert stale in result.removed and not stale.exists()
    assert keep.read_bytes() == b"png"  # not ours to remove


def test_content_the_format_cannot_hold_is_refused_and_nothing_written(
    synced: Flask, tmp_path: Path
) -> None:
    with synced.app_context():
        lesson = db.session.execute(db.select(Lesson).where(Lesson.slug == "szkic")).scalar_one()
        question = db.session.execute(
            db.select(Question).where(Question.key == "mc-1")
        ).scalar_one()
        lesson.status = "retired"
        question.lesson_id = lesson.id
        db.session.commit()
        with pytest.raises(ExportError) as error:
            export_content(tmp_path)
    assert "no lesson with slug 'szkic'" in str(error.value)
    assert not any(tmp_path.rglob("*.*"))


def test_unknown_course_is_refused(synced: Flask, tmp_path: Path) -> None:
    with synced.app_context(), pytest.raises(ExportError):
        export_content(tmp_path, "nie-ma")


def test_cli_export(synced: Flask, runner: FlaskCliRunner, tmp_path: Path) -> None:
    result = runner.invoke(args=["content", "export", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "0 removed" in result.output
    assert (tmp_path / "lessons/sample/02-proces-decyzyjny.md").exists()
    again = runner.invoke(args=["content", "export", "--out", str(tmp_path), "--course", "sample"])
    assert again.exit_code == 0 and "0 written" in again.output


@pytest.mark.parametrize(
    "args", [["--course", "nie-ma"], []], ids=["unknown course", "existing files without force"]
)
def test_cli_export_failures_write_nothing(
    synced: Flask, runner: FlaskCliRunner, tmp_path: Path, args: list[str]
) -> None:
    (tmp_path / "lessons/sample").mkdir(parents=True)
    (tmp_path / "lessons/sample/course.yaml").write_text("slug: inny\n", encoding="utf-8")
    result = runner.invoke(args=["content", "export", "--out", str(tmp_path), *args])
    assert result.exit_code != 0
    assert "nothing was written" in result.output
    assert (tmp_path / "lessons/sample/course.yaml").read_text(encoding="utf-8") == "slug: inny\n"


def test_signals_and_lint_waivers_go_to_files_and_back(app: Flask, tmp_path: Path) -> None:
    source = tmp_path / "source"
    shutil.copytree(SAMPLE_CONTENT, source)
    bank = source / "quizzes/sample/bank.yaml"
    bank.write_text(bank.read_text("utf-8").replace(
        "    market: B2B\n", "    market: B2B\n    signals: mixed\n", 1), "utf-8")  # fmt: skip
    course_file = source / "lessons/sample/course.yaml"
    course_file.write_text(course_file.read_text("utf-8") + "lint:\n  dp-1:\n    key_longest: "
                           "Tu dłuższa odpowiedź jest naturalna.\n", "utf-8")  # fmt: skip
    with app.app_context():
        load_and_sync(source)
        export_content(tmp_path / "out")
    [course] = load_content(tmp_path / "out/lessons", tmp_path / "out/quizzes")
    assert course.lint == {"dp-1": {"key_longest": "Tu dłuższa odpowiedź jest naturalna."}}
    assert {q.key: q.signals for q in course.questions}["dp-1"] == "mixed"
