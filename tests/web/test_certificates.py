"""Certificates through the test client: issue, verify, expire, renew, revoke, download."""
import datetime as dt
import io
import json
import threading

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from lms.core import certificates as core
from lms.models import ActivityProgress, Assignment, AuditEntry, Certificate, Course, Enrollment, User
from lms.services import certificates as service
from lms.state import db_session

from support.certificates import CERT_COURSES, LESSONS, complete


@pytest.fixture
def cert_course(runner):
    result = runner.invoke(args=["lms", "courses", "import", str(CERT_COURSES)])
    assert result.exit_code == 0, result.output
    return "cert-basics"


def certificates(app):
    with app.app_context():
        return db_session().scalars(select(Certificate).order_by(Certificate.cycle)).all()


def earn(app, auth, client, email="learner@example.com", name="Мария Кузнецова"):
    auth.create(email, name)
    auth.login(email)
    complete(client)
    [certificate] = certificates(app)
    return certificate


def set_expiry(app, serial, when):
    with app.app_context():
        session = db_session()
        session.scalar(select(Certificate).where(Certificate.serial == serial)).expires_at = when
        session.commit()


def test_completing_the_course_issues_one_certificate(app, client, auth, cert_course):
    certificate = earn(app, auth, client)
    assert core.SERIAL_RE.match(certificate.serial)
    assert certificate.holder_name == "Мария Кузнецова" and certificate.course_title == "Обещания клиенту"
    assert certificate.cycle == 1 and certificate.score is None and certificate.trainer_name == "Игорь Смирнов"
    assert set(certificate.record) == {"01-intro/01-promise", "01-intro/02-keep"}
    with app.app_context():
        version_id = db_session().scalar(select(Course.published_version_id))
    assert certificate.version_id == version_id
    issued = certificate.issued_at.replace(tzinfo=dt.UTC) if certificate.issued_at.tzinfo is None else certificate.issued_at
    expected = core.add_months(issued, 12)
    assert abs((certificate.expires_at.replace(tzinfo=dt.UTC) if certificate.expires_at.tzinfo is None
                else certificate.expires_at) - expected) < dt.timedelta(seconds=1)
    complete(client)  # doing it again issues nothing new
    assert [c.serial for c in certificates(app)] == [certificate.serial]
    page = client.get("/training/certificates/").get_data(as_text=True)
    assert f'data-serial="{certificate.serial}"' in page and 'data-status="valid"' in page
    assert f"/training/certificates/{certificate.serial}.pdf" in page


def test_an_incomplete_course_issues_nothing(app, client, auth, cert_course, sample_course):
    auth.as_role("learner")
    complete(client, LESSONS[:1])
    assert certificates(app) == []
    assert "data-serial" not in client.get("/training/certificates/").get_data(as_text=True)


def test_concurrent_completions_issue_exactly_one(app, client, auth, cert_course):
    auth.as_role("learner")
    complete(client, LESSONS[:1])
    url = "/training/courses/cert-basics/01-intro/02-keep"
    client.get(url)
    with app.app_context():
        session = db_session()
        from lms.services.learning import complete_activity, load_activity
        enrollment = session.scalar(select(Enrollment))
        course = session.get(Course, enrollment.course_id)
        complete_activity(session, enrollment, load_activity(session, course.published_version, "ru",
                                                             "01-intro/02-keep"), course.published_version)
        session.execute(Certificate.__table__.delete())  # as if the rule was met but not yet issued
        session.commit()
        enrollment_id = enrollment.id

    barrier = threading.Barrier(4)
    results, errors = [], []

    def worker():
        try:
            with app.app_context():
                session = db_session()
                enrollment = session.get(Enrollment, enrollment_id)
                version = session.get(Course, enrollment.course_id).published_version
                barrier.wait(timeout=10)
                issued = service.issue_if_earned(session, enrollment, version, completed=True)
                session.commit()
                results.append(issued.serial)
                session.close()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    stored = certificates(app)
    assert len(stored) == 1
    assert results == [stored[0].serial] * 4


