"""EXPLAIN the slowest statements of the heaviest pages on a seeded database.

Signs in as the accounts ``bench/seed.py`` creates, requests each page once to
warm it, then again with a listener that times every statement, and replays the
two slowest with ``EXPLAIN (ANALYZE, BUFFERS)`` (PostgreSQL) or ``EXPLAIN QUERY
PLAN`` (SQLite). The figures in docs/performance.md come from it.

    .venv/bin/python bench/explain.py --database-url postgresql://postgres@127.0.0.1:5432/bench
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from bench.load import csrf_of  # noqa: E402
from lms.site import create_app  # noqa: E402
from lms.site.models import db  # noqa: E402

PAGES = [
    ("regional1@example.com", "/training/trainer/groups/{region}", "dashboard, a region of 5,000"),
    ("hr@example.com", "/training/reports/completions", "completion report, page 1"),
    ("hr@example.com", "/training/reports/compliance", "compliance matrix"),
    ("learner00001@example.com",
     "/training/courses/service-excellence/01-formula/01-reality-minus-expectations", "lesson"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="a database seeded by bench/seed.py")
    parser.add_argument("--password", default="bench-password")
    args = parser.parse_args()
    url = args.database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    os.environ.setdefault("LMS_INSTANCE_PATH", tempfile.mkdtemp(prefix="lms-explain-"))
    app = create_app({"SECRET_KEY": "explain", "SQLALCHEMY_DATABASE_URI": url,
                      "LMS_LOGIN_RATE_LIMIT": "1000 per minute"})
    with app.app_context():
        engine = db.engine
        from sqlalchemy import func, select

        from lms.models import GroupMember
        # the largest group: a region of 5,000 learners, its regional trainer signs in
        region = db.session.scalar(select(GroupMember.group_id).group_by(GroupMember.group_id)
                                   .order_by(func.count().desc(), GroupMember.group_id).limit(1))
    postgres = engine.dialect.name == "postgresql"
    for email, path, name in PAGES:
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        response = client.post("/login", data={"email": email, "password": args.password,
                                               "csrf_token": csrf_of(page)})
        if response.status_code != 302:
            sys.exit(f"{email} could not sign in: is the database seeded by bench/seed.py?")
        url_path = path.format(region=region)
        client.get(url_path)
        timed: list[tuple[float, str, object]] = []

        def before(conn, cursor, statement, parameters, context, executemany):
            context._lms_started = time.perf_counter()

        def after(conn, cursor, statement, parameters, context, executemany, timed=timed):
            timed.append((time.perf_counter() - context._lms_started, statement, parameters))

        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "after_cursor_execute", after)
        started = time.perf_counter()
        status = client.get(url_path).status_code
        total = time.perf_counter() - started
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
        timed.sort(key=lambda item: -item[0])
        print(f"== {name}: {url_path} -> {status}, {total * 1000:.0f} ms, {len(timed)} statements, "
              f"SQL {sum(t for t, _, _ in timed) * 1000:.0f} ms")
        for seconds, statement, parameters in timed[:2]:
            print(f"-- {seconds * 1000:.1f} ms: {' '.join(statement.split())[:200]}")
            explain = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
            with engine.connect() as connection:
                plan = connection.exec_driver_sql(explain + statement, parameters).fetchall()
            print("\n".join(" | ".join(str(c) for c in row) if not postgres else row[0] for row in plan))
        print()


if __name__ == "__main__":
    main()
