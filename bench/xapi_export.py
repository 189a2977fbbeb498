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

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.export import measure, seeded_apps  # noqa: E402


def main() -> None:
    results = []
    for rows, client, _seeded in seeded_apps(__doc__.split("\n\n")[0], {"LMS_PUBLIC_URL": "https://lms.example.com"}):
        results.append((rows, measure(client, "/training/people/xapi.jsonl", rows)))
    print(f"{'rows':>8}  {'seconds':>8} {'peak MiB':>9} {'file MiB':>9}")
    for rows, m in results:
        print(f"{rows:>8}  {m['seconds']:>8.2f} {m['peak']:>9.1f} {m['size']:>9.1f}")

if __name__ == "__main__":
    main()
