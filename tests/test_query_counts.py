"""Query discipline: each page sends a fixed number of SQL statements, however big the data.

Every test measures a page, makes the data behind it bigger (more courses, lessons,
questions, learners, or rows on the page), measures again and asserts the same number,
which is also pinned: a change that adds a statement to a page shows up here.
"""

import re
from collections.abc import Callable
from datetime import timedelta
from itertools import takewhile

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Select, insert, text

from tests.conftest import StatementCounter
from tests.learning.test_quiz import answer_all, items
from trainer.demo import dataset
from trainer.extensions import db
from trainer.learning import practice
from trainer.models import (
    Assignment,
    Attempt,
    Course,
    CourseCompletion,
    Lesson,
    LessonProgress,
    LessonStatus,
    Question,
    QuestionOption,
    QuestionStatus,
    Quiz,
    User,
)
from trainer.models.types import utcnow
from trainer.people import tokens
from trainer.reporting import report, report_pages

LESSON = "/courses/sample/lessons/proces-decyzyjny"
# Statements per page: the signed-in user with their roles is the first of each.
DASHBOARD = 8  # with the open timed attempt, for the "back to the exam" card
COURSE = 9  # the outline: each quiz's status from two grouped queries
# A write that changes a learner's standing in a course refreshes its summary row for the
# report in the same transaction: 2 statements (delete, insert), 3 on PostgreSQL, where the
# learner's row is locked first (see summary_refresh below).
LESSON_FIRST_VISIT = 8  # 4, the summary's refresh, and a savepoint around the first opening
LESSON_AGAIN = 3  # the user, the content's revision token, the learner's progress
# A process keeps the courses as learners see them until the content changes: the first
# request after a change reads the courses with their lessons, and the quizzes they point to.
CONTENT_READ = 2
QUIZ_ITEM = 4
ANSWER = 5
ANSWER_REFUSED = 5  # its item's page again: every item, with its question, in one more
SUBMIT = 23  # with the xAPI statements it logs, in two inserts, and the summary's refresh
SUBMIT_AGAIN = 2  # the user, the attempt: a second click reads no item and writes nothing
RESULT = 5
REPORT = 6  # by name: the page counts the courses, to page through learners
REPORT_BY_STATUS = 5
API_COMPLETIONS = 4
ADMIN_USERS = 4
VERIFY = 1  # the certificate with its holder and course; nobody is signed in
HR_ASSIGNMENTS = 6


def summary_lock(app: Flask) -> int:
    """The statement a summary refresh adds on PostgreSQL: the learner's row locked first,
    so that two transactions refreshing one learner cannot each miss the other's write."""
    with app.app_context():
        return 1 if db.engine.dialect.name == "postgresql" else 0


def sample_quiz(slug: str):
    """A select of the sample course's quiz `slug` (its clones have the same slug)."""
    return db.select(Quiz).join(Course).where(Course.slug == "sample", Quiz.slug == slug)


def clone_course(app: Flask, number: int, source: str = "sample") -> str:
    """A copy of course `source` under a new slug: lessons, questions, options, quizzes."""
    with app.app_context():
        src = db.session.execute(db.select(Course).where(Course.slug == source)).scalar_one()
        course = Course(
            slug=f"{source}-{number}", title=f"{src.title} {number}", language=src.language,
            description=src.description, taxonomy_data=src.taxonomy_data,
        )  # fmt: skip
        lessons = {}
        for lesson in src.lessons:
            lessons[lesson.id] = Lesson(
                course=course, slug=lesson.slug, title=lesson.title, dimension=lesson.dimension,
                position=lesson.position, summary=lesson.summary, body=lesson.body,
                objectives=lesson.objectives, takeaways=lesson.takeaways, status=lesson.status,
            )  # fmt: skip
        questions = {}
        for question in db.session.execute(
            db.select(Question).where(Question.course_id == src.id)
        ).scalars():
            questions[question.id] = Question(
                course=course, key=question.key, type=question.type,
                dimension=question.dimension, difficulty=question.difficulty,
                market=question.market, signals=question.signals, situation=question.situation,
                prompt=question.prompt, explanation=question.explanation,
                lesson=lessons.get(question.lesson_id), lesson_anchor=question.lesson_anchor,
                details=question.details, status=question.status,
                options=[
                    QuestionOption(position=o.position, text=o.text, feedback=o.feedback,
                                   is_correct=o.is_correct)
                    for o in question.options
                ],
            )  # fmt: skip
        for quiz in src.quizzes:
            db.session.add(
                Quiz(
                    course=course,
                    slug=quiz.slug,
                    title=quiz.title,
                    position=quiz.position,
                    lesson=lessons.get(quiz.lesson_id),
                    is_final=quiz.is_final,
                    items_per_attempt=quiz.items_per_attempt,
                    pass_mark=quiz.pass_mark,
                    attempts_allowed=quiz.attempts_allowed,
                    draw_rules=quiz.draw_rules,
                    questions=[questions[q.id] for q in quiz.questions],
                )
            )
        db.session.add(course)
        db.session.commit()
        return course.slug


