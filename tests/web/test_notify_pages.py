"""The notification pages through the test client: the bell, the list, preferences, one-click
unsubscribe (also from a real e-mail's header) and the administrator's page."""
import datetime as dt
import re
from urllib.parse import urlsplit

from markupsafe import escape
from sqlalchemy import select

from lms.models import User
from lms.notify import outbox
from lms.notify.messages import subject_of
from lms.notify.models import Notification
from lms.state import db_session

from support import csrf_from

BELL = "/training/notifications"
PREFERENCES = "/training/notifications/preferences"
ADMIN = "/training/notifications/admin"
BELL_COUNT = re.compile(r'class="lms-bell-count"[^>]*>([^<]+)<')


def user_id(app, email: str) -> int:
    with app.app_context():
        return db_session().scalar(select(User.id).where(User.email == email))


def notify(app, uid: int, key: str, kind: str = "assigned", link: str = "/training/", **params) -> int:
    params = params or {"course": f"Course {key}", "due": "2026-12-10"}
    with app.app_context():
        session = db_session()
        outbox.queue(session, [outbox.Planned(key, kind, uid, params, link=link)])
        session.commit()
        return session.scalar(select(Notification.id).where(Notification.key == key))


def choices(app, uid: int) -> dict[str, bool]:
    with app.app_context():
        return outbox.choices(db_session(), uid)


def bell_count(html: str) -> str | None:
    match = BELL_COUNT.search(html)
    return match.group(1) if match else None


def test_the_bell_counts_unread_notifications_and_opening_one_marks_it_read(app, client, auth):
    auth.as_role("learner")
    uid = user_id(app, "learner@example.com")
    page = client.get("/training/").get_data(as_text=True)
    assert 'class="lms-bell"' in page and bell_count(page) is None  # nothing unread: no number
    first = notify(app, uid, "a1", link="/training/certificates/")
    notify(app, uid, "a2")
    notify(app, uid, "a3")
    page = client.get("/training/").get_data(as_text=True)
    assert bell_count(page) == "3"
    label = re.search(r'class="lms-bell" href="[^"]+" aria-label="([^"]+)"', page).group(1)
    assert "3" in label  # "Notifications, 3 unread" for screen readers (the number itself is hidden from them)

    listing = client.get(BELL).get_data(as_text=True)
    assert listing.count('data-unread="true"') == 3
    assert "Course a3" in listing and listing.index("Course a3") < listing.index("Course a1")  # newest first

    opened = client.get(f"{BELL}/{first}")
    assert opened.status_code == 302 and opened.headers["Location"] == "/training/certificates/"
    page = client.get("/training/").get_data(as_text=True)
    assert bell_count(page) == "2"
    listing = client.get(BELL).get_data(as_text=True)
    assert listing.count('data-unread="true"') == 2

    token = csrf_from(listing)
    assert client.post(f"{BELL}/read", data={"csrf_token": token}).status_code == 302
    assert bell_count(client.get("/training/").get_data(as_text=True)) is None
    assert client.post(f"{BELL}/read", data={}).status_code == 400  # no CSRF token: refused


def test_someone_elses_notification_is_not_found_and_a_foreign_link_is_not_followed(app, client, auth):
    auth.create("other@example.com", "Other")
    theirs = notify(app, user_id(app, "other@example.com"), "theirs")
    auth.as_role("learner")
    mine = notify(app, user_id(app, "learner@example.com"), "mine", link="https://evil.example/phish")
    assert client.get(f"{BELL}/{theirs}").status_code == 404
    response = client.get(f"{BELL}/{mine}")
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == BELL


def test_the_list_in_arabic_is_right_to_left_and_worded_in_arabic(app, client, auth):
    auth.as_role("learner")
    notify(app, user_id(app, "learner@example.com"), "ar1", course="Кассa")
    client.post("/training/language", data={"language": "ar", "next": BELL, "csrf_token": auth.csrf()})
    html = client.get(BELL).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html
    with app.test_request_context():
        worded = str(escape(subject_of("assigned", {"course": "Кассa", "due": "2026-12-10"}, "ar")))
    assert worded in html  # the subject is worded in the reader's language


def test_the_empty_list_says_so(client, auth):
    auth.as_role("learner")
    html = client.get(BELL).get_data(as_text=True)
    assert 'class="notify-empty"' in html and "notify-item" not in html


