"""Hostile input to every route: arbitrary text, huge and negative numbers, control characters,
repeated and missing fields, in paths, query strings, forms, uploads and API parameters.

Whatever comes in, the answer is never a 5xx, and a request that is refused (4xx) leaves the
database exactly as it was. Routes come from the route table (itself checked against the URL
map); form fields from each view's FlaskForm classes; query parameters from `QUERY_PARAMETERS`,
which must name every view that reads `request.args`.

Each test builds its app and sample data once and runs Hypothesis inside it: the examples
share the database, which is why each compares the database before and after its own request
rather than relying on a fresh one. Set TRAINER_FUZZ_EXAMPLES for a longer run.
"""

import inspect
import io
import os
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from werkzeug.routing import AnyConverter, Rule

from tests.conftest import PASSWORD
from tests.db_state import changed_tables, fingerprint
from tests.hostile_input import form_data, numbers, texts, uploads
from tests.routes import build
from tests.test_route_table import (
    API,
    OVERRIDES,
    PAGES,
    ROLES,
    SIGN_IN,
    PerRole,
    build_world,
    signed_in,
)
from trainer.admin.forms import NewUserForm, RolesForm
from trainer.admin.token_forms import TokenForm
from trainer.api import schemas
from trainer.auth.forms import (
    LanguageForm,
    LoginForm,
    PasswordForm,
    RegisterForm,
    TimeZoneForm,
)
from trainer.auth.invitation_forms import FirstPasswordForm, NewAccountPasswordForm
from trainer.auth.password_forms import ForgotPasswordForm
from trainer.author.forms import LessonForm, PreviewForm, QuestionForm
from trainer.author.gift_forms import GiftConfirmForm, GiftUploadForm
from trainer.hr.forms import DepartmentAssignmentForm, PeopleAssignmentForm
from trainer.hr.import_forms import ImportConfirmForm, ImportUploadForm
from trainer.hr.views import FILTER_ARGS
from trainer.models import ROLES as ROLE_NAMES
from trainer.privacy.forms import EraseForm
from trainer.quiz.types import TYPES, question_type
from trainer.routing import IdConverter

