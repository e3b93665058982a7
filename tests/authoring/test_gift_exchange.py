"""Importing GIFT into a bank that already holds the questions: update, never copy."""

from dataclasses import replace
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from tests.authoring.test_gift import (
    count_questions,
    lesson_by_slug,
    lesson_id,
    sample_course,
    upload,
)
from tests.conftest import COURSE_TAXONOMY, SAMPLE_CONTENT
from trainer.authoring import editing, gift_exchange, versions
from trainer.authoring.content_export import course_data
from trainer.authoring.gift_exchange import GiftImportError
from trainer.authoring.sync import sync_content
from trainer.content.gift import Target
from trainer.content.gift_questions import from_gift, to_gift
from trainer.content.gift_reader import parse_gift
from trainer.content.gift_writer import serialise_gift
from trainer.content.loader import load_content
from trainer.extensions import db
from trainer.learning import catalogue
from trainer.models import AuditEvent, ContentVersion, Question

REPOSITORY = Path(__file__).resolve().parents[2]

FIRST = """$CATEGORY: sample/decision_process

::nowe-mc::Co przekonuje zarząd?{
=Wyliczenie zwrotu.#Tak.
~Ładny katalog.#Nie.
}

Pytanie bez tytułu\\: czy B2B to sprzedaż firmom?{T#Nie.#Tak.}

::sc-9 [rynek]::Zakupy i zarząd ocenią ofertę.{=B2B#Decyduje zespół. ~B2C#Decyduje zespół.}

::sc-9 [podejście]::Zakupy i zarząd ocenią ofertę.{
=Przygotuję wyliczenie.#Zarząd liczy.
~Wyślę film.#Emocje nie wystarczą.
~Dam rabat.#Presja nie działa.
}
"""
MC_1 = (
    "::mc-1::Co zwykle przekonuje kupującego w B2B?{\n=Logika i korzyści finansowe.#Tak.\n"
    "~Styl życia.#To raczej B2C.\n~Cena.#Nie tylko.\n"
    "####W B2B liczą się logika i korzyści finansowe.}"
)


def cli_import(runner: FlaskCliRunner, path: Path, *extra: str) -> str:
    result = runner.invoke(
        args=["questions", "import-gift", str(path), "--course", "sample", *extra]
    )
    assert result.exit_code == 0, result.output
    return result.output


def question(key: str) -> Question:
    return db.session.execute(db.select(Question).where(Question.key == key)).scalar_one()


