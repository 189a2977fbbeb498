"""E-mail notifications through a real SMTP server (aiosmtpd): planned from the database's state,
sent by `flask lms notify send`, each exactly once, retried when the server refuses."""
from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import func, select

from lms.notify import outbox, planner
from lms.notify.models import Notification, NotificationAttempt
from lms.state import db_session

from support.smtp import html_of, text_of

LEARNER = "learner@example.com"


def at(day: dt.date, hour: int = 10) -> str:
    return dt.datetime.combine(day, dt.time(hour), dt.UTC).isoformat()


def send(runner, day: dt.date, hour: int = 10):
    result = runner.invoke(args=["lms", "notify", "send", "--at", at(day, hour)])
    assert result.exit_code == 0, result.output
    return result.output


def assign(runner, target: str, due: dt.date | None):
    args = ["lms", "assign", "sample", "--to", target] + (["--due", due.isoformat()] if due else [])
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output


def subjects(smtp, address: str = LEARNER) -> list[str]:
    return [str(message["Subject"]) for message in smtp.inbox.to(address)]


def test_assignment_reminders_and_overdue_notices_arrive_on_their_days_once_each(app, runner, auth, sample_course,
                                                                                smtp):
    auth.create(LEARNER, "Анна Петрова")
    today = dt.date.today()
    due = today + dt.timedelta(days=5)
    assign(runner, LEARNER, due)

    send(runner, today)
    [assigned] = smtp.inbox.to(LEARNER)
    assert "Основы сервиса" in str(assigned["Subject"])
    assert "Анна Петрова" in text_of(assigned)
    assert "https://lms.example.com/training/courses/sample/" in text_of(assigned)

    got: dict[int, list[str]] = {}
    for offset in range(1, 40):
        before = len(smtp.inbox.messages)
        send(runner, today + dt.timedelta(days=offset))
        send(runner, today + dt.timedelta(days=offset), hour=11)  # cron runs again: nothing new
        got[offset] = [str(m["Subject"]) for m in smtp.inbox.messages[before:]]
    sent_days = [offset for offset, messages in got.items() if messages]
    # 3 days before (day 2), 1 day before (day 4), then overdue on day 6, 13, 20, 27: never more than four
    assert sent_days == [2, 4, 6, 13, 20, 27], got
    assert all(len(messages) == 1 for messages in got.values() if messages)
    with app.app_context():
        kinds = db_session().scalars(select(Notification.kind).order_by(Notification.id)).all()
    assert kinds == ["assigned", "due_soon", "due_soon", "overdue", "overdue", "overdue", "overdue"]


