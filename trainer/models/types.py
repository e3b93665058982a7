"""Column types shared by the models."""

from datetime import UTC, date, datetime, time

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


def end_of_day(day: date) -> datetime:
    """The last second of `day` in UTC: a due date means the whole day."""
    return datetime.combine(day, time(23, 59, 59), UTC)


def iso_timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z, to the millisecond, `2024-05-01T09:30:00.000Z`: the one
    spelling of an instant in Trainer's JSON (the API, xAPI, a learner's own data)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as naive UTC and read back as aware UTC, alike on every database."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def one_of(column: str, values: tuple[str, ...]) -> str:
    """SQL for a check constraint that limits `column` to an enumeration."""
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({quoted})"
