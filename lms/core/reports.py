"""HR reports: from plain database rows to what the reports show and export.

Pure: no Flask, no SQLAlchemy. :mod:`lms.services.reports` loads the rows in one
set-based statement per page (or streams them for an export) and hands each one
here as a mapping of plain values; this module turns them into
:class:`ReportRow`, parses and validates the filters, computes totals and
pagination, lays out the compliance matrix and makes cells safe for
spreadsheets.

**Definitions** (what HR reads in the report):

- *A row* is one active employee and one course assigned to them, directly or
  through a group they are a member of (role ``member``; a group's trainers are
  not its trainees), by an assignment that was not removed.
- *Assigned on* is the date of the earliest such assignment; *due* is the
  earliest due date among them (what the learner's own page shows).
- *Status* and *best score*: as :mod:`lms.core.status` defines them (the same
  everywhere: the learner's page, the trainer's dashboard, the API).
- *Certificate* is the latest certificate of the course that was not revoked
  (its serial and expiry date), even if it has expired.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .status import COURSE_STATUS_ORDER, COURSE_STATUSES

STATUSES: tuple[str, ...] = COURSE_STATUSES
#: "sort by status" puts who needs attention first (as on the trainer's dashboard)
STATUS_ORDER: dict[str, int] = COURSE_STATUS_ORDER
DATE_FIELDS: tuple[str, ...] = ("assigned", "completed")
DELIMITERS: dict[str, str] = {"comma": ",", "semicolon": ";"}
PAGE_SIZE = 50
MAX_EXPIRING_DAYS = 36_500
#: OWASP "CSV injection": a cell starting with one of these is read as a formula
FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    """A column of the completion report: ``kind`` is text, date or number;
    ``width`` is in characters (XLSX)."""

    key: str
    kind: str
    width: int


COLUMNS: tuple[Column, ...] = (
    Column("employee", "text", 28),
    Column("employee_id", "text", 12),
    Column("email", "text", 28),
    Column("department", "text", 20),
    Column("groups", "text", 22),
    Column("manager", "text", 24),
    Column("course", "text", 32),
    Column("assigned_on", "date", 12),
    Column("due_on", "date", 12),
    Column("status", "text", 14),
    Column("score", "number", 10),
    Column("completed_on", "date", 12),
    Column("certificate", "text", 18),
    Column("certificate_expires_on", "date", 14),
)
SORT_KEYS: tuple[str, ...] = tuple(c.key for c in COLUMNS)


@dataclass(frozen=True, slots=True)
class ReportRow:
    """One employee and one assigned course."""

    user_id: int
    employee: str
    employee_id: str | None
    email: str
    department: str | None
    groups: str | None
    manager: str | None
    course_id: int
    course_slug: str
    course: str
    assigned_on: dt.date | None
    due_on: dt.date | None
    status: str
    score: float | None
    completed_on: dt.date | None
    certificate: str | None
    certificate_expires_on: dt.date | None

    def value(self, key: str) -> Any:
        return getattr(self, key)


def to_date(value: Any) -> dt.date | None:
    """A date from what a database returns: a date, an aware or naive (UTC) datetime, or ISO text."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value) if len(value) > 10 else dt.date.fromisoformat(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return value.date()
    return value


def row_from(values: Mapping[Any, Any]) -> ReportRow:
    """A :class:`ReportRow` from one result row of the report's statement, read by column name
    (an SQLAlchemy ``RowMapping``, whose keys may also be columns, or a dict)."""
    score = values["score"]
    return ReportRow(
        user_id=int(values["user_id"]),
        employee=values["employee"],
        employee_id=values["employee_id"],
        email=values["email"],
        department=values["department"] or None,
        groups=values["groups"] or None,
        manager=values["manager"],
        course_id=int(values["course_id"]),
        course_slug=values["course_slug"],
        course=values["course"] or values["course_slug"],
        assigned_on=to_date(values["assigned_at"]),
        due_on=to_date(values["due_date"]),
        status=values["status"],
        score=None if score is None else round(float(score), 1),
        completed_on=to_date(values["completed_at"]),
        certificate=values["serial"],
        certificate_expires_on=to_date(values["expires_at"]),
    )


