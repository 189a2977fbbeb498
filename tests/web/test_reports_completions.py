"""The completion report and the compliance matrix through the test client, as HR."""
import datetime as dt
import html as html_module
import re

import pytest

from lms.core import reports as core
from lms.state import db_session

from support.reports import MATRIX, NOW, REPORT, TODAY, assign, build_world, seed_rows

ROW_RE = re.compile(r'<tr data-user="(\d+)" data-course="([^"]+)" data-status="([^"]+)">(.*?)</tr>', re.S)
CELL_RE = re.compile(r'<td[^>]*data-col="(\w+)"[^>]*>(.*?)</td>', re.S)
DATE_RE = re.compile(r'data-col="(\w+)" data-date="([^"]*)"')
DATES = ("assigned_on", "due_on", "completed_on", "certificate_expires_on")
TOTAL_RE = re.compile(r'data-total="(\w+)"(?: data-value="([^"]+)")?><span class="report-total-number">([^<]*)')


def rows(client, query=""):
    """(person, course, status, cells) per row on the page: the texts of its columns, the dates, the score."""
    response = client.get(REPORT + query)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    found = []
    for user_id, course, status, body in ROW_RE.findall(html):
        cells = {key: html_module.unescape(re.sub(r"<[^>]+>", "", text)).strip() for key, text in CELL_RE.findall(body)}
        dates = dict(DATE_RE.findall(body))
        score = re.search(r'data-score="([^"]*)"', body).group(1)
        found.append({"user": int(user_id), "course": course, "status": status, "name": cells["employee"],
                      "employee_id": cells["employee_id"], "department": cells["department"], "groups": cells["groups"],
                      "manager": cells["manager"], "dates": [dates[key] for key in DATES], "score": score,
                      "serial": cells["certificate"]})
    return found


def totals(client, query=""):
    html = client.get(REPORT + query).get_data(as_text=True)
    return {key: value or number for key, value, number in TOTAL_RE.findall(html)}


def keyed(found):
    return {(r["name"], r["course"]): r for r in found}


@pytest.fixture
def world(app, auth):
    world = build_world(app)
    auth.as_role("hr")
    return world


def test_each_assigned_course_is_a_row_with_the_documented_values(client, world):
    found = keyed(rows(client))
    assert set(found) == {("Анна Андреева", "service"), ("Борис Быстров", "service"), ("Борис Быстров", "safety"),
                          ("Вера Васильева", "service"), ("Глеб Горин", "service"),
                          ('=HYPERLINK("http://x","y")', "service")}  # Gleb's removed assignment is no row
    anna = found[("Анна Андреева", "service")]
    assert anna["status"] == "completed" and anna["score"] == "85.0"  # best of q1 (90) and q2 (80), averaged
    assert anna["serial"] == "AAAA-CURRENT"  # the latest certificate that is not revoked
    assert (anna["employee_id"], anna["department"], anna["groups"], anna["manager"]) == \
        ("E-001", "Продажи", "Store A", "Борис Начальник")
    assigned, due, completed, expires = anna["dates"]
    assert assigned == (NOW - dt.timedelta(days=20)).date().isoformat()
    assert due == (TODAY + dt.timedelta(days=7)).isoformat()
    assert completed == (NOW - dt.timedelta(days=1)).date().isoformat()
    assert expires == (NOW + dt.timedelta(days=20)).date().isoformat()
    assert found[("Борис Быстров", "safety")]["status"] == "overdue"
    assert found[("Борис Быстров", "service")]["status"] == "not_started"  # enrolled but opened nothing
    vera = found[("Вера Васильева", "service")]
    assert vera["status"] == "in_progress" and vera["score"] == "40.0"  # the open attempt has no score
    assert found[("Глеб Горин", "service")]["status"] == "not_started"
    assert found[("Глеб Горин", "service")]["score"] == "" and found[("Глеб Горин", "service")]["serial"] == ""