def test_verification_is_public_and_says_only_what_it_should(app, client, auth, cert_course):
    certificate = earn(app, auth, client)
    anonymous = app.test_client()
    page = anonymous.get(f"/training/verify/{certificate.serial}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "verification-valid" in html and "Мария Кузнецова" in html and "Обещания клиенту" in html
    assert "learner@example.com" not in html
    data = anonymous.get(f"/training/verify/{certificate.serial}.json").get_json()
    assert set(data) == {"serial", "status", "holder", "course", "issued", "expires", "revoked"}
    assert data["status"] == "valid" and data["holder"] == "Мария Кузнецова" and data["revoked"] is None
    assert data["issued"] == certificate.issued_at.date().isoformat()
    assert anonymous.get(f"/training/verify/{certificate.serial.lower()}?format=json").get_json() == data
    for missing in ("AAAA-AAAA-AAAA-AAAA", "not-a-serial", "1"):
        assert anonymous.get(f"/training/verify/{missing}").status_code == 404
        response = anonymous.get(f"/training/verify/{missing}.json")
        assert response.status_code == 404 and response.get_json() == {"status": "not_found"}


def test_verification_is_rate_limited(app, client, auth, cert_course):
    certificate = earn(app, auth, client)
    app.config["LMS_VERIFY_RATE_LIMIT"] = "3 per minute"
    anonymous = app.test_client()
    codes = [anonymous.get(f"/training/verify/{certificate.serial}").status_code for _ in range(3)]
    codes.append(anonymous.get(f"/training/verify/{certificate.serial}.json").status_code)
    assert codes == [200, 200, 200, 429]


def test_expiry_shows_and_renewal_assigns_the_course_again(app, client, auth, runner, cert_course):
    first = earn(app, auth, client)
    set_expiry(app, first.serial, dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
    assert client.get(f"/training/verify/{first.serial}.json").get_json()["status"] == "expired"

    result = runner.invoke(args=["lms", "certificates", "expire"])
    assert result.exit_code == 0 and first.serial in result.output
    assert "0 certificate(s)" in runner.invoke(args=["lms", "certificates", "expire"]).output  # nothing new
    with app.app_context():
        session = db_session()
        enrollment = session.scalar(select(Enrollment))
        assert enrollment.completed_at is None
        assert set(session.scalars(select(ActivityProgress.status))) == {"started"}
        assignment = session.scalar(select(Assignment).where(Assignment.user_id == enrollment.user_id))
        assert assignment is not None and assignment.due_date > dt.date.today()
        renewed = session.scalar(select(Certificate))
        assert renewed.renewed_at is not None and renewed.renewal_assignment_id == assignment.id
        assert session.scalar(select(func.count(Assignment.id))) == 1

    complete(client)  # recertification: the same course again, a new cycle
    first_after, second = certificates(app)
    assert (first_after.serial, first_after.cycle, second.cycle) == (first.serial, 1, 2)
    assert second.serial != first.serial
    assert client.get(f"/training/verify/{second.serial}.json").get_json()["status"] == "valid"
    assert client.get(f"/training/verify/{first.serial}.json").get_json()["status"] == "expired"


def test_listing_renews_lazily_and_hr_sees_what_expires_soon(app, client, auth, cert_course):
    soon = earn(app, auth, client)
    auth.logout()
    other = earn_second(app, auth, client)
    set_expiry(app, soon.serial, dt.datetime.now(dt.UTC) + dt.timedelta(days=10))
    set_expiry(app, other.serial, dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
    auth.logout()
    assert client.get("/training/certificates/expiring").status_code in (302, 401)
    auth.as_role("hr")
    page = client.get("/training/certificates/expiring").get_data(as_text=True)
    assert f'data-serial="{soon.serial}"' in page and other.serial not in page
    with app.app_context():  # the expired one was renewed while listing
        renewed = db_session().scalar(select(Certificate).where(Certificate.serial == other.serial))
        assert renewed.renewed_at is not None


def earn_second(app, auth, client):
    auth.create("omar@example.com", "عمر حداد")
    auth.login("omar@example.com")
    complete(client)
    return [c for c in certificates(app) if c.holder_name == "عمر حداد"][0]


def test_trainers_see_only_their_groups_and_learners_nothing(app, client, auth, runner, cert_course):
    certificate = earn(app, auth, client)
    with app.app_context():
        learner_id = db_session().scalar(select(User.id).where(User.email == "learner@example.com"))
    assert client.get("/training/certificates/expiring").status_code == 403
    assert client.get(f"/training/certificates/people/{learner_id}").status_code == 403
    auth.logout()
    auth.as_role("trainer")
    assert client.get(f"/training/certificates/people/{learner_id}").status_code == 404
    assert client.get(f"/training/certificates/{certificate.serial}.pdf").status_code == 404
    with app.app_context():
        from lms.models import Group, GroupMember
        session = db_session()
        group = Group(name="Store 1")
        session.add(group)
        session.flush()
        trainer_id = session.scalar(select(User.id).where(User.email == "trainer@example.com"))
        session.add_all([GroupMember(group_id=group.id, user_id=trainer_id, role="trainer"),
                         GroupMember(group_id=group.id, user_id=learner_id)])
        session.commit()
    # a learner of the group, but the course was not assigned through it: the certificate stays hidden
    page = client.get(f"/training/certificates/people/{learner_id}")
    assert page.status_code == 200 and certificate.serial not in page.get_data(as_text=True)
    assert client.get(f"/training/certificates/{certificate.serial}.pdf").status_code == 404
    with app.app_context():
        session = db_session()
        session.add(Assignment(course_id=certificate.course_id, group_id=group.id))
        session.commit()
    page = client.get(f"/training/certificates/people/{learner_id}")
    assert page.status_code == 200 and certificate.serial in page.get_data(as_text=True)
    assert "revoke-form" not in page.get_data(as_text=True)  # trainers do not revoke
    assert client.get(f"/training/certificates/{certificate.serial}.pdf").status_code == 200


def test_hr_revokes_with_a_reason_and_it_is_audited(app, client, auth, cert_course):
    certificate = earn(app, auth, client)
    token = auth.csrf("/training/certificates/")
    assert client.post(f"/training/certificates/{certificate.serial}/revoke",
                       data={"csrf_token": token, "reason": "mine"}).status_code == 403
    auth.logout()
    auth.as_role("hr", name="Мария HR")
    with app.app_context():
        learner_id = db_session().scalar(select(User.id).where(User.email == "learner@example.com"))
    person = f"/training/certificates/people/{learner_id}"
    token = auth.csrf(person)
    response = client.post(f"/training/certificates/{certificate.serial}/revoke", data={"csrf_token": token})
    assert response.status_code == 302
    assert client.get(f"/training/verify/{certificate.serial}.json").get_json()["status"] == "valid"
    response = client.post(f"/training/certificates/{certificate.serial}/revoke",
                           data={"csrf_token": token, "reason": "Сдал за другого сотрудника"})
    assert response.status_code == 302 and response.headers["Location"].endswith(person)
    data = client.get(f"/training/verify/{certificate.serial}.json").get_json()
    assert data["status"] == "revoked" and data["revoked"] == dt.date.today().isoformat()
    assert "Сдал" not in json.dumps(data, ensure_ascii=False)
    with app.app_context():
        session = db_session()
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "certificate.revoke"))
        hr_id = session.scalar(select(User.id).where(User.email == "hr@example.com"))
        assert (entry.action, entry.actor_id, entry.target) == ("certificate.revoke", hr_id,
                                                                f"certificate:{certificate.serial}")
        assert entry.details["reason"] == "Сдал за другого сотрудника" and entry.at is not None
        stored = session.scalar(select(Certificate))
        assert stored.revoked_by_id == hr_id and stored.revoke_reason == "Сдал за другого сотрудника"
    assert 'data-status="revoked"' in client.get(person).get_data(as_text=True)


def test_pdf_download_is_the_holders_and_names_them(app, client, auth, cert_course):
    certificate = earn(app, auth, client)
    response = client.get(f"/training/certificates/{certificate.serial}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert certificate.serial in text and "Мария Кузнецова" in text and "Обещания клиенту" in text
    assert f"http://localhost/training/verify/{certificate.serial}" in text
    auth.logout()
    auth.as_role("learner", email="other@example.com")
    assert client.get(f"/training/certificates/{certificate.serial}.pdf").status_code == 404
    assert client.get(f"/training/certificates/{certificate.serial}/badge.jwt").status_code == 404
    assert client.get("/training/certificates/AAAA-AAAA-AAAA-AAAA.pdf").status_code == 404
