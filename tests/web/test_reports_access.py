"""Who may open the HR reports, and whose rows each viewer gets."""
import csv
import io

import pytest

from support.reports import CSV, MATRIX, REPORT, XLSX, build_world

ALL = (REPORT, CSV, XLSX, MATRIX)


def rows_of(client, url=REPORT):
    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    return sorted(chunk.split('"')[0] for chunk in html.split('<tr data-user="')[1:])


def csv_names(client, url=CSV):
    text = client.get(url).data.decode("utf-8-sig")
    return sorted({record[0] for record in list(csv.reader(io.StringIO(text)))[1:]})


@pytest.mark.parametrize("url", ALL)
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("url", ALL)
def test_learners_are_refused(app, client, auth, url):
    build_world(app)
    auth.as_role("learner")
    assert client.get(url).status_code == 403


def test_learners_have_no_reports_link_and_hr_has_one(app, client, auth):
    auth.as_role("learner")
    assert "/training/reports/completions" not in client.get("/training/").get_data(as_text=True)
    auth.logout()
    auth.as_role("hr")
    assert 'href="/training/reports/completions"' in client.get("/training/").get_data(as_text=True)
    assert client.get("/training/reports/").headers["Location"].endswith(REPORT)


@pytest.mark.parametrize("role", ["hr", "admin"])
def test_hr_and_admins_see_every_employee(app, client, auth, role):
    world = build_world(app)
    auth.as_role(role)
    everyone = sorted(str(world.people[p]) for p in ("anna", "boris", "boris", "vera", "gleb", "evil"))
    assert rows_of(client) == everyone
    assert len(csv_names(client)) == 5
    assert client.get(XLSX).status_code == 200
    assert rows_of(client, MATRIX) == sorted(set(everyone))


def test_a_trainer_sees_only_the_members_of_the_groups_they_train(app, client, auth):
    world = build_world(app, trainer_id=auth.create("trainer@example.com", "Тимур Тренер", ("trainer",)))
    auth.login("trainer@example.com")
    # Boris's "safety" course was assigned to him directly by HR, not through the trainer's
    # group: the trainer sees his results only in the course the group was given
    own = sorted(str(world.people[p]) for p in ("anna", "boris"))
    assert rows_of(client) == own
    assert rows_of(client, f"{REPORT}?course=safety") == []
    assert csv_names(client) == ["Анна Андреева", "Борис Быстров"]
    assert rows_of(client, MATRIX) == sorted(set(own))
    # asking for another group's rows gives nothing, and that group is not offered
    other = world.groups["b"]
    assert rows_of(client, f"{REPORT}?group={other}") == []
    assert csv_names(client, f"{CSV}?group={other}") == []
    page = client.get(REPORT).get_data(as_text=True)
    assert f'value="{world.groups["a"]}"' in page and f'value="{other}"' not in page


def test_a_trainer_of_no_group_sees_no_rows(app, client, auth):
    build_world(app)
    auth.as_role("trainer", "lonely@example.com")
    assert rows_of(client) == []
    assert client.get(CSV).data.decode("utf-8-sig").count("\r\n") == 1  # the header only
