"""Every payload of the XSS corpus, through every page that shows trainer, HR or imported text.

Payloads enter the way people enter text: content files (course.yaml, lesson front matter and
body, question banks), the lesson and question editors, a GIFT import, and an employee CSV
import. Each page that shows that text is then parsed with a real HTML5 parser (see
`tests/html_safety.py`) and must hold no script, event handler, javascript:/vbscript:/data:
URL, meta refresh or frame of the content's making; where a page shows the text as text, the
text must be there, so that a sink that silently dropped its input does not pass for safe.
Two worlds (tests/xss_world.py), each built once for a class of tests; each test loops over
the payloads.
"""

import re
from collections.abc import Iterator

import markdown
import pytest

from tests.html_safety import SITE_SCRIPTS, violations
from tests.xss_world import (
    PAYLOADS,
    World,
    assign_and_open,
    award,
    check,
    course_ids,
    import_gift,
    import_people,
    ok,
    open_world,
    quiz_ids,
    signed_in,
    typed,
    write_courses,
    write_in_editors,
)
from trainer.extensions import db
from trainer.models import Course, CourseCompletion, Question


def test_the_corpus_is_large_and_live() -> None:
    """At least 70 payloads, and the checker catches most of them when nothing escapes or
    sanitises them (put in a page as they are, or rendered by bare Markdown): proof that a
    clean page is clean because of its sinks, not because of a blind checker. The rest only
    bite in other contexts (attributes, templates, spreadsheets)."""
    assert len(PAYLOADS) >= 70
    assert len(set(PAYLOADS)) == len(PAYLOADS)
    assert all(len(payload) <= 120 for payload in PAYLOADS)
    caught = [
        payload
        for payload in PAYLOADS
        if violations(f"<p>{payload}</p>")
        or violations(markdown.markdown(payload, extensions=["attr_list"]))
    ]
    assert len(caught) >= 60, len(caught)


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        '<script src="/static/js/quiz.js">alert(1)</script>',
        "<img src=x OnError=alert(1)>",
        '<a href=" &#x6A;ava&#x09;script&colon;alert(1)">x</a>',
        '<a href="\x01javascript:alert(1)">x</a>',
        '<svg><a xlink:href="javascript:alert(1)">x</a></svg>',
        '<svg><set attributeName="href" to="data:text/html,x"/></svg>',
        '<form><button formaction="vbscript:x">x</button></form>',
        '<META HTTP-EQUIV="Refresh" CONTENT="0;URL=https://evil.example/">',
        '<iframe srcdoc="x"></iframe>',
        "<object data=x></object>",
        "<embed src=x>",
        '<div style="width: expression(alert(1))">x</div>',
    ],
)
def test_the_checker_sees_what_a_browser_would_run(html: str) -> None:
    assert violations(f"<!doctype html><title>t</title><body>{html}")


def test_the_checker_passes_the_sites_own_markup() -> None:
    scripts = "".join(f'<script src="{src}" defer></script>' for src in sorted(SITE_SCRIPTS))
    page = '<a href="/courses">x</a><a href="#b2b">y</a><a href="https://example.com">z</a>'
    assert violations(f"<!doctype html><title>t</title>{page}{scripts}") == []
    assert violations("&lt;script&gt;alert(1)&lt;/script&gt; javascript:alert(1)") == []


# The worlds: one for content, one for people, each built once for its class of tests.


