"""The role-play dialogue: authored in YAML and in the editor, taken one reply at a time
(without JavaScript, a page per turn), graded by the best path, practised, analysed, in xAPI.
"""

import re
import shutil
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import RESOURCES, SAMPLE_CONTENT
from tests.learning.test_quiz import quiz_id, result_of, start
from trainer.authoring.content_export import export_content
from trainer.authoring.content_files import sync_configured_content
from trainer.content.loader import load_content
from trainer.content.model import ContentError
from trainer.extensions import db
from trainer.learning import practice
from trainer.models import AttemptItem, Question

DIALOGUES = RESOURCES / "dialogue" / "dialogues.yaml"
BANK = "quizzes/sample/dialogues.yaml"
# The best path, and a path that ends badly at once.
BEST = ["start:0", "zespol:0", "termin:0"]


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """The sample course with a dialogue and a quiz that draws it."""
    root = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, root)
    shutil.copy(DIALOGUES, root / BANK)
    return root


@pytest.fixture
def course(app: Flask, content: Path) -> Flask:
    app.config.update(LESSONS_DIR=str(content / "lessons"), QUIZZES_DIR=str(content / "quizzes"))
    with app.app_context():
        sync_configured_content()
        db.session.commit()
    return app


def load(root: Path) -> list[str]:
    """The problems of loading `root`, as text."""
    try:
        load_content(root / "lessons", root / "quizzes")
    except ContentError as error:
        return [str(problem) for problem in error.problems]
    return []


def edit(root: Path, old: str, new: str) -> None:
    path = root / BANK
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_dialogue_loads_and_goes_back_to_files_unchanged(
    course: Flask, content: Path, tmp_path: Path
) -> None:
    assert load(content) == []
    with course.app_context():
        export_content(tmp_path / "out")
    exported = (tmp_path / "out" / "quizzes/sample/decision_process.yaml").read_text("utf-8")
    assert "type: dialogue" in exported and "        end: good" in exported
    [before] = load_content(content / "lessons", content / "quizzes")
    [after] = load_content(tmp_path / "out/lessons", tmp_path / "out/quizzes")
    assert {q.key: q for q in after.questions}["dlg-1"] == {q.key: q for q in before.questions}[
        "dlg-1"
    ]


TO_TERMIN = "            next: termin\n          - text: Wyślę"
TERMIN_REPLIES = "        replies:\n          - text: Potwierdzę"
BACK_TO_START = (
    "        replies:\n          - text: Wróć do początku.\n            points: 0\n"
    "            feedback: Koło.\n            next: start\n          - text: Potwierdzę"
)
FORGOTTEN_TURN = (
    "      - id: zapomniany\n        customer: Halo?\n        replies:\n"
    "          - {text: A., points: 1, feedback: a., end: good}\n"
    "          - {text: B., points: 0, feedback: b., end: bad}\n    explanation:"
)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (TO_TERMIN, TO_TERMIN.replace("termin", "nigdzie"), "leads to an unknown turn 'nigdzie'"),
        (TERMIN_REPLIES, BACK_TO_START, "goes round in a circle"),
        ("            end: good\n", "            end: bad\n", "ends well and one that ends badly"),
        ("            points: 2\n", "            points: 3\n", "points: must be between 0 and 2"),
        ("            next: zespol\n", "            next: zespol\n            end: good\n",
         "either next (a turn id) or end"),
        ("    explanation:", FORGOTTEN_TURN, "no path reaches turn(s) zapomniany"),
    ],
    ids=["unknown turn", "cycle", "no good ending", "points", "next and end", "unreachable"],
)  # fmt: skip
def test_a_broken_conversation_is_refused_with_its_line(
    content: Path, old: str, new: str, message: str
) -> None:
    edit(content, old, new)
    problems = load(content)
    assert any(p.startswith(f"{BANK}:") and message in p for p in problems), problems


def test_too_short_a_conversation_is_refused(content: Path) -> None:
    edit(content, TO_TERMIN, TO_TERMIN.replace("next: termin", "end: good"))
    edit(content, "            next: termin\n", "            end: bad\n")
    text = (content / BANK).read_text("utf-8")
    start = text.index("      - id: termin")
    (content / BANK).write_text(text[:start] + text[text.index("    explanation:") :], "utf-8")
    assert any("longest path has 2 turns" in p for p in load(content))


def item_page(client: FlaskClient, attempt_id: int) -> str:
    return client.get(f"/attempts/{attempt_id}/items/1").text


