"""HR in a real browser: import staff from a CSV file, filter the completion report, export it to Excel.

The downloaded XLSX is opened as a spreadsheet program would read it (the
workbook's XML inside the zip), and must hold exactly the rows the filtered
report showed. The Arabic variant does the same with Arabic names and
departments in a right-to-left interface.
"""
from __future__ import annotations

import re
import zipfile
from xml.etree import ElementTree

import pytest
from playwright.sync_api import expect

from lms.core.content import load_directory

from support import ROOT
from support.browser import Interface, open_menu, sign_in

pytestmark = pytest.mark.browser
COURSES = ROOT / "courses"
SLUG = "service-excellence"
SHEET = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
HEADER = "name,email,department,manager_email,employee_id"
STAFF = {
    "ru": {
        "sales": "Продажи", "stock": "Склад",
        "rows": [("Ирина Смирнова", "irina@example.com", "Продажи", "", "E-100"),
                 ("Олег Волков", "oleg@example.com", "Продажи", "irina@example.com", "E-101"),
                 ("Светлана Ким", "svetlana@example.com", "Склад", "", "E-200"),
                 ("Павел Орлов", "pavel@example.com", "Склад", "nobody@example.com", "E-201"),
                 ("Без Почты", "not-an-email", "Склад", "", "E-202")],
    },
    "ar": {
        "sales": "المبيعات", "stock": "المستودع",
        "rows": [("ليلى حسن", "layla@example.com", "المبيعات", "", "E-100"),
                 ("عمر حداد", "omar@example.com", "المبيعات", "layla@example.com", "E-101"),
                 ("سارة خليل", "sara@example.com", "المستودع", "", "E-200"),
                 ("يوسف نجار", "yusuf@example.com", "المستودع", "nobody@example.com", "E-201"),
                 ("بلا بريد", "not-an-email", "المستودع", "", "E-202")],
    },
}
#: rows the import must reject, by e-mail, with the reason it gives (a gettext msgid)
REJECTED = {"pavel@example.com": "the manager is neither in the file nor known to the LMS",
            "yusuf@example.com": "the manager is neither in the file nor known to the LMS",
            "not-an-email": "not a valid e-mail address"}


def column_number(reference: str) -> int:
    """``C7`` -> 2 (0-based)."""
    letters = re.match(r"[A-Z]+", reference).group(0)
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number - 1


def read_xlsx(path) -> list[list[str]]:
    """The first sheet's cells as text, row by row (shared or inline strings, numbers as written)."""
    with zipfile.ZipFile(path) as book:
        shared = []
        if "xl/sharedStrings.xml" in book.namelist():
            strings = ElementTree.fromstring(book.read("xl/sharedStrings.xml"))
            shared = ["".join(t.text or "" for t in item.iter(f"{SHEET}t")) for item in strings.iter(f"{SHEET}si")]
        sheet = ElementTree.fromstring(book.read("xl/worksheets/sheet1.xml"))
    rows = []
    for row in sheet.iter(f"{SHEET}row"):
        cells = {}
        for cell in row.iter(f"{SHEET}c"):
            value = cell.find(f"{SHEET}v")
            if cell.get("t") == "inlineStr":
                text = "".join(t.text or "" for t in cell.iter(f"{SHEET}t"))
            elif cell.get("t") == "s":
                text = shared[int(value.text)]
            else:
                text = value.text if value is not None else ""
            cells[column_number(cell.get("r"))] = text
        rows.append([cells.get(i, "") for i in range(max(cells, default=-1) + 1)])
    return rows


