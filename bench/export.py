"""Benchmark the completion report's CSV and XLSX exports at 10k and 100k rows.

Seeds N report rows (employees × assigned courses, with enrollments, quiz
attempts and certificates; bulk inserts) into a scratch database, downloads
each export through the Flask test client as HR (consuming the stream chunk
by chunk, as a browser would), and prints rows per second and the peak Python
memory of the request measured with tracemalloc (a separate run, since
tracing slows the code down). Memory must not grow with the row count.

    .venv/bin/python bench/export.py                                   # temporary SQLite file
    .venv/bin/python bench/export.py --rows 10000 100000 --database-url postgresql+psycopg://postgres@127.0.0.1/bench

The database is emptied of LMS rows first (use a scratch database).
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402

from bench.dashboard import prepare  # noqa: E402
from lms.models import (  # noqa: E402
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
from lms.services.users import sync_identity  # noqa: E402
from lms.site import SiteUserStore, create_app  # noqa: E402
from lms.site.models import db  # noqa: E402

COURSES = 4
GROUP_SIZE = 500
BATCH = 5000


def _bulk(session, model, rows) -> None:
    for start in range(0, len(rows), BATCH):
        session.execute(insert(model), rows[start:start + BATCH])


def seed(session, rows: int) -> None:
    """``rows`` report rows: rows / 4 employees in groups of 500, each group assigned 4 courses."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    today = now.date()
    course_ids, version_ids = [], []
    for index in range(COURSES):
        course = Course(slug=f"bench-{index}")
        session.add(course)
        session.flush()
        version = CourseVersion(course_id=course.id, number=1, content_hash=f"bench-{index}", manifest={
            "editions": {"ru": {"title": f"Курс номер {index + 1}", "summary": "", "modules": []}},
            "default_language": "ru", "completion": {}})
        session.add(version)
        session.flush()
        course.published_version_id = version.id
        course_ids.append(course.id)
        version_ids.append(version.id)
    manager = User(external_id="bench-manager", email="manager@example.com", name="Руководитель", roles="learner")
    session.add(manager)
    session.flush()
    people = rows // COURSES
    _bulk(session, User, [{"external_id": f"bench-{i}", "email": f"e{i}@example.com",
                           "name": f"Сотрудник {i:06d}" if i % 50 else f'=HYPERLINK("http://x","{i}")',
                           "roles": "learner", "department": f"Отдел {i % 12}", "manager_id": manager.id,
                           "employee_id": f"E{i:06d}", "is_active": True} for i in range(people)])
    user_ids = list(session.scalars(select(User.id).where(User.external_id.like("bench-%"),
                                                          User.id != manager.id).order_by(User.id)))
    groups = -(-people // GROUP_SIZE)
    _bulk(session, Group, [{"name": f"Магазин {g:04d}", "kind": "store"} for g in range(groups)])
    group_ids = list(session.scalars(select(Group.id).order_by(Group.id)))
    _bulk(session, GroupMember, [{"group_id": group_ids[i // GROUP_SIZE], "user_id": uid, "role": "member"}
                                 for i, uid in enumerate(user_ids)])
    _bulk(session, Assignment, [{"course_id": cid, "group_id": gid, "created_at": now - dt.timedelta(days=30),
                                 "due_date": today + dt.timedelta(days=(gid + cid) % 40 - 20)}
                                for gid in group_ids for cid in course_ids])
    enrollments = []
    for i, uid in enumerate(user_ids):
        for c, (cid, vid) in enumerate(zip(course_ids, version_ids, strict=True)):
            if (i + c) % 4 == 3:
                continue  # not started
            enrollments.append({"user_id": uid, "course_id": cid, "version_id": vid, "language": "ru",
                                "completed_at": now - dt.timedelta(days=(i % 20)) if (i + c) % 4 == 0 else None})
    _bulk(session, Enrollment, enrollments)
    keyed = session.execute(select(Enrollment.id, Enrollment.user_id, Enrollment.course_id, Enrollment.version_id,
                                   Enrollment.completed_at)).all()
    _bulk(session, ActivityProgress, [{"enrollment_id": e.id, "activity_key": "01/01", "version_id": e.version_id,
                                       "status": "completed"} for e in keyed])
    _bulk(session, QuizAttempt, [{"enrollment_id": e.id, "user_id": e.user_id, "activity_key": "01/quiz",
                                  "version_id": e.version_id, "number": n, "seed": 1, "plan": {}, "answers": {},
                                  "status": "submitted", "percent": float((e.id * 7 + n * 13) % 101),
                                  "revision": 1} for e in keyed for n in (1, 2)])
    _bulk(session, Certificate, [{"serial": f"B{e.id:010d}", "user_id": e.user_id, "course_id": e.course_id,
                                  "version_id": e.version_id, "cycle": 1, "issued_at": e.completed_at,
                                  "expires_at": e.completed_at + dt.timedelta(days=365), "holder_name": "x",
                                  "course_title": "x", "language": "ru", "revoke_reason": "", "title": "",
                                  "trainer_name": "", "record": {}} for e in keyed if e.completed_at])


def download(client, url: str) -> tuple[int, int]:
    """Consume a streamed download chunk by chunk; return (bytes, data rows)."""
    response = client.get(url, buffered=False)
    assert response.status_code == 200, response.status_code
    size = lines = 0
    for chunk in response.response:
        size += len(chunk)
        lines += chunk.count(b"\n")
    response.close()
    return size, lines


def measure(client, url: str, rows: int) -> dict[str, float]:
    started = time.perf_counter()
    size, _lines = download(client, url)
    seconds = time.perf_counter() - started
    tracemalloc.start()
    download(client, url)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"seconds": seconds, "rate": rows / seconds, "peak": peak / 2**20, "size": size / 2**20}


def seeded_apps(description: str, extra: dict | None = None):
    """Parse ``--database-url`` and ``--rows``; for each row count, yield ``(rows, app, client,
    seconds spent seeding, dialect)``: a scratch database seeded with that many report rows and a
    test client signed in as HR. The app is torn down when the caller asks for the next one."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--database-url", help="SQLAlchemy URL of a scratch database (default: a temporary SQLite file)")
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix="lms-bench-")
    url = args.database_url or f"sqlite:///{scratch}/bench.sqlite"
    os.environ.setdefault("LMS_INSTANCE_PATH", scratch)
    print(f"database: {url.split(':', 1)[0]} ({'temporary file' if not args.database_url else 'given URL'})")
    for rows in args.rows:
        prepare(url)
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                          "WTF_CSRF_ENABLED": False, "LMS_LOGIN_RATE_LIMIT": "1000 per minute",
                          "LMS_DEFAULT_LOCALE": "ru", **(extra or {})})
        started = time.perf_counter()
        with app.app_context():
            sync_identity(db.session, SiteUserStore().create("hr@example.com", "HR", ("hr",), "bench-password"))
            seed(db.session, rows)
            db.session.commit()
        seeded = time.perf_counter() - started
        client = app.test_client()
        assert client.post("/login", data={"email": "hr@example.com", "password": "bench-password"}).status_code == 302
        yield rows, client, seeded
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def main() -> None:
    results = []
    for rows, client, seeded in seeded_apps(__doc__.split("\n\n")[0]):
        for name, path in (("CSV", "/training/reports/completions.csv?delimiter=semicolon"),
                           ("XLSX", "/training/reports/completions.xlsx")):
            results.append((rows, name, measure(client, path, rows), seeded))
    print(f"{'rows':>8}  {'format':<6} {'seconds':>8} {'rows/s':>9} {'peak MiB':>9} {'file MiB':>9}  seeded in")
    for rows, name, m, seeded in results:
        print(f"{rows:>8}  {name:<6} {m['seconds']:>8.2f} {m['rate']:>9.0f} {m['peak']:>9.1f} {m['size']:>9.1f}"
              f"  {seeded:.1f} s")

if __name__ == "__main__":
    main()
