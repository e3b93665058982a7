"""Content files to plain objects: read, validate and cross-check, all before any database."""

from pathlib import Path

from trainer.content.bank import Parsed, parse_bank
from trainer.content.crosscheck import check_bank
from trainer.content.fields import SLUG, Fields
from trainer.content.model import ContentError, CourseData, LessonData, Problem
from trainer.content.taxonomy import check_lessons, parse_taxonomy
from trainer.content.yamlfile import Mapping, YamlError, clipped, parse_yaml, quoted
from trainer.taxonomy import Taxonomy

COURSE_FILE = "course.yaml"
COURSE_FIELDS = {"slug", "title", "language", "description", "lint", "dimensions", "categories"}
LESSON_FIELDS = {
    "title", "slug", "dimension", "position", "summary", "estimated_minutes", "status",
    "objectives", "takeaways",
}  # fmt: skip


def load_content(lessons_dir: Path, quizzes_dir: Path) -> list[CourseData]:
    """Every course under the two folders; raises `ContentError` listing every problem."""
    problems: list[Problem] = []
    root = lessons_dir.parent
    courses = []
    course_dirs = _subfolders(lessons_dir)
    for quiz_dir in _subfolders(quizzes_dir):
        if quiz_dir.name not in {folder.name for folder in course_dirs}:
            problems.append(
                Problem(_shown(quiz_dir, root), 1, "course", "no lessons/ folder of this name")
            )
    for course_dir in course_dirs:
        courses.append(_load_course(course_dir, quizzes_dir / course_dir.name, root, problems))
    if problems:
        raise ContentError(problems)
    return courses


def load_taxonomy(course_dir: Path) -> Taxonomy:
    """The taxonomy the course.yaml of `course_dir` declares (none if there is no such file)."""
    path = course_dir / COURSE_FILE
    if not path.exists():
        return Taxonomy()
    problems: list[Problem] = []
    text = _read(path, course_dir, problems)
    document = _parse(text, COURSE_FILE, problems) if text is not None else None
    taxonomy = Taxonomy()
    if isinstance(document, Mapping):
        taxonomy = parse_taxonomy(Fields(str(path), document, problems))
    if problems:
        raise ContentError(problems)
    return taxonomy


