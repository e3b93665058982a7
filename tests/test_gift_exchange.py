"""Importing GIFT into a bank that already holds the questions: update, never copy."""

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from tests.test_gift import count_questions, lesson_by_slug, lesson_id, sample_course, upload
from trainer.extensions import db
from trainer.models import AuditEvent, ContentVersion, Question
from trainer.services import authoring, gift_exchange, versions
from trainer.services.gift_exchange import GiftImportError

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
        untitled = next(q.key for q in authoring.course_questions(sample_course())
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
    assert "imported into sample: 1 created (linked to wstep), 1 updated, 1 unchanged" in done
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
        authoring.set_question_status(question("mc-1"), "retired", None)
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
            authoring.set_question_status(question("mc-1"), "retired", None)
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
