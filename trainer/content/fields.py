"""Typed reading of one YAML mapping, collecting a `Problem` for each bad field."""

import re
from typing import Any

from trainer.content.model import Problem
from trainer.content.yamlfile import Mapping, clipped, quoted

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
MISSING: Any = object()


class Fields:
    """Reads the fields of `mapping` in `path`; every read that fails adds a problem."""

    def __init__(
        self, path: str, mapping: Mapping, problems: list[Problem], line_offset: int = 0
    ) -> None:
        self.path = path
        self.mapping = mapping
        self.problems = problems
        self.line_offset = line_offset

    @property
    def source(self) -> str:
        """Where the mapping starts, as `path:line`."""
        return f"{self.path}:{self.mapping.line + self.line_offset}"

    def problem(self, key: str, message: str) -> None:
        """Record a problem with field `key`."""
        line = self.mapping.line_of(key) + self.line_offset
        self.problems.append(Problem(self.path, line, key, message))

    def _get(self, key: str, required: bool) -> Any:
        value = self.mapping.get(key)
        if value is None:
            if required:
                self.problem(key, "required field is missing")
            return MISSING
        return value

    def text(self, key: str, required: bool = True, default: str = "") -> str:
        """A non-empty string."""
        value = self._get(key, required)
        if value is MISSING:
            return default
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            self.problem(key, "must be text")
            return default
        value = str(value).strip()
        if not value and required:
            self.problem(key, "must not be empty")
        return value

    def pattern(self, key: str, regex: re.Pattern[str], what: str) -> str:
        """A required string matching `regex`."""
        value = self.text(key)
        if value and not regex.match(value):
            self.problem(key, f"{quoted(value)} is not a valid {what}")
        return value

    def integer(
        self,
        key: str,
        low: int,
        high: int | None = None,
        required: bool = True,
        default: int | None = None,
    ) -> int | None:
        """An integer in [low, high]."""
        value = self._get(key, required)
        if value is MISSING:
            return default
        if not isinstance(value, int) or isinstance(value, bool):
            self.problem(key, f"must be a whole number, not {quoted(value)}")
            return default
        if value < low or (high is not None and value > high):
            bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
            self.problem(key, f"must be {bounds}, not {value}")
            return default
        return value

    def choice(self, key: str, choices: tuple[str, ...], required: bool = True) -> str | None:
        """One of `choices`."""
        value = self._get(key, required)
        if value is MISSING:
            return None
        if value not in choices:
            expected = ", ".join(choices)
            self.problem(key, f"unknown value {quoted(value)}; expected one of: {expected}")
            return None
        return str(value)

    def boolean(self, key: str, default: bool = False) -> bool:
        """true or false."""
        value = self._get(key, required=False)
        if value is MISSING:
            return default
        if not isinstance(value, bool):
            self.problem(key, f"must be true or false, not {quoted(value)}")
            return default
        return value

    def string_list(self, key: str) -> tuple[str, ...]:
        """A list of non-empty strings (optional)."""
        value = self._get(key, required=False)
        if value is MISSING:
            return ()
        if not isinstance(value, list) or not all(
            isinstance(item, str) and item.strip() for item in value
        ):
            self.problem(key, "must be a list of non-empty texts")
            return ()
        return tuple(item.strip() for item in value)

    def unknown(self, allowed: set[str]) -> None:
        """A problem for each key that the format does not define (usually a typo)."""
        for key in self.mapping:
            if key not in allowed:
                line = self.mapping.line_of(str(key)) + self.line_offset
                self.problems.append(Problem(self.path, line, clipped(str(key)), "unknown field"))
