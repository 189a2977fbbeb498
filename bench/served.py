"""The LMS as ``bench/load.py`` serves it: ``BENCH_APP`` (default ``wsgi:app``) with SQL statements
counted when ``BENCH_SQL_DIR`` is set (``bench/sqlcount.py``). The app itself is unchanged."""
from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import sqlcount  # noqa: E402

sqlcount.install()
_module, _, _name = os.environ.get("BENCH_APP", "wsgi:app").partition(":")
app = getattr(importlib.import_module(_module), _name or "app")
