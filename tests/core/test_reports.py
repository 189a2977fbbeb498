"""The HR report's pure core: filters, totals, pages, the matrix and spreadsheet-safe cells."""
import datetime as dt

import pytest

from lms.core import reports as core

ROW = dict(user_id=1, employee="Анна", employee_id="E-1", email="a@example.com", department="Продажи",
           groups="Store A", manager="Борис", course_id=7, course_slug="service", course="Сервис",
           assigned_at=dt.datetime(2024, 3, 1, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-3))),
           due_date=dt.date(2024, 3, 31), status="completed", score=85.0, completed_at="2024-03-10 08:00:00.000000",
           serial="ABCD", expires_at=dt.datetime(2025, 3, 10, 8, 0))


def label(status: str) -> str:
    return {"completed": "Пройдено"}.get(status, status)


def test_a_row_turns_database_values_into_dates_and_a_rounded_score():
    row = core.row_from({**ROW, "score": 83.333333})
    assert row.assigned_on == dt.date(2024, 3, 2)  # an aware datetime is read in UTC
    assert row.completed_on == dt.date(2024, 3, 10)  # SQLite may hand back text
    assert row.certificate_expires_on == dt.date(2025, 3, 10)  # naive datetimes are UTC
    assert row.score == 83.3 and row.course == "Сервис"
    assert core.row_from({**ROW, "course": None, "department": "", "score": None}).course == "service"


def test_filters_are_parsed_from_text_and_bad_values_are_named():
    parsed = core.parse_filters({"group": "3", "course": "service", "status": "overdue", "date_field": "completed",
                                 "from": "2024-01-01", "to": "2024-01-31", "expiring": "30", "sort": "due_on",
                                 "order": "desc", "page": "2"})
    assert parsed.invalid == ()
    assert parsed.filters == core.ReportFilters(3, "service", "overdue", "completed", dt.date(2024, 1, 1),
                                                dt.date(2024, 1, 31), 30, "due_on", True, 2)
    bad = core.parse_filters({"group": "x", "status": "done", "from": "31.01.2024", "expiring": "-1",
                              "sort": "password", "order": "up", "page": "0", "date_field": "when"})
    assert set(bad.invalid) == {"group", "status", "from", "expiring", "sort", "order", "page", "date_field"}
    assert bad.filters == core.ReportFilters()
    assert core.parse_filters({"group": "", "status": " ", "course": ""}) == core.ParsedFilters(core.ReportFilters())


def test_query_args_round_trip_and_leave_defaults_out():
    filters = core.parse_filters({"group": "3", "status": "completed", "from": "2024-01-01", "expiring": "0",
                                  "sort": "score", "order": "desc", "page": "4"}).filters
    args = core.query_args(filters)
    assert args == {"group": "3", "status": "completed", "from": "2024-01-01", "expiring": "0", "sort": "score",
                    "order": "desc", "page": "4"}
    assert core.parse_filters(args).filters == filters
    assert core.query_args(core.ReportFilters()) == {}
    assert core.query_args(filters, page=None)["sort"] == "score" and "page" not in core.query_args(filters, page=None)


def test_sort_links_flip_the_order_of_the_sorted_column_only():
    by_score = core.ReportFilters(sort="score", page=3)
    assert core.sort_link_args(by_score, "score") == {"sort": "score", "order": "desc"}
    assert core.sort_link_args(core.ReportFilters(sort="score", descending=True), "score") == {"sort": "score"}
    assert core.sort_link_args(by_score, "employee") == {}


def test_totals_and_completion_rate():
    assert core.Totals(8, 2, 3).completion_rate == 0.25
    assert core.Totals().completion_rate == 0.0


@pytest.mark.parametrize(("requested", "total", "number", "count"), [
    (1, 0, 1, 1), (1, 50, 1, 1), (2, 51, 2, 2), (9, 120, 3, 3), (0, 120, 1, 3),
])
def test_pages_are_kept_within_range(requested, total, number, count):
    page = core.page_of(requested, total, 50)
    assert (page.number, page.count) == (number, count)
    assert page.offset == (number - 1) * 50
    assert page.has_next == (number < count) and page.has_previous == (number > 1)


@pytest.mark.parametrize(("text", "safe"), [
    ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
    ("+7 900 000", "'+7 900 000"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("Анна = Борис", "Анна = Борис"),
    ("", ""),
])
def test_formula_triggers_are_neutralised(text, safe):
    assert core.neutralise(text) == safe


def test_csv_values_use_iso_dates_typed_numbers_and_safe_text():
    row = core.row_from({**ROW, "employee": "=1+1", "score": 72.5})
    values = core.csv_values(row, label)
    assert values[0] == "'=1+1"
    assert values[7:12] == ["2024-03-02", "2024-03-31", "Пройдено", "72.5", "2024-03-10"]
    assert core.csv_values(row, label, ",")[10] == "72,5"
    assert core.csv_values(core.row_from({**ROW, "score": 90.0}), label)[10] == "90"
    empty = core.csv_values(core.row_from({**ROW, "score": None, "serial": None, "expires_at": None,
                                           "employee_id": None}), label)
    assert empty[1] == "" and empty[10] == "" and empty[12:] == ["", ""]
    assert core.decimal_for(";") == "," and core.decimal_for(",") == "."


def test_the_matrix_puts_each_status_in_its_course_column():
    rows = [core.row_from({**ROW, "user_id": 1, "course_id": 7, "status": "completed"}),
            core.row_from({**ROW, "user_id": 1, "course_id": 8, "status": "overdue"}),
            core.row_from({**ROW, "user_id": 2, "employee": "Вера", "course_id": 8, "status": "in_progress"})]
    matrix = core.build_matrix(rows, [(7, "Сервис"), (8, "Безопасность"), (9, "Касса")])
    assert [(r.user_id, r.cells) for r in matrix.rows] == [(1, ("completed", "overdue", None)),
                                                           (2, (None, "in_progress", None))]
    assert matrix.counts == {"not_started": 0, "in_progress": 1, "completed": 1, "overdue": 1, "expired": 0}


def test_every_column_can_be_sorted_and_has_a_kind():
    assert core.SORT_KEYS == tuple(c.key for c in core.COLUMNS)
    assert {c.kind for c in core.COLUMNS} == {"text", "date", "number"}
    assert set(core.STATUS_ORDER) == set(core.STATUSES)
