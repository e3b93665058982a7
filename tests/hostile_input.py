"""Hypothesis strategies for hostile input: numbers, text, form fields and uploaded files."""

from collections.abc import Iterable

from hypothesis import strategies as st

EDGE_NUMBERS = [0, -1, 1, 2**31 - 1, 2**31, -(2**31), 2**63 - 1, 2**63, -(2**63), 2**64, 10**30]
TROUBLE = ["\x00", "\t", "\r\n", "\x1b", "\x7f", "\x85", "\u2028", "\ufeff", "\U0001f600", "%00"]


def numbers() -> st.SearchStrategy[int]:
    return st.one_of(st.sampled_from(EDGE_NUMBERS), st.integers(-(2**70), 2**70))


def texts() -> st.SearchStrategy[str]:
    """Any text, text full of troublesome characters, and text too long for any column."""
    return st.one_of(
        st.text(max_size=30),
        st.lists(st.sampled_from(TROUBLE) | st.text(max_size=3), max_size=6).map("".join),
        st.builds(
            lambda char, count: char * count, st.characters(codec="utf-8"), st.integers(200, 5000)
        ),
    )


def atoms(plausible: list[str]) -> st.SearchStrategy[str]:
    """One value of a field or parameter: hostile, or one that passes validation."""
    return st.one_of(texts(), numbers().map(str), st.sampled_from(plausible))


def field_values(plausible: list[str]) -> st.SearchStrategy[list[str]]:
    """A field missing, given once, or repeated."""
    one = atoms(plausible)
    return st.one_of(
        st.just([]), one.map(lambda value: [value]), st.lists(one, min_size=2, max_size=3)
    )


def form_data(
    names: Iterable[str], plausible: list[str]
) -> st.SearchStrategy[list[tuple[str, str]]]:
    """Every name with its values, plus a few fields nobody asked for."""
    known = st.fixed_dictionaries({name: field_values(plausible) for name in names})
    unknown = st.dictionaries(texts(), atoms(plausible), max_size=2)
    return st.builds(
        lambda given, extra: (
            [(k, v) for k, values in given.items() for v in values] + list(extra.items())
        ),
        known,
        unknown,
    )


def uploads() -> st.SearchStrategy[tuple[bytes, str]]:
    """A file: arbitrary bytes, or a CSV or GIFT file with hostile cells."""
    cell = texts().map(lambda text: text.replace('"', '""'))
    row = st.tuples(st.one_of(st.emails(), cell), st.lists(cell, min_size=1, max_size=4))
    csv = st.lists(row, max_size=4).map(
        lambda rows: (
            "email,name,department,employee_id,roles\n"
            + "\n".join(",".join(f'"{c}"' for c in [email, *rest]) for email, rest in rows)
        )
    )
    gift = st.lists(texts(), max_size=4).map(lambda parts: "::q::" + "{=".join(parts) + "}")
    content = st.one_of(st.binary(max_size=500), csv.map(str.encode), gift.map(str.encode))
    return st.tuples(content, texts())
