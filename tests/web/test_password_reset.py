"""A forgotten password on the standalone site, through the test client and a real SMTP server (aiosmtpd):
the same answer for any address, a signed link by e-mail that works once and for a limited time."""
from __future__ import annotations

import re
import time

from sqlalchemy import select

from lms.models import User
from lms.notify import outbox
from lms.notify.models import Notification
from lms.site.accounts import SiteUserStore
from lms.site.models import SiteUser, db
from lms.site.reset import ANSWER_FLOOR, make_token
from lms.state import db_session

from support import csrf_from
from support.smtp import html_of, text_of

LEARNER = "learner@example.com"
LINK_RE = re.compile(r"https://lms\.example\.com(/reset-password/[A-Za-z0-9_.\-]+)")
CSRF_IN_PAGE = re.compile(r'(name="csrf[-_]token"[^>]*(?:content|value)=")[^"]+')


def ask(client, email: str, **headers):
    page = client.get("/forgot-password", headers=headers)
    assert page.status_code == 200
    return client.post("/forgot-password", data={"email": email, "csrf_token": csrf_from(page.get_data(as_text=True))},
                       headers=headers)


def send(app) -> outbox.SendReport:
    with app.app_context():
        return outbox.send_due(db_session(), outbox.settings())


def link_in(message) -> str:
    [path] = set(LINK_RE.findall(text_of(message)))
    return path


def choose(client, path: str, password: str = "brand-new-pass", confirm: str | None = None):
    page = client.get(path)
    if page.status_code != 200:
        return page
    return client.post(path, data={"csrf_token": csrf_from(page.get_data(as_text=True)), "password": password,
                                   "confirm": confirm or password})


def sign_in(client, email: str, password: str):
    page = client.get("/login")
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": csrf_from(page.get_data(as_text=True))})


def set_locale(app, email: str, locale: str | None) -> None:
    with app.app_context():
        session = db_session()
        session.scalar(select(User).where(User.email == email)).locale = locale
        session.commit()


