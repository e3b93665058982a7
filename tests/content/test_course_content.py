"""The course "Sprzedaż B2B a B2C": its lessons cover the source, its bank holds up."""

import re
from difflib import SequenceMatcher
from itertools import combinations

import pytest

from tests.conftest import COURSE_TAXONOMY, DIMENSION_KEYS, RESOURCES
from trainer.config import PROJECT_ROOT
from trainer.content.loader import load_content
from trainer.content.markdown import heading_ids
from trainer.content.model import CourseData, LessonData

DIMENSION_ANCHORS = {"b2b", "b2c", "porownanie", "sygnaly", "stereotyp", "jak-to-powiedziec",
                     "przyklady", "bledy"}  # fmt: skip

# The key notions of each source section, as word stems a faithful lesson must use.
NOTIONS = {
    "decision_process": ["dłuższy", "wiele osób", "decydent", "logik", "korzyści finansow",
                         "prostszy", "szybszy", "sam decyduje", "emocj", "więź"],
    "relationships": ["długotrwał", "partnerstw", "wiele lat", "zaufani", "krótkotrwał",
                      "jednorazow", "okazjonaln", "obsług", "każdym kontakcie"],
    "marketing": ["niewielk", "precyzyjn", "targetowan", "wartości biznesow", "roi",
                  "szerok", "styl", "emocj"],
    "transaction_value": ["większa", "długoterminow", "duże zamówienia", "inwestycj", "czasu",
                          "mniejsze", "dużej liczbie", "masow"],
    "product_requirements": ["specyficzn", "techniczn", "dostosowa", "rozwoju produktu",
                             "gotow", "natychmiast", "stopień dostosowania"],
    "communication": ["formaln", "profesjonaln", "precyzyjn", "wartości biznesow",
                      "mniej formaln", "bezpośredni", "relacj", "emocj", "osobist"],
    "customer_service": ["indywidualn", "specjalistyczn", "wsparci", "techniczn", "konsulting",
                         "szkole", "długoterminow", "zadowoleni", "dużą skalę", "zwrot",
                         "szybk", "satysfakcj"],
}  # fmt: skip
# The closing summary carries both interim "Podsumowując" paragraphs and the final section.
SUMMARY_NOTIONS = ["wymagają różnych strategii sprzedaży i marketingu", "styl komunikacji",
                   "wspólnych cech", "dostarczani", "trwałych relacji",
                   "ciągłego doskonalenia"]  # fmt: skip


@pytest.fixture(scope="module")
def course() -> CourseData:
    [course] = load_content(PROJECT_ROOT / "lessons", PROJECT_ROOT / "quizzes")
    return course


def plain(lesson: LessonData) -> str:
    return " ".join(lesson.body.lower().split())


def dimension_lessons(course: CourseData) -> list[LessonData]:
    return [lesson for lesson in course.lessons if lesson.dimension]


def test_lessons_follow_the_source(course: CourseData) -> None:
    assert course.slug == "b2b-b2c"
    assert [lesson.position for lesson in course.lessons] == list(range(1, 10))
    first, *middle, last = course.lessons
    assert (first.slug, first.dimension) == ("wprowadzenie", None)
    assert (last.slug, last.dimension) == ("podsumowanie", None)
    assert [lesson.dimension for lesson in middle] == list(DIMENSION_KEYS)
    assert [lesson.title for lesson in middle] == [d.heading for d in COURSE_TAXONOMY.dimensions]
    assert all(lesson.status == "published" for lesson in course.lessons)


@pytest.mark.parametrize("dimension", DIMENSION_KEYS)
def test_dimension_lesson_has_the_trainers_parts(course: CourseData, dimension: str) -> None:
    lesson = next(les for les in course.lessons if les.dimension == dimension)
    assert 2 <= len(lesson.objectives) <= 4
    assert 3 <= len(lesson.takeaways) <= 5
    assert {anchor for anchor, _ in heading_ids(lesson.body)} >= DIMENSION_ANCHORS
    assert re.search(r"^\|.*\|\s*$", lesson.body, re.MULTILINE), "comparison table"
    assert "### Przykład B2B" in lesson.body and "### Przykład B2C" in lesson.body
    assert 5 <= lesson.estimated_minutes <= 15
    assert lesson.summary


@pytest.mark.parametrize("dimension", DIMENSION_KEYS)
def test_dimension_lesson_covers_its_source_section(course: CourseData, dimension: str) -> None:
    lesson = next(les for les in course.lessons if les.dimension == dimension)
    text = plain(lesson)
    missing = [notion for notion in NOTIONS[dimension] if notion not in text]
    assert missing == []


