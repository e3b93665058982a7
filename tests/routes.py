"""The app's routes as the tests walk them: endpoints, their methods, URLs built for them."""

from collections.abc import Iterator, Mapping
from typing import Any

from flask import Flask
from werkzeug.routing import AnyConverter, Rule

from trainer.routing import IdConverter

# What browsers send besides the methods a view declares.
IMPLICIT_METHODS = {"HEAD", "OPTIONS"}
# Stands in for an id given as text while the URL is built, then is replaced by that text.
PLACEHOLDER = 987654321


def rules(app: Flask) -> Iterator[tuple[Rule, str]]:
    """Every rule of the app with each method it declares, static files aside."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if rule.endpoint != "static":
            for method in sorted((rule.methods or set()) - IMPLICIT_METHODS):
                yield rule, method


def id_arguments(rule: Rule) -> list[str]:
    """The rule's `<int:…>` arguments."""
    return [name for name, conv in rule._converters.items() if isinstance(conv, IdConverter)]


def build(app: Flask, rule: Rule, values: Mapping[str, Any]) -> str:
    """A URL for `rule` from `values` (those it has no argument for go in the query string),
    else the first choice of an `any(…)` or a filler. An id given as text goes in as it is,
    even one no route would take ("-1", "99999999999999999999"), to see the 404."""
    filled = dict(values)
    as_text = {}
    for index, (name, converter) in enumerate(rule._converters.items()):
        if isinstance(converter, IdConverter) and isinstance(filled.get(name), str):
            as_text[str(PLACEHOLDER + index)] = filled[name]
            filled[name] = PLACEHOLDER + index
        elif name in filled:
            continue
        elif isinstance(converter, AnyConverter):
            filled[name] = sorted(converter.items)[0]
        else:
            filled[name] = 1 if isinstance(converter, IdConverter) else "x"
    with app.test_request_context():
        url = app.url_map.bind("localhost").build(rule.endpoint, filled)
    for placeholder, text in as_text.items():
        url = url.replace(placeholder, text, 1)
    return url
