"""Editing lessons and questions in the browser, under the same rules as the content files."""

from typing import Any

from trainer.authoring import versions
from trainer.authoring.sync import question_columns, set_options
from trainer.content import snapshot
from trainer.content.bank import Parsed, parse_question
from trainer.content.crosscheck import check_bank
from trainer.content.fields import Fields
from trainer.content.markdown import heading_ids
from trainer.content.model import LessonData, Problem, QuestionData
from trainer.content.yamlfile import Mapping
from trainer.extensions import db
from trainer.models import Course, Lesson, LessonStatus, Question, QuestionStatus, Quiz
from trainer.quiz.types import TYPES, question_type
from trainer.taxonomy import Taxonomy

# Problems found in a form rather than a file: line 0 is the form itself and line N its
# N-th option row, so that each problem can be shown next to the field it is about.
FORM = "form"


class EditConflict(Exception):
    """Someone else saved since the editor was opened; nothing was written."""


class InvalidContent(Exception):
    """Values the content rules refuse; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(problem) for problem in problems))
        self.problems = problems


def _text(value: Any) -> str:
    """Form text as the files hold it: Unix line ends (browsers send CRLF), no outer blanks."""
    return ("" if value is None else str(value)).replace("\r\n", "\n").strip()


# Lessons


def course_lessons(course: Course) -> list[Lesson]:
    """Every lesson of `course`, whatever its status, in course order."""
    return list(
        db.session.execute(
            db.select(Lesson).where(Lesson.course_id == course.id).order_by(Lesson.position)
        ).scalars()
    )


def _lesson_fields(values: dict[str, Any]) -> dict[str, Any]:
    fields = {name: values[name] for name in versions.LESSON_FIELDS if name in values}
    for name in ("title", "slug", "summary"):
        if name in fields:
            fields[name] = _text(fields[name])
    if "body" in fields:
        fields["body"] = _text(fields["body"]) + "\n"
    if "dimension" in fields:
        fields["dimension"] = fields["dimension"] or None
    for name in ("objectives", "takeaways"):
        if name in fields:
            fields[name] = [_text(item) for item in fields[name] if _text(item)]
    return fields


def _check_slug(course: Course, slug: str, lesson_id: int | None) -> None:
    taken = db.session.execute(
        db.select(Lesson.id).where(
            Lesson.course_id == course.id, Lesson.slug == _text(slug), Lesson.id != lesson_id
        )
    ).first()
    if taken:
        raise InvalidContent([Problem(FORM, 0, "slug", f"duplicate slug {_text(slug)!r}")])


def _check_anchors(lesson: Lesson, body: str) -> None:
    """Refuse a body that drops a section an active question links to (the loader would)."""
    anchors = {anchor for anchor, _ in heading_ids(_text(body))}
    links = db.session.execute(
        db.select(Question.key, Question.lesson_anchor).where(
            Question.lesson_id == lesson.id,
            Question.status == QuestionStatus.ACTIVE,
            Question.lesson_anchor.is_not(None),
        )
    ).all()
    problems = [
        Problem(FORM, 0, "body", f"question {key!r} links to section #{anchor}")
        for key, anchor in links
        if anchor not in anchors
    ]
    if problems:
        raise InvalidContent(problems)


def create_lesson(course: Course, values: dict[str, Any]) -> Lesson:
    """A new lesson at the end of `course`; raises `InvalidContent` if the slug is taken."""
    _check_slug(course, values.get("slug", ""), None)
    last = max((lesson.position for lesson in course_lessons(course)), default=0)
    lesson = Lesson(course_id=course.id, position=last + 1, **_lesson_fields(values))
    db.session.add(lesson)
    db.session.flush()
    return lesson


def update_lesson(
    lesson: Lesson, values: dict[str, Any], expected: int, author_id: int | None,
    note: str = "edit",
) -> None:  # fmt: skip
    """Save `values` over `lesson` opened at version `expected`, keeping the old version.

    Raises `EditConflict` if someone saved since, `InvalidContent` if the slug is taken or
    the body drops a section that a question links to.
    """
    if lesson.version != expected:
        raise EditConflict
    if "slug" in values:
        _check_slug(lesson.course, values["slug"], lesson.id)
    if "body" in values:
        _check_anchors(lesson, values["body"])
    if not versions.begin_save(lesson, expected, author_id, note):
        raise EditConflict
    for name, value in _lesson_fields(values).items():
        setattr(lesson, name, value)
    db.session.flush()


def set_lesson_status(lesson: Lesson, status: str, author_id: int | None) -> None:
    """Retire, un-retire (to draft) or publish `lesson`: a save like any other."""
    update_lesson(lesson, {"status": status}, lesson.version, author_id, note=status)


def restore_lesson(lesson: Lesson, number: int, author_id: int | None) -> bool:
    """Bring back the content of version `number` (not its status); False if unknown."""
    data = versions.state(lesson, number)
    if data is None:
        return False
    values = {name: value for name, value in data.items() if name != "status"}
    update_lesson(lesson, values, lesson.version, author_id, note=f"restore:{number}")
    return True


def move_lesson(lesson: Lesson, offset: int) -> bool:
    """Swap `lesson` with its neighbour `offset` (-1 up, +1 down) and renumber the course."""
    lessons = course_lessons(lesson.course)
    index = lessons.index(lesson)
    target = index + offset
    if not 0 <= target < len(lessons):
        return False
    lessons[index], lessons[target] = lessons[target], lessons[index]
    for position, item in enumerate(lessons, 1):
        item.position = position
    db.session.flush()
    return True


# Questions


def course_questions(course: Course) -> list[Question]:
    """Every question of `course`, whatever its status, by id."""
    return list(
        db.session.execute(
            db.select(Question).where(Question.course_id == course.id).order_by(Question.key)
        ).scalars()
    )


def _linkable_lessons(course: Course) -> dict[str, Lesson]:
    """The lessons a question may link to: those the files would still hold."""
    return {
        lesson.slug: lesson
        for lesson in course_lessons(course)
        if lesson.status != LessonStatus.RETIRED
    }


def lesson_sections(course: Course) -> list[tuple[str, str]]:
    """(`slug` or `slug#anchor`, title) of every lesson and section a question may link to."""
    sections = []
    for slug, lesson in _linkable_lessons(course).items():
        sections.append((slug, lesson.title))
        sections += [(f"{slug}#{anchor}", f"{lesson.title} › {title}")
                     for anchor, title in heading_ids(lesson.body)]  # fmt: skip
    return sections


def _mapping(values: dict[str, Any], line: int) -> Mapping:
    """What the YAML loader would give for `values`: blank values are absent keys."""
    mapping = Mapping({key: value for key, value in values.items() if value not in (None, "")})
    mapping.line = line
    mapping.key_lines = {}
    return mapping


def _number(value: Any) -> Any:
    text = _text(value)
    return int(text) if text.isdigit() else text


def question_mapping(values: dict[str, Any]) -> Mapping:
    """The mapping a question's YAML entry would be, built from the editor's plain values."""
    name = values.get("type")
    raw: dict[str, Any] = {
        "id": _text(values.get("key")),
        "type": name,
        "dimension": _text(values.get("dimension")),
        "difficulty": _number(values.get("difficulty")),
        "signals": _text(values.get("signals")),
        "explanation": _text(values.get("explanation")),
        "lesson": _text(values.get("lesson")),
    }
    if name in TYPES:
        raw |= question_type(name).editor_mapping(values)
    return _mapping(raw, line=0)


def check_question(
    course: Course, values: dict[str, Any], question: Question | None = None
) -> QuestionData:
    """The question `values` describe, checked like a bank file; raises `InvalidContent`."""
    problems: list[Problem] = []
    fields = Fields(FORM, question_mapping(values), problems)
    data = parse_question(fields, course.taxonomy)
    lessons = {
        slug: LessonData(slug, lesson.title, lesson.position, lesson.summary,
                         lesson.estimated_minutes, lesson.body)
        for slug, lesson in _linkable_lessons(course).items()
    }  # fmt: skip
    check_bank(Parsed([(data, fields)], []), lessons, problems, course.taxonomy)
    taken = db.session.execute(
        db.select(Question.id).where(
            Question.course_id == course.id,
            Question.key == data.key,
            Question.id != (question.id if question else None),
        )
    ).first()
    if data.key and taken:
        fields.problem("id", f"duplicate question id {data.key!r}")
    # The columns hold 100 characters; the files' format sets no limit, the database does.
    for name, value in (("id", data.key), ("lesson", data.anchor or "")):
        if len(value) > 100:
            fields.problem(name, "is longer than 100 characters")
    if problems:
        raise InvalidContent(problems)
    return data


def create_question(course: Course, values: dict[str, Any]) -> Question:
    """A new active question of `course`; raises `InvalidContent`."""
    return create_question_data(course, check_question(course, values))


def create_question_data(course: Course, data: QuestionData) -> Question:
    """A new active question of `course` holding `data`, which the caller has checked."""
    question = Question(**question_columns(course, data, _linkable_lessons(course)))
    set_options(question, data)
    db.session.add(question)
    db.session.flush()
    _join_quiz_pools(question)
    return question


def _join_quiz_pools(question: Question) -> None:
    """Add a new question to every quiz of its course that pools its whole dimension."""
    quizzes = db.session.execute(
        db.select(Quiz).where(Quiz.course_id == question.course_id)
    ).scalars()
    for quiz in quizzes:
        if question.dimension in quiz.draw_rules.get("dimensions", []):
            quiz.questions.append(question)
    db.session.flush()


def update_question(
    question: Question, values: dict[str, Any], expected: int, author_id: int | None,
    note: str = "edit",
) -> None:  # fmt: skip
    """Save `values` over `question` opened at version `expected`, keeping the old version.

    The type never changes, and options are updated in place by position so that answers
    already given keep pointing at their option. Raises `EditConflict` or `InvalidContent`.
    """
    if question.version != expected:
        raise EditConflict
    data = check_question(question.course, {**values, "type": question.type}, question)
    save_question_data(question, data, author_id, note, expected)


def save_question_data(
    question: Question, data: QuestionData, author_id: int | None, note: str,
    expected: int | None = None,
) -> None:  # fmt: skip
    """Save `data` (checked by the caller) over `question`, keeping the old version.

    `expected` is the version the save was prepared against (default: the current one).
    Options are updated in place by position. Raises `EditConflict` if someone saved since.
    """
    if data.type != question.type:
        raise ValueError(f"question {question.key!r} is a {question.type}, not a {data.type}")
    expected = question.version if expected is None else expected
    if not versions.begin_save(question, expected, author_id, note):
        raise EditConflict
    course = question.course
    columns = question_columns(course, data, _linkable_lessons(course))
    del columns["status"]  # editing keeps a retired question retired
    for name, value in columns.items():
        setattr(question, name, value)
    set_options(question, data)
    db.session.flush()


def holds(question: Question, data: QuestionData) -> bool:
    """Whether `question` already holds exactly `data` (whatever its status)."""
    return versions.snapshot(question) == snapshot.question_snapshot(data, question.status)


def set_question_status(question: Question, status: str, author_id: int | None) -> None:
    """Retire or reactivate `question`: a save like any other; raises `EditConflict`."""
    if not versions.begin_save(question, question.version, author_id, status):
        raise EditConflict
    question.status = status
    db.session.flush()


def question_values(data: dict[str, Any]) -> dict[str, Any]:
    """The editor's plain values for a question snapshot (`versions.snapshot`)."""
    values = {name: data.get(name) for name in versions.QUESTION_FIELDS if name != "options"}
    values["options"] = [dict(option) for option in data.get("options") or []]
    if data.get("type") in TYPES:
        values |= question_type(data["type"]).editor_values(data)
    return values


def question_snapshot(values: dict[str, Any], taxonomy: Taxonomy) -> dict[str, Any]:
    """The editor's values shaped like a question's snapshot (status aside), to compare."""
    fields = Fields(FORM, question_mapping(values), [])  # problems are the save's to report
    data = snapshot.question_snapshot(parse_question(fields, taxonomy))
    del data["status"]
    return data


def restore_question(question: Question, number: int, author_id: int | None) -> bool:
    """Bring back version `number` (not its status), checked again; False if unknown."""
    data = versions.state(question, number)
    if data is None:
        return False
    update_question(
        question, question_values(data), question.version, author_id, note=f"restore:{number}"
    )
    return True
