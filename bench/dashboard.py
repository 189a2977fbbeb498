"""Benchmark the trainer's group dashboard on a large group.

Seeds a group of learners (5,000 by default) with realistic progress through
the five-module built-in course, then renders the dashboard several times
through the Flask test client and prints the median server time and the
number of SQL statements per render.

    .venv/bin/python bench/dashboard.py                       # temporary SQLite file
    .venv/bin/python bench/dashboard.py --database-url postgresql+psycopg://postgres@127.0.0.1/bench

The database is emptied of LMS rows first (use a scratch database).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, event, text  # noqa: E402

from bench.seed import empty_tables, seed_group  # noqa: E402
from lms import migrate  # noqa: E402
from lms.services.users import sync_identity  # noqa: E402
from lms.site import SITE_MIGRATIONS, SiteUserStore, create_app  # noqa: E402
from lms.site.models import SiteBase, db  # noqa: E402


def prepare(url: str) -> None:
    engine = create_engine(url)
    migrate.upgrade(engine)
    migrate.upgrade(engine, SITE_MIGRATIONS, "site_alembic_version", SiteBase.metadata)
    empty_tables(engine)
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="SQLAlchemy URL of a scratch database (default: a temporary SQLite file)")
    parser.add_argument("--learners", type=int, default=5000)
    parser.add_argument("--course", default=str(ROOT / "courses"), help="folder of courses to import")
    parser.add_argument("--slug", default="service-excellence")
    parser.add_argument("--renders", type=int, default=7)
    args = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix="lms-bench-")
    url = args.database_url or f"sqlite:///{scratch}/bench.sqlite"
    os.environ.setdefault("LMS_INSTANCE_PATH", scratch)
    prepare(url)
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                      "WTF_CSRF_ENABLED": False, "LMS_LOGIN_RATE_LIMIT": "1000 per minute"})
    result = app.test_cli_runner().invoke(args=["lms", "courses", "import", args.course])
    if result.exit_code != 0:
        sys.exit(result.output)

    started = time.perf_counter()
    with app.app_context():
        trainer = sync_identity(db.session, SiteUserStore().create("trainer@example.com", "Trainer", ("trainer",),
                                                                    "bench-password"))
        group = seed_group(db.session, args.slug, args.learners, trainer_id=trainer.id)
        db.session.commit()
        group_id = group.id
        # as autovacuum would after a bulk load: the planner needs the tables' statistics
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    seeded = time.perf_counter() - started

    client = app.test_client()
    response = client.post("/login", data={"email": "trainer@example.com", "password": "bench-password"})
    assert response.status_code == 302, response.status_code
    url_path = f"/training/trainer/groups/{group_id}"

    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    timings, cpu, counts = [], [], []
    for _ in range(args.renders + 1):  # the first render warms caches and the connection pool
        statements.clear()
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(url_path)
        timings.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        counts.append(len(statements))
        assert response.status_code == 200, response.status_code
    timings, cpu, counts = timings[1:], cpu[1:], counts[1:]
    dialect = engine.dialect.name
    print(f"database      {dialect} ({'temporary file' if not args.database_url else 'given URL'})")
    print(f"learners      {args.learners} on '{args.slug}' (seeded in {seeded:.1f} s)")
    print(f"page size     {len(response.data) // 1024} KiB")
    print(f"server time   median {statistics.median(timings) * 1000:.0f} ms "
          f"(min {min(timings) * 1000:.0f}, max {max(timings) * 1000:.0f}, {args.renders} renders)")
    print(f"process CPU   median {statistics.median(cpu) * 1000:.0f} ms "
          f"(this process only: {'includes' if dialect == 'sqlite' else 'excludes'} the database's work)")
    print(f"queries       {counts[0]} per render")
    try:
        print(f"load average  {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    except OSError:
        pass


if __name__ == "__main__":
    main()
