"""Who gets what: every route and method, asked by each role with real ids from the sample course.

The tables below are the access rules in one place. A new route fails
`test_every_route_has_a_row` until it is given a row saying what each role gets.

Each request is an empty submit (CSRF is off in tests): enough to pass or meet the access
check, rarely enough to change anything. Where an allowed POST does change something, each
role acts on its own object (`PerRole`, `OVERRIDES`), so the order of requests never matters.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule
from werkzeug.security import generate_password_hash
from werkzeug.test import TestResponse

from tests.conftest import BASE_URL, PASSWORD, AuthActions
from tests.routes import build, rules
from trainer.extensions import db
from trainer.learning import attempts, catalogue, practice
from trainer.models import (
    Assignment,
    CourseCompletion,
    ExportJob,
    Lesson,
    PracticeItem,
    Quiz,
    User,
)
from trainer.people import (
    accounts,
    assignments,
    invitations,
    links,
    password_reset,
    registration,
    tokens,
)
from trainer.quiz.types import TYPES, question_type
from trainer.reporting import export_jobs

ROLES = ("anonymous", "learner", "trainer", "hr", "admin")
SIGN_IN = "sign-in"  # a redirect to the sign-in page
ANONYMOUS_ONLY = (200, 302, 302, 302, 302)  # sign-in forms: the signed-in go home
EVERYONE = (200, 200, 200, 200, 200)
SIGNED_IN = (SIGN_IN, 200, 200, 200, 200)
TRAINERS = (SIGN_IN, 403, 200, 403, 200)
HR = (SIGN_IN, 403, 403, 200, 200)
ADMINS = (SIGN_IN, 403, 403, 403, 200)


def only(allowed: tuple[str, ...], status: int | str) -> tuple[int | str, ...]:
    """`status` for the roles in `allowed`; sign-in for anonymous visitors; 403 for the rest."""
    return tuple(
        status if role in allowed else SIGN_IN if role == "anonymous" else 403 for role in ROLES
    )


TRAINER_ONLY = ("trainer", "admin")
HR_ONLY = ("hr", "admin")
ADMIN_ONLY = ("admin",)

# (endpoint, method): the status each of ROLES gets.
PAGES: dict[tuple[str, str], tuple[int | str, ...]] = {
    ("learn.dashboard", "GET"): SIGNED_IN,
    ("learn.course", "GET"): SIGNED_IN,
    ("learn.mastery", "GET"): SIGNED_IN,
    ("learn.lesson", "GET"): SIGNED_IN,
    ("learn.mark_done", "POST"): (SIGN_IN, 302, 302, 302, 302),
    ("auth.login", "GET"): ANONYMOUS_ONLY,
    ("auth.login", "POST"): ANONYMOUS_ONLY,
    ("auth.register", "GET"): ANONYMOUS_ONLY,
    ("auth.register", "POST"): ANONYMOUS_ONLY,
    ("auth.logout", "POST"): (SIGN_IN,) * 5,  # signing out ends on the sign-in page
    ("auth.account", "GET"): SIGNED_IN,
    ("auth.account", "POST"): SIGNED_IN,
    ("invitation.accept", "GET"): EVERYONE,
    ("invitation.accept", "POST"): EVERYONE,
    ("password.forgot", "GET"): EVERYONE,
    ("password.forgot", "POST"): EVERYONE,
    ("password.reset", "GET"): EVERYONE,
    ("password.reset", "POST"): EVERYONE,  # an empty form: the password is not changed
    ("auth.confirm", "GET"): EVERYONE,  # a registration link: choose a password
    ("auth.confirm", "POST"): EVERYONE,  # an empty form: no account is made
    ("quiz.intro", "GET"): SIGNED_IN,
    ("quiz.start", "POST"): (SIGN_IN, 302, 302, 302, 302),
    # An attempt is its learner's alone: to anybody else it does not exist.
    ("quiz.item", "GET"): (SIGN_IN, 200, 404, 404, 404),
    ("quiz.save_step", "POST"): (SIGN_IN, 400, 404, 404, 404),
    ("quiz.review", "GET"): (SIGN_IN, 200, 404, 404, 404),
    ("quiz.submit", "POST"): (SIGN_IN, 302, 404, 404, 404),
    ("quiz.result", "GET"): (SIGN_IN, 302, 404, 404, 404),  # not graded: back to its review
    ("practice.next_item", "GET"): SIGNED_IN,
    ("practice.answer", "POST"): (SIGN_IN, 400, 404, 404, 404),
    # A certificate: its owner, HR and admins; to anybody else it does not exist.
    ("certificates.certificate", "GET"): (SIGN_IN, 200, 404, 200, 200),
    ("certificates.pdf", "GET"): (SIGN_IN, 200, 404, 200, 200),
    ("certificates.verify_form", "GET"): EVERYONE,
    ("health.healthz", "GET"): EVERYONE,  # a load balancer asks without signing in
    ("health.readyz", "GET"): EVERYONE,
    ("certificates.verify", "GET"): EVERYONE,
    ("privacy.my_data", "GET"): SIGNED_IN,
    ("privacy.download", "GET"): SIGNED_IN,
    ("author.overview", "GET"): TRAINERS,
    ("author.lessons", "GET"): TRAINERS,
    ("author.new_lesson", "GET"): TRAINERS,
    ("author.new_lesson", "POST"): TRAINERS,  # the form again, with its errors
    ("author.edit_lesson", "GET"): TRAINERS,
    ("author.edit_lesson", "POST"): TRAINERS,
    ("author.lesson_status", "POST"): only(TRAINER_ONLY, 302),
    ("author.move_lesson", "POST"): only(TRAINER_ONLY, 302),
    ("author.preview", "POST"): TRAINERS,
    ("author.history", "GET"): TRAINERS,
    ("author.diff", "GET"): TRAINERS,
    ("author.restore", "POST"): only(TRAINER_ONLY, 302),
    ("question_editor.index", "GET"): TRAINERS,
    ("question_editor.new", "GET"): TRAINERS,
    ("question_editor.new", "POST"): TRAINERS,
    ("question_editor.edit", "GET"): TRAINERS,
    ("question_editor.edit", "POST"): TRAINERS,
    ("question_editor.status", "POST"): only(TRAINER_ONLY, 302),
    ("analysis.overview", "GET"): TRAINERS,
    ("analysis.quiz", "GET"): TRAINERS,
    ("analysis.quiz_csv", "GET"): TRAINERS,
    ("analysis.progress", "GET"): TRAINERS,
    ("analysis.charts", "GET"): (SIGN_IN, 403, 200, 200, 200),
    ("gift.upload", "GET"): TRAINERS,
    ("gift.upload", "POST"): TRAINERS,
    ("gift.confirm", "POST"): only(TRAINER_ONLY, 302),  # no plan: back to the upload
    ("gift.export", "GET"): TRAINERS,
    ("lint.report", "GET"): TRAINERS,
    ("hr.progress", "GET"): HR,
    ("hr.export", "GET"): HR,
    ("hr.learner", "GET"): HR,
    ("hr.xapi_queue", "GET"): HR,
    ("hr.assignments_page", "GET"): HR,
    ("hr.assign_department", "POST"): only(HR_ONLY, 400),
    ("hr.assign_people", "POST"): only(HR_ONLY, 400),
    ("hr.unassign", "POST"): only(HR_ONLY, 302),
    ("hr_import.upload", "GET"): HR,
    ("hr_import.upload", "POST"): HR,
    ("hr_import.confirm", "POST"): only(HR_ONLY, 302),  # no preview: back to the upload
    ("audit.log", "GET"): HR,
    ("hr_exports.index", "GET"): HR,
    # An export job is its HR user's (and admins'): the world's belongs to the hr user.
    ("hr_exports.show", "GET"): HR,
    ("hr_exports.download", "GET"): HR,
    ("admin.users", "GET"): ADMINS,
    ("admin.edit_roles", "GET"): ADMINS,
    ("admin.edit_roles", "POST"): only(ADMIN_ONLY, 302),  # no box ticked: no roles
    ("admin.deactivate", "POST"): only(ADMIN_ONLY, 302),
    ("admin.new_user", "GET"): ADMINS,
    ("admin.new_user", "POST"): only(ADMIN_ONLY, 200),  # an empty form: its errors
    ("admin.invite", "POST"): only(ADMIN_ONLY, 200),  # the link, shown once
    ("privacy.erase", "GET"): ADMINS,
    ("privacy.erase", "POST"): only(ADMIN_ONLY, 302),  # the POST is the confirmation
    ("tokens.index", "GET"): ADMINS,
    ("tokens.index", "POST"): ADMINS,
    ("tokens.revoke", "POST"): only(ADMIN_ONLY, 302),
}

API_CALLERS = ("no token", "hr:read", "revoked")
# (endpoint, method): the status each of API_CALLERS gets; a session cookie never counts.
API: dict[tuple[str, str], tuple[int, ...]] = {
    ("api.index", "GET"): (200, 200, 200),
    ("api.openapi", "GET"): (200, 200, 200),
    ("api.completions", "GET"): (401, 200, 401),
    ("api.transcript", "GET"): (401, 200, 401),
    ("api.statements", "GET"): (401, 200, 401),
}


@dataclass
class PerRole:
    """A URL value that differs by role, where more than one role may change the object."""

    values: dict[str, Any]

    def of(self, role: str) -> Any:
        """The role's own value; a role without one (refused anyway) gets the first."""
        return self.values.get(role, next(iter(self.values.values())))