@pytest.mark.parametrize("language", ["ru", "ar"])
def test_hr_imports_staff_filters_the_report_and_exports_it(page, live_server, auth, runner, tmp_path, language):
    result = runner.invoke(args=["lms", "courses", "import", str(COURSES)])
    assert result.exit_code == 0, result.output
    (course,), _problems = load_directory(COURSES)
    course_title = course.editions[language].title
    staff = STAFF[language]
    auth.create("hr@example.com", "Нина Кадрова", ("hr",))
    t = Interface(language)
    staff_file = tmp_path / "staff.csv"
    staff_file.write_text("\n".join([HEADER, *(",".join(row) for row in staff["rows"])]) + "\n", encoding="utf-8")

    sign_in(page, live_server, "hr@example.com")
    if language != "ru":
        with page.expect_navigation(url="**/training/reports/completions"):  # the select submits, HR's page reloads
            page.get_by_label("Язык интерфейса").select_option(language)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")

    # the staff import, row by row
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Reports"))  # where HR lands
    open_menu(page)
    page.get_by_role("navigation", name=t("Main")).get_by_role("link", name=t("People")).click()
    page.get_by_role("link", name=t("Import staff")).click()
    page.get_by_label(t("Staff file (CSV)")).set_input_files(staff_file)
    page.get_by_role("button", name=t("Import"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Import result"))
    expect(page.locator(".flash-success")).to_contain_text(t.plural("%(num)s row imported.", "%(num)s rows imported.", 3))
    counts = page.locator(".import-counts")
    expect(counts.locator("li")).to_have_text([f"{t('Created')}: 3", f"{t('Updated')}: 0",
                                               f"{t('Unchanged')}: 0", f"{t('Rejected')}: 2"])
    rows = page.locator("table.import-rows tbody tr")
    expect(rows).to_have_count(len(staff["rows"]))
    for line, (name, email, *_rest) in enumerate(staff["rows"], start=2):
        row = rows.filter(has=page.get_by_role("cell", name=str(line), exact=True))
        expect(row.get_by_role("cell").nth(1)).to_have_text(email)
        expect(row.get_by_role("cell").nth(2)).to_have_text(name)
        verdict = f"{t('Rejected')}: {t(REJECTED[email])}" if email in REJECTED else t("Created")
        expect(row.get_by_role("cell").nth(3)).to_have_text(verdict)
    expect(page.get_by_text(t("New department groups: %(names)s", names=f"{staff['sales']}, {staff['stock']}"),
                            exact=True)).to_be_visible()

    # meanwhile a trainer assigns the course to both departments; the sales team is already late
    for group, due in ((staff["sales"], "2020-01-31"), (staff["stock"], "2031-06-30")):
        result = runner.invoke(args=["lms", "assign", SLUG, "--to", group, "--due", due])
        assert result.exit_code == 0, result.output

    open_menu(page)
    page.get_by_role("navigation", name=t("Main")).get_by_role("link", name=t("Reports")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Reports"))
    report = page.locator("table.completions tbody tr")
    expect(report).to_have_count(3)
    page.get_by_label(t("Group")).select_option(label=staff["sales"])
    page.get_by_label(t("Course")).select_option(label=course_title)
    page.get_by_label(t("Status")).select_option(label=t("Overdue"))
    page.get_by_role("button", name=t("Show")).click()
    expect(page).to_have_url(re.compile(r"status=overdue"))
    # in the report's default order, by employee name
    sales = sorted(row for row in staff["rows"] if row[2] == staff["sales"] and row[1] not in REJECTED)
    expect(report).to_have_count(len(sales))
    expect(report.locator("td.col-employee")).to_have_text([name for name, *_ in sales])
    expect(report.locator("td .badge")).to_have_text([t("Overdue")] * len(sales))
    expect(page.locator("[data-total=assigned] .report-total-number")).to_have_text(str(len(sales)))
    expect(page.locator("[data-total=overdue] .report-total-number")).to_have_text(str(len(sales)))

    with page.expect_download() as download:
        page.get_by_role("link", name=t("Excel (XLSX)")).click()
    assert download.value.suggested_filename.endswith(".xlsx")
    header, *lines = read_xlsx(download.value.path())
    assert header[0] == t("Employee") and t("Status") in header and t("Department") in header, header
    column = {key: header.index(t(label)) for key, label in (
        ("employee", "Employee"), ("email", "E-mail"), ("department", "Department"), ("course", "Course"),
        ("status", "Status"), ("employee_id", "Employee ID"))}
    exported = [{key: line[index] for key, index in column.items()} for line in lines]
    assert exported == [{"employee": name, "email": email, "department": department, "course": course_title,
                         "status": t("Overdue"), "employee_id": number}
                        for name, email, department, _manager, number in sales]