def test_preferences_save_the_choices_and_the_time_zone(app, client, auth):
    auth.as_role("learner")
    uid = user_id(app, "learner@example.com")
    page = client.get(PREFERENCES).get_data(as_text=True)
    assert 'name="email_overdue"' in page and 'name="email_refresher"' in page
    assert 'name="email_invitation"' not in page and 'name="email_password_reset"' not in page
    assert 'name="email_trainer_digest"' not in page  # a learner gets no trainer's summary
    assert choices(app, uid)["overdue"] is True and choices(app, uid)["refresher"] is False  # the refresher: opt-in

    kept = {"email_assigned": "y", "email_due_soon": "y", "email_refresher": "y"}
    response = client.post(PREFERENCES, data={"csrf_token": csrf_from(page), "timezone": "Asia/Dubai", **kept})
    assert response.status_code == 302
    now = choices(app, uid)
    assert now["overdue"] is False and now["assigned"] is True and now["refresher"] is True
    with app.app_context():
        assert db_session().get(User, uid).timezone == "Asia/Dubai"
    assert "Asia/Dubai" in client.get(PREFERENCES).get_data(as_text=True)

    bad = client.post(PREFERENCES, data={"csrf_token": csrf_from(page), "timezone": "Mars/Olympus"})
    assert bad.status_code == 200
    with app.app_context():
        assert db_session().get(User, uid).timezone == "Asia/Dubai"
    assert client.post(PREFERENCES, data={"timezone": "UTC"}).status_code == 400  # CSRF


def test_one_click_unsubscribe_needs_no_session_and_no_csrf_token(app, auth):
    auth.create("learner@example.com", "Learner")
    uid = user_id(app, "learner@example.com")
    with app.test_request_context():
        token = outbox.unsubscribe_token(uid, "overdue")
    anonymous = app.test_client()
    page = anonymous.get(f"{BELL}/unsubscribe/{token}")
    assert page.status_code == 200 and 'method="post"' in page.get_data(as_text=True)
    assert choices(app, uid)["overdue"] is True  # a GET (a link scanner) changes nothing
    for _twice in range(2):  # idempotent
        response = anonymous.post(f"{BELL}/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
        assert response.status_code == 200
        assert "/training/notifications/preferences" in response.get_data(as_text=True)
    assert choices(app, uid)["overdue"] is False and choices(app, uid)["assigned"] is True

    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert anonymous.post(f"{BELL}/unsubscribe/{forged}").status_code == 404
    assert anonymous.get(f"{BELL}/unsubscribe/not-a-token").status_code == 404


def test_a_learner_may_not_open_the_admin_page(client, auth):
    auth.as_role("learner")
    assert client.get(ADMIN).status_code == 403
    assert client.post(ADMIN, data={"csrf_token": auth.csrf()}).status_code == 403


def test_the_admin_page_says_email_is_not_configured_and_switches_kinds_off(app, client, auth):
    auth.as_role("admin")
    uid = user_id(app, "admin@example.com")
    notify(app, uid, "q1")
    notify(app, uid, "q2")
    page = client.get(ADMIN).get_data(as_text=True)
    assert 'data-configured="false"' in page and "LMS_SMTP_URL" in page
    assert re.search(r"2 (письма|messages)", page)  # the messages waiting in the queue
    assert ADMIN in client.get("/training/").get_data(as_text=True)  # in the admin's navigation

    on = {f"email_{kind}": "y" for kind in ("assigned", "due_soon")}
    assert client.post(ADMIN, data={"csrf_token": csrf_from(page), **on}).status_code == 302
    with app.app_context():
        off = outbox.organisation_off(db_session())
    assert "overdue" in off and "assigned" not in off and "refresher" in off


def test_an_email_carries_one_click_unsubscribe_that_works(app, smtp, auth):
    auth.create("learner@example.com", "Learner")
    uid = user_id(app, "learner@example.com")
    notify(app, uid, "mail1", kind="due_soon", course="Кассa", due="2026-12-10", days_left=3)
    with app.app_context():
        report = outbox.send_due(db_session(), outbox.settings(), now=dt.datetime.now(dt.UTC))
    assert report.sent == 1, report
    message = smtp.inbox.to("learner@example.com")[0]
    url = message["List-Unsubscribe"].strip("<>")
    assert url.startswith("https://lms.example.com/training/notifications/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    mail_client = app.test_client()  # a mail provider: no session, no CSRF token, just the RFC 8058 body
    response = mail_client.post(urlsplit(url).path, data="List-Unsubscribe=One-Click",
                                content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert choices(app, uid)["due_soon"] is False


def test_an_absolute_link_of_this_site_leads_to_its_path(app, client, auth):
    app.config["LMS_PUBLIC_URL"] = "https://lms.example.com"
    auth.as_role("learner")
    row = notify(app, user_id(app, "learner@example.com"), "abs", link="https://lms.example.com/training/certificates/")
    response = client.get(f"{BELL}/{row}")
    assert response.status_code == 302 and response.headers["Location"] == "/training/certificates/"