# -- filters ------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFilters:
    """What the report is narrowed to and how it is ordered.

    ``date_from``/``date_to`` (inclusive) apply to the assignment date or the
    completion date, as ``date_field`` says. ``expiring_within`` keeps rows whose
    certificate expires from now to that many days ahead.
    """

    group_id: int | None = None
    course: str | None = None
    status: str | None = None
    date_field: str = "assigned"
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    expiring_within: int | None = None
    sort: str = "employee"
    descending: bool = False
    page: int = 1

    def with_page(self, page: int) -> ReportFilters:
        return replace(self, page=page)


@dataclass(frozen=True)
class ParsedFilters:
    filters: ReportFilters
    #: the names of parameters whose value was not understood (and was ignored)
    invalid: tuple[str, ...] = ()


def _int(text: str | None, low: int, high: int) -> int | None:
    try:
        number = int((text or "").strip())
    except ValueError:
        return None
    return number if low <= number <= high else None


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def parse_filters(args: Mapping[str, str | None]) -> ParsedFilters:
    """Filters from query parameters (or command-line options) as text.

    Parameters: ``group`` (id), ``course`` (slug), ``status``, ``date_field``
    (assigned | completed), ``from``, ``to`` (YYYY-MM-DD), ``expiring`` (days),
    ``sort`` (a column key), ``order`` (asc | desc), ``page``. Empty values mean
    "no filter"; a value that is not understood is ignored and named in ``invalid``.
    """
    invalid: list[str] = []

    def given(name: str) -> str | None:
        value = args.get(name)
        return value.strip() if isinstance(value, str) and value.strip() else None

    def check(name: str, value: Any) -> Any:
        if given(name) is not None and value is None:
            invalid.append(name)
        return value

    group_id = check("group", _int(given("group"), 1, 2**62) if given("group") else None)
    course = given("course")
    status = check("status", given("status") if given("status") in STATUSES else None)
    date_field = given("date_field") or "assigned"
    if date_field not in DATE_FIELDS:
        invalid.append("date_field")
        date_field = "assigned"
    date_from = check("from", _date(given("from")) if given("from") else None)
    date_to = check("to", _date(given("to")) if given("to") else None)
    expiring = check("expiring", _int(given("expiring"), 0, MAX_EXPIRING_DAYS) if given("expiring") else None)
    sort = given("sort") or "employee"
    if sort not in SORT_KEYS:
        invalid.append("sort")
        sort = "employee"
    order = given("order") or "asc"
    if order not in ("asc", "desc"):
        invalid.append("order")
        order = "asc"
    page = _int(given("page"), 1, 10**9) if given("page") else 1
    if page is None:
        invalid.append("page")
        page = 1
    filters = ReportFilters(group_id, course, status, date_field, date_from, date_to, expiring, sort,
                            order == "desc", page)
    return ParsedFilters(filters, tuple(invalid))


def query_args(filters: ReportFilters, **overrides: Any) -> dict[str, str]:
    """The query parameters that reproduce ``filters`` (defaults left out), with ``overrides``."""
    args: dict[str, Any] = {
        "group": filters.group_id,
        "course": filters.course,
        "status": filters.status,
        "date_field": filters.date_field if filters.date_field != "assigned" else None,
        "from": filters.date_from.isoformat() if filters.date_from else None,
        "to": filters.date_to.isoformat() if filters.date_to else None,
        "expiring": filters.expiring_within,
        "sort": filters.sort if filters.sort != "employee" else None,
        "order": "desc" if filters.descending else None,
        "page": filters.page if filters.page != 1 else None,
    }
    args.update(overrides)
    defaults = {"date_field": "assigned", "sort": "employee", "order": "asc", "page": "1"}
    return {key: str(value) for key, value in args.items()
            if value is not None and value != "" and defaults.get(key) != str(value)}


