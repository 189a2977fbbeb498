"""CPU a new gunicorn worker spends from its fork to its first answer, with and without preloading.

    .venv/bin/python bench/startup.py --database-url postgresql://postgres@127.0.0.1:5432/bench
    .venv/bin/python bench/startup.py                      # a temporary SQLite file

Starts the site (``wsgi:app``) under the project's ``gunicorn.conf.py`` with one worker,
once with ``PRELOAD_APP=0`` and once with ``PRELOAD_APP=1``. Each round stops the worker
(SIGTERM, as a recycle after ``max_requests`` does), waits for the master to fork its
replacement, asks for ``--path`` (the login page) and reads the new worker's user + system
CPU time from /proc the moment the answer is in: the cost of a recycle, paid by whichever
requests the worker takes while it starts. Prints the median and the range of ``--rounds``.
"""
from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.load import CLOCK_TICKS, _proc_stat, call, free_port  # noqa: E402
from lms.site import create_app, database_url  # noqa: E402


def workers(master: int) -> list[int]:
    return [int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split()]


def measure(url: str, preload: bool, rounds: int, path: str, directory: Path) -> list[tuple[float, float]]:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "startup-bench", "WORKERS": "1", "ACCESS_LOG": "",
           "BIND": f"127.0.0.1:{port}", "LMS_INSTANCE_PATH": str(directory / "instance"),
           "PRELOAD_APP": "1" if preload else "0"}
    with open(directory / f"gunicorn-preload-{int(preload)}.log", "ab") as log:
        master = subprocess.Popen([str(Path(sys.executable).with_name("gunicorn")), "-c", "gunicorn.conf.py",
                                   "wsgi:app"], cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if call(port, "GET", path)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or master.poll() is not None:
                raise RuntimeError(f"gunicorn did not start; see {log.name}")
            time.sleep(0.2)
        figures = []
        for _ in range(rounds):
            old = workers(master.pid)[0]
            os.kill(old, signal.SIGTERM)
            while True:
                fresh = [pid for pid in workers(master.pid) if pid != old]
                if fresh:
                    break
                time.sleep(0.001)
            forked = time.perf_counter()
            status = call(port, "GET", path)[0]
            answered = time.perf_counter()
            cpu = sum(_proc_stat(fresh[0])[11:13]) / CLOCK_TICKS
            if status != 200:
                raise RuntimeError(f"{path} answered {status}")
            figures.append((cpu, answered - forked))
            time.sleep(0.5)
        return figures
    finally:
        master.terminate()
        master.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="the site's database (default: a temporary SQLite file)")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--path", default="/login", help="the first request (default: %(default)s)")
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="lms-startup-"))
    url = database_url(args.database_url or f"sqlite:///{directory / 'lms.sqlite'}")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "startup-bench"})
    result = app.test_cli_runner().invoke(args=["lms", "init"])
    if result.exit_code != 0:
        sys.exit(f"flask lms init failed: {result.output}")
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; logs in {directory}")
    for preload in (False, True):
        figures = measure(url, preload, args.rounds, args.path, directory)
        cpu = [c * 1000 for c, _ in figures]
        wall = [w * 1000 for _, w in figures]
        print(f"preload_app={preload!s:<5}  CPU from fork to the first answer: median {statistics.median(cpu):6.0f} ms "
              f"(min {min(cpu):.0f}, max {max(cpu):.0f});  wall: median {statistics.median(wall):6.0f} ms "
              f"(min {min(wall):.0f}, max {max(wall):.0f})  [{len(figures)} recycles]", flush=True)


if __name__ == "__main__":
    main()