def test_a_course_assigned_twice_is_one_row_with_the_earliest_dates(app, client, world):
    with app.app_context():
        session = db_session()
        assign(session, world.courses["service"], user_id=world.people["anna"], due=TODAY + dt.timedelta(days=2),
               at=NOW - dt.timedelta(days=40))
        session.commit()
    anna = [r for r in rows(client) if r["name"] == "Анна Андреева"]
    assert len(anna) == 1
    assert anna[0]["dates"][:2] == [(NOW - dt.timedelta(days=40)).date().isoformat(),
                                    (TODAY + dt.timedelta(days=2)).isoformat()]


def test_totals_count_every_row_the_filters_keep(client, world):
    assert totals(client) == {"assigned": "6", "completed": "1", "overdue": "1", "rate": "0.1667"}
    assert totals(client, f"?group={world.groups['a']}") == {"assigned": "3", "completed": "1", "overdue": "1",
                                                             "rate": "0.3333"}
    assert totals(client, "?status=overdue") == {"assigned": "1", "completed": "0", "overdue": "1", "rate": "0.0000"}


@pytest.mark.parametrize(("query", "expected"), [
    ("?course=safety", {("Борис Быстров", "safety")}),
    ("?status=in_progress", {("Вера Васильева", "service")}),
    ("?status=not_started&course=service", {("Борис Быстров", "service"), ("Глеб Горин", "service"),
                                            ('=HYPERLINK("http://x","y")', "service")}),
    ("?expiring=30", {("Анна Андреева", "service")}),
    ("?expiring=10", set()),
])
def test_filters_by_course_status_and_expiring_certificates(client, world, query, expected):
    assert set(keyed(rows(client, query))) == expected


def test_filter_by_group(client, world):
    assert {r["name"] for r in rows(client, f"?group={world.groups['b']}")} == \
        {"Вера Васильева", "Глеб Горин", '=HYPERLINK("http://x","y")'}


def test_filter_by_assignment_and_completion_dates(client, world):
    def names(query):
        return {(r["name"], r["course"]) for r in rows(client, query)}

    week_ago, yesterday = (TODAY - dt.timedelta(days=7)).isoformat(), (TODAY - dt.timedelta(days=1)).isoformat()
    recent = names(f"?from={week_ago}")  # assigned within the week: store B's course, Boris's safety
    assert recent == {("Борис Быстров", "safety"), ("Вера Васильева", "service"), ("Глеб Горин", "service"),
                      ('=HYPERLINK("http://x","y")', "service")}
    assert names(f"?to={(TODAY - dt.timedelta(days=8)).isoformat()}") == {("Анна Андреева", "service"),
                                                                        ("Борис Быстров", "service")}
    assert names(f"?date_field=completed&from={yesterday}&to={yesterday}") == {("Анна Андреева", "service")}
    assert names(f"?date_field=completed&from={TODAY.isoformat()}") == set()


def test_filters_not_understood_are_ignored_with_a_message(client, world):
    response = client.get(REPORT + "?status=finished&from=yesterday&sort=salary")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "flash-error" in html
    assert "status, from, sort" in html
    assert len(ROW_RE.findall(html)) == 6


def sorted_value(row, key):
    index = {"assigned_on": 0, "due_on": 1, "completed_on": 2, "certificate_expires_on": 3}
    if key in index:
        return row["dates"][index[key]] or None
    if key == "score":
        return float(row["score"]) if row["score"] else None
    if key == "status":
        return core.STATUS_ORDER[row["status"]]
    if key == "employee":
        return row["name"]
    if key == "course":
        return row["course"]
    return row.get(key) or None


@pytest.mark.parametrize("key", ["employee", "course", "assigned_on", "due_on", "status", "score", "completed_on",
                                 "certificate_expires_on", "department", "manager", "employee_id", "groups"])
@pytest.mark.parametrize("order", ["asc", "desc"])
def test_every_column_sorts_both_ways_with_empty_values_last(client, world, key, order):
    found = rows(client, f"?sort={key}&order={order}")
    assert len(found) == 6
    values = [sorted_value(r, key) for r in found]
    present = [v for v in values if v is not None]
    assert values == present + [None] * (len(values) - len(present)), values
    if key == "course":  # the page shows titles; the slugs tell the order of "Безопасность" < "Сервис"
        present = [{"safety": 0, "service": 1}[v] for v in present]
    assert present == sorted(present, reverse=order == "desc")
    assert f'data-sort="{key}" href' in client.get(f"{REPORT}?sort={key}&order={order}").get_data(as_text=True)


