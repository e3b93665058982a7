"""YAML reading for content files: line-aware mappings, and nothing a hostile file can abuse.

Content files come from authors and imports, so the loader refuses what only an attacker
needs: anchors and aliases (a "billion laughs" expands a few lines into gigabytes), nesting
deeper than any content format uses (the composer recurses once per level), duplicate keys
(the last would silently win) and integers too long to convert cheaply.
"""

from collections.abc import Hashable
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError
from yaml.events import CollectionStartEvent
from yaml.scanner import ScannerError

# The deepest content format (a dialogue: file, turns, turn, replies, reply) nests 5 levels.
MAX_DEPTH = 20
# Longer integers are no content's numbers, and sexagesimal ones (1:2:3…) cost quadratic time.
MAX_INTEGER_CHARS = 20
# How much of a value a message quotes.
QUOTE_CHARS = 60


def clipped(text: str, limit: int = QUOTE_CHARS) -> str:
    """`text` cut to `limit` characters, marked with an ellipsis where it was cut."""
    return text if len(text) <= limit else text[:limit] + "…"


def quoted(value: object) -> str:
    """`value` as a message quotes it: a scalar's repr, clipped, or the kind of a collection,
    so that no input can make a message large."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple | set):
        return "a list"
    return repr(clipped(value)) if isinstance(value, str) else clipped(repr(value))


class Mapping(dict[str, Any]):
    """A YAML mapping that knows the line (1-based) of itself and of each key."""

    line: int = 1
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        """The line of `key`, or of the mapping itself if the key is missing."""
        return self.key_lines.get(key, self.line)


class _ContentLoader(yaml.SafeLoader):
    """A SafeLoader that builds `Mapping`s and refuses aliases, deep nesting and duplicates."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def fetch_flow_collection_start(self, token_class: type) -> None:
        # Refused while scanning: `[[[[…` would otherwise be tokenised in full before composing.
        if self.flow_level >= MAX_DEPTH:
            raise ScannerError(None, None, _too_deep(), self.get_mark())
        super().fetch_flow_collection_start(token_class)

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node:
        event = self.peek_event()
        if getattr(event, "anchor", None) is not None:
            raise ComposerError(
                None, None, "anchors and aliases (&name, *name) are not allowed", event.start_mark
            )
        if not isinstance(event, CollectionStartEvent):
            return super().compose_node(parent, index)
        # Checked before descending, so block nesting stops long before the recursion limit.
        if self._depth >= MAX_DEPTH:
            raise ComposerError(None, None, _too_deep(), event.start_mark)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Mapping:
        key_lines: dict[object, int] = {}
        for key_node, _ in node.value:
            line = key_node.start_mark.line + 1
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise ConstructorError(
                    None, None, "merge keys (<<) are not allowed", key_node.start_mark
                )
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, Hashable):
                raise ConstructorError(
                    None, None, "a key must be a single value", key_node.start_mark
                )
            if key in key_lines:
                raise ConstructorError(
                    None, None, f"duplicate key {quoted(key)}", key_node.start_mark
                )
            key_lines[key] = line
        mapping = Mapping(super().construct_mapping(node, deep=deep))
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {str(key): line for key, line in key_lines.items()}
        return mapping

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        if len(node.value) > MAX_INTEGER_CHARS:
            raise ConstructorError(
                None, None, f"a number longer than {MAX_INTEGER_CHARS} characters",
                node.start_mark,
            )  # fmt: skip
        return super().construct_yaml_int(node)


def _too_deep() -> str:
    return f"nested more than {MAX_DEPTH} levels deep"


_ContentLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _ContentLoader.construct_mapping
)
_ContentLoader.add_constructor("tag:yaml.org,2002:int", _ContentLoader.construct_yaml_int)


class YamlError(ValueError):
    """YAML that does not parse, or that the content loader refuses; `line` is where."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


def parse_yaml(text: str) -> Any:
    """Parse `text` into plain values whose mappings are line-aware `Mapping`s."""
    try:
        return yaml.load(text, Loader=_ContentLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlError(f"malformed YAML: {error.problem or error}", line) from error
    except yaml.YAMLError as error:
        raise YamlError(f"malformed YAML: {error}", 1) from error