# Which value of the world an endpoint takes for a URL argument, where not the one of that name.
OVERRIDES: dict[str, dict[str, str]] = {
    "quiz.submit": {"attempt_id": "attempt_to_submit"},
    "author.lesson_status": {"lesson_id": "draft_lesson_id"},
    "author.move_lesson": {"lesson_id": "draft_lesson_id"},
    "question_editor.status": {"action": "unretire"},  # retiring would change the quizzes
    "question_editor.new": {"kind": "question_type"},
    "admin.edit_roles": {"user_id": "role_victim"},
    "admin.deactivate": {"user_id": "deactivation_victim"},
    "admin.invite": {"user_id": "invited"},
    "privacy.erase": {"user_id": "erasure_victim"},
    "tokens.revoke": {"token_id": "token_to_revoke"},
    "password.reset": {"token": "reset_token"},
    "auth.confirm": {"token": "registration_token"},
}
# Query strings an endpoint needs to do its work rather than send the user back.
QUERIES: dict[str, dict[str, Any]] = {
    "author.diff": {"old": 1, "new": 1},
    "hr.export": {"format": "csv"},
}
# Signing out ends every session of the user: it is tried by users of its own.
OWN_USERS = {"auth.logout"}
CODE = "K7QM-4XPA-2HRT"