EXAMPLES = int(os.environ.get("TRAINER_FUZZ_EXAMPLES", "12"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True)

# The forms each POST reads, with the prefix the view gives them.
FORMS: dict[str, tuple[tuple[type[FlaskForm], str], ...]] = {
    "auth.login": ((LoginForm, ""),),
    "auth.register": ((RegisterForm, ""),),
    "auth.confirm": ((NewAccountPasswordForm, ""),),
    "auth.account": ((PasswordForm, "pw"), (LanguageForm, "lang"), (TimeZoneForm, "tz")),
    "invitation.accept": ((FirstPasswordForm, ""),),
    "password.forgot": ((ForgotPasswordForm, ""),),
    "password.reset": ((FirstPasswordForm, ""),),
    "author.new_lesson": ((LessonForm, ""),),
    "author.edit_lesson": ((LessonForm, ""),),
    "author.preview": ((PreviewForm, ""),),
    "question_editor.new": ((QuestionForm, ""),),
    "question_editor.edit": ((QuestionForm, ""),),
    "gift.upload": ((GiftUploadForm, ""),),
    "gift.confirm": ((GiftConfirmForm, ""),),
    "hr.assign_department": ((DepartmentAssignmentForm, ""),),
    "hr.assign_people": ((PeopleAssignmentForm, ""),),
    "hr_import.upload": ((ImportUploadForm, ""),),
    "hr_import.confirm": ((ImportConfirmForm, ""),),
    "admin.edit_roles": ((RolesForm, ""),),
    "admin.new_user": ((NewUserForm, ""),),
    "privacy.erase": ((EraseForm, ""),),
    "tokens.index": ((TokenForm, ""),),
}
# A quiz or practice answer is read step by step, by the step's key.
STEP_KEYS = tuple(sorted({step.key for name in TYPES for step in question_type(name).steps}))
FIELDS_READ_DIRECTLY = {"quiz.save_step": STEP_KEYS, "practice.answer": STEP_KEYS}
# What each view reads from its query string.
QUERY_PARAMETERS: dict[str, tuple[str, ...]] = {
    "hr.progress": (*FILTER_ARGS, "sort", "dir", "page"),
    "hr.export": (*FILTER_ARGS, "format", "sort", "dir"),
    "audit.log": ("page",),
    "admin.users": ("q", "page"),
    "hr.assignments_page": ("who",),
    "hr.assign_department": ("who",),
    "hr.assign_people": ("who",),
    "analysis.quiz": ("sort", "order"),
    "analysis.progress": ("department",),
    "author.diff": ("old", "new"),
    "certificates.verify_form": ("code",),
    "auth.login": ("next",),
    "api.transcript": (),  # none: any parameter is refused
    "api.completions": tuple(schemas.CompletionParameters().fields),
    "api.statements": tuple(schemas.StatementParameters().fields),
}
# Signing out only ends the session; there is nothing in it to fuzz.
NOT_FUZZED = {("auth.logout", "POST")}
# A view building a form of its own (an EmptyForm carries only the CSRF token).
BUILDS_A_FORM = re.compile(r"\b(?!EmptyForm\()[A-Z]\w*Form\(")
# Refusals that are recorded on purpose: asking the API about a person is audited, found or not.
AUDITED_REFUSALS = {("api.transcript", 404)}


def field_names(
    form_class: type[FlaskForm], prefix: str, app: Flask
) -> tuple[list[str], list[str]]:
    """The names a browser would send for the form's fields: (text fields, file fields)."""
    with app.test_request_context(method="POST"):
        parameters = {
            name for cls in form_class.__mro__ if "__init__" in vars(cls)
            for name in inspect.signature(cls.__init__).parameters
        }  # fmt: skip
        given = {"courses": [], "departments": [], "learners": []}
        arguments = {k: v for k, v in given.items() if k in parameters}
        form = form_class(formdata=None, **({"prefix": prefix} if prefix else {}), **arguments)
        texts_, files = [], []
        stack = list(form)
        while stack:
            field = stack.pop()
            if hasattr(field, "entries") or hasattr(field, "form"):  # FieldList, FormField
                stack.extend(field)
            elif isinstance(field, FileField):
                files.append(field.name)
            else:
                texts_.append(field.name)
    return sorted(texts_), sorted(files)


def plausible_values(world: dict[str, Any]) -> list[str]:
    """Values that pass validation somewhere, so the examples reach the code behind it."""
    plain = [value for value in world.values() if isinstance(value, (int, str))]
    return sorted({
        *map(str, plain), *map(str, world["people"].values()), *ROLE_NAMES, *TYPES,
        "B2B", "B2C", "pl", "en", "csv", "xlsx", "y", "desc", "name", "completed", "overdue",
        "2030-01-01", "9999-12-31", "0001-01-01", "2024-02-30", "admin@example.com",
        "new@example.com", PASSWORD, "decision_process",
    })  # fmt: skip


REFUSED = (SIGN_IN, 403, 404)


def fuzzing_role(endpoint: str, method: str) -> str:
    """The first role the route table lets in: its requests reach the view's own code."""
    expected = PAGES[(endpoint, method)]
    return next(role for role, got in zip(ROLES, expected, strict=True) if got not in REFUSED)


def paths(app: Flask, rule: Rule, world: dict[str, Any], role: str) -> st.SearchStrategy[str]:
    """The route's URL with each argument real (from the route table's world) or hostile."""
    arguments = {}
    for name, converter in rule._converters.items():
        real = st.just(str(_url_value(rule, world, name, role)))
        if isinstance(converter, AnyConverter):
            arguments[name] = st.sampled_from(sorted(converter.items))
        elif isinstance(converter, IdConverter):
            arguments[name] = st.one_of(real, numbers().map(str))
        else:
            arguments[name] = st.one_of(real, texts())
    return st.fixed_dictionaries(arguments).map(lambda values: build(app, rule, values))


def _url_value(rule: Rule, world: dict[str, Any], name: str, role: str) -> Any:
    value = world.get(OVERRIDES.get(rule.endpoint, {}).get(name, name), "x")
    return value.of(role) if isinstance(value, PerRole) else value


def _targets() -> list[tuple[str, str]]:
    return sorted((set(PAGES) | set(API)) - NOT_FUZZED)


def _caller(endpoint: str, method: str) -> str:
    """Who fuzzes a route: an API token, or the first role the route table lets in."""
    return "hr:read" if (endpoint, method) in API else fuzzing_role(endpoint, method)


# One test (one app, one world) for each caller, fuzzing each of its routes in turn.
CALLERS = sorted({_caller(*target) for target in _targets()})


@pytest.mark.parametrize("caller", CALLERS)
def test_hostile_input_is_never_a_server_error_nor_a_refused_change(
    synced: Flask, caller: str
) -> None:
    world = build_world(synced)
    api = caller == "hr:read"
    client = signed_in(synced, None if api or caller == "anonymous" else f"{caller}@example.com")
    headers = {"Authorization": f"Bearer {world['secrets']['hr:read']}"} if api else {}
    failures = []
    for endpoint, method in _targets():
        if _caller(endpoint, method) == caller:
            try:
                fuzz(synced, client, headers, world, endpoint, method, caller)
            except Exception as error:  # every route is tried, and all failures reported
                notes = "\n".join(getattr(error, "__notes__", []))
                failures.append(f"{method} {endpoint}: {error!r}\n{notes}")
    assert not failures, "\n\n".join(failures)


def fuzz(
    app: Flask, client: FlaskClient, headers: dict[str, str], world: dict[str, Any],
    endpoint: str, method: str, role: str,
) -> None:  # fmt: skip
    """Send one route hostile requests; fails on a 5xx or on a refusal that changed data."""
    [rule] = app.url_map.iter_rules(endpoint)
    plausible = plausible_values(world)
    text_fields, file_fields = list(FIELDS_READ_DIRECTLY.get(endpoint, ())), []
    for form_class, prefix in FORMS.get(endpoint, ()):
        found = field_names(form_class, prefix, app)
        text_fields += found[0]
        file_fields += found[1]
    fields = form_data(text_fields, plausible) if method == "POST" else st.just([])
    query = form_data(QUERY_PARAMETERS.get(endpoint, ()), plausible)
    files = st.fixed_dictionaries({name: st.one_of(st.none(), uploads()) for name in file_fields})
    state = [fingerprint(app)]

    @FUZZ
    @given(path=paths(app, rule, world, role), query=query, fields=fields, files=files)
    def check(path: str, query: list, fields: list, files: dict) -> None:
        data = MultiDict(fields)
        for name, upload in files.items():
            if upload is not None:
                data.add(name, (io.BytesIO(upload[0]), upload[1]))
        response = client.open(
            path, method=method, query_string=MultiDict(query), data=data, headers=headers
        )
        assert response.status_code < 500, response.text[:300]
        after = fingerprint(app)
        if 400 <= response.status_code < 500 and (endpoint, response.status_code) not in (
            AUDITED_REFUSALS
        ):
            changed = changed_tables(state[0], after)
            assert not changed, f"{response.status_code} yet {changed} changed"
        state[0] = after

    check()


def test_every_post_has_its_fields_and_every_query_reader_its_parameters(app: Flask) -> None:
    """The tables above cover the URL map: a new form or query parameter needs a line."""
    for endpoint, method in _targets():
        view = inspect.unwrap(app.view_functions[endpoint])
        source = inspect.getsource(view)
        if method == "POST" and BUILDS_A_FORM.search(source):
            assert endpoint in FORMS, endpoint
        if "request.form" in source:
            assert endpoint in FIELDS_READ_DIRECTLY, endpoint
        if "request.args" in source:
            assert endpoint in QUERY_PARAMETERS, endpoint


# The two imports: the file is read at the upload, the signed preview is applied at the confirm.
IMPORTS = [
    ("hr", "/hr/import/", "/hr/import/confirm", {}),
    ("trainer", "/author/gift/", "/author/gift/import", {"lesson": "lesson_id"}),
]


@pytest.mark.parametrize(("role", "upload", "confirm", "fields"), IMPORTS)
def test_any_imported_file_is_never_a_server_error(
    synced: Flask, role: str, upload: str, confirm: str, fields: dict[str, str]
) -> None:
    world = build_world(synced)
    client = signed_in(synced, f"{role}@example.com")
    data = {name: str(world[key]) for name, key in fields.items()}

    @FUZZ
    @given(file=uploads())
    def check(file: tuple[bytes, str]) -> None:
        content, filename = file
        form = {**data, "file": (io.BytesIO(content), filename)}
        response = client.post(upload, data=form)
        assert response.status_code < 500, response.text[:300]
        token = re.search(r'name="token" type="hidden" value="([^"]+)"', response.text)
        if token:
            assert client.post(confirm, data={"token": token.group(1)}).status_code < 500

    check()