@pytest.fixture(scope="class")
def content(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("xss-content")
    write_courses(root)
    config = {"LESSONS_DIR": str(root / "lessons"), "QUIZZES_DIR": str(root / "quizzes")}
    for world in open_world(database_url, root, **config):
        write_in_editors(world)
        import_gift(world)
        award(world, [world.learner_id] * len(PAYLOADS), course_ids(world))
        yield world


@pytest.fixture(scope="class")
def people(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    for world in open_world(database_url, tmp_path_factory.mktemp("xss-people")):
        import_people(world)
        import_people(world, " (2)")
        assign_and_open(world, "sample")
        with world.app.app_context():
            sample = db.session.execute(db.select(Course.id).where(Course.slug == "sample"))
            award(world, world.user_ids, [sample.scalar_one()] * len(world.user_ids))
        yield world


@pytest.mark.usefixtures("content")
class TestContent:
    """Text from files, the editors and GIFT, on the learner's and the trainer's pages."""

    def test_pages_made_while_importing(self, content: World) -> None:
        check(content.pages["GIFT preview"], "GIFT preview", *PAYLOADS)
        check(content.pages["GIFT imported"], "GIFT imported")

    def test_dashboard_and_course_pages(self, content: World) -> None:
        check(ok(content.learner.get("/"), "dashboard"), "dashboard", *PAYLOADS)
        for number, payload in enumerate(PAYLOADS):
            page = ok(content.learner.get(f"/courses/c{number}"), "course page")
            check(page, f"course page {payload!r}", payload)
            page = ok(content.learner.get(f"/courses/c{number}/mastery"), "mastery")
            check(page, f"mastery page {payload!r}", payload)

    def test_lesson_pages_from_files_and_from_the_editor(self, content: World) -> None:
        for number, payload in enumerate(PAYLOADS):
            page = ok(content.learner.get(f"/courses/c{number}/lessons/l"), "lesson")
            check(page, f"lesson page {payload!r}", payload)
            page = ok(content.learner.get(f"/courses/c0/lessons/f{number}"), "edited lesson")
            check(page, f"edited lesson page {payload!r}", payload)

    def test_quiz_pages_and_results(self, content: World) -> None:
        learner = content.learner
        for payload, quiz_id in zip(PAYLOADS, quiz_ids(content), strict=True):
            where = f"quiz {payload!r}"
            check(ok(learner.get(f"/quizzes/{quiz_id}"), where), f"{where} intro", payload)
            started = learner.post(f"/quizzes/{quiz_id}/start")
            assert started.status_code == 302, where
            attempt = started.location.split("/items/")[0]
            for position in (1, 2):
                page = ok(learner.get(f"{attempt}/items/{position}"), where)
                check(page, f"{where} item {position}", payload)
                if 'name="turn"' in page:  # a dialogue: one reply, then the conversation so far
                    learner.post(f"{attempt}/items/{position}/turn", data={"turn": "t1:0"})
                    check(ok(learner.get(f"{attempt}/items/{position}"), where), f"{where} reply")
            assert learner.post(f"{attempt}/submit").status_code == 302
            check(ok(learner.get(f"{attempt}/result"), where), f"{where} result", payload)

    def test_practice(self, content: World) -> None:
        """Runs after the quizzes, whose wrong answers fill the practice queue."""
        learner, seen = content.learner, set()
        while True:  # each question once: answered wrong, it comes back later, not now
            page = ok(learner.get("/practice/"), "practice")
            check(page, "practice")
            item = re.search(r'action="/practice/(\d+)"', page)
            if item is None or item.group(1) in seen:
                break
            seen.add(item.group(1))
            choices = re.findall(r'name="(option|turn)"[^>]*value="([^"]+)"', page)
            answer = {"market": "B2C", **dict(choices)}
            page = ok(learner.post(f"/practice/{item.group(1)}", data=answer), "practice answer")
            check(page, "practice answer")
        assert len(seen) >= len(PAYLOADS)

    def test_certificates_and_the_learners_transcript(self, content: World) -> None:
        public = content.app.test_client()
        with content.app.app_context():
            codes = dict(db.session.execute(
                db.select(CourseCompletion.course_id, CourseCompletion.certificate_code)
            ).all())  # fmt: skip
        for payload, course_id in zip(PAYLOADS, course_ids(content), strict=True):
            page = ok(content.learner.get(f"/certificates/{codes[course_id]}"), "certificate")
            check(page, f"certificate of {payload!r}", payload)
            page = ok(public.get(f"/verify/{codes[course_id]}"), "verification")
            check(page, f"verification of {payload!r}", payload)
        page = ok(content.staff.get(f"/hr/learners/{content.learner_id}"), "transcript")
        check(page, "transcript", *PAYLOADS)
        check(ok(content.staff.get("/hr/"), "HR report"), "HR report")

    def test_lesson_editor_preview_conflict_history_and_diff(self, content: World) -> None:
        staff = content.staff
        for payload, lesson_id in zip(map(typed, PAYLOADS), content.form_lessons, strict=True):
            where, path = f"lesson editor {payload!r}", f"/author/lessons/{lesson_id}"
            form = {
                "version": 1, "title": payload, "slug": f"x{lesson_id}", "dimension": "d1",
                "summary": payload, "estimated_minutes": 5, "objectives": payload,
                "takeaways": payload, "body": payload, "status": "published",
            }  # fmt: skip
            page = ok(staff.post(path, data={**form, "preview": "1"}), where)
            check(page, f"{where} preview", payload)
            stale = ok(staff.post(path, data={**form, "submit": "1"}), where)
            assert "conflict" in stale, where
            check(stale, f"{where} conflict", payload)
            fragment = staff.post("/author/preview", data={"body": payload})
            assert fragment.status_code == 200 and fragment.mimetype == "text/html", where
            check(fragment.get_data(as_text=True), f"{where} live preview")
            check(ok(staff.get(f"/author/lesson/{lesson_id}/history"), where), f"{where} history")
            diff = staff.get(f"/author/lesson/{lesson_id}/diff?old=1&new=2")
            check(ok(diff, where), f"{where} diff", payload)

    def test_question_editor_lists_lint_and_analysis(self, content: World) -> None:
        staff = content.staff
        for where, path in [
            ("authoring overview", "/author/"),
            ("lessons list", "/author/courses/c0/lessons"),
            ("questions from the editor", "/author/questions/courses/c1"),
            ("questions from GIFT", "/author/questions/courses/c2"),
            ("lint", "/author/lint/"),
            ("analysis", "/author/analysis/"),
            ("GIFT upload", "/author/gift/"),
        ]:
            check(ok(staff.get(path), where), where)
        for payload, question_id in zip(PAYLOADS, content.form_questions, strict=True):
            page = ok(staff.get(f"/author/questions/{question_id}"), "question editor")
            check(page, f"question editor {payload!r}", payload)
        with content.app.app_context():
            imported = db.session.execute(
                db.select(Question.id).join(Question.course)
                .where(Course.slug == "c2", Question.key.not_in(("s", "g")))
            ).scalars().all()  # fmt: skip
        assert len(imported) == len(PAYLOADS)
        for question_id in imported:
            page = ok(staff.get(f"/author/questions/{question_id}"), "GIFT question")
            check(page, f"GIFT question {question_id}")
        for number, (payload, quiz_id) in enumerate(zip(PAYLOADS, quiz_ids(content), strict=True)):
            page = ok(staff.get(f"/author/analysis/quizzes/{quiz_id}"), "quiz analysis")
            check(page, f"quiz analysis {payload!r}", payload)
            page = ok(staff.get(f"/author/analysis/courses/c{number}/progress"), "progress")
            check(page, f"course progress {payload!r}", payload)
            page = ok(staff.get(f"/author/analysis/courses/c{number}/charts"), "charts")
            check(page, f"course charts {payload!r}", payload)


@pytest.mark.usefixtures("people")
class TestPeople:
    """Names, departments and employee ids from an employee import, wherever they are shown."""

    def test_import_pages(self, people: World) -> None:
        check(people.pages["import preview"], "import preview", *PAYLOADS)
        check(people.pages["import result"], "import result")
        check(people.pages["import preview (2)"], "changes preview", *PAYLOADS)
        check(people.pages["import result (2)"], "changes result")

    def test_hr_report_transcripts_assignments_and_audit(self, people: World) -> None:
        staff = people.staff
        for listing in ("/hr/", "/audit/"):
            number, text = 1, ""
            while True:
                page = ok(staff.get(f"{listing}?page={number}"), listing)
                check(page, f"{listing} page {number}")
                text += page
                if f"page={number + 1}" not in page:
                    break
                number += 1
            # The report shows each name; the audit log each change of name, as a Python
            # value (quotes and control characters escaped), so there only its safety counts.
            check(text, listing, *(PAYLOADS if listing == "/hr/" else ()))
        for payload, user_id in zip(PAYLOADS, people.user_ids, strict=True):
            query = {"department": payload, "q": payload[:100]}
            filtered = staff.get("/hr/", query_string=query)
            assert filtered.status_code in (200, 400), payload
            check(filtered.get_data(as_text=True), f"HR report filtered by {payload!r}")
            page = ok(staff.get(f"/hr/learners/{user_id}"), "transcript")
            check(page, f"transcript of {payload!r}", payload)
        check(ok(staff.get("/hr/assignments"), "assignments"), "assignments")

    def test_admin_pages(self, people: World) -> None:
        staff = people.staff
        check(ok(staff.get("/admin/users"), "users"), "admin users", *PAYLOADS)
        for payload, user_id in zip(PAYLOADS, people.user_ids, strict=True):
            page = ok(staff.get(f"/admin/users/{user_id}/roles"), "roles")
            check(page, f"roles of {payload!r}", payload)
            page = ok(staff.get(f"/admin/users/{user_id}/erase"), "erase")
            check(page, f"erasure of {payload!r}", payload)

    def test_certificates(self, people: World) -> None:
        public = people.app.test_client()
        with people.app.app_context():
            codes = dict(db.session.execute(
                db.select(CourseCompletion.user_id, CourseCompletion.certificate_code)
            ).all())  # fmt: skip
        for payload, user_id in zip(PAYLOADS, people.user_ids, strict=True):
            page = ok(people.staff.get(f"/certificates/{codes[user_id]}"), "certificate")
            check(page, f"certificate of {payload!r}", payload)
            page = ok(public.get(f"/verify/{codes[user_id]}"), "verification")
            check(page, f"verification of {payload!r}", payload)

    def test_each_persons_own_pages(self, people: World) -> None:
        for payload, user_id in zip(PAYLOADS, people.user_ids, strict=True):
            person = signed_in(people.app, user_id)
            check(ok(person.get("/"), "dashboard"), f"dashboard of {payload!r}", payload)
            check(ok(person.get("/account"), "account"), f"account of {payload!r}")
            check(ok(person.get("/my-data"), "my data"), f"my data of {payload!r}", payload)

    def test_downloads_are_never_html(self, people: World) -> None:
        """Exports carry the same text; none is served as a page a browser would render."""
        formats = ("csv", "csv-excel", "xlsx", "xapi")
        paths = [f"/hr/export?format={fmt}" for fmt in formats]
        paths += ["/author/gift/sample.gift", "/my-data/download"]
        for path in paths:
            response = people.staff.get(path)
            assert response.status_code == 200, path
            assert "html" not in response.mimetype, path
            assert response.headers["X-Content-Type-Options"] == "nosniff", path
            response.close()