def _subfolders(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


def _shown(path: Path, root: Path) -> str:
    """`path` as problems show it: relative to the project where possible."""
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def _read(path: Path, root: Path, problems: list[Problem]) -> str | None:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        problems.append(Problem(_shown(path, root), 1, "file", f"cannot be read: {error}"))
        return None


def _parse(text: str, path: str, problems: list[Problem], line_offset: int = 0) -> object:
    try:
        return parse_yaml(text)
    except YamlError as error:
        problems.append(Problem(path, error.line + line_offset, "yaml", str(error)))
        return None


def _load_course(
    course_dir: Path, quiz_dir: Path, root: Path, problems: list[Problem]
) -> CourseData:
    course_path = course_dir / COURSE_FILE
    shown = _shown(course_path, root)
    meta = Mapping()
    if not course_path.exists():
        problems.append(Problem(shown, 1, "file", f"every course folder needs a {COURSE_FILE}"))
    elif (text := _read(course_path, root, problems)) is not None:
        document = _parse(text, shown, problems)
        if isinstance(document, Mapping):
            meta = document
        elif document is not None:
            problems.append(Problem(shown, 1, "file", "must be a mapping"))
    fields = Fields(shown, meta, problems)
    fields.unknown(COURSE_FIELDS)
    slug = fields.pattern("slug", SLUG, "slug") if meta else course_dir.name
    if meta and slug and slug != course_dir.name:
        fields.problem("slug", f"must equal the folder name {course_dir.name!r}")
    title = fields.text("title") if meta else ""
    language = (fields.choice("language", ("pl", "en"), required=False) or "pl") if meta else "pl"
    description = fields.text("description", required=False) if meta else ""
    waivers = _lint_waivers(fields)
    taxonomy = parse_taxonomy(fields) if meta else Taxonomy()

    lessons = [
        lesson
        for path in sorted(course_dir.glob("*.md"))
        if (lesson := _load_lesson(path, root, problems, taxonomy)) is not None
    ]
    _check_unique(lessons, problems)
    check_lessons(taxonomy, {lesson.slug for lesson, _ in lessons}, shown, problems)

    bank = Parsed([], [])
    for path in sorted([*quiz_dir.glob("*.yaml"), *quiz_dir.glob("*.yml")]):
        text = _read(path, root, problems)
        if text is not None:
            document = _parse(text, _shown(path, root), problems)
            if document is not None:
                parsed = parse_bank(_shown(path, root), document, problems, taxonomy)
                bank.questions += parsed.questions
                bank.quizzes += parsed.quizzes
    check_bank(bank, {lesson.slug: lesson for lesson, _ in lessons}, problems, taxonomy)
    keys = {question.key for question, _ in bank.questions}
    for key in waivers.keys() - keys:
        fields.problem("lint", f"no question with id {quoted(key)} in this course")
    return CourseData(
        slug=slug,
        title=title,
        language=language,
        description=description,
        lessons=tuple(sorted((lesson for lesson, _ in lessons), key=lambda les: les.position)),
        questions=tuple(question for question, _ in bank.questions),
        quizzes=tuple(sorted((quiz for quiz, _ in bank.quizzes), key=lambda q: q.position)),
        source=f"{shown}:1",
        lint=waivers,
        taxonomy=taxonomy,
    )


def _lint_waivers(fields: Fields) -> dict[str, dict[str, str]]:
    """`lint:` of course.yaml: per question id, the item-quality checks waived and why."""
    raw = fields.mapping.get("lint")
    if raw is None:
        return {}
    waivers: dict[str, dict[str, str]] = {}
    if isinstance(raw, Mapping):
        for key, checks in raw.items():
            if not isinstance(checks, Mapping) or not all(
                isinstance(reason, str) and reason.strip() for reason in checks.values()
            ):
                fields.problem("lint", f"{clipped(str(key))}: give each waived check a reason")
                continue
            waivers[str(key)] = {str(check): reason.strip() for check, reason in checks.items()}
    else:
        fields.problem("lint", "must map question ids to the checks waived and why")
    return waivers


def _load_lesson(
    path: Path, root: Path, problems: list[Problem], taxonomy: Taxonomy
) -> tuple[LessonData, Fields] | None:
    shown = _shown(path, root)
    text = _read(path, root, problems)
    if text is None:
        return None
    text = text.replace("\r\n", "\n")
    if not text.startswith("---\n") or "\n---\n" not in text[3:]:
        problems.append(Problem(shown, 1, "front matter", "must start with a --- block"))
        return None
    front, body = text[4:].split("\n---\n", 1)
    document = _parse(front + "\n", shown, problems, line_offset=1)
    if not isinstance(document, Mapping):
        if document is not None:
            problems.append(Problem(shown, 2, "front matter", "must be a mapping"))
        return None
    fields = Fields(shown, document, problems, line_offset=1)
    fields.unknown(LESSON_FIELDS)
    lesson = LessonData(
        slug=fields.pattern("slug", SLUG, "slug"),
        title=fields.text("title"),
        position=fields.integer("position", 1, default=1) or 1,
        summary=fields.text("summary"),
        estimated_minutes=fields.integer("estimated_minutes", 1, 240, default=5) or 5,
        body=body.strip() + "\n",
        dimension=fields.choice("dimension", taxonomy.dimension_keys, required=False),
        status=fields.choice("status", ("draft", "published"), required=False) or "published",
        objectives=fields.string_list("objectives"),
        takeaways=fields.string_list("takeaways"),
        source=f"{shown}:1",
    )
    return lesson, fields


def _check_unique(lessons: list[tuple[LessonData, Fields]], problems: list[Problem]) -> None:
    seen_slugs: dict[str, str] = {}
    seen_positions: dict[int, str] = {}
    for lesson, fields in lessons:
        if lesson.slug in seen_slugs:
            fields.problem(
                "slug", f"duplicate slug {quoted(lesson.slug)} (also in {seen_slugs[lesson.slug]})"
            )
        seen_slugs.setdefault(lesson.slug, fields.path)
        if lesson.position in seen_positions:
            fields.problem(
                "position",
                f"duplicate position {lesson.position} (also in {seen_positions[lesson.position]})",
            )
        seen_positions.setdefault(lesson.position, fields.path)
