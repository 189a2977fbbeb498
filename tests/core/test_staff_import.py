"""Reading and checking HR's staff CSV, without a database."""
import pytest

from lms.core.staff_import import StaffFileError, plan_import, read_staff_file

HEADER = "name,email,department,manager_email,employee_id\n"


def plan(text: str, known=(), encoding="utf-8"):
    return plan_import(read_staff_file(text.encode(encoding)), known)


def test_columns_in_any_order_with_bom_and_semicolons():
    data = "\ufeffEmployee_ID;Department;Email;Name\r\nE1;Продажи;Anna@Example.com;Анна  Петрова\r\n".encode()
    [row] = read_staff_file(data)
    assert (row.line, row.name, row.email, row.department, row.employee_id, row.manager_email) == \
        (2, "Анна Петрова", "anna@example.com", "Продажи", "E1", None)


def test_quoted_cells_may_hold_the_separator():
    [row] = read_staff_file(b'name,email,department\n"Smith, John",john@example.com,"Sales, North"\n')
    assert row.name == "Smith, John" and row.department == "Sales, North"


@pytest.mark.parametrize("data, code", [
    (b"name,mail,department\nA,a@example.com,S\n", "wrong_header"),
    (b"name,email\nA,a@example.com\n", "wrong_header"),
    (b"name,email,department,email\n", "wrong_header"),
    ("name,email,department\nА,a@example.com,S\n".encode("cp1251"), "not_utf8"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not_csv"),
    (b'name,email,department\n"unterminated,a@example.com,S\n', "not_csv"),
    (b"", "empty"),
    (b"\n\n", "empty"),
])
def test_a_file_that_cannot_be_read_is_refused_as_a_whole(data, code):
    with pytest.raises(StaffFileError) as caught:
        read_staff_file(data)
    assert caught.value.code == code


def test_rows_are_rejected_with_their_reasons_and_the_rest_accepted():
    result = plan(HEADER +
                  "Ann,ann@example.com,Sales,,E1\n"
                  "Bad,not-an-email,Sales,,E2\n"
                  "Ann again,ANN@example.com,Sales,,E3\n"
                  "Other,other@example.com,Sales,,E1\n"
                  ",noname@example.com,Sales,,\n"
                  "Short,short@example.com\n"
                  "Lost,lost@example.com,Sales,nobody@example.com,\n"
                  "Self,self@example.com,Sales,self@example.com,\n")
    reasons = {r.row.line: r.problems for r in result.rows}
    assert reasons == {2: (), 3: ("bad_email",), 4: ("duplicate_email",), 5: ("duplicate_employee_id",),
                       6: ("missing_name",), 7: ("wrong_columns",), 8: ("unknown_manager",), 9: ("own_manager",)}
    assert [r.row.email for r in result.accepted] == ["ann@example.com"]


def test_a_manager_may_come_later_in_the_file_or_be_known_already():
    result = plan(HEADER +
                  "Worker,worker@example.com,Sales,boss@example.com,\n"
                  "Old hand,old@example.com,Sales,ceo@example.com,\n"
                  "Boss,boss@example.com,Sales,,\n", known={"ceo@example.com"})
    assert all(r.accepted for r in result.rows)


def test_rejecting_a_manager_rejects_those_who_report_to_them():
    result = plan(HEADER +
                  "Worker,worker@example.com,Sales,boss@example.com,\n"
                  "Boss,boss@example.com,Sales,,E1\n"
                  "Clash,clash@example.com,Sales,,E1\n"
                  "Boss twin,boss@example.com,Sales,,\n")
    assert [r.problems for r in result.rows] == [(), (), ("duplicate_employee_id",), ("duplicate_email",)]
    chain = plan(HEADER + "A,a@example.com,S,b@example.com,\nB,b@example.com,S,c@example.com,\n"
                          "C,c@example.com,S,missing@example.com,\n")
    assert [r.problems for r in chain.rows] == [("unknown_manager",)] * 3


def test_blank_lines_are_skipped_and_line_numbers_kept():
    rows = read_staff_file((HEADER + "\nAnn,ann@example.com,Sales,,\n\nBob,bob@example.com,,,\n").encode())
    assert [(r.line, r.email, r.department) for r in rows] == [(3, "ann@example.com", "Sales"),
                                                               (5, "bob@example.com", "")]