def more_lessons(app: Flask, count: int, course: str = "sample") -> None:
    """`count` more published lessons at the end of `course`, each with a few headings."""
    with app.app_context():
        found = db.session.execute(db.select(Course).where(Course.slug == course)).scalar_one()
        last = max(lesson.position for lesson in found.lessons)
        extra = sum(lesson.slug.startswith("extra-") for lesson in found.lessons)
        for n in range(extra + 1, extra + count + 1):
            body = "\n\n".join(f"## Part {part}\n\nText of part {part}." for part in range(5))
            db.session.add(
                Lesson(
                    course=found,
                    slug=f"extra-{n}",
                    title=f"Extra {n}",
                    position=last + n - extra,
                    body=body,
                    status=LessonStatus.PUBLISHED,
                )
            )
        db.session.commit()


def more_questions(app: Flask, count: int, quiz_slug: str = "egzamin") -> None:
    """`count` more multiple-choice questions in the quiz's pool, all of them drawn."""
    with app.app_context():
        quiz = db.session.execute(sample_quiz(quiz_slug)).scalar_one()
        lesson = db.session.execute(
            db.select(Lesson).where(Lesson.course_id == quiz.course_id).order_by(Lesson.position)
        ).scalars().first()  # fmt: skip
        for n in range(count):
            quiz.questions.append(
                Question(
                    course_id=quiz.course_id,
                    key=f"extra-{n}",
                    type="multiple_choice",
                    prompt=f"Extra question {n}?",
                    explanation="Because.",
                    lesson=lesson,
                    status=QuestionStatus.ACTIVE,
                    options=[
                        QuestionOption(
                            position=p, text=f"Option {p}", feedback="…", is_correct=p == 1
                        )
                        for p in range(1, 5)
                    ],
                )
            )
        quiz.items_per_attempt = len(quiz.questions)
        quiz.draw_rules = {}
        db.session.commit()


def demo_learners(app: Flask, count: int) -> None:
    """`count` demo learners with a realistic history on every course."""
    with app.app_context():
        dataset.generate(count, seed=7, force=True)
        db.session.commit()


def assign_everything(app: Flask, user_id: int) -> None:
    """Assign every course to the user, and open every lesson of it for them."""
    with app.app_context():
        mine = LessonProgress.user_id == user_id
        done = set(db.session.execute(db.select(LessonProgress.lesson_id).where(mine)).scalars())
        assigned = set(
            db.session.execute(
                db.select(Assignment.course_id).where(Assignment.user_id == user_id)
            ).scalars()
        )
        for course in db.session.execute(db.select(Course)).scalars():
            if course.id not in assigned:
                db.session.add(Assignment(user_id=user_id, course_id=course.id, due_at=utcnow()))
            for lesson in course.lessons:
                if lesson.id not in done:
                    db.session.add(LessonProgress(user_id=user_id, lesson_id=lesson.id,
                                                  completed_at=utcnow()))  # fmt: skip
        db.session.commit()


@pytest.fixture
def learner(synced: Flask, login_as) -> int:
    return login_as("learner")


def start(client: FlaskClient, app: Flask, quiz_slug: str = "egzamin") -> int:
    with app.app_context():
        quiz = db.session.execute(sample_quiz(quiz_slug).with_only_columns(Quiz.id)).scalar_one()
    response = client.post(f"/quizzes/{quiz}/start")
    assert response.status_code == 302, response.text
    return int(re.search(r"/attempts/(\d+)/", response.location).group(1))


