"""People administration through the test client: access, staff import, invitations, deletion."""
import datetime as dt
import io
import re

import pytest
from sqlalchemy import func, select

from lms.models import AuditEntry, Group, GroupMember, Invitation, User
from lms.site.models import SiteUser
from lms.state import db_session

from support import csrf_from
from support.people import STAFF

INVITE_RE = re.compile(r'<code class="invitation-link">(http://localhost/invite/[^<]+)</code>')


def upload(client, auth, text: str | bytes, filename="staff.csv"):
    data = text.encode() if isinstance(text, str) else text
    return client.post("/training/people/import", data={
        "csrf_token": auth.csrf("/training/people/import"), "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data")


def rows_of(html: str) -> dict[int, tuple[str, str]]:
    return {int(line): (action, problems) for line, action, problems in
            re.findall(r'data-line="(\d+)" data-action="(\w+)" data-problems="([^"]*)"', html)}


def people(app):
    with app.app_context():
        return {u.email: u for u in db_session().scalars(select(User))}


@pytest.mark.parametrize("path", ["/training/people/", "/training/people/import", "/training/people/xapi.jsonl",
                                  "/training/people/tokens", "/training/people/1"])
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role, expected", [("learner", 403), ("trainer", 403), ("hr", 200), ("admin", 200)])
def test_people_pages_are_for_hr_and_admins(client, auth, role, expected):
    auth.as_role(role)
    with client.application.app_context():
        my_id = db_session().scalar(select(User.id).where(User.email == f"{role}@example.com"))
    for path in ("/training/people/", "/training/people/import", "/training/people/xapi.jsonl",
                 f"/training/people/{my_id}"):
        assert client.get(path).status_code == expected, path
    tokens = client.get("/training/people/tokens").status_code
    assert tokens == (200 if role == "admin" else 403)


def test_only_hr_sees_the_people_link(client, auth):
    auth.as_role("trainer")
    assert 'href="/training/people/"' not in client.get("/training/").get_data(as_text=True)
    auth.logout()
    auth.as_role("hr")
    assert 'href="/training/people/"' in client.get("/training/").get_data(as_text=True)


def test_import_creates_people_groups_managers_and_invitations(app, client, auth):
    auth.as_role("hr")
    response = upload(client, auth, STAFF)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert rows_of(html) == {2: ("created", ""), 3: ("created", ""), 4: ("created", ""),
                             5: ("rejected", "bad_email"), 6: ("rejected", "duplicate_email"),
                             7: ("rejected", "unknown_manager")}
    found = people(app)
    assert {"anna@example.com", "boris@example.com", "vera@example.com"} <= set(found)
    assert "lost@example.com" not in found
    anna, boris, vera = found["anna@example.com"], found["boris@example.com"], found["vera@example.com"]
    assert anna.manager_id == boris.id and vera.manager_id == boris.id and boris.manager_id is None
    assert (anna.employee_id, anna.department, vera.employee_id) == ("E1", "Продажи", None)
    with app.app_context():
        session = db_session()
        groups = {g.name: g for g in session.scalars(select(Group))}
        assert groups["Продажи"].kind == "department" and groups["Склад"].kind == "department"
        members = set(session.execute(select(GroupMember.group_id, GroupMember.user_id)).all())
        assert {(groups["Продажи"].id, anna.id), (groups["Продажи"].id, boris.id),
                (groups["Склад"].id, vera.id)} <= members
        accounts = {a.email: a for a in session.scalars(select(SiteUser))}
        assert accounts["anna@example.com"].password_hash == ""
        stored = session.scalars(select(Invitation.token_hash)).all()
    links = INVITE_RE.findall(html)
    assert len(links) == 3 and len(stored) == 3
    assert not any(link.rsplit("/", 1)[1] in stored for link in links)  # only hashes are kept
    assert 'data-count="3"' in html


def test_importing_the_same_file_again_changes_nothing_and_updates_are_reported(app, client, auth):
    auth.as_role("hr")
    upload(client, auth, STAFF)
    again = upload(client, auth, STAFF).get_data(as_text=True)
    assert {line: action for line, (action, _) in rows_of(again).items() if action != "rejected"} == \
        {2: "unchanged", 3: "unchanged", 4: "unchanged"}
    assert not INVITE_RE.findall(again)
    changed = upload(client, auth, "employee_id;email;name;department\n"
                                   "E1;anna.new@example.com;Анна Петрова-Ли;Склад\n").get_data(as_text=True)
    assert rows_of(changed) == {2: ("updated", "")}
    found = people(app)
    anna = found["anna.new@example.com"]
    assert (anna.name, anna.department, anna.manager_id) == ("Анна Петрова-Ли", "Склад", found["boris@example.com"].id)
    assert "anna@example.com" not in found
    with app.app_context():
        session = db_session()
        groups = set(session.scalars(select(Group.name).join(GroupMember).where(GroupMember.user_id == anna.id)))
        assert groups == {"Склад"}  # moved out of the old department's group
        assert session.scalar(select(SiteUser.name).where(SiteUser.email == "anna.new@example.com")) == \
            "Анна Петрова-Ли"


def test_email_and_employee_number_of_two_people_is_a_conflict(app, client, auth):
    auth.as_role("hr")
    upload(client, auth, STAFF)
    html = upload(client, auth, "name,email,department,employee_id\nX,anna@example.com,Продажи,E2\n")
    assert rows_of(html.get_data(as_text=True)) == {2: ("rejected", "conflict")}
    assert people(app)["anna@example.com"].employee_id == "E1"


@pytest.mark.parametrize("data", [
    b"name,mail,department\nA,a@example.com,S\n",
    "name,email,department\nАнна,a@example.com,Продажи\n".encode("cp1251"),
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
])
def test_a_file_that_cannot_be_read_writes_nothing(app, client, auth, data):
    auth.as_role("hr")
    before = len(people(app))
    response = upload(client, auth, data)
    assert response.status_code == 422 and 'class="form-error"' in response.get_data(as_text=True)
    assert len(people(app)) == before
    with app.app_context():
        assert db_session().scalar(select(func.count()).select_from(Group)) == 0


def test_uploading_without_a_file_or_csrf_is_refused(client, auth):
    auth.as_role("hr")
    assert client.post("/training/people/import", data={"csrf_token": auth.csrf()}).status_code == 422
    refused = client.post("/training/people/import", data={"file": (io.BytesIO(STAFF.encode()), "s.csv")},
                          content_type="multipart/form-data")
    assert refused.status_code == 400


def accept(client, link: str, password="new-password-1", confirm=None):
    path = link.replace("http://localhost", "")
    page = client.get(path)
    if page.status_code != 200:
        return page
    return client.post(path, data={"csrf_token": csrf_from(page.get_data(as_text=True)), "password": password,
                                   "confirm": confirm or password})


def test_an_invitation_sets_the_password_once_and_signs_in(app, client, auth):
    auth.as_role("hr")
    links = INVITE_RE.findall(upload(client, auth, STAFF).get_data(as_text=True))
    link = links[0]
    auth.logout()
    assert auth.login("anna@example.com", "").status_code != 302  # no usable password yet
    mismatch = accept(client, link, confirm="something-else")
    assert mismatch.status_code == 200 and 'class="form-error"' in mismatch.get_data(as_text=True)
    done = accept(client, link)
    assert done.status_code == 302 and done.headers["Location"].endswith("/training/")
    assert client.get("/training/").status_code == 200
    auth.logout()
    assert client.get(link.replace("http://localhost", "")).status_code == 404  # one use only
    assert auth.login("anna@example.com", "new-password-1").status_code == 302


def test_an_expired_or_replaced_invitation_does_not_work(app, client, auth):
    auth.as_role("hr")
    links = INVITE_RE.findall(upload(client, auth, STAFF).get_data(as_text=True))
    with app.app_context():
        session = db_session()
        for invitation in session.scalars(select(Invitation)):
            invitation.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        session.commit()
    assert client.get(links[0].replace("http://localhost", "")).status_code == 404
    boris = people(app)["boris@example.com"]
    page = client.get(f"/training/people/{boris.id}").get_data(as_text=True)
    fresh = client.post(f"/training/people/{boris.id}/invitation", data={"csrf_token": csrf_from(page)})
    assert fresh.status_code == 200 and fresh.headers["Cache-Control"] == "no-store"
    [link] = INVITE_RE.findall(fresh.get_data(as_text=True))
    auth.logout()
    assert accept(client, link).status_code == 302
    assert client.get("/invite/not-a-token").status_code == 404


def test_cli_import_prints_rows_and_links_and_refuses_bad_files(app, runner, tmp_path):
    staff = tmp_path / "staff.csv"
    staff.write_text(STAFF, encoding="utf-8")
    app.config["LMS_PUBLIC_URL"] = "https://lms.example.com"
    result = runner.invoke(args=["lms", "users", "import", str(staff)])
    assert result.exit_code == 0, result.output
    assert f"{staff}:2: created anna@example.com" in result.output
    assert f"{staff}:5: rejected not-an-email (bad_email)" in result.output
    assert "3 created, 0 updated, 0 unchanged, 3 rejected." in result.output
    assert len(re.findall(r"https://lms\.example\.com/invite/\S+", result.output)) == 3
    again = runner.invoke(args=["lms", "users", "import", str(staff)])
    assert "0 created, 0 updated, 3 unchanged, 3 rejected." in again.output
    bad = tmp_path / "bad.csv"
    bad.write_bytes("name;email\nА;a@example.com\n".encode("cp1251"))
    refused = runner.invoke(args=["lms", "users", "import", str(bad)])
    assert refused.exit_code == 1 and "nothing was imported" in refused.output
    assert "a@example.com" not in people(app)


def test_people_list_searches_and_links_to_each_person(app, client, auth):
    auth.as_role("hr")
    upload(client, auth, STAFF)
    found = people(app)
    html = client.get("/training/people/?q=борис").get_data(as_text=True)
    assert f'href="/training/people/{found["boris@example.com"].id}"' in html
    assert f'href="/training/people/{found["anna@example.com"].id}"' not in html
    assert 'data-total="1"' in client.get("/training/people/?q=E1").get_data(as_text=True)
    assert 'data-total="4"' in client.get("/training/people/").get_data(as_text=True)


def test_people_search_ignores_case_and_the_dots_of_yo(app, client, auth):
    auth.create("petr@example.com", "Пётр Семёнов", ("learner",))
    auth.create("fedor@example.com", "Федор Ежов", ("learner",))
    auth.as_role("hr")
    for query, email in (("петр", "petr@example.com"), ("ПЁТР семенов", "petr@example.com"),
                         ("фёдор", "fedor@example.com"), ("ЁЖОВ", "fedor@example.com")):
        html = client.get(f"/training/people/?q={query}").get_data(as_text=True)
        assert 'data-total="1"' in html and email in html, query


def test_deleting_an_employee_anonymises_them_and_closes_their_account(app, client, auth):
    auth.create("anna@example.com", "Анна Петрова", ("learner",))
    auth.as_role("hr")
    anna = people(app)["anna@example.com"]
    with app.app_context():
        session = db_session()
        session.get(User, anna.id).employee_id = "E1"
        session.commit()
    url = f"/training/people/{anna.id}"
    page = client.get(url).get_data(as_text=True)
    unconfirmed = client.post(url, data={"csrf_token": csrf_from(page)})
    assert unconfirmed.status_code == 302 and people(app)["anna@example.com"].anonymized_at is None
    done = client.post(url, data={"csrf_token": csrf_from(page), "confirm": "y"})
    assert done.status_code == 302 and done.headers["Location"].endswith(url)
    with app.app_context():
        session = db_session()
        person = session.get(User, anna.id)
        assert person.name == f"Deleted user #{anna.id}" and person.email.endswith(".invalid")
        assert person.employee_id is None and person.is_active is False and person.anonymized_at is not None
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "person.anonymized"))
        hr_id = session.scalar(select(User.id).where(User.email == "hr@example.com"))
        assert entry.actor_id == hr_id and entry.target == f"user:{anna.id}"
        assert "anna" not in str(entry.details)
        account = session.scalar(select(SiteUser).where(SiteUser.id == int(person.external_id.split(":")[1])))
        assert account.is_active_account is False and account.email == person.email
    auth.logout()
    assert auth.login("anna@example.com").status_code == 401


def test_hr_cannot_delete_themselves(app, client, auth):
    auth.as_role("hr")
    me = people(app)["hr@example.com"]
    page = client.get(f"/training/people/{me.id}").get_data(as_text=True)
    client.post(f"/training/people/{me.id}", data={"csrf_token": csrf_from(page), "confirm": "y"})
    assert people(app)["hr@example.com"].anonymized_at is None


@pytest.mark.parametrize("role", ["learner", "trainer"])
def test_learners_and_trainers_cannot_import_delete_or_invite(app, client, auth, role):
    auth.create("anna@example.com", "Анна", ("learner",))
    auth.as_role(role)
    anna = people(app)["anna@example.com"]
    token = auth.csrf()
    assert client.post(f"/training/people/{anna.id}", data={"csrf_token": token, "confirm": "y"}).status_code == 403
    assert client.post(f"/training/people/{anna.id}/invitation", data={"csrf_token": token}).status_code == 403
    assert client.post("/training/people/import", data={"csrf_token": token, "file": (io.BytesIO(b"x"), "a.csv")},
                       content_type="multipart/form-data").status_code == 403
    assert people(app)["anna@example.com"].anonymized_at is None