def test_the_login_page_links_to_the_forgotten_password_page(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'href="/forgot-password"' in html


def test_a_reset_link_by_email_sets_a_new_password_once_and_signs_in(app, client, auth, smtp):
    auth.create(LEARNER, "Анна Петрова", password="old-password-1")
    other_device = app.test_client()
    sign_in(other_device, LEARNER, "old-password-1")
    assert other_device.get("/training/").status_code == 200

    asked = ask(client, LEARNER)
    assert asked.status_code == 302 and asked.headers["Location"].endswith("/forgot-password/sent")
    assert not smtp.inbox.messages  # nothing is sent inside the web request
    assert send(app).sent == 1
    [message] = smtp.inbox.to(LEARNER)
    assert message["Content-Language"] == "ru"
    assert "List-Unsubscribe" not in message  # a reset cannot be turned off
    path = link_in(message)
    with app.app_context():  # the secret left the outbox with the e-mail
        [row] = db_session().scalars(select(Notification)).all()
        assert row.kind == "password_reset" and "url" not in row.params and row.user_id is not None

    page = client.get(path)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store" and page.headers["Referrer-Policy"] == "no-referrer"
    assert LEARNER in page.get_data(as_text=True)
    short = choose(client, path, "short")
    assert short.status_code == 422 and 'class="form-error"' in short.get_data(as_text=True)
    differ = choose(client, path, "brand-new-pass", "another-pass-9")
    assert differ.status_code == 422 and 'class="form-error"' in differ.get_data(as_text=True)

    done = choose(client, path)
    assert done.status_code == 302 and done.headers["Location"].endswith("/training/")
    assert client.get("/training/").status_code == 200  # signed in
    assert other_device.get("/training/").status_code == 302  # the other device was signed out

    auth.logout()
    again = client.get(path)
    assert again.status_code == 404 and 'href="/forgot-password"' in again.get_data(as_text=True)
    assert again.headers["Cache-Control"] == "no-store" and again.headers["Referrer-Policy"] == "no-referrer"
    assert auth.login(LEARNER, "old-password-1").status_code == 401
    assert auth.login(LEARNER, "brand-new-pass").status_code == 302


def test_every_earlier_link_stops_working_once_one_is_used(app, client, auth, smtp):
    auth.create(LEARNER, "Анна", password="old-password-1")
    ask(client, LEARNER)
    ask(client, LEARNER)
    send(app)
    first, second = (link_in(m) for m in smtp.inbox.to(LEARNER))
    assert first != second
    assert choose(client, second).status_code == 302
    assert client.get(first).status_code == 404


def test_an_unknown_address_gets_the_identical_answer_and_no_email(app, client, auth, smtp):
    auth.create(LEARNER, "Анна")
    started = time.monotonic()
    known = ask(client, LEARNER)
    middle = time.monotonic()
    unknown = ask(client, "nobody@example.com")
    # neither answer is quicker than the floor, which is well above what the work takes either way
    assert min(middle - started, time.monotonic() - middle) >= ANSWER_FLOOR
    assert (known.status_code, known.headers["Location"]) == (unknown.status_code, unknown.headers["Location"])
    assert known.get_data() == unknown.get_data()
    first = client.get(known.headers["Location"]).get_data(as_text=True)
    second = client.get(unknown.headers["Location"]).get_data(as_text=True)
    assert CSRF_IN_PAGE.sub(r"\1", first) == CSRF_IN_PAGE.sub(r"\1", second)
    assert 'data-reset="sent"' in first
    send(app)
    assert smtp.inbox.to("nobody@example.com") == [] and len(smtp.inbox.messages) == 1
    with app.app_context():
        assert [row.to_address for row in db_session().scalars(select(Notification))] == [LEARNER]


def test_a_closed_account_gets_no_link(app, client, auth, smtp):
    auth.create(LEARNER, "Анна")
    with app.app_context():
        SiteUserStore().deactivate(LEARNER)
        db.session.commit()
    assert ask(client, LEARNER).status_code == 302
    send(app)
    assert smtp.inbox.messages == []


def test_an_expired_or_forged_link_does_not_work(app, client, auth, smtp):
    auth.create(LEARNER, "Анна", password="old-password-1")
    minutes = app.config["LMS_PASSWORD_RESET_MINUTES"]
    with app.app_context():
        account = db.session.scalar(select(SiteUser).where(SiteUser.email == LEARNER))
        expired = make_token(account, now=time.time() - minutes * 60 - 5)
        fresh = make_token(account, now=time.time() - minutes * 60 + 60)
        future = make_token(account, now=time.time() + 3600)
    assert client.get(f"/reset-password/{expired}").status_code == 404
    assert client.get(f"/reset-password/{future}").status_code == 404
    forged = fresh[:-3] + ("AAA" if not fresh.endswith("AAA") else "BBB")
    assert client.get(f"/reset-password/{forged}").status_code == 404
    assert client.get("/reset-password/" + "x" * 600).status_code == 404
    assert choose(client, f"/reset-password/{fresh}").status_code == 302  # a minute left: still good


def test_the_form_needs_its_csrf_token(app, client, auth, smtp):
    auth.create(LEARNER, "Анна")
    assert client.post("/forgot-password", data={"email": LEARNER}).status_code == 400
    with app.app_context():
        account = db.session.scalar(select(SiteUser).where(SiteUser.email == LEARNER))
        token = make_token(account)
    refused = client.post(f"/reset-password/{token}", data={"password": "brand-new-pass",
                                                             "confirm": "brand-new-pass"})
    assert refused.status_code == 400
    assert auth.login(LEARNER, "password123").status_code == 302  # unchanged


def test_one_address_is_sent_a_few_links_an_hour_at_most(app, client, auth, smtp):
    auth.create(LEARNER, "Анна")
    for _ in range(8):
        assert ask(client, LEARNER).status_code == 302
    send(app)
    assert len(smtp.inbox.to(LEARNER)) == 5


def test_the_email_is_in_the_persons_language_right_to_left_in_arabic(app, client, auth, smtp):
    auth.create(LEARNER, "ليلى")
    set_locale(app, LEARNER, "ar")
    ask(client, LEARNER)  # asked from a Russian interface: the person's own language wins
    send(app)
    [message] = smtp.inbox.to(LEARNER)
    assert message["Content-Language"] == "ar"
    html = html_of(message)
    assert 'lang="ar"' in html and 'dir="rtl"' in html
    assert LINK_RE.search(text_of(message))


def test_without_a_language_of_their_own_the_email_follows_the_interface(app, client, smtp):
    with app.app_context():  # an account the LMS has not met yet (never signed in): no person row
        SiteUserStore().create("new@example.com", "Omar", ["learner"], "password123")
        db.session.commit()
    ask(client, "new@example.com", **{"Accept-Language": "ar"})
    send(app)
    [message] = smtp.inbox.to("new@example.com")
    assert message["Content-Language"] == "ar" and 'dir="rtl"' in html_of(message)
    with app.app_context():
        [row] = db_session().scalars(select(Notification)).all()
        assert row.user_id is None and row.language == "ar"
    assert choose(client, link_in(message)).status_code == 302


def test_no_link_is_built_from_a_forged_host_header(app, client, auth, smtp):
    auth.create(LEARNER, "Анна")
    app.config["LMS_PUBLIC_URL"] = None  # links would come from the request's Host
    page = client.get("/forgot-password", headers={"Host": "evil.example"})
    asked = client.post("/forgot-password", headers={"Host": "evil.example"},
                        data={"email": LEARNER, "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert asked.status_code == 302
    with app.app_context():
        assert db_session().scalars(select(Notification)).all() == []