# The test password, hashed cheaply: signing in is the slow part of building the world.
QUICK_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")


def _user(email: str, role: str) -> int:
    """A user holding `role` who signs in with the test password."""
    user = accounts.create_user(email, role, None, {role})
    user.password_hash = QUICK_HASH
    return user.id


def _learner_objects(learner: int) -> dict[str, Any]:
    """The learner's two open attempts, a practice item and a certificate."""
    quizzes = {quiz.slug: quiz for quiz in db.session.execute(db.select(Quiz)).scalars()}
    attempt = attempts.start_attempt(learner, quizzes["sprawdzian"])
    to_submit = attempts.start_attempt(learner, quizzes["egzamin"])
    first = attempt.items[0]
    practice.enqueue(learner, [first.question])
    item = db.session.execute(
        db.select(PracticeItem).where(PracticeItem.user_id == learner)
    ).scalar_one()
    db.session.add(CourseCompletion(
        user_id=learner, course_id=quizzes["sprawdzian"].course_id, score=90.0,
        certificate_code=CODE,
    ))  # fmt: skip
    return {
        "quiz_id": quizzes["sprawdzian"].id, "attempt_id": attempt.id, "position": 1,
        "step": question_type(first.question.type).steps[0].key, "item_id": item.id,
        "attempt_to_submit": to_submit.id, "question_id": first.question_id, "code": CODE,
    }  # fmt: skip


def _secrets() -> dict[str, str | None]:
    """What each API caller sends: nothing, an hr:read token, a revoked one."""
    revoked, revoked_secret = tokens.create_token("revoked", "hr:read", "cli")
    tokens.revoke_token(revoked, "cli")
    return {"no token": None, "hr:read": tokens.create_token("reader", "hr:read", "cli")[1],
            "revoked": revoked_secret}  # fmt: skip


