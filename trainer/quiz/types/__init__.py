"""Question types: one module each, holding everything about its type, and their registry.

Adding a type means writing its module (and its template under templates/quiz/types/) and
adding it here; nothing else in Trainer names a type.
"""

from trainer.quiz.types import dialogue, multiple_choice, scenario, true_false
from trainer.quiz.types.base import Grade, InvalidAnswer, QuestionType, Step

TYPES: dict[str, QuestionType] = {
    kind.name: kind
    for kind in (scenario.TYPE, multiple_choice.TYPE, true_false.TYPE, dialogue.TYPE)
}
# What a question is when its entry does not say.
DEFAULT_TYPE = scenario.TYPE.name


def question_type(name: str) -> QuestionType:
    """The type called `name`; raises KeyError for an unknown one."""
    return TYPES[name]


__all__ = ["DEFAULT_TYPE", "TYPES", "Grade", "InvalidAnswer", "QuestionType", "Step",
           "question_type"]  # fmt: skip
