"""The completion report: one query, filters, sorting, pagination, the page and transcripts."""

from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from tests.reporting.hr_rows import CODE, COMPLETED_AT, NAMES, T0, seed
from trainer.extensions import db
from trainer.hr import views as hr_views
from trainer.models import User
from trainer.reporting import report, report_pages
from trainer.reporting.report import FilterError, ReportFilter


@pytest.fixture
def ids(synced: Flask) -> dict[str, int]:
    return seed(synced)


def rows(app: Flask, **filters: object) -> list:
    sort = filters.pop("sort", "name")
    descending = filters.pop("descending", False)
    with app.app_context():
        return report_pages.page_rows(ReportFilter(**filters), sort, descending, per_page=1000)


def names(found: list) -> list[tuple[str, str]]:
    return [(row.name, row.course_slug) for row in found]


def by_name(found: list, course: str = "sample") -> dict[str, object]:
    return {row.name: row for row in found if row.course_slug == course}


def test_one_row_per_active_learner_and_course(synced: Flask, ids: dict) -> None:
    found = rows(synced)
    assert sorted({row.name for row in found}) == sorted(NAMES)
    assert len(found) == len(NAMES) * 2  # two courses with published lessons
    assert set(found[0]._fields) == set(report.COLUMNS + report.EXPORT_COLUMNS)


def test_values_of_known_rows(synced: Flask, ids: dict) -> None:
    sample = by_name(rows(synced))
    anna = sample["Anna Nowak"]
    assert (anna.employee_id, anna.email, anna.department) == (
        "E-1",
        "anna@example.com",
        "Sprzedaż",
    )
    assert anna.status == "completed"
    assert (anna.lessons_done, anna.lessons_total) == (2, 2)
    assert anna.best_score == 87.5 and anna.passed is True
    assert anna.attempts == 3  # the lesson check counts, the final exam twice
    assert anna.first_started == T0
    assert anna.completed_at == COMPLETED_AT and anna.certificate_code == CODE
    bartek = sample["Bartek Zieliński"]
    assert bartek.status == "in_progress"
    assert (bartek.lessons_done, bartek.best_score, bartek.passed) == (0, None, False)
    assert bartek.attempts == 1  # the unfinished exam attempt is not counted
    assert bartek.first_started == T0 + timedelta(days=1)
    assert sample["Celina Wójcik"].status == "overdue"
    assert sample["Celina Wójcik"].due_at is not None
    assert sample["Dawid Kowal"].status == "not_started"  # assigned, but not due yet
    assert sample["Ewa Kadrowa"].first_started is None


@pytest.mark.parametrize(("sort", "expected"), [("name", 2), ("status", 1)])
def test_a_report_page_is_one_query(synced: Flask, ids: dict, sort: str, expected: int) -> None:
    """One statement builds the rows; a page by name counts the courses first."""
    with synced.app_context():
        statements: list[str] = []
        engine = db.engine
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            found = report_pages.page_rows(ReportFilter(), sort, per_page=1000)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
    assert len(found) == 10
    assert len(statements) == expected


@pytest.mark.parametrize(
    "filters",
    [{}, {"course": "second"}, {"department": "Marketing"}, {"search": "nowak"},
     {"status": "not_started"}, {"course": "no-such-course"}],
)  # fmt: skip
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("per_page", [1, 3, 4, 50])
def test_pages_by_name_are_slices_of_the_whole_report(
    synced: Flask, ids: dict, filters: dict, descending: bool, per_page: int
) -> None:
    """A page by name is built from a run of learners (and an API page likewise); every page
    must still be exactly its slice of the whole report, and the count its length."""
    from trainer.reporting import hr_api

    with synced.app_context():
        chosen = ReportFilter(**filters)
        whole = list(report.iter_rows(chosen, "name", descending))
        for page in range(1, len(whole) // per_page + 3):
            found = report_pages.page_rows(chosen, "name", descending, page, per_page)
            assert found == whole[(page - 1) * per_page : page * per_page], (page, filters)
        assert report_pages.count_rows(chosen) == len(whole)
        by_key = sorted(whole, key=lambda row: (row.user_id, row.course_slug))
        walked, after = [], None
        while page_of_api := hr_api.completions_page(chosen, per_page, after):
            walked += page_of_api
            after = (page_of_api[-1].user_id, page_of_api[-1].course_slug)
        # The API's rows are the report's COLUMNS, without the exports' own.
        assert [tuple(row) for row in walked] == [row[: len(report.COLUMNS)] for row in by_key]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"course": "second"}, [(name, "second") for name in NAMES]),
        ({"department": "Marketing", "course": "sample"},
         [("Celina Wójcik", "sample"), ("Dawid Kowal", "sample")]),
        ({"status": "completed"}, [("Anna Nowak", "sample")]),
        ({"status": "in_progress"}, [("Bartek Zieliński", "sample")]),
        ({"status": "overdue"}, [("Celina Wójcik", "sample")]),
        ({"since": date(2026, 11, 20), "until": date(2026, 11, 20)}, [("Anna Nowak", "sample")]),
        ({"since": date(2026, 11, 21)}, []),
        ({"until": date(2026, 11, 19)}, []),
        ({"search": "nowak", "course": "sample"}, [("Anna Nowak", "sample")]),
        ({"search": "BARTEK@", "course": "sample"}, [("Bartek Zieliński", "sample")]),
        ({"search": "E-3", "course": "sample"}, [("Celina Wójcik", "sample")]),
        ({"search": "Wójcik", "course": "sample"}, [("Celina Wójcik", "sample")]),
        ({"search": "%", "course": "sample"}, []),  # wildcards are taken literally
        ({"search": "_", "course": "sample"}, []),
        ({"search": "/%", "course": "sample"}, []),  # so is the escape character
    ],
)  # fmt: skip
def test_filters_in_sql(synced: Flask, ids: dict, filters: dict, expected: list) -> None:
    found = rows(synced, **filters)
    assert sorted(names(found)) == sorted(expected)
    with synced.app_context():
        assert report_pages.count_rows(ReportFilter(**filters)) == len(expected)


