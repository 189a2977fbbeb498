"""Benchmark notifications: plan and send N e-mails to a local SMTP server; messages per second and memory.

A course is assigned to a group of N people (one assignment row, as a trainer's click makes);
the planner turns it into N notifications and the sender e-mails them through a real SMTP server
(aiosmtpd, in its own process, discarding what it receives). Printed per N: the seconds and
notifications per second of planning (queueing) and of sending, and the peak Python memory of
each phase (tracemalloc, measured in a second, separate run so the timing is not slowed down).
Memory must stay flat as N grows: the sender holds one batch at a time.

    .venv/bin/python bench/notify.py                                   # N = 2,000 and 10,000, temporary SQLite
    .venv/bin/python bench/notify.py --people 10000 --database-url postgresql+psycopg://postgres@127.0.0.1/bench

The database is emptied of LMS rows first (use a scratch database).
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402

from bench.dashboard import prepare  # noqa: E402
from lms.models import Assignment, Course, Group, GroupMember, User  # noqa: E402
from lms.notify import outbox, planner  # noqa: E402
from lms.site import create_app  # noqa: E402
from lms.state import db_session  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def smtp_server(port: int) -> subprocess.Popen:
    server = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
                               "-c", "aiosmtpd.handlers.Sink"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.05)
    server.kill()
    sys.exit("the SMTP server did not start")


def seed(app, people: int) -> None:
    with app.app_context():
        session = db_session()
        result = app.test_cli_runner().invoke(args=["lms", "courses", "import", str(ROOT / "courses")])
        if result.exit_code != 0:
            sys.exit(result.output)
        course = session.scalar(select(Course).order_by(Course.id))
        session.execute(insert(User), [dict(external_id=f"bench:{n}", email=f"person{n}@example.com",
                                            name=f"Person {n}", roles="learner", locale=("ru", "en", "ar")[n % 3])
                                       for n in range(people)])
        group = Group(name="Everyone", kind="team")
        session.add(group)
        session.flush()
        ids = session.scalars(select(User.id).where(User.external_id.startswith("bench:"))).all()
        session.execute(insert(GroupMember), [dict(group_id=group.id, user_id=i, role="member") for i in ids])
        session.add(Assignment(course_id=course.id, group_id=group.id, due_date=dt.date.today() + dt.timedelta(30)))
        session.commit()


def run(url: str, people: int, port: int, trace: bool) -> dict[str, float]:
    prepare(url)
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                      "LMS_SMTP_URL": f"smtp://127.0.0.1:{port}", "LMS_MAIL_FROM": "lms@example.com",
                      "LMS_PUBLIC_URL": "https://lms.example.com", "LMS_QUIET_HOURS": ""})
    seed(app, people)
    result: dict[str, float] = {}
    with app.app_context():
        session, config = db_session(), outbox.settings()
        now = dt.datetime.now(dt.UTC)
        for phase in ("plan", "send"):
            if trace:
                tracemalloc.start()
            started = time.perf_counter()
            if phase == "plan":
                count = sum(planner.plan(session, config, now).values())
                session.commit()
            else:
                count = outbox.send_due(session, config, now).sent
            result[f"{phase}_seconds"] = time.perf_counter() - started
            result[f"{phase}_count"] = count
            if trace:
                result[f"{phase}_peak"] = tracemalloc.get_traced_memory()[1] / 2**20
                tracemalloc.stop()
        session.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="SQLAlchemy URL of a scratch database (default: a temporary SQLite file)")
    parser.add_argument("--people", type=int, nargs="+", default=[2_000, 10_000])
    args = parser.parse_args()
    scratch = tempfile.mkdtemp(prefix="lms-bench-")
    url = args.database_url or f"sqlite:///{scratch}/bench.sqlite"
    os.environ.setdefault("LMS_INSTANCE_PATH", scratch)
    port = free_port()
    server = smtp_server(port)
    try:
        print(f"database: {url.split(':', 1)[0]}; SMTP: aiosmtpd on 127.0.0.1:{port} (discards)")
        print(f"{'people':>7} {'plan s':>7} {'plan/s':>8} {'send s':>7} {'sent/s':>7} {'plan MiB':>9} {'send MiB':>9}")
        for people in args.people:
            timed = run(url, people, port, trace=False)
            traced = run(url, people, port, trace=True)
            assert timed["send_count"] == people, timed
            print(f"{people:>7} {timed['plan_seconds']:>7.2f} {people / timed['plan_seconds']:>8.0f} "
                  f"{timed['send_seconds']:>7.2f} {people / timed['send_seconds']:>7.0f} "
                  f"{traced['plan_peak']:>9.1f} {traced['send_peak']:>9.1f}")
    finally:
        server.terminate()


if __name__ == "__main__":
    main()