def test_the_sorted_header_links_to_the_other_order(client, world):
    html = client.get(f"{REPORT}?sort=score&status=not_started").get_data(as_text=True)
    assert 'aria-sort="ascending"' in html
    assert 'href="/training/reports/completions?status=not_started&amp;sort=score&amp;order=desc"' in html


def test_pages_of_fifty_rows_keep_the_filters(app, client, auth):
    seed_rows(app, 120)
    auth.as_role("hr")
    first, third = rows(client), rows(client, "?page=3")
    assert len(first) == 50 and len(rows(client, "?page=2")) == 50 and len(third) == 20
    assert first[0]["name"] == "bulk 00000" and third[-1]["name"] == "bulk 00119"
    assert rows(client, "?page=99") == third  # past the end: the last page
    html = client.get(REPORT + "?page=2&status=completed&sort=employee").get_data(as_text=True)
    assert 'data-page="1" data-pages="1"' not in html
    html = client.get(REPORT + "?page=2&sort=score&order=desc").get_data(as_text=True)
    assert 'data-page="2" data-pages="3"' in html
    assert 'href="/training/reports/completions?sort=score&amp;order=desc&amp;page=3"' in html
    assert 'href="/training/reports/completions?sort=score&amp;order=desc"' in html  # back to page 1
    assert totals(client)["assigned"] == "120" and totals(client)["completed"] == "40"


def test_the_export_links_carry_the_filters_but_not_the_page(client, world):
    html = client.get(f"{REPORT}?status=overdue&sort=due_on&page=1&course=safety").get_data(as_text=True)
    assert 'href="/training/reports/completions.csv?course=safety&amp;status=overdue&amp;sort=due_on"' in html
    assert "completions.csv?course=safety&amp;status=overdue&amp;sort=due_on&amp;delimiter=semicolon" in html
    assert 'href="/training/reports/completions.xlsx?course=safety&amp;status=overdue&amp;sort=due_on"' in html


# -- compliance matrix --------------------------------------------------------------

MATRIX_ROW_RE = re.compile(r'<tr data-user="(\d+)">(.*?)</tr>', re.S)


def matrix(client, query=""):
    response = client.get(MATRIX + query)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    courses = re.findall(r'class="matrix-course" data-course-id="(\d+)"', html)
    return html, courses, {int(uid): re.findall(r'<td class="matrix-cell status-(\w+)"', body)
                           for uid, body in MATRIX_ROW_RE.findall(html)}


def test_the_matrix_colours_each_employee_and_course_by_status(client, world):
    html, courses, cells = matrix(client)
    p, c = world.people, world.courses
    assert courses == [str(c["safety"]), str(c["service"])]  # by title: Безопасность, Сервис
    assert cells == {p["evil"]: ["none", "not_started"], p["anna"]: ["none", "completed"],
                     p["boris"]: ["overdue", "not_started"], p["vera"]: ["none", "in_progress"],
                     p["gleb"]: ["none", "not_started"]}
    for status in core.STATUSES:  # the legend
        assert f'class="matrix-swatch status-{status}"' in html
    assert 'data-status="not_started">3<' in html and 'data-status="overdue">1<' in html
    assert "style=" not in html


def test_the_matrix_is_filtered_by_group(client, world):
    _html, courses, cells = matrix(client, f"?group={world.groups['a']}")
    assert set(cells) == {world.people["anna"], world.people["boris"]}
    assert len(courses) == 2


def test_the_matrix_pages_by_employee(app, client, auth):
    seed_rows(app, 60)
    auth.as_role("hr")
    html, _courses, cells = matrix(client)
    assert len(cells) == 50 and 'data-page="1" data-pages="2"' in html
    assert len(matrix(client, "?page=2")[2]) == 10
