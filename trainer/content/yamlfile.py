"""YAML reading that remembers the line of every mapping key, for precise error messages."""

from typing import Any

import yaml


class Mapping(dict[str, Any]):
    """A YAML mapping that knows the line (1-based) of itself and of each key."""

    line: int = 1
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        """The line of `key`, or of the mapping itself if the key is missing."""
        return self.key_lines.get(key, self.line)


class _LineLoader(yaml.SafeLoader):
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Mapping:
        mapping = Mapping(super().construct_mapping(node, deep=deep))
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {
            str(key_node.value): key_node.start_mark.line + 1 for key_node, _ in node.value
        }
        return mapping


_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _LineLoader.construct_mapping
)


class YamlError(ValueError):
    """YAML that does not parse; `line` is where the parser stopped."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


def parse_yaml(text: str) -> Any:
    """Parse `text` into plain values whose mappings are line-aware `Mapping`s."""
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlError(f"malformed YAML: {error.problem or error}", line) from error
    except yaml.YAMLError as error:
        raise YamlError(f"malformed YAML: {error}", 1) from error
