"""Question banks and quiz definitions: reading `quizzes/<course>/*.yaml`."""

from dataclasses import dataclass

from trainer.content.fields import KEY, SLUG, Fields
from trainer.content.model import Problem, QuestionData, QuizData
from trainer.content.yamlfile import Mapping, quoted
from trainer.quiz.types import DEFAULT_TYPE, TYPES, question_type
from trainer.taxonomy import Taxonomy

# Every question has these; its type adds its own (`QuestionType.yaml_keys`).
COMMON_FIELDS = frozenset(
    {"id", "type", "dimension", "difficulty", "signals", "explanation", "lesson"}
)
QUIZ_FIELDS = {
    "slug", "title", "position", "after_lesson", "final", "items", "pass_mark",
    "attempts_allowed", "cooldown_minutes", "time_limit_minutes", "pool", "per_dimension",
    "balance_markets",
}  # fmt: skip
SIGNALS = ("clear", "mixed")


@dataclass
class Parsed:
    """What one bank file yields, with the fields it came from for later cross-checks."""

    questions: list[tuple[QuestionData, Fields]]
    quizzes: list[tuple[QuizData, Fields]]


def parse_bank(path: str, document: object, problems: list[Problem], taxonomy: Taxonomy) -> Parsed:
    """Read the `questions` and `quizzes` lists of one parsed YAML file of a course."""
    parsed = Parsed([], [])
    if not isinstance(document, Mapping):
        problems.append(Problem(path, 1, "file", "must be a mapping with questions or quizzes"))
        return parsed
    top = Fields(path, document, problems)
    top.unknown({"questions", "quizzes"})
    for key, parse, into in (
        ("questions", parse_question, parsed.questions),
        ("quizzes", parse_quiz, parsed.quizzes),
    ):
        items = document.get(key)
        if items is None:
            continue
        if not isinstance(items, list):
            top.problem(key, "must be a list")
            continue
        for item in items:
            if not isinstance(item, Mapping):
                top.problem(key, "each entry must be a mapping")
                continue
            fields = Fields(path, item, problems)
            into.append((parse(fields, taxonomy), fields))
    return parsed


def parse_question(fields: Fields, taxonomy: Taxonomy) -> QuestionData:
    """One question entry of a course with `taxonomy`: the common fields, then its type's."""
    name = fields.choice("type", tuple(TYPES)) or DEFAULT_TYPE
    kind = question_type(name)
    fields.unknown(COMMON_FIELDS | kind.yaml_keys)
    lesson, _, anchor = fields.text("lesson").partition("#")
    return QuestionData(
        key=fields.pattern("id", KEY, "question id"),
        type=name,
        difficulty=fields.integer("difficulty", 1, 3, default=2) or 2,
        signals=fields.choice("signals", SIGNALS, required=False) or SIGNALS[0],
        # Questions imported from other LMSs may lack these; the course's own never do.
        explanation=fields.text("explanation", required=kind.complete_content),
        lesson=lesson,
        anchor=anchor or None,
        dimension=fields.choice(
            "dimension", taxonomy.dimension_keys, required=kind.complete_content
        ),
        source=fields.source,
        **kind.parse(fields, taxonomy),
    )


def parse_quiz(fields: Fields, taxonomy: Taxonomy) -> QuizData:
    """One quiz entry of a course with `taxonomy`."""
    fields.unknown(QUIZ_FIELDS)
    pool = fields.mapping.get("pool")
    dimensions: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()
    if isinstance(pool, Mapping):
        pool_fields = Fields(fields.path, pool, fields.problems)
        pool_fields.unknown({"dimensions", "questions"})
        dimensions = pool_fields.string_list("dimensions")
        keys = pool_fields.string_list("questions")
        for dimension in dimensions:
            if dimension not in taxonomy.dimension_keys:
                pool_fields.problem("dimensions", f"unknown dimension {quoted(dimension)}")
    if not (dimensions or keys):
        fields.problem("pool", "required: dimensions and/or questions to draw from")
    after_lesson = fields.text("after_lesson", required=False)
    return QuizData(
        slug=fields.pattern("slug", SLUG, "slug"),
        title=fields.text("title"),
        items=fields.integer("items", 1, default=1) or 1,
        pass_mark=fields.integer("pass_mark", 0, 100, default=0) or 0,
        position=fields.integer("position", 0, required=False, default=0) or 0,
        after_lesson=after_lesson or None,
        final=fields.boolean("final"),
        attempts_allowed=fields.integer("attempts_allowed", 1, required=False),
        cooldown_minutes=fields.integer("cooldown_minutes", 0, required=False, default=0) or 0,
        time_limit_minutes=fields.integer("time_limit_minutes", 1, required=False),
        pool_dimensions=dimensions,
        pool_questions=keys,
        per_dimension=fields.integer("per_dimension", 1, required=False),
        balance_markets=fields.boolean("balance_markets"),
        source=fields.source,
    )