def test_sorting_is_stable_and_empty_values_go_last(synced: Flask, ids: dict) -> None:
    by_score = rows(synced, course="sample", sort="score", descending=True)
    assert by_score[0].name == "Anna Nowak"
    assert [row.name for row in by_score[1:]] == sorted(NAMES[1:])  # ties by name
    assert rows(synced, course="sample", sort="score")[0].name == "Anna Nowak"
    by_status = [row.status for row in rows(synced, course="sample", sort="status")]
    assert by_status == ["overdue", "not_started", "not_started", "in_progress", "completed"]
    departments = [row.department for row in rows(synced, course="sample", sort="department")]
    assert departments == ["Marketing", "Marketing", "Sprzedaż", "Sprzedaż", None]
    backwards = [row.department for row in rows(synced, course="sample", sort="department",
                                                 descending=True)]  # fmt: skip
    assert backwards == ["Sprzedaż", "Sprzedaż", "Marketing", "Marketing", None]
    by_completion = rows(synced, course="sample", sort="completed_at", descending=True)
    assert by_completion[0].name == "Anna Nowak"
    names_desc = [row.name for row in rows(synced, course="sample", sort="name", descending=True)]
    assert names_desc == sorted(NAMES, reverse=True)
    assert rows(synced, sort="no-such-key") == rows(synced)


def test_pages_cover_every_row_once(synced: Flask, ids: dict) -> None:
    with synced.app_context():
        pages = [
            report_pages.page_rows(ReportFilter(), "status", page=n, per_page=3)
            for n in (1, 2, 3, 4)
        ]
        assert report_pages.count_rows(ReportFilter()) == 10
    assert [len(page) for page in pages] == [3, 3, 3, 1]
    seen = [(row.user_id, row.course_slug) for page in pages for row in page]
    assert len(set(seen)) == 10


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        (ReportFilter(status="finished"), "status"),
        (ReportFilter(course="no-such-course"), "course"),
        (ReportFilter(since=date(2026, 2, 1), until=date(2026, 1, 1)), "until"),
    ],
)
def test_check_filter_refuses_bad_values(synced: Flask, filters: ReportFilter, field: str) -> None:
    with synced.app_context(), pytest.raises(FilterError) as raised:
        report.check_filter(filters)
    assert raised.value.field == field


# --- the page ---------------------------------------------------------------------------


@pytest.fixture
def hr_client(ids: dict, client: FlaskClient, auth) -> FlaskClient:
    auth.login("halina@example.com")
    return client


def test_page_lists_rows_with_links_to_transcripts(hr_client: FlaskClient, ids: dict) -> None:
    page = hr_client.get("/hr/?course=sample")
    assert page.status_code == 200
    for name in NAMES:
        assert name in page.text
    assert "Halina" not in page.text.split("<tbody>")[1]
    assert "Igor" not in page.text and "Tomasz" not in page.text
    assert f'href="/hr/learners/{ids["anna"]}"' in page.text
    assert f'href="/verify/{CODE}"' in page.text
    assert 'aria-sort="ascending"' in page.text


def test_page_filters_and_carries_them_into_exports_and_pages(
    hr_client: FlaskClient, ids: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hr_views, "PER_PAGE", 2)
    page = hr_client.get("/hr/?department=Sprzeda%C5%BC&sort=name&dir=desc").text
    body = page.split("<tbody>")[1]
    assert body.count("Bartek") == 2 and "Anna" not in body and "Celina" not in body
    assert "/hr/export?format=csv&amp;sort=name&amp;dir=desc&amp;department=Sprzeda%C5%BC" in page
    assert "/hr/?page=2&amp;sort=name&amp;dir=desc&amp;department=Sprzeda%C5%BC" in page
    second = hr_client.get("/hr/?department=Sprzeda%C5%BC&sort=name&dir=desc&page=2").text
    assert second.split("<tbody>")[1].count("Anna") == 2
    assert "page=3" not in second


