"""What learners did, as xAPI 1.0.3 statements streamed from Trainer's statement log.

Each statement was written once, when its event was recorded (trainer.xapi.record); here
they are read back in the order they were stored, each with its `stored` moment. The
statements are those of the report's rows: the same `ReportFilter` picks the learners and
courses (report.py decides status, dates and who counts as a learner). `since` and `until`
filter on `stored` as xAPI's statement resource does: stored after `since`, and at or
before `until`. A position (the log row's id) says where the stream stands, so a page can
resume after it.
"""

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, Text, and_, cast

from trainer.extensions import db
from trainer.models import Course, XapiStatement
from trainer.models.types import iso_timestamp
from trainer.reporting.report import ReportFilter, report_select

BATCH = 500


def iter_statements(
    filters: ReportFilter, since: datetime | None = None, until: datetime | None = None
) -> Iterator[dict[str, Any]]:
    """Every statement of the report's rows under `filters`, stored in (since, until]."""
    for _position, statement in positioned_statements(filters, since, until):
        yield statement


def statement_texts(filters: ReportFilter) -> Iterator[str]:
    """Every statement of the report's rows, as JSON text with `stored` added: what an
    export writes. The log's text is passed on as it is; decoding each statement and
    encoding it again was nearly all of an export's time."""
    statement = cast(XapiStatement.statement, Text)
    with db.session.execute(
        _log_select(filters, statement).execution_options(yield_per=BATCH)
    ) as rows:
        for row in rows:
            yield text_with_stored(row.statement, row.stored)


def positioned_statements(
    filters: ReportFilter,
    since: datetime | None = None,
    until: datetime | None = None,
    after: int | None = None,
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each statement after position `after`, with its position, to page through the log."""
    query = _log_select(filters, XapiStatement.statement, since, until, after)
    with db.session.execute(query.execution_options(yield_per=BATCH)) as result:
        for row in result:
            yield row.id, with_stored(row.statement, row.stored)


def _log_select(
    filters: ReportFilter, statement: ColumnElement[Any], since: datetime | None = None,
    until: datetime | None = None, after: int | None = None,
) -> Select[Any]:  # fmt: skip
    report = report_select(filters).order_by(None).subquery("report")
    query = (
        db.select(XapiStatement.id, XapiStatement.stored, statement.label("statement"))
        .join(Course, XapiStatement.course_id == Course.id)
        # Joined, not EXISTS: the databases then build the report's rows once.
        .join(report, and_(report.c.user_id == XapiStatement.user_id,
                           report.c.course_slug == Course.slug))
        .order_by(XapiStatement.id)
    )  # fmt: skip
    if after is not None:
        query = query.where(XapiStatement.id > after)
    if since is not None:
        query = query.where(XapiStatement.stored > since)
    if until is not None:
        query = query.where(XapiStatement.stored <= until)
    return query


def with_stored(statement: dict[str, Any], stored: datetime) -> dict[str, Any]:
    """The statement as the log gives it out: with `stored` after its timestamp."""
    return {**statement, "stored": iso_timestamp(stored)}


def text_with_stored(statement: str, stored: datetime) -> str:
    """`with_stored` on a statement's JSON text: `stored` goes in before the closing brace
    (the log's statements never have one of their own)."""
    body = statement.rstrip()[:-1].rstrip()
    separator = "" if body.endswith("{") else ", "
    return f'{body}{separator}"stored": "{iso_timestamp(stored)}"}}'