def test_importing_a_file_again_updates_what_changed_and_copies_nothing(
    synced: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "pytania.gift"
    path.write_text(FIRST, encoding="utf-8")
    assert "3 created" in cli_import(runner, path)
    with synced.app_context():
        assert count_questions() == 7
        untitled = next(q.key for q in editing.course_questions(sample_course())
                        if q.key.startswith("gift-"))  # fmt: skip

    again = cli_import(runner, path, "--dry-run")
    assert f"line 8: unchanged {untitled} (true_false)" in again
    assert "line 10: unchanged sc-9 (scenario)" in again
    assert "dry run: nothing was imported (0 to create, 0 to update, 3 unchanged)" in again
    assert "nothing to import (0 to create, 0 to update, 3 unchanged)" in cli_import(runner, path)

    path.write_text(
        FIRST.replace("~Ładny katalog.#Nie.", "~Ładny katalog.#Nie, liczby.")
        .replace("sc-9 [", "SC-9 [")  # the same id: titles are slugified
        .replace("czy B2B", "czy sprzedaż B2B"),  # new text, new untitled question
        encoding="utf-8",
    )
    dry = cli_import(runner, path, "--dry-run")
    assert "line 3: will update nowe-mc (multiple_choice)" in dry
    assert "line 8: will create gift-" in dry
    done = cli_import(runner, path)
    assert "imported into sample: 1 created, 1 updated, 1 unchanged (default lesson: wstep)" in done
    with synced.app_context():
        assert count_questions() == 8
        updated = question("nowe-mc")
        assert updated.version == 2 and updated.options[1].feedback == "Nie, liczby."
        [kept] = db.session.execute(db.select(ContentVersion)).scalars()
        assert (kept.object_id, kept.number, kept.note) == (updated.id, 1, "gift")
        assert kept.data["options"][1]["feedback"] == "Nie."
        events = db.session.execute(db.select(AuditEvent).order_by(AuditEvent.id)).scalars()
        assert [(e.row_count, e.details["created"], e.details["updated"]) for e in events] == [
            (3, 3, 0), (2, 1, 1),
        ]  # fmt: skip


def test_an_update_keeps_what_gift_does_not_carry(synced: Flask) -> None:
    with synced.app_context():
        plan = gift_exchange.plan_import(sample_course(), lesson_by_slug("wstep"), MC_1)
        [item] = plan.questions
        assert (item.action, item.question.difficulty, item.question.lesson) == (
            "update", 1, "proces-decyzyjny",
        )  # fmt: skip
        assert gift_exchange.apply_import(sample_course(), plan, "test")["update"] == 1
        db.session.commit()
        mc = question("mc-1")
        assert [o.text for o in mc.options] == ["Logika i korzyści finansowe.", "Styl życia.",
                                                "Cena."]  # fmt: skip
        assert (mc.difficulty, mc.lesson.slug, mc.version) == (1, "proces-decyzyjny", 2)
        assert [entry.note for entry in versions.history(mc)] == ["gift", ""]


def test_a_question_of_another_type_is_skipped_not_replaced(synced: Flask) -> None:
    with synced.app_context():
        plan = gift_exchange.plan_import(
            sample_course(), lesson_by_slug("wstep"), "::dp-1::Czy to scenariusz?{T}"
        )
    assert not plan.questions and not plan.ready
    [skipped] = plan.skipped
    assert (skipped.reason, skipped.params) == ("other_type", {"key": "dp-1"})
    assert "A question dp-1 already exists as another type." in skipped.text()


def test_a_retired_question_is_updated_and_stays_retired(synced: Flask) -> None:
    with synced.app_context():
        editing.set_question_status(question("mc-1"), "retired", None)
        plan = gift_exchange.plan_import(sample_course(), lesson_by_slug("wstep"), MC_1)
        assert "mc-1 is retired" in str(plan.warnings[0])
        gift_exchange.apply_import(sample_course(), plan, "test")
        db.session.commit()
        assert question("mc-1").status == "retired" and len(question("mc-1").options) == 3


@pytest.mark.parametrize("change", ["create", "edit"])
def test_an_import_is_all_or_nothing_when_the_bank_changes_meanwhile(
    synced: Flask, change: str
) -> None:
    text = MC_1 + "\n\n::nowe::Nowe pytanie?{=tak ~nie}"
    with synced.app_context():
        plan = gift_exchange.plan_import(sample_course(), lesson_by_slug("wstep"), text)
        assert [item.action for item in plan.questions] == ["update", "create"]
        if change == "create":  # someone else adds a question of the same id
            db.session.add(Question(course_id=sample_course().id, key="nowe",
                                    type="true_false", prompt="P?"))  # fmt: skip
        else:  # someone else saves the question the file updates
            editing.set_question_status(question("mc-1"), "retired", None)
        db.session.commit()
        with pytest.raises(GiftImportError) as raised:
            gift_exchange.apply_import(sample_course(), plan, "test")
        assert raised.value.reason == "conflict"
        db.session.rollback()
        assert len(question("mc-1").options) == 2  # the update was rolled back too
        assert count_questions() == (5 if change == "create" else 4)
        assert db.session.execute(db.select(AuditEvent)).first() is None


def test_preview_says_what_is_new_updated_and_unchanged(
    synced: Flask, client: FlaskClient, login_as
) -> None:
    trainer_id = login_as("trainer")
    unchanged = (
        "::tf-1::W B2C klient końcowy często sam decyduje o zakupie.{TRUE"
        "#Nie, w B2C decyzja jest zwykle jednoosobowa.#Tak."
        "####Proces decyzyjny w B2C jest prostszy.}"
    )
    content = f"{MC_1}\n\n{unchanged}\n\n::nowe::Nowe?{{=tak ~nie}}"
    preview = upload(client, lesson_id(synced, "wstep"), content.encode())
    assert preview.status_code == 200
    assert "Questions to create: 1, to update: 1, unchanged: 1" in preview.text
    assert "<td>update</td>" in preview.text and "<td>unchanged</td>" in preview.text
    assert "<td>new</td>" in preview.text
    token = preview.text.split('name="token" type="hidden" value="', 1)[1].split('"', 1)[0]
    done = client.post("/author/gift/import", data={"token": token}, follow_redirects=True)
    assert "Imported into Kurs próbny: 1 new question(s), 1 updated." in done.text
    with synced.app_context():
        [kept] = db.session.execute(db.select(ContentVersion)).scalars()
        assert (kept.author_id, kept.note) == (trainer_id, "gift")
    again = upload(client, lesson_id(synced, "wstep"), content.encode())
    assert "there is nothing to import" in again.text and 'name="token"' not in again.text


# --- The course's own bank, out and back in -----------------------------------------------


@pytest.fixture
def course_app(app: Flask) -> Flask:
    """The app with the repository's own course loaded (lessons/ and quizzes/ b2b-b2c)."""
    with app.app_context():
        sync_content(load_content(REPOSITORY / "lessons", REPOSITORY / "quizzes"))
        db.session.commit()
    return app


def test_the_whole_course_goes_to_gift_and_back_exactly(course_app: Flask) -> None:
    with course_app.app_context():
        course = catalogue.course_by_slug("b2b-b2c")
        assert course is not None
        # Everything GIFT can hold: the dialogues are left out (and the file says so).
        before = tuple(q for q in course_data(course).questions if not q.turns)
        assert len({q.difficulty for q in before}) == 3 and all(q.anchor for q in before)
        text, count = gift_exchange.export_gift(course, "test")
        assert count == len(before) > 120
        parsed = parse_gift(text)
        assert not (parsed.errors or parsed.skipped or parsed.warnings)
        assert all(q.trainer for q in parsed.questions if q.title.endswith("[rynek]"))
        lessons = gift_exchange.course_lessons(course)
        links = frozenset(link for link, _ in editing.lesson_sections(course))
        target = Target(lessons[0].slug, None, links, course.taxonomy)
        converted = from_gift(parsed.questions, target)
        assert not converted.skipped and not converted.warnings
        # Every field: id, type, dimension, difficulty, market, situation, prompt, options
        # with their feedback, explanation, lesson and anchor.
        assert {item.question.key: item.question for item in converted.questions} == {
            question.key: question for question in before
        }
        plan = gift_exchange.plan_import(course, lessons[0], text)
        assert not (plan.errors or plan.skipped or plan.warnings)
        assert plan.count("unchanged") == len(before) and not plan.ready


def test_difficulty_and_lesson_travel_in_a_trainer_comment(synced: Flask) -> None:
    text = (
        "// trainer: difficulty=3 lesson=proces-decyzyjny#b2c\n"
        "::mc-1::Co zwykle przekonuje kupującego w B2B?{=Logika i korzyści finansowe.#Tak. "
        "~Styl życia.#To raczej B2C.####W B2B liczą się logika i korzyści finansowe.}\n\n"
        "// trainer: difficulty=1 lesson=wstep\n::nowe::Nowe?{=tak ~nie}\n\n"
        "// trainer: difficulty=7 lesson=nie-ma#nic kolor=zielony\n::inne::Inne?{=tak ~nie}"
    )
    with synced.app_context():
        plan = gift_exchange.plan_import(sample_course(), lesson_by_slug("proces-decyzyjny"), text)
        update, new, other = plan.questions
        assert (update.action, update.question.difficulty, update.question.anchor) == (
            "update", 3, "b2c",
        )  # fmt: skip
        assert (new.question.difficulty, new.question.lesson) == (1, "wstep")
        assert (other.question.difficulty, other.question.lesson) == (2, "proces-decyzyjny")
        assert [(w.line, w.params) for w in plan.warnings] == [
            (8, {"value": "7"}),
            (8, {"link": "nie-ma#nic", "lesson": "proces-decyzyjny"}),
            (8, {"name": "kolor"}),
        ]
        gift_exchange.apply_import(sample_course(), plan, "test")
        db.session.commit()
        mc = question("mc-1")
        assert (mc.difficulty, mc.lesson.slug, mc.lesson_anchor) == (3, "proces-decyzyjny", "b2c")


def test_mixed_signals_travel_in_the_trainer_comment(synced: Flask) -> None:
    question = replace(
        load_content(SAMPLE_CONTENT / "lessons", SAMPLE_CONTENT / "quizzes")[0].questions[0],
        signals="mixed",
    )
    text = serialise_gift(to_gift(question, "sample", COURSE_TAXONOMY))
    assert "signals=mixed" in text
    with synced.app_context():
        plan = gift_exchange.plan_import(sample_course(), lesson_by_slug("wstep"), text)
    assert [(item.question.key, item.question.signals) for item in plan.questions] == [
        ("dp-1", "mixed")
    ]