def test_status_filter_on_the_page(hr_client: FlaskClient, ids: dict) -> None:
    body = hr_client.get("/hr/?status=overdue").text.split("<tbody>")[1]
    assert "Celina" in body and "Anna" not in body


@pytest.mark.parametrize(
    "query",
    ["since=2026-13-45", "until=yesterday", "status=finished", "course=no-such-course",
     "since=2026-02-01&until=2026-01-01", "q=" + "x" * 101],
)  # fmt: skip
def test_bad_filters_get_a_message_not_a_500(hr_client: FlaskClient, query: str) -> None:
    response = hr_client.get(f"/hr/?{query}", headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "Correct the filters below." in response.text
    assert 'class="errors"' in response.text


def test_garbage_page_and_sort_fall_back(hr_client: FlaskClient) -> None:
    assert hr_client.get("/hr/?page=abc&sort=evil&dir=sideways").status_code == 200
    assert hr_client.get("/hr/?page=999").status_code == 200


def test_transcript_lists_lessons_and_attempts(hr_client: FlaskClient, ids: dict) -> None:
    page = hr_client.get(f"/hr/learners/{ids['bartek']}", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    text = page.text
    assert "Bartek Zieliński" in text and "bartek@example.com" in text
    assert "Wstęp" in text and "Różnice w procesie decyzyjnym" in text and "Szkic" not in text
    assert "Sprawdzian" in text and "Egzamin" in text and "in progress" in text
    assert "50" in text


@pytest.mark.parametrize(("zone", "shown"), [(None, "11:00 CET"), ("Asia/Tokyo", "19:00 JST")])
def test_times_are_shown_in_the_readers_zone_and_labelled(
    synced: Flask, hr_client: FlaskClient, ids: dict, zone: str | None, shown: str
) -> None:
    """Completed at 10:00 UTC: the site's zone (Warsaw), or the reader's own, named on
    each time; no page claims the times are in UTC."""
    with synced.app_context():
        db.session.get(User, ids["halina"]).time_zone = zone
        db.session.commit()
    for path in ("/hr/?course=sample", f"/hr/learners/{ids['anna']}"):
        text = hr_client.get(path, headers={"Accept-Language": "pl"}).text
        assert f"20.11.2026, {shown}" in text
        assert "UTC" not in text


@pytest.mark.parametrize("who", ["halina", "tomasz", "missing"])
def test_transcript_only_for_learners(hr_client: FlaskClient, ids: dict, who: str) -> None:
    assert hr_client.get(f"/hr/learners/{ids.get(who, 999999)}").status_code == 404


HR_PAGES = ["/hr/", "/hr/?status=overdue", "/hr/learners/{me}", "/hr/assignments",
            "/hr/export?format=csv", "/hr/export?format=xlsx"]  # fmt: skip


@pytest.mark.parametrize("path", HR_PAGES)
@pytest.mark.parametrize("role", ["learner", "trainer"])
def test_learners_and_trainers_get_403(
    synced: Flask, client: FlaskClient, login_as, path: str, role: str
) -> None:
    me = login_as(role)
    assert client.get(path.format(me=me)).status_code == 403


@pytest.mark.parametrize("path", HR_PAGES)
def test_anonymous_is_sent_to_sign_in(client: FlaskClient, make_user, path: str) -> None:
    response = client.get(path.format(me=make_user()))
    assert response.status_code == 302
    assert response.location.startswith("/login")


@pytest.mark.parametrize("path", HR_PAGES[:4])
def test_admin_sees_every_hr_page(ids: dict, client: FlaskClient, login_as, path: str) -> None:
    login_as("admin")
    assert client.get(path.format(me=ids["anna"])).status_code == 200


def test_a_long_report_counts_to_a_cap_and_pages_on(
    hr_client: FlaskClient, ids: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past COUNT_CAP rows the page says "more than" instead of counting every learner, and
    still offers the next page exactly while one exists."""
    monkeypatch.setattr(hr_views, "PER_PAGE", 4)
    monkeypatch.setattr(hr_views, "COUNT_CAP", 5)  # 10 rows: 5 learners in 2 courses
    first = hr_client.get("/hr/?sort=status").text
    assert "Rows 1–4 of more than 5." in first and "Page 1<" in first
    assert "/hr/?page=2&amp;sort=status" in first
    second = hr_client.get("/hr/?page=2").text
    assert "Rows 5–8 of more than 5." in second and "/hr/?page=3&amp;sort=name" in second
    last = hr_client.get("/hr/?page=3").text
    assert "Rows 9–10 of more than 5." in last and "page=4" not in last
    monkeypatch.setattr(hr_views, "COUNT_CAP", 10)  # exactly counted: no "more than"
    counted = hr_client.get("/hr/?page=3").text
    assert "Rows 9–10 of 10." in counted and "Page 3 of 3" in counted
    with hr_client.application.app_context():
        assert report_pages.count_rows(ReportFilter(), cap=5) == 6
        assert report_pages.count_rows(ReportFilter(status="not_started"), cap=1) == 2
        assert report_pages.count_rows(ReportFilter()) == 10
