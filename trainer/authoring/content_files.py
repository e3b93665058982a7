"""Loading the configured content folders: check, summarise and sync."""

from collections import Counter
from pathlib import Path
from typing import Any

from flask import current_app

from trainer.authoring.sync import apply_sync
from trainer.authoring.sync_plan import SyncPlan, plan_sync
from trainer.content.loader import load_content
from trainer.content.model import ContentError, CourseData, Problem


def load_configured_content() -> list[CourseData]:
    """Every course in the app's LESSONS_DIR and QUIZZES_DIR; raises `ContentError`.

    The two settings name folders that must exist: one that does not is a wrong setting
    (or an install without the content), not a site without courses. The loader itself
    reads a missing folder as an empty one, as an export's destination may be.
    """
    folders = [Path(current_app.config[name]) for name in ("LESSONS_DIR", "QUIZZES_DIR")]
    missing = [folder for folder in folders if not folder.is_dir()]
    if missing:
        raise ContentError([Problem(str(path), 1, "folder", "no such folder") for path in missing])
    return load_content(*folders)


def plan_configured_sync(prefer_files: bool = False) -> SyncPlan:
    """Validate every file and say what a sync would do; raises `ContentError`."""
    return plan_sync(load_configured_content(), prefer_files)


def sync_configured_content(prefer_files: bool = False) -> SyncPlan:
    """Validate every file, then sync it all; the caller commits."""
    return apply_sync(plan_configured_sync(prefer_files))


def summarize(courses: list[CourseData]) -> dict[str, dict[str, Any]]:
    """Counts per course: lessons, questions, questions by type, and per dimension the
    questions of each category (the scenarios, in the first course)."""
    summary = {}
    for course in courses:
        taxonomy = course.taxonomy
        by_dimension = {
            key: dict.fromkeys(taxonomy.category_keys, 0) for key in taxonomy.dimension_keys
        }
        for question in course.questions:
            if question.dimension and question.market:
                by_dimension[question.dimension][question.market] += 1
        summary[course.slug] = {
            "lessons": len(course.lessons),
            "questions": len(course.questions),
            "quizzes": len(course.quizzes),
            "by_type": dict(sorted(Counter(q.type for q in course.questions).items())),
            "by_dimension": by_dimension,
        }
    return summary