def test_a_dialogue_is_taken_one_turn_per_page_and_graded_by_the_best_path(
    course: Flask, client: FlaskClient, login_as
) -> None:
    login_as("learner")
    attempt_id = start(client, quiz_id(course, "rozmowa"))
    page = item_page(client, attempt_id)
    assert "Dzień dobry, tak, to ja pytałam o system." in page
    assert "decyduje też dyrektor finansowy".lower() not in page.lower()  # the next turn
    assert "w firmie o zakupie zwykle decyduje" not in page  # no feedback before grading
    assert 'value="start:1"' in page and "points" not in page

    url = f"/attempts/{attempt_id}/items/1/turn"
    assert client.post(url, data={"turn": "zespol:0"}).status_code == 400  # not this turn yet
    assert client.post(url, data={"turn": "start:9"}).status_code == 400
    response = client.post(url, data={"turn": "start:0"})
    assert response.status_code == 302 and response.location.endswith("#step-1")
    page = item_page(client, attempt_id)
    assert "Decyduje też dyrektor finansowy" in page and 'value="zespol:1"' in page
    assert client.post(url, data={"turn": "start:0"}).status_code == 400  # an old turn again
    client.post(url, data={"turn": "zespol:1"})
    last = client.post(url, data={"turn": "termin:0"})
    assert last.location.endswith(f"/attempts/{attempt_id}")  # answered: on to review
    assert client.post(url, data={"turn": "termin:1"}).status_code == 400  # it has ended

    client.post(f"/attempts/{attempt_id}/submit")
    graded = result_of(course, attempt_id)
    assert (graded.score, graded.max_score) == (5, 6)  # 2 + 1 + 2 of the best path's 6
    result = client.get(f"/attempts/{attempt_id}/result").text
    assert "Lepiej niż nic, ale dyrektor finansowy" in result  # the feedback, now
    assert "The conversation ended well." in result and "Świetnie, do zobaczenia" in result


def test_the_json_save_says_when_the_conversation_has_ended(
    course: Flask, client: FlaskClient, login_as
) -> None:
    login_as("learner")
    attempt_id = start(client, quiz_id(course, "rozmowa"))
    url = f"/attempts/{attempt_id}/items/1/turn"
    headers = {"Accept": "application/json"}
    assert client.post(url, data={"turn": "start:0"}, headers=headers).json == {
        "saved": True, "step": "turn", "complete": False,
        "next": f"/attempts/{attempt_id}/items/1#step-1",  # the next line of the conversation
    }  # fmt: skip
    ended = client.post(url, data={"turn": "zespol:0"}, headers=headers)
    assert ended.json["complete"] is False
    assert client.post(url, data={"turn": "termin:1"}, headers=headers).json["complete"] is True


def test_a_dialogue_is_practised_one_reply_at_a_time(
    course: Flask, client: FlaskClient, login_as
) -> None:
    learner = login_as("learner")
    with course.app_context():
        question = db.session.execute(
            db.select(Question).where(Question.key == "dlg-1")
        ).scalar_one()
        practice.enqueue(learner, [question])
        db.session.commit()
        item_id = practice.next_due(learner).id
    page = client.get("/practice/").text
    assert 'value="start:0"' in page
    state = re.search(r"name=\"state\" value='([^']*)'", page).group(1)
    page = client.post(f"/practice/{item_id}", data={"state": state, "turn": "start:0"}).text
    assert "Tak: w firmie o zakupie zwykle decyduje kilka osób." in page  # feedback at once
    assert 'value="zespol:0"' in page
    state = re.search(r"name=\"state\" value='([^']*)'", page).group(1).replace("&#34;", '"')
    page = client.post(f"/practice/{item_id}", data={"state": state, "turn": "zespol:0"}).text
    state = re.search(r"name=\"state\" value='([^']*)'", page).group(1).replace("&#34;", '"')
    done = client.post(f"/practice/{item_id}", data={"state": state, "turn": "termin:0"})
    assert done.status_code == 200 and "Right!" in done.text
    # A state that does not hold starts the conversation again rather than failing.
    again = client.post(f"/practice/{item_id}", data={"state": "{nonsense", "turn": "zespol:0"})
    assert again.status_code == 400


