"""CSV and XLSX exports of the completion report, in the browser and from the command line."""
import csv
import datetime as dt
import io
import os
import re
import shutil
import subprocess
import zipfile

import pytest
from sqlalchemy import event

from lms.core import reports as core
from lms.models import Enrollment, User
from lms.reports import exports
from lms.state import db_session, state

from support import csrf_from
from support.reports import CSV, NOW, REPORT, TODAY, XLSX, attempt, build_world, seed_rows

EVIL = '=HYPERLINK("http://x","y")'


@pytest.fixture
def world(app, auth):
    world = build_world(app)
    with app.app_context():
        session = db_session()
        session.get(User, world.people["boris"]).employee_id = "\t=cmd|' /C calc'!A0"
        session.get(User, world.people["gleb"]).employee_id = "@SUM(1+1)"
        session.get(User, world.people["vera"]).employee_id = "+79001234567"
        session.commit()
    auth.as_role("hr")
    return world


def read_csv(response, delimiter=","):
    assert response.status_code == 200
    text = response.data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def by_name_and_course(records):
    course = records[0].index("Курс")
    return {(r[0], r[course]): r for r in records[1:]}


def test_csv_is_utf8_with_a_bom_iso_dates_and_comma_by_default(client, world):
    response = client.get(CSV)
    assert response.is_streamed  # (checked before the body is read, which buffers it)
    assert response.data.startswith(b"\xef\xbb\xbf") and not response.data.startswith(b"\xef\xbb\xbf\xef\xbb\xbf")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == f'attachment; filename="completions-{TODAY.isoformat()}.csv"'
    records = read_csv(response)
    assert len(records) == 7 and all(len(r) == len(core.COLUMNS) for r in records)
    anna = by_name_and_course(records)[("Анна Андреева", "Сервис")]
    assert anna[7:14] == [(NOW - dt.timedelta(days=20)).date().isoformat(), (TODAY + dt.timedelta(days=7)).isoformat(),
                          anna[9], "85", (NOW - dt.timedelta(days=1)).date().isoformat(), "AAAA-CURRENT",
                          (NOW + dt.timedelta(days=20)).date().isoformat()]
    assert b"\r\n" in response.data


def test_semicolon_csv_for_excel_in_locales_with_a_decimal_comma(app, client, world):
    with app.app_context():
        session = db_session()
        enrollment = session.query(Enrollment).filter_by(user_id=world.people["vera"]).one()
        attempt(session, enrollment.id, "q2", 1, 45.0)  # best of each quiz averaged: (40 + 45) / 2
        session.commit()
    records = read_csv(client.get(CSV + "?delimiter=semicolon"), ";")
    assert len(records[0]) == len(core.COLUMNS)
    assert by_name_and_course(records)[("Вера Васильева", "Сервис")][10] == "42,5"
    assert by_name_and_course(read_csv(client.get(CSV)))[("Вера Васильева", "Сервис")][10] == "42.5"


def test_headers_are_in_the_language_of_the_ui(client, world, auth):
    assert read_csv(client.get(CSV))[0][6] == "Курс"
    token = csrf_from(client.get(REPORT).get_data(as_text=True))
    client.post("/training/language", data={"language": "en", "csrf_token": token})
    headers = read_csv(client.get(CSV))[0]
    assert headers[0] == "Employee" and headers[6] == "Course" and headers[9] == "Status"


def test_the_csv_has_the_rows_of_the_screen_with_the_same_filters_and_order(client, world):
    query = f"?group={world.groups['a']}&sort=due_on&order=desc"
    html = client.get(REPORT + query).get_data(as_text=True)
    on_screen = re.findall(r'<tr data-user="(\d+)" data-course="([^"]+)"', html)
    exported = read_csv(client.get(CSV + query))[1:]
    # latest due date first; equal due dates by name
    assert [(r[0], r[6]) for r in exported] == [("Анна Андреева", "Сервис"), ("Борис Быстров", "Сервис"),
                                                ("Борис Быстров", "Безопасность")]
    names = {str(world.people["anna"]): "Анна Андреева", str(world.people["boris"]): "Борис Быстров"}
    titles = {"service": "Сервис", "safety": "Безопасность"}
    assert [(names[user], titles[course]) for user, course in on_screen] == [(r[0], r[6]) for r in exported]
    assert read_csv(client.get(CSV + "?status=overdue"))[1:][0][0] == "Борис Быстров"
    assert len(read_csv(client.get(CSV + "?status=overdue"))) == 2


