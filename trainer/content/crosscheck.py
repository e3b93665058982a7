"""Checks across a course's files: links from questions and quizzes to what they name."""

from trainer.content.bank import Parsed
from trainer.content.fields import Fields
from trainer.content.markdown import heading_ids
from trainer.content.model import LessonData, Problem, QuestionData, QuizData
from trainer.content.yamlfile import clipped, quoted
from trainer.taxonomy import Taxonomy


def check_bank(
    bank: Parsed, lessons: dict[str, LessonData], problems: list[Problem], taxonomy: Taxonomy
) -> None:
    """Add a problem for every broken reference or impossible quiz in `bank`."""
    anchors = {slug: {a for a, _ in heading_ids(lesson.body)} for slug, lesson in lessons.items()}
    seen: dict[str, str] = {}
    for question, fields in bank.questions:
        if question.key in seen:
            fields.problem(
                "id", f"duplicate question id {quoted(question.key)} (also in {seen[question.key]})"
            )
        seen.setdefault(question.key, fields.path)
        if question.lesson and question.lesson not in lessons:
            fields.problem(
                "lesson", f"no lesson with slug {quoted(question.lesson)} in this course"
            )
        elif question.anchor and question.anchor not in anchors.get(question.lesson, set()):
            section = clipped(question.anchor)
            fields.problem("lesson", f"lesson {quoted(question.lesson)} has no section #{section}")
    questions = [question for question, _ in bank.questions]
    finals = 0
    quiz_slugs: set[str] = set()
    for quiz, fields in bank.quizzes:
        if quiz.slug in quiz_slugs:
            fields.problem("slug", f"duplicate quiz slug {quoted(quiz.slug)}")
        quiz_slugs.add(quiz.slug)
        finals += quiz.final
        if quiz.final and finals > 1:
            fields.problem("final", "a course has at most one final exam")
        if quiz.after_lesson and quiz.after_lesson not in lessons:
            fields.problem("after_lesson", f"no lesson with slug {quoted(quiz.after_lesson)}")
        _check_pool(quiz, fields, questions, taxonomy)


def _check_pool(
    quiz: QuizData, fields: Fields, questions: list[QuestionData], taxonomy: Taxonomy
) -> None:
    keys = {question.key for question in questions}
    for key in quiz.pool_questions:
        if key not in keys:
            fields.problem("pool", f"no question with id {quoted(key)}")
    pool = [
        q for q in questions if q.dimension in quiz.pool_dimensions or q.key in quiz.pool_questions
    ]
    if len(pool) < quiz.items:
        fields.problem("items", f"draws {quiz.items} questions but the pool holds {len(pool)}")
    if quiz.per_dimension is not None:
        dimensions = quiz.pool_dimensions
        if quiz.items != quiz.per_dimension * len(dimensions):
            fields.problem(
                "per_dimension",
                f"{quiz.per_dimension} per dimension × {len(dimensions)} dimensions "
                f"is not {quiz.items} items",
            )
        for dimension in dimensions:
            count = sum(q.dimension == dimension for q in pool)
            if count < quiz.per_dimension:
                fields.problem("per_dimension", f"{dimension} has only {count} questions")
    if quiz.balance_markets:
        # Each category must be able to fill its share of the draw.
        share = quiz.items // max(len(taxonomy.categories), 1)
        for category in taxonomy.category_keys:
            count = sum(q.market == category for q in pool)
            if count < share:
                fields.problem("balance_markets", f"the pool has only {count} {category} items")
