"""A real learning record store for the tests: Ralph (the PyPI package ``ralph-malph``).

Ralph runs in a subprocess on a free local port with its file-system backend (statements in a
JSON-lines file of a temporary folder) and HTTP basic authentication from a credentials file in
the format ``ralph auth`` writes. It is served the way ``ralph runserver`` serves it
(``uvicorn ralph.api:app``, configured by ``RALPH_*`` environment variables), without Ralph's
``cli`` extra, whose pin of ``click<8.2.1`` would hold back Flask's click.

Ralph's file-system backend as released stores only the first request's statements (it creates its
file and refuses to write to it again); :mod:`support.ralph_fs_app` makes it append, as its own
``append`` operation does. It can be stopped and started again on the same port with the same data,
which is how the tests take an LRS down and bring it back.
"""
from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import bcrypt

from support import free_port

USERNAME = "lms"
PASSWORD = "ralph-test-password"
#: what Ralph answers per query at most (its default is 100); the tests read every statement at once
MAX_HITS = 100_000
STATEMENTS_FILE = "fs_lrs.jsonl"




class Ralph:
    """One Ralph LRS: ``start()``, ``stop()``, ``clear()`` and ``statements()``; ``endpoint`` and
    ``auth`` are what ``LMS_XAPI_ENDPOINT`` and ``LMS_XAPI_AUTH`` take."""

    def __init__(self, root: Path, port: int | None = None) -> None:
        self.root = root
        self.data = root / "data"
        self.data.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.log = root / "ralph.log"
        self.process: subprocess.Popen | None = None
        self.auth_file = root / "auth.json"
        self.auth_file.write_text(json.dumps([{
            "username": USERNAME,
            "hash": bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(4)).decode("ascii"),
            "scopes": ["all"],
            "agent": {"objectType": "Agent", "name": "LMS tests", "mbox": "mailto:lms-tests@example.com"},
        }], indent=2), encoding="utf-8")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def endpoint(self) -> str:
        return f"{self.base}/xAPI"

    @property
    def auth(self) -> str:
        return f"{USERNAME}:{PASSWORD}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, timeout: float = 60.0) -> None:
        """Start Ralph (if it is not running) and wait until it answers."""
        if self.running:
            return
        env = {**os.environ,
               "RALPH_RUNSERVER_BACKEND": "fs",
               "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(self.data),
               "RALPH_BACKENDS__LRS__FS__DEFAULT_LRS_FILE": STATEMENTS_FILE,
               "RALPH_AUTH_FILE": str(self.auth_file),
               "RALPH_APP_DIR": str(self.root / "app"),
               "RALPH_RUNSERVER_MAX_SEARCH_HITS_COUNT": str(MAX_HITS),
               "RALPH_SENTRY_DSN": ""}
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "ralph_fs_app:app", "--app-dir", str(Path(__file__).parent),
                 "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning"],
                cwd=self.root, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Ralph exited with {self.process.returncode}:\n{self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.base}/__heartbeat__", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"Ralph did not answer within {timeout} s:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        """Stop Ralph; its statements stay in the data folder for the next ``start()``."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        self.process = None

    def clear(self) -> None:
        """Forget every stored statement (Ralph reads its file on each query)."""
        for path in self.data.glob("*"):
            path.unlink()

    def request(self, path: str) -> Any:
        request = urllib.request.Request(self.base + path, headers={
            "X-Experience-API-Version": "1.0.3",
            "Authorization": "Basic " + base64.b64encode(self.auth.encode()).decode()})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)

    def statements(self) -> list[dict[str, Any]]:
        """Every statement Ralph stored, through its xAPI ``GET /xAPI/statements`` (following ``more``)."""
        found: list[dict[str, Any]] = []
        path = f"/xAPI/statements?limit={MAX_HITS}"
        while path:
            page = self.request(path)
            found.extend(page["statements"])
            path = page.get("more") or ""
        return found
