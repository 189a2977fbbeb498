"""One truth per status: a learner in every state, and seven places that must say the same.

The places: the learner's course page, the trainer's dashboard, the learner's record, the HR
report (and its CSV export), the compliance matrix, the JSON API and the xAPI statements.
Each reads the status defined once in ``lms.core.status``.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass

from flask_babel import force_locale
from sqlalchemy import select

from lms.activities.quiz import service as quizzes
from lms.labels import status_labels
from lms.models import (
    ActivityContent,
    ActivityProgress,
    Assignment,
    Certificate,
    Course,
    CourseVersion,
    Group,
    GroupMember,
    QuizAttempt,
    ScenarioRun,
    User,
)
from lms.services import certificates, learning
from lms.services.people import create_api_token
from lms.state import db_session

COURSE = "/training/courses/sample/"
NOW = dt.datetime.now(dt.UTC)
TODAY = dt.date.today()
#: learner -> (expected course status, expected status of the activities that show it)
STATES = {
    "assigned": ("not_started", {}),
    "edition": ("not_started", {}),
    "lesson": ("in_progress", {"01-basics/01-welcome": "completed"}),
    "quizfail": ("in_progress", {"02-practice/03-quiz": "failed"}),
    "quizpass": ("in_progress", {"02-practice/03-quiz": "passed"}),
    "lost": ("in_progress", {"02-practice/02-call": "failed"}),
    "complete": ("completed", {"02-practice/03-quiz": "passed", "02-practice/02-call": "passed"}),
    "overdue": ("overdue", {"01-basics/01-welcome": "completed"}),
    "expired": ("expired", {}),
}


def seed(app, auth) -> dict[str, int]:
    """Every learner of ``STATES`` in one group the trainer trains, the course assigned to the group."""
    ids = {name: auth.create(f"{name}@example.com", f"Learner {name}") for name in STATES}
    trainer = auth.create("trainer@example.com", "Trainer", ("trainer",))
    with app.app_context():
        s = db_session()
        course = s.scalar(select(Course).where(Course.slug == "sample"))
        version = s.get(CourseVersion, course.published_version_id)
        group = Group(name="Store")
        s.add(group)
        s.flush()
        s.add(GroupMember(group_id=group.id, user_id=trainer, role="trainer"))
        s.add_all([GroupMember(group_id=group.id, user_id=uid, role="member") for uid in ids.values()])
        s.add(Assignment(course_id=course.id, group_id=group.id, due_date=TODAY + dt.timedelta(days=20),
                         assigned_by_id=trainer, created_at=NOW - dt.timedelta(days=60)))
        s.add(Assignment(course_id=course.id, user_id=ids["overdue"], due_date=TODAY - dt.timedelta(days=1),
                         assigned_by_id=trainer))

        def enrol(name):
            user = s.get(User, ids[name])
            return learning.ensure_enrollment(s, user, course, version, "ru")

        def content(key):
            return s.scalar(select(ActivityContent).where(ActivityContent.version_id == version.id,
                                                          ActivityContent.language == "ru",
                                                          ActivityContent.key == key))

        enrol("edition")
        for name in ("lesson", "overdue"):
            learning.complete_activity(s, enrol(name), content("01-basics/01-welcome"), version)
        for name, passed in (("quizfail", False), ("quizpass", True), ("complete", True)):
            enrollment = enrol(name)
            quiz = content("02-practice/03-quiz")
            attempt = QuizAttempt(enrollment_id=enrollment.id, user_id=enrollment.user_id, activity_key=quiz.key,
                                  version_id=version.id, number=1, seed=1, plan={"question_ids": []}, answers={},
                                  status="submitted", submitted_at=NOW, percent=100.0 if passed else 20.0,
                                  passed=passed, result={"results": [], "percent": 100.0 if passed else 20.0})
            s.add(attempt)
            s.flush()
            quizzes.record_outcome(s, attempt, quiz, enrollment, version, graded(attempt.percent))
        for name, passed in (("lost", False), ("complete", True)):
            enrollment = enrol(name)
            call = content("02-practice/02-call")
            s.add(ScenarioRun(enrollment_id=enrollment.id, user_id=enrollment.user_id, activity_key=call.key,
                              version_id=version.id, number=1, state={"step_id": "end", "path": []},
                              finished_at=NOW, outcome="lost" if not passed else "won", points=0, passed=passed))
            s.flush()
            learning.complete_activity(s, enrollment, call, version, result={"passed": passed}, score=0)
        enrollment = enrol("complete")
        for module in version.manifest["editions"]["ru"]["modules"]:
            for activity in module["activities"]:
                if activity["kind"] == "lesson":
                    learning.complete_activity(s, enrollment, content(activity["key"]), version)
        assert enrollment.completed_at is not None
        # expired: completed a year ago, the certificate ran out, the daily job assigned the course again
        enrollment = enrol("expired")
        enrollment.completed_at = NOW - dt.timedelta(days=400)
        enrollment.completed_version_id = version.id
        s.add(ActivityProgress(enrollment_id=enrollment.id, activity_key="01-basics/01-welcome",
                               version_id=version.id, status="completed", completed_at=NOW - dt.timedelta(days=400)))
        s.add(Certificate(serial="EXPI-RED0-0000-0001", user_id=ids["expired"], course_id=course.id,
                          version_id=version.id, cycle=1, issued_at=NOW - dt.timedelta(days=400),
                          expires_at=NOW - dt.timedelta(days=35), holder_name="Learner expired",
                          course_title="Sample", language="ru"))
        s.flush()
        assert certificates.renew_expired(s, NOW)
        s.commit()
        return {**ids, "group": group.id, "trainer": trainer}


@dataclass(frozen=True)
class graded:
    """What ``record_outcome`` reads of a graded attempt."""

    percent: float
    pending: tuple = ()


def badge_status(html: str, container: str) -> str:
    block = html[html.index(container):]
    return re.search(r'class="badge badge-([a-z_]+)"', block).group(1)


def test_every_place_shows_the_same_status_for_every_state(app, client, auth, runner, sample_course):
    ids = seed(app, auth)
    seen: dict[str, dict[str, str]] = {name: {} for name in STATES}

    # 1. the learner's own course page (and the activities it shows)
    for name in STATES:
        auth.login(f"{name}@example.com")
        html = client.get(COURSE).get_data(as_text=True)
        seen[name]["learner page"] = badge_status(html, 'class="course-status"')
        for key, expected in STATES[name][1].items():
            found = re.search(rf'data-status="([a-z_]+)">\s*<a href="[^"]*/{re.escape(key)}"', html)
            assert found and found.group(1) == expected, (name, key)
        auth.logout()

    # 2. the trainer's dashboard, 3. the learner's record
    auth.login("trainer@example.com")
    board = client.get(f"/training/trainer/groups/{ids['group']}?course=sample").get_data(as_text=True)
    for name in STATES:
        found = re.search(rf'class="learner-row status-([a-z_]+)" data-user="{ids[name]}"', board)
        seen[name]["dashboard"] = found.group(1)
        record = client.get(f"/training/trainer/learners/{ids[name]}").get_data(as_text=True)
        seen[name]["learner record"] = re.search(r'class="assignment" data-course="sample" data-status="([a-z_]+)"',
                                                 record).group(1)
    auth.logout()

    # 4. the HR report and its export, 5. the compliance matrix
    auth.as_role("hr")
    report = client.get("/training/reports/completions?course=sample").get_data(as_text=True)
    matrix = client.get("/training/reports/compliance").get_data(as_text=True)
    exported = client.get("/training/reports/completions.csv?course=sample").data.decode("utf-8-sig")
    with app.test_request_context(), force_locale("ru"):
        by_label = {label: status for status, label in status_labels().items()}
    rows = list(csv.reader(io.StringIO(exported)))
    status_column = next(i for i, h in enumerate(rows[0]) if h == "Статус")
    email_column = next(i for i, h in enumerate(rows[0]) if "mail" in h.lower())
    csv_status = {row[email_column]: by_label[row[status_column]] for row in rows[1:]}
    for name in STATES:
        seen[name]["HR report"] = re.search(rf'data-user="{ids[name]}" data-course="sample" data-status="([a-z_]+)"',
                                            report).group(1)
        seen[name]["CSV export"] = csv_status[f"{name}@example.com"]
        row = matrix[matrix.index(f'<tr data-user="{ids[name]}">'):]
        seen[name]["compliance matrix"] = re.search(r'class="matrix-cell status-([a-z_]+)"', row).group(1)
    auth.logout()

    # 6. the JSON API
    with app.app_context():
        session = db_session()
        admin = session.scalar(select(User).where(User.email == "hr@example.com"))
        _token, plain = create_api_token(session, "HRIS", admin)
        session.commit()
    items = client.get("/training/api/v1/completions", query_string={"course": "sample", "limit": 100},
                       headers={"Authorization": f"Bearer {plain}"}).json["items"]
    api = {item["user"]["email"]: item["status"] for item in items}
    for name in STATES:
        seen[name]["API"] = api[f"{name}@example.com"]

    # every place agrees with the definition
    for name, (expected, _activities) in STATES.items():
        assert set(seen[name].values()) == {expected}, (name, seen[name])

    # 7. the xAPI statements: the course's completion, and each result's success
    auth.as_role("hr", "hr2@example.com")
    statements = [json.loads(line) for line in client.get("/training/people/xapi.jsonl").get_data(as_text=True)
                  .splitlines()]
    certificate = "https://w3id.org/xapi/lms-service-training/extensions/certificate"
    completed = {s["actor"]["mbox"].removeprefix("mailto:").split("@")[0] for s in statements
                 if s["verb"]["id"].endswith("/completed") and s["object"]["id"].endswith("/courses/sample")
                 and certificate not in s["context"].get("extensions", {})}
    assert completed == {name for name, (status, _) in STATES.items() if status == "completed"}
    quiz = {s["actor"]["mbox"].removeprefix("mailto:").split("@")[0]: s["verb"]["id"].rsplit("/", 1)[1]
            for s in statements if s["object"]["id"].endswith("/02-practice/03-quiz")}
    assert quiz == {"quizfail": "failed", "quizpass": "passed", "complete": "passed"}
    runs = {s["actor"]["mbox"].removeprefix("mailto:").split("@")[0]: s["result"].get("success")
            for s in statements if s["object"]["id"].endswith("/02-practice/02-call")}
    assert runs == {"lost": False, "complete": True}