def sort_link_args(filters: ReportFilters, key: str) -> dict[str, str]:
    """Parameters for a column header: sort by ``key``, flipping the order if it already is."""
    descending = not filters.descending if filters.sort == key else False
    return query_args(filters, sort=key, order="desc" if descending else None, page=None)


# -- totals and pages -----------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    """Shown at the top of the report, for every row the filters keep (all pages)."""

    assigned: int = 0
    completed: int = 0
    overdue: int = 0

    @property
    def completion_rate(self) -> float:
        """Completed as a share of assigned, 0-1 (0 when nothing is assigned)."""
        return self.completed / self.assigned if self.assigned else 0.0


@dataclass(frozen=True)
class Page:
    number: int
    size: int
    total: int

    @property
    def count(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.count


def page_of(requested: int, total: int, size: int = PAGE_SIZE) -> Page:
    """The page to show: ``requested`` kept within 1..last page."""
    last = max(1, -(-total // size))
    return Page(min(max(1, requested), last), size, total)


# -- compliance matrix ----------------------------------------------------------------


@dataclass(frozen=True)
class MatrixRow:
    user_id: int
    employee: str
    department: str | None
    #: one status per course column, None where the course is not assigned to the employee
    cells: tuple[str | None, ...]


@dataclass(frozen=True)
class Matrix:
    courses: tuple[tuple[int, str], ...]
    rows: tuple[MatrixRow, ...]
    counts: dict[str, int] = field(default_factory=dict)


def build_matrix(rows: Iterable[ReportRow], courses: Iterable[tuple[int, str]]) -> Matrix:
    """Employees (in the order met) × ``courses`` (the columns, in the order given)."""
    columns = tuple(courses)
    index = {course_id: i for i, (course_id, _title) in enumerate(columns)}
    people: dict[int, tuple[str, str | None, list[str | None]]] = {}
    counts = dict.fromkeys(STATUSES, 0)
    for row in rows:
        if row.user_id not in people:
            people[row.user_id] = (row.employee, row.department, [None] * len(columns))
        if row.course_id in index:
            people[row.user_id][2][index[row.course_id]] = row.status
            counts[row.status] = counts.get(row.status, 0) + 1
    return Matrix(columns, tuple(MatrixRow(uid, name, department, tuple(cells))
                                 for uid, (name, department, cells) in people.items()), counts)


# -- cells for spreadsheets ----------------------------------------------------------


def neutralise(text: str) -> str:
    """Text a spreadsheet cannot run: a leading ``'`` before a formula trigger (OWASP)."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def format_number(value: float, decimal: str = ".") -> str:
    """A score as text: an integer without decimals, else one decimal with ``decimal``."""
    text = str(int(value)) if float(value).is_integer() else f"{value:.1f}"
    return text.replace(".", decimal)


def cell(row: ReportRow, column: Column, status_label: Callable[[str], str]) -> Any:
    """The typed value of one cell: str, date, float or None (empty)."""
    value = row.value(column.key)
    if column.key == "status":
        return status_label(value)
    return value


def csv_values(row: ReportRow, status_label: Callable[[str], str], decimal: str = ".") -> list[str]:
    """One CSV record: dates in ISO 8601, numbers with ``decimal``, text neutralised."""
    out = []
    for column in COLUMNS:
        value = cell(row, column, status_label)
        if value is None:
            out.append("")
        elif column.kind == "date":
            out.append(value.isoformat())
        elif column.kind == "number":
            out.append(format_number(value, decimal))
        else:
            out.append(neutralise(str(value)))
    return out


def decimal_for(delimiter: str) -> str:
    """Locales that separate fields with ``;`` (Russian, German...) write decimals with ``,``."""
    return "," if delimiter == ";" else "."