def build_world(app: Flask) -> dict[str, Any]:
    """A user of each role, and the real objects every URL argument names."""
    # Registration needs mail (else its page only says so); port 9 discards what is sent.
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=9, BASE_URL=BASE_URL)
    with app.app_context():
        people = {role: _user(f"{role}@example.com", role) for role in ROLES[1:]}
        db.session.get(User, people["learner"]).employee_id = "E-1"
        victims = {
            name: accounts.create_user(f"{name}@example.com", name, None, {"learner"}).id
            for name in ("role_victim", "deactivation_victim", "erasure_victim", "invited")
        }
        course = catalogue.course_by_slug("sample")
        lesson = catalogue.published_lessons(course)[0]
        due = date.today() + timedelta(days=30)
        # hr and admin may both withdraw an assignment: each withdraws one of their own.
        assigned = {role: db.session.get(User, people[role]) for role in HR_ONLY}
        assignments.assign_people(course, list(assigned.values()), due, None)
        world = {
            "people": people, "secrets": _secrets(), **victims,
            **_learner_objects(people["learner"]),
            "course_slug": course.slug, "slug": course.slug, "lesson_slug": lesson.slug,
            "lesson_id": lesson.id, "object_id": lesson.id, "number": 1,
            "draft_lesson_id": db.session.execute(
                db.select(Lesson.id).where(Lesson.slug == "szkic")).scalar_one(),
            "unretire": "unretire", "question_type": next(iter(TYPES)),
            "user_id": people["learner"], "employee_id": "E-1",
            "assignment_id": PerRole({
                role: db.session.execute(db.select(Assignment.id).where(
                    Assignment.user_id == user.id)).scalar_one()
                for role, user in assigned.items()
            }),
            "token_to_revoke": tokens.create_token("victim", "hr:read", "cli")[0].id,
            "token": invitations.invitation_for(
                db.session.get(User, victims["invited"])).path.rsplit("/", 1)[1],
            "reset_token": password_reset.token_for(db.session.get(User, people["learner"])),
            "job_id": _export_job(people["hr"]),
            "registration_token": links.sign(
                registration.REGISTRATION_SALT, ["nowy@example.com", "Nowa Osoba"]),
        }  # fmt: skip
        db.session.commit()
        return world


def _export_job(hr: int) -> int:
    """A finished export job of the hr user, with its file."""
    job = ExportJob(
        token="route-table-export", requested_by_id=hr, format="csv", options={},
        filename="ukonczenia.csv", status="done", rows_total=1, rows_written=1,
    )  # fmt: skip
    db.session.add(job)
    db.session.flush()
    export_jobs.file_path(job).write_bytes(b"employee_id\r\n")
    return job.id


def signed_in(app: Flask, email: str | None) -> FlaskClient:
    """A browser asking for English, signed in as `email` (None: an anonymous visitor)."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    if email is not None:
        AuthActions(client).login(email)
    return client


def _url(app: Flask, rule: Rule, world: dict[str, Any], role: str) -> str:
    names = OVERRIDES.get(rule.endpoint, {})
    values = {}
    for argument in rule.arguments:
        value = world.get(names.get(argument, argument))
        if value is not None:
            values[argument] = value.of(role) if isinstance(value, PerRole) else value
    return build(app, rule, {**QUERIES.get(rule.endpoint, {}), **values})


def _outcome(response: TestResponse) -> int | str:
    if response.status_code == 302 and urlsplit(response.location).path == "/login":
        return SIGN_IN
    return response.status_code


def test_every_route_has_a_row(app: Flask) -> None:
    routes = {(rule.endpoint, method) for rule, method in rules(app)}
    assert routes == set(PAGES) | set(API)


def test_each_role_gets_what_the_table_says(synced: Flask) -> None:
    world = build_world(synced)
    clients = {role: signed_in(synced, f"{role}@example.com") for role in ROLES[1:]}
    clients["anonymous"] = signed_in(synced, None)
    wrong = []
    for rule, method in rules(synced):
        expected = PAGES.get((rule.endpoint, method))
        if expected is None:
            continue
        for role, status in zip(ROLES, expected, strict=True):
            client = clients[role]
            if rule.endpoint in OWN_USERS and role != "anonymous":
                email = f"{rule.endpoint}-{role}@example.com"
                with synced.app_context():
                    _user(email, role)
                    db.session.commit()
                client = signed_in(synced, email)
            url = _url(synced, rule, world, role)
            got = _outcome(client.open(url, method=method))
            if got != status:
                wrong.append(f"{method} {url} as {role}: {got}, the table says {status}")
    assert not wrong, "\n".join(wrong)


def test_each_api_caller_gets_what_the_table_says(synced: Flask) -> None:
    world = build_world(synced)
    client = synced.test_client()
    wrong = []
    for rule, method in rules(synced):
        expected = API.get((rule.endpoint, method))
        if expected is None:
            continue
        for caller, status in zip(API_CALLERS, expected, strict=True):
            secret = world["secrets"][caller]
            headers = {"Authorization": f"Bearer {secret}"} if secret else {}
            url = _url(synced, rule, world, caller)
            got = client.open(url, method=method, headers=headers).status_code
            if got != status:
                wrong.append(f"{method} {url} as {caller}: {got}, the table says {status}")
    assert not wrong, "\n".join(wrong)