def test_analysis_counts_the_branches_and_xapi_carries_the_path(
    course: Flask, client: FlaskClient, make_user, auth, login_as
) -> None:
    for n, path in enumerate((BEST, ["start:1"])):
        email = f"l{n}@example.com"
        make_user(email)
        auth.login(email)
        attempt_id = start(client, quiz_id(course, "rozmowa"))
        for turn in path:
            client.post(f"/attempts/{attempt_id}/items/1/turn", data={"turn": turn})
        client.post(f"/attempts/{attempt_id}/submit")
        auth.logout()
    login_as("trainer")
    page = client.get(f"/author/analysis/quizzes/{quiz_id(course, 'rozmowa')}").text
    assert "Which replies learners chose" in page
    assert re.search(r"Podam od razu cenę pakietu na rok\.</td><td>1</td>", page)
    assert re.search(r"Zapytam, kto poza nią będzie decydował o zakupie\.</td><td>1</td>", page)

    with course.app_context():
        from trainer.reporting import xapi
        from trainer.reporting.report import ReportFilter

        statements = list(xapi.iter_statements(ReportFilter(course="sample")))
        answers = {
            s["result"]["response"]: s for s in statements if s["verb"]["id"].endswith("answered")
        }
        item_id = db.session.execute(db.select(AttemptItem.id)).scalars().first()
    assert item_id is not None
    best = answers["start:0[,]zespol:0[,]termin:0"]
    definition = best["object"]["definition"]
    assert definition["interactionType"] == "other"
    assert definition["correctResponsesPattern"] == ["start:0[,]zespol:0[,]termin:0"]
    assert best["result"]["success"] is True and best["result"]["score"]["max"] == 6
    assert answers["start:1"]["result"]["success"] is False


def test_gift_export_leaves_a_dialogue_out_and_says_so(course: Flask) -> None:
    from trainer.authoring import gift_exchange
    from trainer.learning import catalogue

    with course.app_context():
        text, count = gift_exchange.export_gift(catalogue.course_by_slug("sample"), "test")
    assert "Left out, as GIFT cannot hold their type: dlg-1." in text
    assert "Logimar" not in text and count == 4


TURNS = """- id: start
  customer: Dzień dobry.
  replies:
    - {text: Zapytam o potrzeby., points: 2, feedback: Tak., next: drugi}
    - {text: Podam cenę., points: 0, feedback: Za wcześnie., end: bad}
- id: drugi
  customer: Potrzebujemy dziesięciu laptopów.
  replies:
    - {text: Zapytam o zastosowanie., points: 2, feedback: Tak., next: trzeci}
    - {text: Wyślę cennik., points: 1, feedback: Słabo., next: trzeci}
- id: trzeci
  customer: Do pracy w terenie.
  replies:
    - {text: Zaproponuję wzmocnione modele z serwisem., points: 2, feedback: Tak., end: good}
    - {text: Zaproponuję najtańsze., points: 0, feedback: Nie., end: bad}
"""


def dialogue_form(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "version": 1, "key": "dlg-nowy", "dimension": "decision_process", "difficulty": "2",
        "signals": "clear", "market": "B2B", "situation": "Firma kupuje laptopy.",
        "turns": TURNS, "explanation": "W B2B pytasz o zastosowanie.",
        "lesson": "proces-decyzyjny#b2b", "submit": "Save",
    }  # fmt: skip
    data.update(changes)
    return data


def test_a_trainer_writes_a_dialogue_in_the_editor(
    course: Flask, client: FlaskClient, login_as
) -> None:
    login_as("trainer")
    new = "/author/questions/courses/sample/new/dialogue"
    assert "Turns (YAML)" in client.get(new).text
    broken = client.post(new, data=dialogue_form(turns=TURNS.replace("next: trzeci", "next: x", 1)))
    assert broken.status_code == 200
    assert "leads to an unknown turn" in broken.text
    bad_yaml = client.post(new, data=dialogue_form(turns="- id: [oops"))
    assert "malformed YAML at line" in bad_yaml.text
    created = client.post(new, data=dialogue_form())
    assert created.status_code == 302, created.text
    with course.app_context():
        question = db.session.execute(
            db.select(Question).where(Question.key == "dlg-nowy")
        ).scalar_one()
        assert [turn["id"] for turn in question.details["turns"]] == ["start", "drugi", "trzeci"]
        question_id = question.id
    editor = client.get(f"/author/questions/{question_id}").text
    assert "Do pracy w terenie." in editor  # the turns come back as YAML
    saved = client.post(
        f"/author/questions/{question_id}",
        data=dialogue_form(turns=TURNS.replace("Do pracy w terenie.", "Na budowy.")),
    )
    assert saved.status_code == 302
    history = client.get(f"/author/question/{question_id}/history").text
    assert "2 (current)" in history