def first_step(app: Flask, attempt_id: int) -> tuple[str, dict[str, object]]:
    """The address and form that save the first step of the attempt's first item."""
    _position, question, order = items(app, attempt_id)[0]
    base = f"/attempts/{attempt_id}/items/1"
    if question.type == "scenario":
        return f"{base}/market", {"market": question.market}
    return f"{base}/option", {"option": order[0]}


def assert_fixed(
    sql: StatementCounter, expected: int, request: Callable, *args: object, **kwargs: object
) -> list[str]:
    """The request answers 200 or 302 and sends exactly `expected` statements (returned)."""
    response, statements = sql.count(request, *args, **kwargs)
    assert response.status_code in (200, 302), (response.status_code, response.text[:500])
    listing = "\n".join(" ".join(statement.split())[:160] for statement in statements)
    assert len(statements) == expected, f"{len(statements)} statements:\n{listing}"
    return statements


def position(statements: list[str], part: str) -> int:
    """Where the first statement holding `part` comes in the request's statements."""
    return next(index for index, statement in enumerate(statements) if part in statement)


def grow(app: Flask, user_id: int, courses: int = 2, lessons: int = 4, learners: int = 12) -> None:
    """More of everything around the learner: courses, lessons, learners, their history, and
    the learner's own progress and assignments in every course. Lessons are added after
    the demo learners, whose making reads the courses: the content has changed since."""
    for number in range(courses):
        clone_course(app, number)
    demo_learners(app, learners)
    more_lessons(app, lessons)
    assign_everything(app, user_id)


def test_dashboard(synced: Flask, client: FlaskClient, learner: int, sql) -> None:
    assert_fixed(sql, DASHBOARD + CONTENT_READ, client.get, "/")
    assert_fixed(sql, DASHBOARD, client.get, "/")
    grow(synced, learner)  # more courses and lessons: the content changed
    assert_fixed(sql, DASHBOARD + CONTENT_READ, client.get, "/")
    assert_fixed(sql, DASHBOARD, client.get, "/")


def test_course_page(synced: Flask, client: FlaskClient, learner: int, sql) -> None:
    assert_fixed(sql, COURSE + CONTENT_READ, client.get, "/courses/sample")
    assert_fixed(sql, COURSE, client.get, "/courses/sample")
    grow(synced, learner)
    assert_fixed(sql, COURSE + CONTENT_READ, client.get, "/courses/sample")
    assert_fixed(sql, COURSE, client.get, "/courses/sample")


def test_lesson_page(synced: Flask, client: FlaskClient, learner: int, sql) -> None:
    more_lessons(synced, 1)  # the lesson has a previous and a next one from the start
    first_visit = LESSON_FIRST_VISIT + summary_lock(synced)
    assert_fixed(sql, first_visit + CONTENT_READ, client.get, LESSON)
    assert_fixed(sql, LESSON_AGAIN, client.get, LESSON)
    grow(synced, learner)  # more courses and lessons: the content changed
    assert_fixed(sql, LESSON_AGAIN + CONTENT_READ, client.get, LESSON)
    assert_fixed(sql, LESSON_AGAIN, client.get, LESSON)
    more_lessons(synced, 2)  # not opened yet
    assert_fixed(sql, first_visit + CONTENT_READ, client.get, "/courses/sample/lessons/extra-6")
    assert_fixed(sql, LESSON_AGAIN, client.get, "/courses/sample/lessons/extra-5")


