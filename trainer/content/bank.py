"""Question banks and quiz definitions: reading `quizzes/<course>/*.yaml`."""

from dataclasses import dataclass

from trainer.content.fields import KEY, SLUG, Fields
from trainer.content.model import OptionData, Problem, QuestionData, QuizData
from trainer.content.yamlfile import Mapping
from trainer.dimensions import DIMENSION_KEYS, MARKETS
from trainer.models.content import QUESTION_TYPES

QUESTION_FIELDS = {
    "id", "type", "dimension", "difficulty", "market", "signals", "situation", "prompt", "options",
    "answer", "feedback_true", "feedback_false", "explanation", "lesson",
}  # fmt: skip
QUIZ_FIELDS = {
    "slug", "title", "position", "after_lesson", "final", "items", "pass_mark",
    "attempts_allowed", "cooldown_minutes", "time_limit_minutes", "pool", "per_dimension",
    "balance_markets",
}  # fmt: skip
OPTION_FIELDS = {"text", "feedback", "correct"}
TRUE_FALSE_TEXTS = ("Prawda", "Fałsz")
SIGNALS = ("clear", "mixed")


@dataclass
class Parsed:
    """What one bank file yields, with the fields it came from for later cross-checks."""

    questions: list[tuple[QuestionData, Fields]]
    quizzes: list[tuple[QuizData, Fields]]


def parse_bank(path: str, document: object, problems: list[Problem]) -> Parsed:
    """Read the `questions` and `quizzes` lists of one parsed YAML file."""
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
            into.append((parse(fields), fields))
    return parsed


def parse_question(fields: Fields) -> QuestionData:
    """One question entry."""
    fields.unknown(QUESTION_FIELDS)
    kind = fields.choice("type", QUESTION_TYPES) or "scenario"
    scenario = kind == "scenario"
    lesson, _, anchor = fields.text("lesson").partition("#")
    question = QuestionData(
        key=fields.pattern("id", KEY, "question id"),
        type=kind,
        difficulty=fields.integer("difficulty", 1, 3, default=2) or 2,
        signals=fields.choice("signals", SIGNALS, required=False) or SIGNALS[0],
        # Imported plain questions often have no explanation; scenarios always explain.
        explanation=fields.text("explanation", required=scenario),
        lesson=lesson,
        anchor=anchor or None,
        dimension=fields.choice("dimension", DIMENSION_KEYS, required=scenario),
        market=fields.choice("market", MARKETS) if scenario else None,
        situation=fields.text("situation") if scenario else "",
        prompt=fields.text("prompt", required=not scenario),
        options=_true_false_options(fields) if kind == "true_false" else _options(fields, kind),
        source=fields.source,
    )
    if not scenario and "market" in fields.mapping:
        fields.problem("market", "only scenarios have a market")
    return question


def _options(fields: Fields, kind: str) -> tuple[OptionData, ...]:
    raw = fields.mapping.get("options")
    low, high = (3, 4) if kind == "scenario" else (2, 6)
    if not isinstance(raw, list) or not all(isinstance(item, Mapping) for item in raw):
        fields.problem("options", "required: a list of options with text and feedback")
        return ()
    options = []
    for item in raw:
        option = Fields(fields.path, item, fields.problems)
        option.unknown(OPTION_FIELDS)
        options.append(
            OptionData(
                text=option.text("text"),
                feedback=option.text("feedback", required=kind == "scenario"),
                correct=option.boolean("correct"),
            )
        )
    if not low <= len(options) <= high:
        fields.problem("options", f"needs {low} to {high} options, has {len(options)}")
    correct = sum(option.correct for option in options)
    if correct != 1:
        fields.problem("options", f"needs exactly one correct option, has {correct}")
    return tuple(options)


def _true_false_options(fields: Fields) -> tuple[OptionData, ...]:
    answer = fields.boolean("answer")
    if not isinstance(fields.mapping.get("answer"), bool):
        fields.problem("answer", "required: true or false")
    return (
        OptionData(TRUE_FALSE_TEXTS[0], fields.text("feedback_true", required=False), answer),
        OptionData(TRUE_FALSE_TEXTS[1], fields.text("feedback_false", required=False), not answer),
    )


def parse_quiz(fields: Fields) -> QuizData:
    """One quiz entry."""
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
            if dimension not in DIMENSION_KEYS:
                pool_fields.problem("dimensions", f"unknown dimension {dimension!r}")
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
