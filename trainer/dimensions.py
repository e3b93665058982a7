"""The seven dimensions on which B2B and B2C selling differ: the backbone of every course."""

from typing import NamedTuple


class Dimension(NamedTuple):
    """One dimension: its stable key and the section heading it comes from in the source."""

    key: str
    heading: str


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension("decision_process", "Różnice w procesie decyzyjnym"),
    Dimension("relationships", "Różnice w relacjach z klientami"),
    Dimension("marketing", "Różnice w strategii marketingowej"),
    Dimension("transaction_value", "Różnice w wartości transakcji"),
    Dimension("product_requirements", "Różnice w wymaganiach produktu"),
    Dimension("communication", "Różnice w komunikacji"),
    Dimension("customer_service", "Różnice w obszarze obsługi klienta"),
)

DIMENSION_KEYS: tuple[str, ...] = tuple(d.key for d in DIMENSIONS)

MARKETS: tuple[str, ...] = ("B2B", "B2C")


def dimension_for_heading(heading: str) -> str | None:
    """Return the dimension key whose source heading matches `heading`, ignoring case."""
    wanted = " ".join(heading.split()).casefold()
    for dimension in DIMENSIONS:
        if dimension.heading.casefold() == wanted:
            return dimension.key
    return None