def test_quiz_pages(synced: Flask, client: FlaskClient, learner: int, sql) -> None:
    """An item, saving an answer, submitting and the result, with a 4-item attempt, then a
    10-item one in a bigger world. Every answer is wrong, so each submit puts questions both
    new to the practice queue and already in it back into it."""
    with synced.app_context():
        exam = db.session.execute(sample_quiz("egzamin")).scalar_one()
        practice.enqueue(learner, exam.questions[:1])
        db.session.commit()
    for extra in (0, 6):
        if extra:
            grow(synced, learner)
            more_questions(synced, extra)
        attempt = start(client, synced)
        assert_fixed(sql, QUIZ_ITEM, client.get, f"/attempts/{attempt}/items/1")
        address, form = first_step(synced, attempt)
        assert_fixed(sql, ANSWER, client.post, address, data=form)
        answer_all(synced, client, attempt, right=False)
        # Submit is the first request here to read the courses (for a completion) since
        # they last changed.
        submit = SUBMIT + summary_lock(synced) + CONTENT_READ
        statements = assert_fixed(sql, submit, client.post, f"/attempts/{attempt}/submit")
        # The questions' options are read before the claim, grading's first write: on
        # SQLite that takes the one write lock until the commit.
        claim = position(statements, "UPDATE attempt ")
        assert position(statements, "FROM question_option") < claim
        assert_fixed(sql, SUBMIT_AGAIN, client.post, f"/attempts/{attempt}/submit")
        assert_fixed(sql, RESULT, client.get, f"/attempts/{attempt}/result")


def test_a_refused_answer_shows_every_item_again_in_fixed_statements(
    synced: Flask, client: FlaskClient, learner: int, sql
) -> None:
    """Saving a step reads its own item only; when the answer is refused, the item's page
    shows the whole attempt's navigation after all, read in one statement, not one per item."""
    for extra in (0, 6):
        more_questions(synced, extra)
        attempt = start(client, synced)
        address, form = first_step(synced, attempt)
        refused = dict.fromkeys(form, "not-an-answer")
        response, statements = sql.count(client.post, address, data=refused)
        assert response.status_code == 400
        assert response.text.count('class="open"') == len(items(synced, attempt))
        assert len(statements) == ANSWER_REFUSED, "\n".join(statements)
        client.post(f"/attempts/{attempt}/submit")


def test_time_up_grading_reads_every_option_at_once(
    synced: Flask, client: FlaskClient, learner: int, sql
) -> None:
    """An item's page loads one question's options; when the time is up it grades the
    attempt, which reads the others in one statement, not one per item."""
    with synced.app_context():
        db.session.execute(sample_quiz("egzamin")).scalar_one().time_limit_minutes = 10
        db.session.commit()
    for extra in (0, 6):
        more_questions(synced, extra)
        attempt = start(client, synced)
        with synced.app_context():
            db.session.get(Attempt, attempt).started_at -= timedelta(minutes=11)
            db.session.commit()
        response, statements = sql.count(client.get, f"/attempts/{attempt}/items/1")
        assert response.location == f"/attempts/{attempt}/result"
        assert sum("FROM question_option" in statement for statement in statements) == 1


def test_a_save_after_the_time_is_up_grades_in_fixed_statements(
    synced: Flask, client: FlaskClient, learner: int, sql
) -> None:
    """Saving a step reads its own item; when the time is up it grades the attempt, which
    reads the other items with their questions, then their options, in one statement each.
    A question is queued for practice from the start, so both rounds queue new wrong answers
    and put queued ones back."""
    with synced.app_context():
        exam = db.session.execute(sample_quiz("egzamin")).scalar_one()
        exam.time_limit_minutes = 10
        practice.enqueue(learner, exam.questions[:1])
        db.session.commit()
    counts = []
    for extra in (0, 6):
        more_questions(synced, extra)
        attempt = start(client, synced)
        address, form = first_step(synced, attempt)
        with synced.app_context():
            db.session.get(Attempt, attempt).started_at -= timedelta(minutes=11)
            db.session.commit()
        response, statements = sql.count(client.post, address, data=form)
        assert response.location == f"/attempts/{attempt}/result"
        assert sum("FROM question_option" in statement for statement in statements) == 1
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


@pytest.fixture
def hr_client(synced: Flask, login_as) -> int:
    return login_as("hr")


def test_hr_report(synced: Flask, client: FlaskClient, hr_client: int, sql) -> None:
    """The first page, then a full page of 50 rows of 150 learners in four courses."""
    demo_learners(synced, 3)  # reads the courses: the filter's choices come from them
    assert_fixed(sql, REPORT, client.get, "/hr/")
    grow(synced, hr_client, learners=150)  # the content changed
    assert_fixed(sql, REPORT + CONTENT_READ, client.get, "/hr/")
    assert_fixed(sql, REPORT, client.get, "/hr/")
    assert_fixed(sql, REPORT_BY_STATUS, client.get, "/hr/?page=3&sort=status")