def test_the_csv_is_every_page_not_just_the_first(app, client, auth):
    seed_rows(app, 130)
    auth.as_role("hr")
    assert len(read_csv(client.get(CSV + "?page=2"))) == 131


def test_exports_read_from_a_server_side_cursor(app, client, world):
    streamed = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        if "FROM (SELECT" in statement and "report" in statement:
            streamed.append(bool(context.execution_options.get("stream_results")))

    with app.app_context():
        engine = state().engine
    event.listen(engine, "before_cursor_execute", remember)
    try:
        client.get(CSV).close()
        client.get(XLSX).close()
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    assert streamed == [True, True]


def test_formulas_in_csv_cells_are_neutralised(client, world):
    rows = by_name_and_course(read_csv(client.get(CSV)))
    assert ("'" + EVIL, "Сервис") in rows
    evil = rows[("'" + EVIL, "Сервис")]
    assert evil[3] == "'-2+3"  # the department
    assert rows[("Борис Быстров", "Сервис")][1] == "'\t=cmd|' /C calc'!A0"
    assert rows[("Глеб Горин", "Сервис")][1] == "'@SUM(1+1)"
    assert rows[("Вера Васильева", "Сервис")][1] == "'+79001234567"
    raw = client.get(CSV).data.decode("utf-8-sig")
    assert not re.search(r'(^|[,\n])"?[=+\-@]', raw)  # no cell starts with a trigger


# -- XLSX -----------------------------------------------------------------------


