"""Invitations by e-mail: with SMTP configured (a real aiosmtpd server), a staff import and a person's
"new invitation" queue one e-mail each and HR is not shown the links; without, the links are shown once."""
from __future__ import annotations

import io
import re

from sqlalchemy import select

from lms.models import Invitation, User
from lms.notify import outbox
from lms.notify.models import Notification
from lms.state import db_session

from support import csrf_from
from support.people import STAFF
from support.smtp import html_of, text_of

NEW_PEOPLE = ("anna@example.com", "boris@example.com", "vera@example.com")
MAILED_LINK_RE = re.compile(r"https://lms\.example\.com(/invite/[A-Za-z0-9_\-]+)")
SHOWN_LINK_RE = re.compile(r'<code class="invitation-link">([^<]+)</code>')


def upload(client, auth, text: str):
    return client.post("/training/people/import", data={
        "csrf_token": auth.csrf("/training/people/import"), "file": (io.BytesIO(text.encode()), "staff.csv")},
        content_type="multipart/form-data")


def send(app) -> outbox.SendReport:
    with app.app_context():
        return outbox.send_due(db_session(), outbox.settings())


def accept(client, path: str, password: str = "first-password-1"):
    page = client.get(path)
    if page.status_code != 200:
        return page
    return client.post(path, data={"csrf_token": csrf_from(page.get_data(as_text=True)), "password": password,
                                   "confirm": password})


def test_importing_staff_with_email_configured_sends_each_new_person_one_invitation(app, client, auth, smtp):
    auth.as_role("hr")
    response = upload(client, auth, STAFF)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert 'data-invitations="email"' in html and 'data-invitations="links"' not in html
    assert not SHOWN_LINK_RE.findall(html) and "/invite/" not in html  # HR never sees the links
    for address in NEW_PEOPLE:
        assert f'data-email="{address}"' in html
    assert not smtp.inbox.messages  # queued by the page, sent by `notify send`

    assert send(app).sent == 3
    assert send(app).sent == 0  # each exactly once
    for address in NEW_PEOPLE:
        [message] = smtp.inbox.to(address)
        assert "List-Unsubscribe" not in message
        assert len(set(MAILED_LINK_RE.findall(text_of(message)))) == 1
        assert MAILED_LINK_RE.search(html_of(message))
    assert "Анна Петрова" in text_of(smtp.inbox.to("anna@example.com")[0])
    with app.app_context():
        rows = db_session().scalars(select(Notification).where(Notification.kind == "invitation")).all()
        assert len(rows) == 3 and all("url" not in row.params for row in rows)  # the secret left with the e-mail

    [path] = set(MAILED_LINK_RE.findall(text_of(smtp.inbox.to("vera@example.com")[0])))
    auth.logout()
    done = accept(client, path)
    assert done.status_code == 302 and client.get("/training/").status_code == 200
    assert client.get(path).status_code == 404  # once


def test_the_command_line_import_queues_invitations_too(app, runner, tmp_path, smtp):
    staff = tmp_path / "staff.csv"
    staff.write_text(STAFF, encoding="utf-8")
    result = runner.invoke(args=["lms", "users", "import", str(staff)])
    assert result.exit_code == 0, result.output
    assert "Invitations queued for e-mail: 3" in result.output and "/invite/" not in result.output
    assert send(app).sent == 3
    assert sorted(str(m["To"]).split("<")[-1].rstrip(">") for m in smtp.inbox.messages) == sorted(NEW_PEOPLE)
    again = runner.invoke(args=["lms", "users", "import", str(staff)])
    assert "Invitations queued" not in again.output and send(app).sent == 0  # nobody new, no e-mail


def test_without_email_the_links_are_shown_once_as_before(app, client, auth, runner, tmp_path):
    assert not app.config.get("LMS_SMTP_URL")
    auth.as_role("hr")
    html = upload(client, auth, STAFF).get_data(as_text=True)
    assert 'data-invitations="links"' in html and 'data-email-configured="false"' in html
    assert 'data-invitations="email"' not in html
    assert len(SHOWN_LINK_RE.findall(html)) == 3
    with app.app_context():
        assert db_session().scalars(select(Notification)).all() == []
    staff = tmp_path / "more.csv"
    staff.write_text("name,email,department\nГалина,galina@example.com,Склад\n", encoding="utf-8")
    output = runner.invoke(args=["lms", "users", "import", str(staff)]).output
    assert "E-mail is not configured" in output and "galina@example.com /invite/" in output


def test_a_new_invitation_from_a_persons_page_goes_by_email(app, client, auth, smtp):
    auth.as_role("hr")
    upload(client, auth, STAFF)
    send(app)
    with app.app_context():
        boris = db_session().scalar(select(User).where(User.email == "boris@example.com"))
        boris.locale = "ar"
        db_session().commit()
    [old] = set(MAILED_LINK_RE.findall(text_of(smtp.inbox.to("boris@example.com")[0])))
    page = client.get(f"/training/people/{boris.id}").get_data(as_text=True)
    response = client.post(f"/training/people/{boris.id}/invitation", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/training/people/{boris.id}")
    assert "/invite/" not in client.get(response.headers["Location"]).get_data(as_text=True)
    assert send(app).sent == 1
    first, second = smtp.inbox.to("boris@example.com")
    assert second["Content-Language"] == "ar" and 'dir="rtl"' in html_of(second)
    [new] = set(MAILED_LINK_RE.findall(text_of(second)))
    with app.app_context():
        assert len(db_session().scalars(select(Invitation).where(Invitation.user_id == boris.id)).all()) == 1
    auth.logout()
    assert client.get(old).status_code == 404  # replaced
    assert accept(client, new).status_code == 302
