"""Database to content files: the exporter, the one path out (the loader and sync are the way in).

Retired lessons, questions and quizzes are not exported. Everything else is read back from
a staging folder through the loader and compared with what the database holds before a
single file under the destination is touched, so an export never leaves half-written or
unloadable files behind. Files that say something the database has not loaded (a change
since the last sync) are not overwritten without `force`: that work would be lost.
"""

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from trainer.authoring.sync_plan import Outcome, Step, plan_sync
from trainer.content.fields import SLUG
from trainer.content.loader import load_content
from trainer.content.model import (
    ContentError,
    CourseData,
    LessonData,
    OptionData,
    QuestionData,
    QuizData,
    turns_from_json,
)
from trainer.content.writer import bank_order, course_files, natural_key
from trainer.extensions import db
from trainer.models import (
    Course,
    Lesson,
    LessonStatus,
    Question,
    QuestionStatus,
    Quiz,
    QuizQuestion,
)

# What an export owns in a course folder: these are replaced, anything else is left alone.
CONTENT_GLOBS = {"lessons": ("*.md", "*.yaml", "*.yml"), "quizzes": ("*.yaml", "*.yml")}


class ExportError(Exception):
    """Content that cannot be exported; `problems` says what and where."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class ExportResult:
    """Which files an export wrote, left unchanged (same bytes) and removed."""

    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)


def course_data(course: Course) -> CourseData:
    """The content of `course` as the files would describe it (retired rows left out)."""
    lessons = list(
        db.session.execute(
            db.select(Lesson)
            .where(Lesson.course_id == course.id, Lesson.status != LessonStatus.RETIRED)
            .order_by(Lesson.position, Lesson.slug)
        ).scalars()
    )
    questions = list(
        db.session.execute(
            db.select(Question).where(
                Question.course_id == course.id, Question.status == QuestionStatus.ACTIVE
            )
        ).scalars()
    )
    # Retired lessons too: a quiz after a retired lesson must fail the export, not lose its link.
    lesson_slugs: dict[int, str] = dict(
        db.session.execute(  # type: ignore[arg-type]
            db.select(Lesson.id, Lesson.slug).where(Lesson.course_id == course.id)
        ).all()
    )
    quizzes = list(
        db.session.execute(
            db.select(Quiz)
            .where(Quiz.course_id == course.id, Quiz.status == QuestionStatus.ACTIVE)
            .order_by(Quiz.position, Quiz.slug)
        ).scalars()
    )
    return CourseData(
        slug=course.slug,
        title=course.title.strip(),
        language=course.language,
        description=course.description.strip(),
        lint=course.lint_waivers or {},
        taxonomy=course.taxonomy,
        # Ordered in Python as the loader orders them: SQL collations differ between databases.
        lessons=tuple(sorted(map(_lesson, lessons), key=lambda item: (item.position, item.slug))),
        questions=tuple(bank_order(_question(question) for question in questions)),
        quizzes=tuple(
            sorted(
                _quizzes(quizzes, questions, lesson_slugs, course.taxonomy.dimension_keys),
                key=lambda quiz: (quiz.position, natural_key(quiz.slug)),
            )
        ),
    )


def _lesson(lesson: Lesson) -> LessonData:
    return LessonData(
        slug=lesson.slug,
        title=lesson.title.strip(),
        position=lesson.position,
        summary=lesson.summary.strip(),
        estimated_minutes=lesson.estimated_minutes,
        body=lesson.body.replace("\r\n", "\n").strip() + "\n",
        dimension=lesson.dimension,
        status=lesson.status,
        objectives=tuple(item.strip() for item in lesson.objectives or ()),
        takeaways=tuple(item.strip() for item in lesson.takeaways or ()),
    )


def _question(question: Question) -> QuestionData:
    return QuestionData(
        key=question.key,
        type=question.type,
        difficulty=question.difficulty,
        explanation=question.explanation.strip(),
        lesson=question.lesson.slug if question.lesson else "",
        anchor=question.lesson_anchor or None,
        dimension=question.dimension,
        market=question.market,
        signals=question.signals,
        situation=question.situation.strip(),
        prompt=question.prompt.strip(),
        options=tuple(
            OptionData(option.text.strip(), option.feedback.strip(), option.is_correct)
            for option in question.options
        ),
        turns=turns_from_json((question.details or {}).get("turns", [])),
    )


def _quizzes(
    quizzes: list[Quiz], questions: list[Question], lesson_slugs: dict[int, str],
    dimension_keys: tuple[str, ...],
) -> list[QuizData]:  # fmt: skip
    """Quizzes with their pools said as the files say them: whole dimensions, then ids."""
    members: dict[int, set[int]] = {}
    if quizzes:
        rows = db.session.execute(
            db.select(QuizQuestion.quiz_id, QuizQuestion.question_id).where(
                QuizQuestion.quiz_id.in_([quiz.id for quiz in quizzes])
            )
        ).all()
        for quiz_id, question_id in rows:
            members.setdefault(quiz_id, set()).add(question_id)
    by_dimension: dict[str, set[int]] = {}
    for question in questions:
        if question.dimension:
            by_dimension.setdefault(question.dimension, set()).add(question.id)
    active = {question.id: question.key for question in questions}
    result = []
    for quiz in quizzes:
        pool = members.get(quiz.id, set()) & active.keys()
        # A dimension is in the pool when every active question of it is.
        dimensions = tuple(
            key for key in dimension_keys if key in by_dimension and by_dimension[key] <= pool
        )
        covered = set().union(*(by_dimension[key] for key in dimensions))
        keys = sorted((active[qid] for qid in pool - covered), key=natural_key)
        rules = quiz.draw_rules or {}
        result.append(
            QuizData(
                slug=quiz.slug,
                title=quiz.title.strip(),
                items=quiz.items_per_attempt,
                pass_mark=quiz.pass_mark,
                position=quiz.position,
                after_lesson=lesson_slugs.get(quiz.lesson_id or 0),
                final=quiz.is_final,
                attempts_allowed=quiz.attempts_allowed,
                cooldown_minutes=quiz.cooldown_minutes,
                time_limit_minutes=quiz.time_limit_minutes,
                pool_dimensions=dimensions,
                pool_questions=tuple(keys),
                per_dimension=rules.get("per_dimension"),
                balance_markets=bool(rules.get("balance_markets", False)),
            )
        )
    return result


def export_content(out: Path, course_slug: str | None = None, force: bool = False) -> ExportResult:
    """Write the courses (or one) under `out/lessons` and `out/quizzes`, checked first."""
    query = db.select(Course).order_by(Course.slug)
    if course_slug is not None:
        query = query.where(Course.slug == course_slug)
    courses = list(db.session.execute(query).scalars())
    if course_slug is not None and not courses:
        raise ExportError([f"no course with slug {course_slug!r}"])
    datas = sorted((course_data(course) for course in courses), key=lambda data: data.slug)
    # Slugs become file names: nothing may point outside the destination.
    bad = [data.slug for data in datas if not SLUG.match(data.slug)] + [
        f"{data.slug}/{lesson.slug}"
        for data in datas
        for lesson in data.lessons
        if not SLUG.match(lesson.slug)
    ]
    if bad:
        raise ExportError([f"{slug}: not a valid slug for a file name" for slug in bad])
    files: dict[str, str] = {}
    for data in datas:
        files |= course_files(data)
    _verify(files, datas)
    if not force:
        _refuse_unloaded_changes(out, [data.slug for data in datas])
    return _write(out, files, [data.slug for data in datas])


def _unloaded(step: Step) -> str | None:
    """What a step of a sync from the destination says the database lacks, if anything."""
    name = step.name
    where = f"{step.source}: " if step.source else ""
    messages = {
        Outcome.CREATED: f"{where}{name} is in the files but not in the database",
        Outcome.UPDATED: f"{where}{name} changed in the files since the last sync",
        Outcome.CONFLICT: f"{where}{name} changed in the files and in the browser",
        Outcome.RETIRED: f"{name} was removed from the files since the last sync",
    }
    return messages.get(step.outcome)


def _refuse_unloaded_changes(out: Path, slugs: list[str]) -> None:
    """Raise `ExportError` if the files under `out` hold work the database has not loaded."""
    if not any((out / area / slug).exists() for area in CONTENT_GLOBS for slug in slugs):
        return
    try:
        on_disk = load_content(out / "lessons", out / "quizzes")
    except ContentError as error:
        raise ExportError(
            [str(problem) for problem in error.problems]
            + ["the files there do not load, so exporting could lose what they hold; "
               "fix them, or use --force to replace them"]
        ) from error  # fmt: skip
    plan = plan_sync([data for data in on_disk if data.slug in slugs])
    lost = [message for step in plan.steps if (message := _unloaded(step))]
    if lost:
        raise ExportError(
            [*lost, "run `content sync` first (or use --force to overwrite the files)"]
        )


def _verify(files: dict[str, str], datas: list[CourseData]) -> None:
    """Read the files back through the loader: they must load, and load as `datas`."""
    with tempfile.TemporaryDirectory() as staging:
        root = Path(staging)
        for name, text in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        (root / "lessons").mkdir(exist_ok=True)
        try:
            loaded = load_content(root / "lessons", root / "quizzes")
        except ContentError as error:
            raise ExportError(
                ["the database holds content the file format cannot express:"]
                + [str(problem) for problem in error.problems]
            ) from error
    loaded.sort(key=lambda data: data.slug)
    if loaded != datas:  # a bug in the writer: better no files than wrong ones
        slugs = [data.slug for data in datas if data not in loaded] or ["content"]
        raise ExportError(
            [f"{slug}: the written files do not read back the same" for slug in slugs]
        )


def _write(out: Path, files: dict[str, str], slugs: list[str]) -> ExportResult:
    result = ExportResult()
    owned = [
        path
        for slug in slugs
        for area, patterns in CONTENT_GLOBS.items()
        for pattern in patterns
        for path in sorted((out / area / slug).glob(pattern))
    ]
    targets = {out / name: text for name, text in files.items()}
    for path in owned:
        if path not in targets:
            path.unlink()
            result.removed.append(path)
    for path, text in targets.items():
        data = text.encode("utf-8")
        if path.exists() and path.read_bytes() == data:
            result.unchanged.append(path)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        result.written.append(path)
    return result