def test_an_email_is_multipart_in_the_recipients_language_right_to_left_in_arabic(app, runner, auth, sample_course,
                                                                                 smtp):
    auth.create(LEARNER, "ليلى")
    with app.app_context():
        from lms.models import User
        from lms.site.accounts import SiteUserStore

        identity = SiteUserStore().find(LEARNER)
        session = db_session()
        from lms.services.users import sync_identity

        user = sync_identity(session, identity)
        user.locale = "ar"
        session.commit()
        assert session.get(User, user.id).locale == "ar"
    assign(runner, LEARNER, None)
    send(runner, dt.date.today())
    [message] = smtp.inbox.to(LEARNER)
    assert message.get_content_type() == "multipart/alternative"
    assert message["Content-Language"] == "ar"
    html = html_of(message)
    assert 'dir="rtl"' in html and 'lang="ar"' in html
    assert "<img" not in html.lower()  # no tracking pixel, no remote image
    assert any("\u0600" <= ch <= "\u06ff" for ch in str(message["Subject"]))
    assert message["List-Unsubscribe"].startswith("<https://lms.example.com/training/notifications/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_without_smtp_messages_stay_queued_and_go_once_it_is_set(app, runner, auth, sample_course, smtp):
    auth.create(LEARNER)
    assign(runner, LEARNER, None)
    url = app.config.pop("LMS_SMTP_URL")
    output = send(runner, dt.date.today())
    assert "LMS_SMTP_URL is not set: 1 e-mails stay queued" in output
    assert smtp.inbox.messages == []
    app.config["LMS_SMTP_URL"] = url
    send(runner, dt.date.today())
    assert len(smtp.inbox.to(LEARNER)) == 1


def test_a_refusing_server_is_tried_again_later_and_each_attempt_is_logged(app, runner, auth, sample_course, smtp):
    auth.create(LEARNER)
    assign(runner, LEARNER, None)
    today = dt.date.today()
    smtp.inbox.busy = True  # 451: try again later
    output = send(runner, today)
    assert "retrying 1" in output
    send(runner, today)  # the backoff has not passed: nothing is tried
    smtp.inbox.busy = False
    send(runner, today, hour=10)
    assert smtp.inbox.messages == []
    moment = dt.datetime.combine(today, dt.time(10), dt.UTC) + dt.timedelta(minutes=2)
    result = runner.invoke(args=["lms", "notify", "send", "--at", moment.isoformat()])
    assert "sent 1" in result.output, result.output
    assert len(smtp.inbox.to(LEARNER)) == 1
    with app.app_context():
        attempts = db_session().execute(select(NotificationAttempt.ok, NotificationAttempt.code)
                                        .order_by(NotificationAttempt.id)).all()
    assert attempts == [(False, 451), (True, 250)]


def test_a_refused_mailbox_is_given_up_at_once(app, runner, auth, sample_course, smtp):
    auth.create(LEARNER)
    assign(runner, LEARNER, None)
    smtp.inbox.refuse.add(LEARNER)
    output = send(runner, dt.date.today())
    assert "failed 1" in output
    with app.app_context():
        row = db_session().scalar(select(Notification))
        assert row.email_state == "failed" and "550" in row.last_error


def test_a_second_notice_of_a_kind_the_same_day_waits_for_the_days_digest(app, runner, auth, sample_course, smtp):
    auth.create(LEARNER)
    now = dt.datetime.combine(dt.date.today(), dt.time(9), dt.UTC)
    with app.app_context():
        session = db_session()
        from lms.services.users import sync_identity
        from lms.site.accounts import SiteUserStore

        user = sync_identity(session, SiteUserStore().find(LEARNER))
        session.commit()
        config = outbox.settings()
        items = [outbox.Planned(f"test:{n}", "review_released", user.id,
                                {"course": "Сервис", "activity": f"Задание {n}"}, "https://lms.example.com/training/")
                 for n in range(3)]
        outbox.queue(session, items, now)
        session.commit()
        report = outbox.send_due(session, config, now)
        assert (report.sent, report.folded) == (1, 2)
        assert outbox.send_due(session, config, now + dt.timedelta(hours=9)).sent == 1  # 18:00: the digest
        assert outbox.send_due(session, config, now + dt.timedelta(hours=10)).sent == 0
    first, digest = smtp.inbox.to(LEARNER)
    assert "Задание 0" in str(first["Subject"])
    assert "Задание 1" in text_of(digest) and "Задание 2" in text_of(digest)


def test_quiet_hours_hold_an_email_until_morning(app, runner, auth, sample_course, smtp):
    app.config["LMS_QUIET_HOURS"] = "21-8"
    auth.create(LEARNER)
    assign(runner, LEARNER, None)
    today = dt.date.today()
    assert "deferred for quiet hours 1" in send(runner, today, hour=22)
    assert smtp.inbox.messages == []
    send(runner, today + dt.timedelta(days=1), hour=8)
    assert len(smtp.inbox.messages) == 1


def test_a_group_of_many_is_planned_in_batches_and_each_person_mailed_once(app, runner, auth, sample_course, smtp):
    with app.app_context():
        from lms.models import Group, GroupMember, User

        session = db_session()
        group = Group(name="Большой магазин", kind="store")
        session.add(group)
        session.flush()
        people = [User(external_id=f"ext:{n}", email=f"p{n}@example.com", name=f"P {n}") for n in range(1200)]
        session.add_all(people)
        session.flush()
        session.add_all(GroupMember(group_id=group.id, user_id=p.id) for p in people)
        session.commit()
    assign(runner, "Большой магазин", None)
    output = send(runner, dt.date.today())
    assert "planned 1200 assigned" in output and "sent 1200" in output
    assert len({str(m["To"]) for m in smtp.inbox.messages}) == 1200
    assert "planned" not in send(runner, dt.date.today())


def test_two_senders_at_once_never_plan_or_send_one_message_twice(app, runner, auth, sample_course, smtp):
    with app.app_context():
        from lms.models import Group, GroupMember, User

        session = db_session()
        group = Group(name="Магазин", kind="store")
        users = [User(external_id=f"ext:{n}", email=f"p{n}@example.com", name=f"P {n}") for n in range(300)]
        session.add_all([group, *users])
        session.flush()
        session.add_all(GroupMember(group_id=group.id, user_id=u.id) for u in users)
        session.commit()
    assign(runner, "Магазин", None)
    errors: list[BaseException] = []
    start = threading.Barrier(3)

    def run():  # what `flask lms notify send` does, three times at the same moment
        try:
            with app.app_context():
                session, config = db_session(), outbox.settings()
                start.wait()
                planner.plan(session, config, dt.datetime.now(dt.UTC))
                session.commit()
                outbox.send_due(session, config, batch=20)
        except BaseException as exc:  # noqa: BLE001 (the test reports it)
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    addresses = [str(m["To"]) for m in smtp.inbox.messages]
    assert len(addresses) == 300 and len(set(addresses)) == 300
    with app.app_context():
        assert db_session().scalar(select(func.count()).select_from(Notification)) == 300
        assert db_session().scalar(select(func.count()).select_from(NotificationAttempt)) == 300


def test_planning_twice_adds_nothing(app, runner, auth, sample_course, smtp):
    auth.create(LEARNER)
    assign(runner, LEARNER, dt.date.today() + dt.timedelta(days=1))
    with app.app_context():
        session = db_session()
        config = outbox.settings()
        now = dt.datetime.now(dt.UTC)
        first = planner.plan(session, config, now)
        second = planner.plan(session, config, now)
        assert sum(first.values()) == 2 and sum(second.values()) == 0
