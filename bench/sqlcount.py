"""Counting SQL statements in the benchmark's servers (never in production).

``bench/served.py`` and ``bench/anchor.py`` call :func:`install` when ``BENCH_SQL_DIR`` is
set (``bench/load.py`` sets it): a ``before_cursor_execute`` listener on every engine adds
one to a per-process counter, and a daemon thread of each gunicorn worker writes the count
to ``$BENCH_SQL_DIR/<name>-<pid>`` every half second. :func:`total` sums the files, so a
worker recycled by ``max_requests`` keeps what it counted (all but its last half second).
The listener costs about a microsecond per statement; ``bench/load.py`` reads CPU time
from the kernel, not from here.
"""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine

_count = 0
_writer_pid = 0


def _write_forever(path: Path) -> None:
    last = -1
    while True:
        if _count != last:
            last = _count
            temporary = path.with_suffix(".tmp")
            temporary.write_text(str(last))
            temporary.replace(path)
        time.sleep(0.5)


def _counted(*_args) -> None:
    global _count, _writer_pid
    _count += 1  # under the GIL a lost increment between two threads is possible and negligible
    if _writer_pid != os.getpid():  # first statement in this process (a worker forked from a preloaded master)
        _writer_pid = os.getpid()
        path = Path(os.environ["BENCH_SQL_DIR"]) / f"{os.environ.get('BENCH_SQL_NAME', 'app')}-{_writer_pid}"
        threading.Thread(target=_write_forever, args=(path,), daemon=True).start()


def install() -> None:
    """Count every statement of every engine in this process, if ``BENCH_SQL_DIR`` is set."""
    if os.environ.get("BENCH_SQL_DIR") and not event.contains(Engine, "before_cursor_execute", _counted):
        Path(os.environ["BENCH_SQL_DIR"]).mkdir(parents=True, exist_ok=True)
        event.listen(Engine, "before_cursor_execute", _counted)


def total(directory: Path, name: str) -> int:
    """Statements counted so far by every process of the server ``name``."""
    count = 0
    for path in directory.glob(f"{name}-*"):
        if path.suffix == ".tmp":
            continue
        try:
            count += int(path.read_text() or 0)
        except (OSError, ValueError):
            pass
    return count