def test_api_completions(synced: Flask, client: FlaskClient, sql) -> None:
    with synced.app_context():
        _token, secret = tokens.create_token("Kadry", "hr:read", "cli")
        db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    demo_learners(synced, 3)
    statements = assert_fixed(
        sql, API_COMPLETIONS, client.get, "/api/v1/completions", headers=headers
    )
    # The token's use and the audit record are written after every read: on SQLite the
    # first write takes the one write lock until the commit.
    kinds = [statement.split()[0].upper() for statement in statements]
    assert kinds == ["SELECT", "SELECT", "UPDATE", "INSERT"], statements
    for number in range(2):
        clone_course(synced, number)
    demo_learners(synced, 150)
    assert_fixed(sql, API_COMPLETIONS, client.get, "/api/v1/completions", headers=headers)
    response = client.get("/api/v1/completions", headers=headers)
    after = response.json["next_cursor"]
    assert after and len(response.json["data"]) == 100  # a full page
    assert_fixed(
        sql, API_COMPLETIONS, client.get, "/api/v1/completions",
        query_string={"cursor": after}, headers=headers,
    )  # fmt: skip


def test_certificate_check(synced: Flask, client: FlaskClient, sql) -> None:
    """The public check of a certificate, then of another among many more learners."""
    demo_learners(synced, 20)
    first = some_certificate(synced)
    assert_fixed(sql, VERIFY, client.get, f"/verify/{first}")
    demo_learners(synced, 120)
    assert_fixed(sql, VERIFY, client.get, f"/verify/{first}")
    assert_fixed(sql, VERIFY, client.get, f"/verify/{some_certificate(synced, last=True)}")


def some_certificate(app: Flask, last: bool = False) -> str:
    order = CourseCompletion.id.desc() if last else CourseCompletion.id
    with app.app_context():
        return db.session.execute(
            db.select(CourseCompletion.certificate_code).order_by(order).limit(1)
        ).scalar_one()


def test_admin_users(synced: Flask, client: FlaskClient, login_as, sql) -> None:
    """A page of 100 users: a count, the page and its roles, however many users there are."""
    login_as("admin")
    assert_fixed(sql, ADMIN_USERS, client.get, "/admin/users")
    demo_learners(synced, 150)
    assert_fixed(sql, ADMIN_USERS, client.get, "/admin/users")
    assert_fixed(sql, ADMIN_USERS, client.get, "/admin/users?page=2")
    first, second = client.get("/admin/users").text, client.get("/admin/users?page=2").text
    assert "Rows 1–100 of 151." in first and "Rows 101–151 of 151." in second
    with synced.app_context():
        last = db.session.execute(
            db.select(User).order_by(User.email.desc(), User.id.desc())
        ).scalars().first()  # fmt: skip
        email, name = last.email, last.display_name
    assert email not in first and email in second
    found = client.get("/admin/users", query_string={"q": name.split()[-1].upper()}).text
    assert email in found


def test_hr_assignments(synced: Flask, client: FlaskClient, hr_client: int, sql) -> None:
    """The people form offers 100 learners at most (a search narrows them); a learner ticked
    after a search can be assigned. The page's statements do not grow with the learners."""
    demo_learners(synced, 3)
    assert_fixed(sql, HR_ASSIGNMENTS, client.get, "/hr/assignments")
    demo_learners(synced, 150)
    assert_fixed(sql, HR_ASSIGNMENTS, client.get, "/hr/assignments")
    page = client.get("/hr/assignments").text
    assert page.count('name="people-learners"') == 100
    assert "Showing 100 of 150 active learners" in page
    with synced.app_context():
        last = db.session.execute(
            db.select(User).order_by(User.display_name.desc(), User.email.desc())
        ).scalars().first()  # fmt: skip
        learner, email = last.id, last.email
        course = db.session.execute(db.select(Course.id).where(Course.slug == "sample")).scalar()
    assert email not in page
    found = client.get("/hr/assignments", query_string={"who": email}).text
    assert email in found and found.count('name="people-learners"') == 1
    due = (utcnow().date() + timedelta(days=7)).isoformat()
    form = {"people-course": course, "people-due": due, "people-learners": [learner]}
    response = client.post("/hr/assignments/people", data=form)
    assert response.status_code == 302, response.text
    with synced.app_context():
        assert db.session.execute(
            db.select(Assignment).where(
                Assignment.user_id == learner, Assignment.course_id == course
            )
        ).scalar_one()