def test_summary_draws_in_the_interim_summaries(course: CourseData) -> None:
    text = plain(course.lessons[-1])
    assert [notion for notion in SUMMARY_NOTIONS if notion not in text] == []


def test_bank_counts_and_balance(course: CourseData) -> None:
    scenarios = [q for q in course.questions if q.type == "scenario"]
    assert len(scenarios) >= 126
    for dimension in DIMENSION_KEYS:
        mine = [q for q in scenarios if q.dimension == dimension]
        assert len(mine) >= 18, dimension
        assert sum(q.market == "B2B" for q in mine) >= 7, dimension
        assert sum(q.market == "B2C" for q in mine) >= 7, dimension
        assert {q.difficulty for q in mine} == {1, 2, 3}, dimension


def test_a_third_of_the_bank_has_misleading_signals(course: CourseData) -> None:
    """Mixed items: at least a third of the bank, in every dimension and both markets."""
    mixed = [q for q in course.questions if q.signals == "mixed"]
    assert 3 * len(mixed) >= len(course.questions)
    for dimension in DIMENSION_KEYS:
        markets = {q.market for q in mixed if q.dimension == dimension}
        assert markets == {"B2B", "B2C"}, dimension


def test_names_of_people_and_firms_are_not_reused(course: CourseData) -> None:
    from trainer.authoring.lint import check_names

    assert check_names(list(course.questions)) == []


def test_every_scenario_is_complete(course: CourseData) -> None:
    lessons = {lesson.slug: lesson for lesson in course.lessons}
    for question in (q for q in course.questions if not q.turns):
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", question.situation.strip()) if s]
        assert 2 <= len(sentences) <= 6, question.key
        assert 3 <= len(question.options) <= 4, question.key
        assert sum(option.correct for option in question.options) == 1, question.key
        assert all(option.feedback for option in question.options), question.key
        assert question.explanation, question.key
        assert lessons[question.lesson].dimension == question.dimension, question.key
        assert question.anchor, question.key


def test_correct_option_is_not_always_in_one_place(course: CourseData) -> None:
    positions = {
        next(i for i, option in enumerate(q.options) if option.correct)
        for q in course.questions
        if q.options
    }
    assert len(positions) >= 3


def test_a_role_play_dialogue_per_dimension(course: CourseData) -> None:
    """Seven dialogues, one per dimension, each a mixed case; the checks may draw them."""
    dialogues = [q for q in course.questions if q.type == "dialogue"]
    assert sorted(q.dimension for q in dialogues) == sorted(DIMENSION_KEYS)
    assert all(q.signals == "mixed" and q.explanation and q.anchor for q in dialogues)
    assert {q.market for q in dialogues} == {"B2B", "B2C"}


def test_no_two_scenarios_share_a_situation(course: CourseData) -> None:
    situations = [(q.key, " ".join(q.situation.lower().split())) for q in course.questions]
    for (key_a, a), (key_b, b) in combinations(situations, 2):
        matcher = SequenceMatcher(None, a, b)
        # quick_ratio bounds ratio from above: only close pairs need the exact measure.
        assert matcher.quick_ratio() < 0.7 or matcher.ratio() < 0.7, (key_a, key_b)


def test_quizzes_check_each_dimension_and_a_balanced_final(course: CourseData) -> None:
    checks = [quiz for quiz in course.quizzes if not quiz.final]
    assert len(checks) == 7
    lessons = {lesson.slug: lesson for lesson in course.lessons}
    for quiz in checks:
        assert quiz.items == 3
        assert quiz.pool_dimensions == (lessons[quiz.after_lesson].dimension,)
    [final] = [quiz for quiz in course.quizzes if quiz.final]
    assert (final.items, final.per_dimension, final.pass_mark) == (14, 2, 80)
    assert final.balance_markets
    assert set(final.pool_dimensions) == set(DIMENSION_KEYS)


def test_derive_on_the_source_gives_the_course_outline() -> None:
    from trainer.content.derive import split_sections

    source = RESOURCES / "source" / "sprzedaz-b2b-b2c.txt"
    titles = [section.title for section in split_sections(source.read_text(encoding="utf-8"))]
    assert titles == [
        "Wprowadzenie",
        *(d.heading for d in COURSE_TAXONOMY.dimensions),
        "Podsumowanie",
    ]
