"""Shared set-up of the report tests: people, groups, courses and their progress, inserted directly.

The report only reads these tables, so the tests write them with plain inserts
(fast enough for hundreds of rows) instead of playing the courses.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import insert, select

from lms.models import (
    ActivityProgress,
    Assignment,
    Certificate,
    Course,
    CourseVersion,
    Enrollment,
    Group,
    GroupMember,
    QuizAttempt,
    User,
)
from lms.state import db_session

REPORT = "/training/reports/completions"
CSV = "/training/reports/completions.csv"
XLSX = "/training/reports/completions.xlsx"
MATRIX = "/training/reports/compliance"
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
TODAY = NOW.date()


def add_course(session, slug: str, title_ru: str, title_en: str | None = None) -> int:
    """A published course with a minimal manifest (what the report reads of it)."""
    course = Course(slug=slug)
    session.add(course)
    session.flush()
    editions = {"ru": {"title": title_ru, "summary": "", "modules": []}}
    if title_en:
        editions["en"] = {"title": title_en, "summary": "", "modules": []}
    version = CourseVersion(course_id=course.id, number=1, content_hash=slug,
                            manifest={"editions": editions, "default_language": "ru", "completion": {}})
    session.add(version)
    session.flush()
    course.published_version_id = version.id
    session.flush()
    return course.id


def add_person(session, email: str, name: str, *, department: str | None = None, manager_id: int | None = None,
               employee_id: str | None = None, roles: str = "learner") -> int:
    user = User(external_id=email, email=email, name=name, roles=roles, department=department,
                manager_id=manager_id, employee_id=employee_id)
    session.add(user)
    session.flush()
    return user.id


def add_group(session, name: str, members=(), trainers=()) -> int:
    group = Group(name=name)
    session.add(group)
    session.flush()
    for user_id in members:
        session.add(GroupMember(group_id=group.id, user_id=user_id, role="member"))
    for user_id in trainers:
        session.add(GroupMember(group_id=group.id, user_id=user_id, role="trainer"))
    session.flush()
    return group.id


def assign(session, course_id: int, *, user_id: int | None = None, group_id: int | None = None,
           due: dt.date | None = None, at: dt.datetime | None = None, removed: bool = False) -> int:
    assignment = Assignment(course_id=course_id, user_id=user_id, group_id=group_id, due_date=due,
                            created_at=at or NOW - dt.timedelta(days=10), removed_at=NOW if removed else None)
    session.add(assignment)
    session.flush()
    return assignment.id


def enroll(session, user_id: int, course_id: int, *, completed: dt.datetime | None = None,
           opened: bool = True) -> int:
    version_id = session.scalar(select(Course.published_version_id).where(Course.id == course_id))
    enrollment = Enrollment(user_id=user_id, course_id=course_id, version_id=version_id, language="ru",
                            completed_at=completed)
    session.add(enrollment)
    session.flush()
    if opened:
        session.add(ActivityProgress(enrollment_id=enrollment.id, activity_key="01/01", version_id=version_id,
                                     status="completed" if completed else "started"))
        session.flush()
    return enrollment.id


def attempt(session, enrollment_id: int, key: str, number: int, percent: float | None) -> None:
    enrollment = session.get(Enrollment, enrollment_id)
    session.add(QuizAttempt(enrollment_id=enrollment_id, user_id=enrollment.user_id, activity_key=key,
                            version_id=enrollment.version_id, number=number, seed=1, plan={},
                            status="submitted" if percent is not None else "open", percent=percent,
                            passed=None if percent is None else percent >= 70))
    session.flush()


def certify(session, user_id: int, course_id: int, serial: str, *, cycle: int = 1,
            expires: dt.datetime | None = None, revoked: bool = False) -> None:
    version_id = session.scalar(select(Course.published_version_id).where(Course.id == course_id))
    session.add(Certificate(serial=serial, user_id=user_id, course_id=course_id, version_id=version_id,
                            cycle=cycle, issued_at=NOW - dt.timedelta(days=5), expires_at=expires,
                            revoked_at=NOW if revoked else None, holder_name="x", course_title="x", language="ru"))
    session.flush()


@dataclass
class World:
    """Two stores, two courses; ``trainer@`` trains store A only."""

    courses: dict[str, int] = field(default_factory=dict)
    people: dict[str, int] = field(default_factory=dict)
    groups: dict[str, int] = field(default_factory=dict)


def build_world(app, trainer_id: int | None = None) -> World:
    """The report's reference data set (see each person's comment for their row).

    ``trainer_id``: the account that trains store A (default: a new person who cannot sign in).
    """
    world = World()
    with app.app_context():
        s = db_session()
        c = world.courses
        c["service"] = add_course(s, "service", "Сервис", "Service")
        c["safety"] = add_course(s, "safety", "Безопасность", "Safety")
        p = world.people
        p["boss"] = add_person(s, "boss@example.com", "Борис Начальник", department="Управление")
        # store A (trained by trainer@): Anna completed service with a certificate, Boris overdue
        p["anna"] = add_person(s, "anna@example.com", "Анна Андреева", department="Продажи", manager_id=p["boss"],
                               employee_id="E-001")
        p["boris"] = add_person(s, "boris@example.com", "Борис Быстров", department="Продажи", employee_id="E-002")
        # store B: Vera in progress, Gleb not started, and an employee whose name is a formula
        p["vera"] = add_person(s, "vera@example.com", "Вера Васильева", department="Склад")
        p["gleb"] = add_person(s, "gleb@example.com", "Глеб Горин", department="Склад")
        p["evil"] = add_person(s, "evil@example.com", '=HYPERLINK("http://x","y")', department="-2+3")
        p["trainer"] = trainer_id or add_person(s, "trainer@example.com", "Тимур Тренер", roles="trainer")
        g = world.groups
        g["a"] = add_group(s, "Store A", members=[p["anna"], p["boris"]], trainers=[p["trainer"]])
        g["b"] = add_group(s, "Store B", members=[p["vera"], p["gleb"], p["evil"]])
        assign(s, c["service"], group_id=g["a"], due=TODAY + dt.timedelta(days=7), at=NOW - dt.timedelta(days=20))
        assign(s, c["safety"], user_id=p["boris"], due=TODAY - dt.timedelta(days=1), at=NOW - dt.timedelta(days=3))
        assign(s, c["service"], group_id=g["b"], due=TODAY + dt.timedelta(days=30), at=NOW - dt.timedelta(days=2))
        assign(s, c["safety"], user_id=p["gleb"], removed=True)  # removed: no row
        e = enroll(s, p["anna"], c["service"], completed=NOW - dt.timedelta(days=1))
        attempt(s, e, "q1", 1, 50.0)
        attempt(s, e, "q1", 2, 90.0)
        attempt(s, e, "q2", 1, 80.0)
        certify(s, p["anna"], c["service"], "AAAA-OLD", cycle=1, expires=NOW + dt.timedelta(days=400))
        certify(s, p["anna"], c["service"], "AAAA-REVOKED", cycle=2, expires=NOW + dt.timedelta(days=500),
                revoked=True)
        certify(s, p["anna"], c["service"], "AAAA-CURRENT", cycle=3, expires=NOW + dt.timedelta(days=20))
        e = enroll(s, p["vera"], c["service"])
        attempt(s, e, "q1", 1, 40.0)
        attempt(s, e, "q1", 2, None)  # open attempt: no score
        enroll(s, p["boris"], c["service"], opened=False)  # enrolled without opening anything: not started
        s.commit()
    return world


def seed_rows(app, count: int, *, prefix: str = "bulk") -> None:
    """``count`` employees in one group with one course each (bulk inserts), in varied states."""
    with app.app_context():
        s = db_session()
        course_id = s.scalar(select(Course.id).where(Course.slug == f"{prefix}-course")) or \
            add_course(s, f"{prefix}-course", f"Курс {prefix}")
        version_id = s.scalar(select(Course.published_version_id).where(Course.id == course_id))
        group_id = add_group(s, f"{prefix}-group")
        manager_id = add_person(s, f"{prefix}-manager@example.com", f"{prefix} manager")
        s.execute(insert(User), [{"external_id": f"{prefix}{i}@example.com", "email": f"{prefix}{i}@example.com",
                                  "name": f"{prefix} {i:05d}", "roles": "learner", "department": f"D{i % 7}",
                                  "manager_id": manager_id, "is_active": True} for i in range(count)])
        users = [{"id": uid, "name": name} for uid, name in s.execute(
            select(User.id, User.name).where(User.email.like(f"{prefix}%@example.com"), User.id != manager_id)
            .order_by(User.name))]
        s.execute(insert(GroupMember), [{"group_id": group_id, "user_id": u["id"], "role": "member"} for u in users])
        s.execute(insert(Assignment), [{"course_id": course_id, "group_id": group_id,
                                        "due_date": TODAY + dt.timedelta(days=5), "created_at": NOW}])
        enrollments = [{"user_id": u["id"], "course_id": course_id, "version_id": version_id, "language": "ru",
                        "completed_at": NOW if i % 3 == 0 else None}
                       for i, u in enumerate(users) if i % 3 != 2]
        s.execute(insert(Enrollment), enrollments)
        ids = dict(s.execute(select(Enrollment.user_id, Enrollment.id).where(Enrollment.course_id == course_id)).all())
        s.execute(insert(QuizAttempt), [{"enrollment_id": ids[u["id"]], "user_id": u["id"], "activity_key": "q",
                                         "version_id": version_id, "number": 1, "seed": 1, "plan": {},
                                         "answers": {}, "status": "submitted", "percent": 75.0, "revision": 1}
                                        for u in users if u["id"] in ids])
        s.execute(insert(Certificate), [{"serial": f"{prefix}-{u['id']}", "user_id": u["id"], "course_id": course_id,
                                         "version_id": version_id, "cycle": 1, "issued_at": NOW,
                                         "expires_at": NOW + dt.timedelta(days=90), "holder_name": u["name"],
                                         "course_title": "x", "language": "ru", "revoke_reason": "",
                                         "title": "", "trainer_name": "", "record": {}}
                                        for i, u in enumerate(users) if i % 3 == 0])
        s.commit()
