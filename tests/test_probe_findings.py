"""What a probe of Trainer as an attacker and a careless user found (issue 12), each fixed.

Every test here failed before its fix.
"""

import pytest
from flask import Flask
from flask.testing import FlaskClient

EVIL_META = '<meta http-equiv="refresh" content="0;url=https://evil.example/">'


@pytest.mark.parametrize("path", ["/hr/", "/hr/export"])
def test_a_filter_value_is_shown_as_text_never_as_markup(
    synced: Flask, client: FlaskClient, login_as, path: str
) -> None:
    login_as("hr")
    response = client.get(path, query_string={"course": EVIL_META, "format": "csv"})
    assert response.status_code == 400
    assert "<meta http-equiv" not in response.text
    assert "&lt;meta http-equiv" in response.text or "&#34;refresh" in response.text


def _form_classes() -> list[type]:
    """Every form Trainer defines, found by importing each module of the package."""
    import importlib
    import pkgutil

    from flask_wtf import FlaskForm

    import trainer

    for module in pkgutil.walk_packages(trainer.__path__, "trainer."):
        importlib.import_module(module.name)
    found, stack = [], [FlaskForm]
    while stack:
        for sub in stack.pop().__subclasses__():
            stack.append(sub)
            if sub.__module__.startswith("trainer."):
                found.append(sub)
    return sorted(found, key=lambda cls: cls.__qualname__)


FORMS = _form_classes()
# What some forms take besides the request: the lists their choices come from.
CONSTRUCTOR_ARGUMENTS = {"courses": [], "departments": [], "learners": [], "formdata": None}


@pytest.mark.parametrize("form_class", FORMS, ids=lambda cls: cls.__qualname__)
def test_every_form_shows_its_errors_as_text(app: Flask, form_class: type) -> None:
    import inspect

    from flask import render_template_string
    from werkzeug.datastructures import MultiDict

    parameters = {
        name for cls in form_class.__mro__ if "__init__" in vars(cls)
        for name in inspect.signature(cls.__init__).parameters
    }  # fmt: skip
    arguments = {name: value for name, value in CONSTRUCTOR_ARGUMENTS.items() if name in parameters}
    app.config["WTF_CSRF_ENABLED"] = False
    with app.test_request_context(method="POST"):
        form = form_class(**arguments)
        for field in form:
            if getattr(field, "choices", ()) is None:  # set by the view from the database
                field.choices = []
        evil = MultiDict({field.name: EVIL_META for field in form})
        form.process(formdata=evil)
        form.validate()
        html = render_template_string(
            "{% for field in form %}{% for error in field.errors %}<p>{{ error }}</p>"
            "{% endfor %}{% endfor %}",
            form=form,
        )
    assert "<meta" not in html