# Tables that grow with the learners; the report may read none of them without an index.
LEARNER_TABLES = ("user", "user_role", "learner_course_summary")
BASE_TABLES = (*LEARNER_TABLES, "course", "lesson")
# What the report used to aggregate on every page: it reads the summary row instead.
AGGREGATED_TABLES = ("lesson_progress", "attempt", "course_completion", "assignment")
SUMMARY_INDEX = (
    r"(sqlite_autoindex_learner_course_summary_1|pk_learner_course_summary"
    r"|ix_learner_course_summary_\w+)"
)


def report_queries() -> dict[str, Select]:
    """The report's pages (by name and by status), its count, the API's keyset page and
    filtered pages, as the HR page and the API send them."""
    from trainer.reporting import hr_api

    everything = report.ReportFilter()
    since = report.ReportFilter(course="sample", since=utcnow().date() - timedelta(days=30))
    return {
        "page": report_pages.page_select(everything),
        "page by status": report_pages.page_select(everything, "status"),
        "count": report_pages.count_select(everything),
        "count by status": report_pages.count_select(report.ReportFilter(status="completed")),
        "api": hr_api.completions_select(everything, 100, (3, "a")),
        "completed since": report_pages.page_select(since, "score", descending=True),
        "department": report_pages.page_select(
            report.ReportFilter(department="Sprzedaż"), "status"
        ),
    }


def report_plan(app: Flask, stmt: Select | None = None) -> list[str]:
    """The database's plan of a report query (by default its first page), one line a step."""
    with app.app_context():
        if stmt is None:
            stmt = report.report_select(report.ReportFilter()).limit(50)
        query = str(stmt.compile(db.engine, compile_kwargs={"literal_binds": True}))
        if db.engine.dialect.name == "sqlite":
            rows = db.session.execute(text(f"EXPLAIN QUERY PLAN {query}")).all()
            plan = [row[3] for row in rows]
        else:
            # The test data is small: a sequential scan would win on cost alone. Turned off,
            # the planner still falls back to one wherever no index can serve.
            db.session.execute(text("SET LOCAL enable_seqscan = off"))
            plan = list(db.session.execute(text(f"EXPLAIN {query}")).scalars())
        db.session.rollback()
        return plan


@pytest.mark.parametrize("name", [
    "page", "page by status", "count", "count by status", "api", "completed since", "department"
])  # fmt: skip
def test_the_report_query_reads_the_summary_through_indexes(synced: Flask, name: str) -> None:
    """The report's queries (the HR page and its count, the API's keyset page, a filtered
    page) read each learner's summary row through the summary's indexes, on SQLite and
    PostgreSQL, and never aggregate progress, attempts, completions or assignments."""
    demo_learners(synced, 20)
    with synced.app_context():
        stmt = report_queries()[name]
        dialect = db.engine.dialect.name
    plan = report_plan(synced, stmt)
    text_of_plan = "\n".join(plan)
    for table in AGGREGATED_TABLES:
        assert not re.search(rf'\b"?{table}"?\b', text_of_plan), (
            f"{table} read by the report:\n{text_of_plan}"
        )
    if dialect == "sqlite":
        for line in plan:
            words = line.split()
            table = words[1] if len(words) > 1 and words[0] in ("SCAN", "SEARCH") else None
            if table not in BASE_TABLES:
                continue  # the small per-course lesson count, and the steps that are not reads
            assert "AUTOMATIC" not in line, f"a temporary index on a table:\n{text_of_plan}"
            if table in LEARNER_TABLES and words[0] == "SCAN":
                assert "USING" in line, f"{table} read without an index:\n{text_of_plan}"
        found = rf"SEARCH learner_course_summary USING (COVERING )?INDEX {SUMMARY_INDEX}"
        if name == "department":  # a department's active learners, not every active learner
            assert "USING INDEX ix_user_department_active" in text_of_plan, text_of_plan
    else:
        for table in LEARNER_TABLES:
            assert not re.search(rf'Seq Scan on "?{table}"? ', text_of_plan), (
                f"{table} read without an index:\n{text_of_plan}"
            )
        found = rf"(Index (Only )?Scan|Bitmap Index Scan) (using|on) {SUMMARY_INDEX}"
    # PostgreSQL leaves the summary out of the count altogether: the outer join on its
    # primary key can change no count.
    if name != "count" or "learner_course_summary" in text_of_plan:
        assert re.search(found, text_of_plan), text_of_plan


