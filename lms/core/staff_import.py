"""Reading an HR staff file (CSV) and planning what importing it does, without a database.

The file has a header row naming its columns in any order::

    name,email,department,manager_email,employee_id

``manager_email`` and ``employee_id`` are optional. The file is UTF-8 (a byte
order mark is fine) separated by ``,`` or ``;``. A file that cannot be read as
such raises :class:`StaffFileError` and nothing is imported; a row with a
problem is rejected with its reasons while the other rows go ahead.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Collection
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email

REQUIRED_COLUMNS = ("name", "email", "department")
OPTIONAL_COLUMNS = ("manager_email", "employee_id")
MAX_ROWS = 20_000


class StaffFileError(ValueError):
    """The file as a whole cannot be imported; ``code`` says why, ``detail`` names what."""

    def __init__(self, code: str, detail: str = "", line: int | None = None):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail
        self.line = line


@dataclass(frozen=True)
class StaffRow:
    """One data row as written in the file (values trimmed; e-mails lower-cased)."""

    line: int
    name: str
    email: str
    department: str
    manager_email: str | None = None
    employee_id: str | None = None
    columns_ok: bool = True


@dataclass(frozen=True)
class RowPlan:
    """A row and why it is rejected (empty ``problems``: it can be applied)."""

    row: StaffRow
    problems: tuple[str, ...] = ()

    @property
    def accepted(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class ImportPlan:
    rows: tuple[RowPlan, ...] = field(default_factory=tuple)

    @property
    def accepted(self) -> tuple[RowPlan, ...]:
        return tuple(r for r in self.rows if r.accepted)

    @property
    def rejected(self) -> tuple[RowPlan, ...]:
        return tuple(r for r in self.rows if not r.accepted)

    def manager_emails(self) -> set[str]:
        return {r.row.manager_email for r in self.rows if r.row.manager_email}


#: Why a row is rejected: ``bad_email``, ``missing_name``, ``wrong_columns``,
#: ``duplicate_email``, ``duplicate_employee_id``, ``bad_manager_email``,
#: ``unknown_manager``, ``own_manager``.
ROW_PROBLEMS = ("bad_email", "missing_name", "wrong_columns", "duplicate_email", "duplicate_employee_id",
                "bad_manager_email", "unknown_manager", "own_manager")


def decode(data: bytes) -> str:
    """UTF-8 text with or without a byte order mark; anything else is refused."""
    if b"\x00" in data:
        raise StaffFileError("not_csv", "binary data")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise StaffFileError("not_utf8", line=line) from None


def detect_delimiter(header_line: str) -> str:
    """``;`` when the header has more semicolons than commas (spreadsheets in many locales), else ``,``."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


def normalise_email(value: str) -> str | None:
    """The address lower-cased, or None when it is not an e-mail address."""
    value = value.strip()
    if not value:
        return None
    try:
        checked = validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return None
    return checked.normalized.lower()


def read_staff_file(data: bytes) -> list[StaffRow]:
    """The rows of a staff CSV. Raises :class:`StaffFileError` for a file that cannot be used."""
    text = decode(data)
    stripped = text.lstrip("\r\n")
    if not stripped.strip():
        raise StaffFileError("empty")
    first_line = stripped.splitlines()[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=detect_delimiter(first_line), strict=True)
    try:
        records = [(reader.line_num, record) for record in reader]
    except csv.Error as exc:
        raise StaffFileError("not_csv", str(exc), line=reader.line_num) from None
    records = [(line, record) for line, record in records if any(cell.strip() for cell in record)]
    header_line, header = records[0]
    columns = [cell.strip().lower().lstrip("\ufeff") for cell in header]
    unknown = [c for c in columns if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    repeated = sorted({c for c in columns if columns.count(c) > 1})
    if unknown or missing or repeated:
        detail = ", ".join([*(f"-{c}" for c in missing), *(f"+{c}" for c in unknown),
                            *(f"2×{c}" for c in repeated)])
        raise StaffFileError("wrong_header", detail, line=header_line)
    if len(records) - 1 > MAX_ROWS:
        raise StaffFileError("too_many_rows", str(MAX_ROWS))
    rows = []
    for line, record in records[1:]:
        cells = dict(zip(columns, (cell.strip() for cell in record), strict=False))
        rows.append(StaffRow(
            line=line,
            name=" ".join(cells.get("name", "").split()),
            email=cells.get("email", "").lower(),
            department=" ".join(cells.get("department", "").split()),
            manager_email=cells.get("manager_email", "").lower() or None,
            employee_id=cells.get("employee_id") or None,
            columns_ok=len(record) == len(columns),
        ))
    return rows


def plan_import(rows: list[StaffRow], known_emails: Collection[str] = ()) -> ImportPlan:
    """Check every row: its e-mail, duplicates within the file, and that its manager exists
    (in the file, or among ``known_emails``: people the LMS already has)."""
    problems: dict[int, list[str]] = {}
    normalised: list[StaffRow] = []
    for row in rows:
        found: list[str] = []
        email = normalise_email(row.email)
        if not row.columns_ok:
            found.append("wrong_columns")
        if email is None:
            found.append("bad_email")
        if not row.name:
            found.append("missing_name")
        manager = None
        if row.manager_email:
            manager = normalise_email(row.manager_email)
            if manager is None:
                found.append("bad_manager_email")
        normalised.append(StaffRow(row.line, row.name, email or row.email, row.department, manager or row.manager_email,
                                   row.employee_id, row.columns_ok))
        problems[row.line] = found
    seen_emails: set[str] = set()
    seen_ids: set[str] = set()
    for row in normalised:
        if row.email in seen_emails:
            problems[row.line].append("duplicate_email")
        if row.employee_id and row.employee_id in seen_ids:
            problems[row.line].append("duplicate_employee_id")
        seen_emails.add(row.email)
        if row.employee_id:
            seen_ids.add(row.employee_id)
    # A manager must be someone the import keeps (a later row is fine) or someone already known;
    # rejecting a manager's row can leave their reports without one, so repeat until stable.
    known = {e.lower() for e in known_emails}
    changed = True
    while changed:
        changed = False
        in_file = {row.email for row in normalised if not problems[row.line]}
        for row in normalised:
            found = problems[row.line]
            if found or not row.manager_email:
                continue
            if row.manager_email == row.email:
                found.append("own_manager")
                changed = True
            elif row.manager_email not in in_file and row.manager_email not in known:
                found.append("unknown_manager")
                changed = True
    return ImportPlan(tuple(RowPlan(row, tuple(problems[row.line])) for row in normalised))
