"""The content loader: a valid course loads; each kind of problem names file, line and field."""

import shutil
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_CONTENT
from trainer.content.loader import load_content
from trainer.content.model import ContentError


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A writable copy of the sample content."""
    shutil.copytree(SAMPLE_CONTENT, tmp_path / "content")
    return tmp_path / "content"


def load(root: Path):
    return load_content(root / "lessons", root / "quizzes")


def problems(root: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load(root)
    return [str(problem) for problem in caught.value.problems]


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_sample_course_loads(content: Path) -> None:
    [course] = load(content)
    assert course.slug == "sample"
    assert [lesson.slug for lesson in course.lessons] == ["wstep", "proces-decyzyjny", "szkic"]
    assert course.lessons[2].status == "draft"
    assert course.lessons[1].objectives == ("Rozpoznajesz, ile osób decyduje o zakupie.",)
    scenario, _, _, true_false = course.questions
    assert (scenario.market, scenario.anchor, scenario.lesson) == ("B2B", "b2b", "proces-decyzyjny")
    assert [o.correct for o in scenario.options] == [True, False, False]
    assert [(o.text, o.correct) for o in true_false.options] == [("Prawda", True), ("Fałsz", False)]
    final = next(quiz for quiz in course.quizzes if quiz.final)
    assert {q.key for q in course.pool(final)} == {"dp-1", "dp-2", "mc-1", "tf-1"}


BANK = "quizzes/sample/bank.yaml"
LESSON = "lessons/sample/02-proces.md"
COURSE = "lessons/sample/course.yaml"

# (file, text to replace, replacement, expected "path:line: field:" prefix, words in message)
BAD_CASES = [
    (LESSON, "dimension: decision_process", "dimension: pricing",
     f"{LESSON}:4: dimension:", "unknown value"),
    (LESSON, "slug: proces-decyzyjny", "slug: wstep", f"{LESSON}:3: slug:", "duplicate slug"),
    (LESSON, "position: 2", "position: 1", f"{LESSON}:5: position:", "duplicate position"),
    (LESSON, "summary: Kto decyduje o zakupie.\n", "", f"{LESSON}:2: summary:", "required"),
    (LESSON, "estimated_minutes: 5", "estimated_minutes: pięć",
     f"{LESSON}:7: estimated_minutes:", "whole number"),
    (LESSON, "title: Różnice", "titel: Różnice", f"{LESSON}:2: titel:", "unknown field"),
    (LESSON, "objectives:\n", "objectives: [oops\n", f"{LESSON}:", "malformed YAML"),
    (BANK, "id: dp-2", "id: dp-1", f"{BANK}:20: id:", "duplicate question id"),
    (BANK, "      - text: Skupię się na kierowniku magazynu.\n",
     "      - text: Skupię się na kierowniku magazynu.\n        correct: true\n",
     f"{BANK}:10: options:", "exactly one correct option, has 2"),
    (BANK, "        correct: true\n        feedback: Tak, decyduje zespół.",
     "        feedback: Tak, decyduje zespół.", f"{BANK}:10: options:", "has 0"),
    (BANK, "market: B2B", "market: B2X", f"{BANK}:6: market:", "unknown value"),
    (BANK, "lesson: proces-decyzyjny#b2b", "lesson: brak#b2b", f"{BANK}:19: lesson:",
     "no lesson with slug 'brak'"),
    (BANK, "lesson: proces-decyzyjny#b2b", "lesson: proces-decyzyjny#nie-ma",
     f"{BANK}:19: lesson:", "has no section #nie-ma"),
    (BANK, "    type: true_false", "    type: essay", f"{BANK}:50: type:", "unknown value"),
    (BANK, "    answer: true\n", "", f"{BANK}:49: answer:", "true or false"),
    (BANK, "      questions: [mc-1, tf-1]", "      questions: [mc-1, zz-9]",
     f"{BANK}:", "no question with id 'zz-9'"),
    (BANK, "    items: 4", "    items: 40", f"{BANK}:", "pool holds 4"),
    (BANK, "    after_lesson: proces-decyzyjny", "    after_lesson: nieznana",
     f"{BANK}:", "no lesson with slug 'nieznana'"),
    (BANK, "  - slug: sprawdzian\n", "  - slug: sprawdzian\n    final: true\n",
     f"{BANK}:", "at most one final exam"),
    (BANK, "quizzes:", "quizzes: {", f"{BANK}:", "malformed YAML"),
    (BANK, "    market: B2B\n", "    market: B2B\n    signals: murky\n", f"{BANK}:7: signals:",
     "unknown value"),
    (COURSE, "language: pl", "language: pl\nlint:\n  zz-1:\n    key_longest: Bo tak.",
     f"{COURSE}:", "no question with id 'zz-1'"),
    (COURSE, "language: pl", "language: pl\nlint:\n  dp-1:\n    key_longest: ''",
     f"{COURSE}:", "give each waived check a reason"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("file", "old", "new", "prefix", "words"),
    BAD_CASES,
)
def test_problem_is_reported_with_file_line_and_field(
    content: Path, file: str, old: str, new: str, prefix: str, words: str
) -> None:
    replace(content / file, old, new)
    found = problems(content)
    assert any(p.startswith(prefix) and words in p for p in found), found


def test_every_problem_is_reported_at_once(content: Path) -> None:
    replace(content / LESSON, "dimension: decision_process", "dimension: pricing")
    replace(content / BANK, "market: B2B", "market: B2X")
    assert len(problems(content)) >= 2


def test_missing_course_file(content: Path) -> None:
    (content / "lessons/sample/course.yaml").unlink()
    assert any("course.yaml" in p and "file:" in p for p in problems(content))


def test_course_slug_must_match_folder(content: Path) -> None:
    replace(content / "lessons/sample/course.yaml", "slug: sample", "slug: other")
    assert any("slug:" in p and "folder name" in p for p in problems(content))


def test_lesson_without_front_matter(content: Path) -> None:
    (content / "lessons/sample/04-bez.md").write_text("# Bez nagłówka\n", encoding="utf-8")
    assert any(p.startswith("lessons/sample/04-bez.md:1: front matter:") for p in problems(content))


def test_quiz_folder_without_course(content: Path) -> None:
    (content / "quizzes/orphan").mkdir()
    assert any(p.startswith("quizzes/orphan:1: course:") for p in problems(content))


def test_file_that_is_not_utf8(content: Path) -> None:
    (content / BANK).write_bytes("questions: []\n# zażółć\n".encode("iso8859_2"))
    assert any(p.startswith(f"{BANK}:1: file:") for p in problems(content))


def test_crlf_and_bom_are_accepted(content: Path) -> None:
    path = content / LESSON
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    [course] = load(content)
    assert course.lessons[1].title == "Różnice w procesie decyzyjnym"


def test_signals_and_lint_waivers_are_read(content: Path) -> None:
    replace(content / BANK, "    market: B2B\n", "    market: B2B\n    signals: mixed\n")
    replace(
        content / COURSE, "language: pl", "language: pl\nlint:\n  dp-1:\n    key_longest: Długa."
    )
    [course] = load(content)
    assert [q.signals for q in course.questions] == ["mixed", "clear", "clear", "clear"]
    assert course.lint == {"dp-1": {"key_longest": "Długa."}}