@pytest.mark.parametrize(("name", "index"), [
    ("page", "ix_user_active_display_name"), ("api", "ix_user_active"),
])  # fmt: skip
def test_a_page_builds_the_rows_of_its_own_learners_only(
    synced: Flask, name: str, index: str
) -> None:
    """The report's page by name and the API's page take their learners from an index in
    page order, then build only those learners' rows: nothing sorts every learner, so a
    page's cost does not grow with the number of learners."""
    demo_learners(synced, 20)
    with synced.app_context():
        stmt = report_queries()[name]
        query = str(stmt.compile(db.engine, compile_kwargs={"literal_binds": True}))
        if db.engine.dialect.name == "sqlite":
            steps = db.session.execute(text(f"EXPLAIN QUERY PLAN {query}")).all()
            run = next(step for step in steps if step[3].startswith("LIST SUBQUERY"))
            inside = [step[3] for step in steps if step[1] == run[0]]
            assert any(re.search(rf"SEARCH user USING (COVERING )?INDEX ({index}) ", line)
                       for line in inside), inside  # fmt: skip
            assert not any("TEMP B-TREE" in line for line in inside), inside
            outer = [step[3] for step in steps if step[1] == 0]
            assert "SEARCH user USING INTEGER PRIMARY KEY (rowid=?)" in outer, outer
        else:
            # On so few rows sorting would win on cost: turned off, the planner sorts only
            # where no index gives the order.
            db.session.execute(text("SET LOCAL enable_seqscan = off"))
            db.session.execute(text("SET LOCAL enable_sort = off"))
            plan = list(db.session.execute(text(f"EXPLAIN {query}")).scalars())
            start = next(n for n, line in enumerate(plan) if n and "Limit" in line)

            def depth(line: str) -> int:
                return len(line) - len(line.lstrip())

            # The run of learners: the inner Limit and the steps under it.
            below = takewhile(lambda line: depth(line) > depth(plan[start]), plan[start + 1 :])
            run = [plan[start], *below]
            assert not any("Sort" in line for line in run), "\n".join(plan)
            if name == "page":
                assert any(index in line for line in run), "\n".join(plan)
        db.session.rollback()


def test_the_exports_best_scores_read_a_batchs_own_attempts(synced: Flask) -> None:
    """An export reads the best score per quiz for each batch of learners: through the index
    on (user_id, quiz_id), not through every attempt at those quizzes."""
    from trainer.reporting import quiz_bests

    demo_learners(synced, 20)
    with synced.app_context():
        users = list(db.session.execute(db.select(User.id).order_by(User.id)).scalars())
        batch, others = users[:5], users[5:]
        quizzes = list(db.session.execute(db.select(Quiz.id)).scalars())
        # What the index is for: a batch's few attempts among many at the same quizzes. On
        # twenty learners' alone, PostgreSQL's cost model may take either index.
        now = utcnow()
        db.session.execute(
            insert(Attempt),
            [{"user_id": others[n % len(others)], "quiz_id": quizzes[n % len(quizzes)],
              "status": "graded", "started_at": now, "submitted_at": now, "percent": 50.0}
             for n in range(3000)],
        )  # fmt: skip
        db.session.commit()
        stmt = quiz_bests.graded_attempts_select(batch, quizzes)
        dialect = db.engine.dialect.name
        if dialect != "sqlite":
            db.session.execute(text("ANALYZE attempt"))  # PostgreSQL weighs by statistics
            db.session.commit()
    plan = "\n".join(report_plan(synced, stmt))
    if dialect == "sqlite":
        assert (
            "SEARCH attempt USING INDEX ix_attempt_user_id_quiz_id (user_id=? AND quiz_id=?)"
            in plan
        ), plan
    else:
        assert "ix_attempt_user_id_quiz_id" in plan, plan
