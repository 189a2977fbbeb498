"""Every kind of notification from the fact it announces: reviews, certificates, the trainer's week,
HR's month; and the organisation's and the person's switches."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from lms.models import Certificate, Course, Group, GroupMember, Review, User
from lms.notify import outbox, planner
from lms.notify.models import Notification
from lms.state import db_session

from support.smtp import text_of

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)  # a Monday


def person(session, email: str, name: str, roles: str = "learner", locale: str | None = "ru") -> User:
    user = User(external_id=f"ext:{email}", email=email, name=name, roles=roles, locale=locale)
    session.add(user)
    session.flush()
    return user


def certificate(session, user: User, course: Course, **fields) -> Certificate:
    row = Certificate(serial=f"S{user.id}{len(fields)}", user_id=user.id, course_id=course.id,
                      version_id=course.published_version_id, holder_name=user.name, course_title="Основы сервиса",
                      language="ru", **fields)
    session.add(row)
    session.flush()
    return row


def planned(session, now=NOW) -> list[tuple[str, int | None]]:
    planner.plan(session, outbox.settings(), now)
    session.commit()
    return session.execute(select(Notification.kind, Notification.user_id).order_by(Notification.id)).all()


def test_certificates_issued_expiring_and_reassigned_after_expiry(app, sample_course, smtp):
    with app.app_context():
        session = db_session()
        course = session.scalar(select(Course))
        anna, boris, vera = (person(session, f"{n}@example.com", n) for n in ("anna", "boris", "vera"))
        issued = certificate(session, anna, course, issued_at=NOW - dt.timedelta(days=1))
        certificate(session, boris, course, issued_at=NOW - dt.timedelta(days=300),
                    expires_at=NOW + dt.timedelta(days=20))
        certificate(session, vera, course, issued_at=NOW - dt.timedelta(days=400), expires_at=NOW - dt.timedelta(days=1))
        session.commit()
        from lms.services.certificates import renew_expired

        renew_expired(session, NOW)
        session.commit()
        kinds = planned(session)
        assert ("certificate_issued", anna.id) in kinds
        assert ("certificate_expiring", boris.id) in kinds
        assert ("reassigned", vera.id) in kinds and ("assigned", vera.id) in kinds
        outbox.send_due(session, outbox.settings(), NOW)
    [mail] = smtp.inbox.to("anna@example.com")
    assert f"https://lms.example.com/training/verify/{issued.serial}" in text_of(mail)


def test_a_released_review_is_announced_with_a_link_to_the_activity(app, sample_course, smtp):
    with app.app_context():
        session = db_session()
        course = session.scalar(select(Course))
        learner = person(session, "l@example.com", "Лена")
        session.add(Review(kind="quiz", user_id=learner.id, course_id=course.id, activity_key="02-practice/03-quiz",
                           version_id=course.published_version_id, source_id=1, item_id="q", answer="…",
                           status="released", reviewed_at=NOW - dt.timedelta(hours=1)))
        session.add(Review(kind="quiz", user_id=learner.id, course_id=course.id, activity_key="02-practice/03-quiz",
                           version_id=course.published_version_id, source_id=2, item_id="q", answer="…",
                           status="pending"))
        session.commit()
        assert planned(session) == [("review_released", learner.id)]
        row = session.scalar(select(Notification))
        assert row.link == "https://lms.example.com/training/courses/sample/02-practice/03-quiz"


def test_the_trainers_monday_digest_names_who_is_behind_most_urgent_first(app, runner, sample_course, smtp):
    with app.app_context():
        session = db_session()
        trainer = person(session, "t@example.com", "Тренер", roles="trainer")
        late, soon, fine = (person(session, f"{n}@example.com", n) for n in ("Опоздал", "Скоро", "Успевает"))
        group = Group(name="Арбат", kind="store")
        session.add(group)
        session.flush()
        session.add_all([GroupMember(group_id=group.id, user_id=trainer.id, role="trainer")]
                        + [GroupMember(group_id=group.id, user_id=u.id) for u in (late, soon, fine)])
        session.commit()
    from lms.models import Assignment

    with app.app_context():
        session = db_session()
        course = session.scalar(select(Course))
        for user, due in ((late, NOW.date() - dt.timedelta(days=3)), (soon, NOW.date() + dt.timedelta(days=2)),
                          (fine, NOW.date() + dt.timedelta(days=40))):
            session.add(Assignment(course_id=course.id, user_id=user.id, due_date=due))
        session.commit()
        planned(session)
        digest = session.scalar(select(Notification).where(Notification.kind == "trainer_digest"))
        assert [row["name"] for row in digest.params["behind"]] == ["Опоздал", "Скоро"]
        assert digest.user_id == trainer.id and digest.params["behind_count"] == 2
        planned(session, NOW + dt.timedelta(days=1))  # Tuesday: no second digest
        assert len(session.scalars(select(Notification).where(Notification.kind == "trainer_digest")).all()) == 1
        outbox.send_due(session, outbox.settings(), NOW)
    [mail] = smtp.inbox.to("t@example.com")
    body = text_of(mail)
    assert body.index("Опоздал") < body.index("Скоро") and "Успевает" not in body


def test_hr_gets_the_monthly_summary_on_the_first(app, sample_course, smtp):
    with app.app_context():
        session = db_session()
        hr = person(session, "hr@example.com", "Кадры", roles="hr")
        session.commit()
        assert planned(session, NOW) == []
        first = dt.datetime(2027, 1, 1, 9, tzinfo=dt.UTC)
        assert planned(session, first) == [("hr_summary", hr.id)]
        assert planned(session, first + dt.timedelta(hours=5)) == [("hr_summary", hr.id)]


def test_a_kind_the_organisation_turned_off_is_not_planned_and_a_persons_choice_keeps_the_bell(app, runner,
                                                                                              sample_course, smtp):
    with app.app_context():
        session = db_session()
        course = session.scalar(select(Course))
        anna, boris = person(session, "anna@example.com", "Анна"), person(session, "boris@example.com", "Борис")
        outbox.set_organisation_kind(session, "certificate_issued", False)
        outbox.set_choice(session, boris.id, "certificate_expiring", False)
        certificate(session, anna, course, issued_at=NOW)
        certificate(session, boris, course, issued_at=NOW - dt.timedelta(days=300),
                    expires_at=NOW + dt.timedelta(days=10))
        session.commit()
        assert planned(session) == [("certificate_expiring", boris.id)]
        row = session.scalar(select(Notification))
        assert row.email_state == "off" and outbox.unread_count(session, boris.id) == 1
        outbox.send_due(session, outbox.settings(), NOW)
    assert smtp.inbox.messages == []


def test_old_finished_notifications_are_forgotten_and_the_rest_kept(app, runner, smtp):
    with app.app_context():
        session = db_session()
        user = person(session, "old@example.com", "Старый")
        old = NOW - dt.timedelta(days=400)
        outbox.queue(session, [outbox.Planned(f"test:{n}", "review_released", user.id, {"course": "C", "activity": "A"})
                               for n in range(4)], old)
        rows = session.scalars(select(Notification).order_by(Notification.id)).all()
        rows[0].email_state, rows[0].read_at = "sent", old  # sent and read: forgotten
        rows[1].email_state = "sent"  # sent, still unread under the bell: kept
        rows[2].email_state, rows[2].read_at = "pending", old  # still to send: kept
        session.commit()
    result = runner.invoke(args=["lms", "notify", "send", "--at", NOW.isoformat()])
    assert result.exit_code == 0 and "forgot 1 notifications" in result.output, result.output
    with app.app_context():
        keys = set(db_session().scalars(select(Notification.key)))
        assert "test:0" not in keys and {"test:1", "test:2", "test:3"} <= keys
