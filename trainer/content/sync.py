"""Plain content objects to database rows, keyed by stable slugs and ids."""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from trainer.content.model import CourseData, QuestionData, QuizData
from trainer.extensions import db
from trainer.models import Course, Lesson, Question, QuestionOption, Quiz

OUTCOMES = ("created", "updated", "unchanged", "retired")


@dataclass
class SyncReport:
    """How many rows of each kind a sync created, updated, left alone or retired."""

    counts: dict[str, Counter[str]] = field(default_factory=dict)

    def add(self, kind: str, outcome: str) -> None:
        self.counts.setdefault(kind, Counter())[outcome] += 1

    @property
    def changed(self) -> bool:
        return any(c["created"] or c["updated"] or c["retired"] for c in self.counts.values())

    def lines(self) -> list[str]:
        """One line per kind: `lessons: 2 created, 0 updated, 7 unchanged, 0 retired`."""
        return [
            f"{kind}: " + ", ".join(f"{counts[o]} {o}" for o in OUTCOMES)
            for kind, counts in self.counts.items()
        ]


def _apply(row: Any, values: dict[str, Any]) -> bool:
    """Set `values` on `row`; whether anything differed."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def _upsert(report: SyncReport, kind: str, row: Any | None, model: type, values: dict) -> Any:
    if row is None:
        row = model(**values)
        db.session.add(row)
        report.add(kind, "created")
    else:
        changed = _apply(row, values)
        if changed and isinstance(row, Lesson):
            row.version += 1  # an editor opened before this sync now sees a conflict
        report.add(kind, "updated" if changed else "unchanged")
    return row


def sync_content(courses: list[CourseData]) -> SyncReport:
    """Make the database hold `courses`; the caller commits (or rolls back) the whole."""
    report = SyncReport()
    for data in courses:
        course = db.session.execute(
            db.select(Course).where(Course.slug == data.slug)
        ).scalar_one_or_none()
        course = _upsert(
            report,
            "courses",
            course,
            Course,
            {"slug": data.slug, "title": data.title, "language": data.language,
             "description": data.description},
        )  # fmt: skip
        db.session.flush()
        lessons = _sync_lessons(report, course, data)
        questions = _sync_questions(report, course, data, lessons)
        _sync_quizzes(report, course, data, lessons, questions)
    db.session.flush()
    return report


def _existing(model: type, course: Course, key: str) -> dict[str, Any]:
    rows = db.session.execute(db.select(model).where(model.course_id == course.id)).scalars()
    return {getattr(row, key): row for row in rows}


def _sync_lessons(report: SyncReport, course: Course, data: CourseData) -> dict[str, Lesson]:
    existing = _existing(Lesson, course, "slug")
    for item in data.lessons:
        values = {
            "course_id": course.id, "slug": item.slug, "title": item.title,
            "dimension": item.dimension, "position": item.position, "summary": item.summary,
            "estimated_minutes": item.estimated_minutes, "body": item.body,
            "objectives": list(item.objectives), "takeaways": list(item.takeaways),
            "status": item.status,
        }  # fmt: skip
        existing[item.slug] = _upsert(report, "lessons", existing.get(item.slug), Lesson, values)
    _retire(report, "lessons", existing, {item.slug for item in data.lessons})
    db.session.flush()
    return existing


def _retire(report: SyncReport, kind: str, rows: dict[str, Any], keep: set[str]) -> None:
    for key, row in rows.items():
        if key not in keep and row.status != "retired":
            row.status = "retired"
            report.add(kind, "retired")


def _sync_questions(
    report: SyncReport, course: Course, data: CourseData, lessons: dict[str, Lesson]
) -> dict[str, Question]:
    existing = _existing(Question, course, "key")
    for item in data.questions:
        values = _question_values(course, item, lessons)
        row = existing.get(item.key)
        if row is None:
            row = Question(**values)
            row.options = [_option(i, option) for i, option in enumerate(item.options, 1)]
            db.session.add(row)
            report.add("questions", "created")
        else:
            changed = _apply(row, values) | _sync_options(row, item)
            if changed:
                row.version += 1  # an editor opened before this sync now sees a conflict
            report.add("questions", "updated" if changed else "unchanged")
        existing[item.key] = row
    _retire(report, "questions", existing, {item.key for item in data.questions})
    db.session.flush()
    return existing


def _question_values(course: Course, item: QuestionData, lessons: dict[str, Lesson]) -> dict:
    lesson = lessons.get(item.lesson)
    return {
        "course_id": course.id, "key": item.key, "type": item.type,
        "dimension": item.dimension, "difficulty": item.difficulty, "market": item.market,
        "situation": item.situation, "prompt": item.prompt, "explanation": item.explanation,
        "lesson_id": lesson.id if lesson else None, "lesson_anchor": item.anchor,
        "status": "active",
    }  # fmt: skip


def _option(position: int, option: Any) -> QuestionOption:
    return QuestionOption(
        position=position, text=option.text, feedback=option.feedback, is_correct=option.correct
    )


def _sync_options(row: Question, item: QuestionData) -> bool:
    """Update options in place by position, so answers already given keep their option."""
    changed = False
    for position, option in enumerate(item.options, 1):
        values = {"text": option.text, "feedback": option.feedback, "is_correct": option.correct}
        if position <= len(row.options):
            changed |= _apply(row.options[position - 1], values)
        else:
            row.options.append(QuestionOption(position=position, **values))
            changed = True
    if len(row.options) > len(item.options):
        del row.options[len(item.options) :]
        changed = True
    return changed


def _sync_quizzes(
    report: SyncReport,
    course: Course,
    data: CourseData,
    lessons: dict[str, Lesson],
    questions: dict[str, Question],
) -> None:
    existing = _existing(Quiz, course, "slug")
    for item in data.quizzes:
        values = _quiz_values(course, item, lessons)
        pool = [questions[question.key] for question in data.pool(item)]
        row = existing.get(item.slug)
        if row is None:
            row = Quiz(**values, questions=pool)
            db.session.add(row)
            report.add("quizzes", "created")
        else:
            changed = _apply(row, values)
            if {q.id for q in row.questions} != {q.id for q in pool}:
                row.questions = pool
                changed = True
            report.add("quizzes", "updated" if changed else "unchanged")
        existing[item.slug] = row
    _retire(report, "quizzes", existing, {item.slug for item in data.quizzes})


def _quiz_values(course: Course, item: QuizData, lessons: dict[str, Lesson]) -> dict:
    lesson = lessons.get(item.after_lesson or "")
    return {
        "course_id": course.id, "slug": item.slug, "title": item.title,
        "position": item.position, "lesson_id": lesson.id if lesson else None,
        "is_final": item.final, "items_per_attempt": item.items, "pass_mark": item.pass_mark,
        "attempts_allowed": item.attempts_allowed, "cooldown_minutes": item.cooldown_minutes,
        "time_limit_minutes": item.time_limit_minutes, "status": "active",
        # Pool dimensions are kept so questions added later in the editor join the pool.
        "draw_rules": {"per_dimension": item.per_dimension,
                       "balance_markets": item.balance_markets,
                       "dimensions": list(item.pool_dimensions)},
    }  # fmt: skip