def sheet_xml(data: bytes) -> tuple[str, str]:
    """The first worksheet's XML and the styles' XML of an XLSX file."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("xl/worksheets/sheet1.xml").decode("utf-8"), archive.read("xl/styles.xml").decode()


def test_xlsx_has_typed_cells_a_frozen_header_an_autofilter_and_widths(client, world):
    response = client.get(XLSX)
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert f"completions-{TODAY.isoformat()}.xlsx" in response.headers["Content-Disposition"]
    sheet, styles = sheet_xml(response.data)
    assert 'state="frozen"' in sheet and 'ySplit="1"' in sheet
    assert '<autoFilter ref="A1:N7"/>' in sheet
    # XlsxWriter merges neighbouring columns of equal width into one <col min max> element
    covered = set()
    for low, high in re.findall(r'<col min="(\d+)" max="(\d+)"', sheet):
        covered.update(range(int(low), int(high) + 1))
    assert covered == set(range(1, len(core.COLUMNS) + 1))
    assert 'formatCode="yyyy-mm-dd"' in styles
    assert "<f>" not in sheet  # nothing is a formula
    # Anna is the second data row (sorted by name, the formula-named employee first): score 85 as a number
    assert re.search(r'<c r="K3" s="\d+"><v>85</v></c>', sheet)
    # and her assignment date is a number (a date serial) with the date style
    assert re.search(r'<c r="H3" s="\d+"><v>\d{5}</v></c>', sheet)
    assert "&apos;=HYPERLINK(" in sheet or "'=HYPERLINK(" in sheet


def test_xlsx_writes_negative_numbers_as_numbers_and_text_safely(tmp_path):
    row = core.row_from(dict(user_id=1, employee="-Минус", employee_id="-42", email="e@example.com",
                             department=None, groups=None, manager="@boss", course_id=1, course_slug="c",
                             course="+course", assigned_at=None, due_date=dt.date(2024, 1, 2), status="overdue",
                             score=-5.0, completed_at=None, serial=None, expires_at=None))
    target = tmp_path / "out.xlsx"
    assert exports.write_xlsx(str(target), [row], ["=Header"] + ["h"] * (len(core.COLUMNS) - 1), str) == 1
    sheet, _styles = sheet_xml(target.read_bytes())
    assert re.search(r'<c r="K2" s="\d+"><v>-5</v></c>', sheet)  # a number cell, not text
    for text in ("'-Минус", "'-42", "'@boss", "'+course", "'=Header"):
        assert f"<t>{text}</t>".replace("'", "&apos;") in sheet or f"<t>{text}</t>" in sheet
    assert "<f>" not in sheet
    assert not list(tmp_path.glob("*.tmp")) and sorted(p.name for p in tmp_path.iterdir()) == ["out.xlsx"]


def soffice_or_skip() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        message = ("LibreOffice is not installed (no 'soffice' on PATH): apt-get install libreoffice-calc-nogui "
                   "to open the XLSX export in a real spreadsheet engine")
        if os.environ.get("LMS_REQUIRE_LIBREOFFICE") == "1":
            pytest.fail(message + " (LMS_REQUIRE_LIBREOFFICE=1 is set)")
        pytest.skip(message)
    return found


def test_libreoffice_opens_the_xlsx_with_the_values_of_the_csv(client, world, tmp_path):
    soffice = soffice_or_skip()
    (tmp_path / "report.xlsx").write_bytes(client.get(XLSX).data)
    # comma, double quotes, UTF-8 (76), first line 1, no column formats, default language, quote all text
    options = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,true"
    result = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", options,
         "--outdir", str(tmp_path / "out"), str(tmp_path / "report.xlsx")],
        capture_output=True, text=True, timeout=120)
    converted = tmp_path / "out" / "report.csv"
    assert converted.exists(), result.stdout + result.stderr
    raw = converted.read_text(encoding="utf-8")
    from_calc = list(csv.reader(io.StringIO(raw, newline="")))
    from_csv = read_csv(client.get(CSV))
    assert len(from_calc) == len(from_csv) == 7
    for calc_row, csv_row in zip(from_calc, from_csv, strict=True):
        for index, column in enumerate(core.COLUMNS):
            calc_value, csv_value = calc_row[index], csv_row[index]
            if column.kind == "number" and csv_value and calc_row is not from_calc[0]:
                assert float(calc_value) == float(csv_value)
            else:
                assert calc_value == csv_value, (column.key, calc_value, csv_value)
    # typed cells: LibreOffice quotes text but not dates and numbers, and read the name as text, not a formula
    anna = next(line for line in raw.splitlines() if line.startswith('"Анна'))
    assert f",{(NOW - dt.timedelta(days=20)).date().isoformat()}," in anna and ",85.0," in anna
    assert raw.splitlines()[1].startswith('"\'=HYPERLINK(""http://x"",""y"")"')


# -- command line ------------------------------------------------------------------


def test_the_command_line_writes_the_same_csv_with_the_same_filters(runner, world, tmp_path, client):
    target = tmp_path / "overdue.csv"
    result = runner.invoke(args=["lms", "report", "completions", "--format", "csv", "-o", str(target),
                                 "--group", "Store A", "--status", "overdue", "--delimiter", "semicolon"])
    assert result.exit_code == 0, result.output
    assert "Wrote 1 row(s)" in result.output
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    records = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert records[0][6] == "Курс" and [r[0] for r in records[1:]] == ["Борис Быстров"]
    assert data == client.get(CSV + f"?group={world.groups['a']}&status=overdue&delimiter=semicolon").data


def test_the_command_line_writes_xlsx_and_every_filter_option(runner, world, tmp_path):
    target = tmp_path / "report.xlsx"
    yesterday = (TODAY - dt.timedelta(days=1)).isoformat()
    result = runner.invoke(args=["lms", "report", "completions", "-o", str(target), "--course", "service",
                                 "--date-field", "completed", "--from", yesterday, "--to", TODAY.isoformat(),
                                 "--expiring-within", "30", "--language", "en"])
    assert result.exit_code == 0, result.output
    assert "Wrote 1 row(s)" in result.output
    sheet, _styles = sheet_xml(target.read_bytes())
    assert "<t>Course</t>" in sheet and "<t>Анна Андреева</t>" in sheet


@pytest.mark.parametrize(("args", "message"), [
    (["--group", "Nowhere"], "no group 'Nowhere'"),
    (["--course", "nope"], "no course 'nope'"),
    (["--from", "01.02.2024"], "--from"),
])
def test_the_command_line_explains_bad_options(runner, world, tmp_path, args, message):
    result = runner.invoke(args=["lms", "report", "completions", "-o", str(tmp_path / "x.csv"), *args])
    assert result.exit_code == 1 and message in result.output
