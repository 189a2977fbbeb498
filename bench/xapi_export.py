"""Benchmark the xAPI download (``/training/people/xapi.jsonl``): time and peak Python memory.

Seeds the same data set as ``bench/export.py`` (``rows`` report rows; a quarter of them hold a
certificate, each an xAPI statement), downloads the statements through the Flask test client as HR,
consuming the stream chunk by chunk, and prints the peak memory of the request measured with
tracemalloc (a separate run). Memory must not grow with the number of statements.

    .venv/bin/python bench/xapi_export.py                                  # temporary SQLite file
    .venv/bin/python bench/xapi_export.py --rows 10000 100000 --database-url postgresql+psycopg://postgres@127.0.0.1/bench

The database is emptied of LMS rows first (use a scratch database).
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

from bench.dashboard import prepare  # noqa: E402
from bench.export import measure, seed  # noqa: E402
from lms.services.users import sync_identity  # noqa: E402
from lms.site import SiteUserStore, create_app  # noqa: E402
from lms.site.models import db  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="SQLAlchemy URL of a scratch database (default: a temporary SQLite file)")
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix="lms-bench-")
    url = args.database_url or f"sqlite:///{scratch}/bench.sqlite"
    os.environ.setdefault("LMS_INSTANCE_PATH", scratch)
    results = []
    for rows in args.rows:
        prepare(url)
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                          "WTF_CSRF_ENABLED": False, "LMS_LOGIN_RATE_LIMIT": "1000 per minute",
                          "LMS_DEFAULT_LOCALE": "ru", "LMS_PUBLIC_URL": "https://lms.example.com"})
        with app.app_context():
            sync_identity(db.session, SiteUserStore().create("hr@example.com", "HR", ("hr",), "bench-password"))
            seed(db.session, rows)
            db.session.commit()
            dialect = db.engine.dialect.name
        client = app.test_client()
        assert client.post("/login", data={"email": "hr@example.com", "password": "bench-password"}).status_code == 302
        started = time.perf_counter()
        measured = measure(client, "/training/people/xapi.jsonl", rows)
        results.append((rows, measured, time.perf_counter() - started))
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    print(f"database: {dialect} ({'temporary file' if not args.database_url else 'given URL'})")
    print(f"{'rows':>8}  {'seconds':>8} {'peak MiB':>9} {'file MiB':>9}")
    for rows, m, _total in results:
        print(f"{rows:>8}  {m['seconds']:>8.2f} {m['peak']:>9.1f} {m['size']:>9.1f}")


if __name__ == "__main__":
    main()
