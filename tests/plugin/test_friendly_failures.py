"""A database the site cannot use is one clear line and exit 1, not a traceback; `make demo`
stops before it resets the demo passwords when its port is taken."""
from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest
from flask import Flask
from sqlalchemy.exc import OperationalError

from lms import LMS

from support import ROOT, SAMPLE_COURSES

BAD_URLS = {
    "unknown driver": ("foo://x", "unknown database 'foo'"),
    "refused connection": ("postgresql+psycopg://postgres@127.0.0.1:1/x", "127.0.0.1:1"),
    "missing database": ("postgresql+psycopg://postgres@127.0.0.1:5432/no_such_db_xyz", "no_such_db_xyz"),
    "unreadable SQLite path": ("sqlite:////nonexistent/dir/x.sqlite", "/nonexistent/dir/x.sqlite"),
    "not a URL": ("not a database url", "not a database URL"),
}


def flask(tmp_path, database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url, "LMS_INSTANCE_PATH": str(tmp_path / "instance"),
           "SECRET_KEY": "x"}
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("case", BAD_URLS)
def test_a_bad_database_url_is_one_line_and_exit_1(tmp_path, case):
    url, mentioned = BAD_URLS[case]
    result = flask(tmp_path, url, "lms", "init")
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and mentioned in lines[0], result.stderr
    assert "Traceback" not in result.stderr + result.stdout


@pytest.mark.parametrize("args", [("lms", "courses", "import", str(SAMPLE_COURSES)), ("lms", "demo"),
                                  ("run", "--port", "0")])
def test_other_commands_fail_the_same_way(tmp_path, args):
    url, mentioned = BAD_URLS["unreadable SQLite path"] if args[0] == "lms" else BAD_URLS["unknown driver"]
    result = flask(tmp_path, url, *args)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 1 and len(lines) == 1 and mentioned in lines[0], result.stderr


def test_a_password_in_the_url_is_not_printed(tmp_path):
    result = flask(tmp_path, "postgresql+psycopg://lms:s3cret-pass@127.0.0.1:1/x", "lms", "init")
    assert result.returncode == 1 and "s3cret-pass" not in result.stderr and "lms:***@" in result.stderr


def test_a_command_error_with_a_working_database_is_not_called_a_connection_problem(tmp_path):
    """A database that opens but was never initialised: the command's own error stays as it is."""
    app = Flask("fresh", root_path=str(tmp_path))
    app.config.update(SECRET_KEY="x", LMS_DATABASE_URI=f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    LMS(app)
    result = app.test_cli_runner().invoke(args=["lms", "courses", "import", str(SAMPLE_COURSES)])
    assert isinstance(result.exception, OperationalError) and "cannot open the database" not in result.output


def check_port(host: str, port: int) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "check_port.py"), host, str(port)],
                          capture_output=True, text=True, timeout=30)


def test_the_port_check_stops_on_a_port_in_use():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        taken = check_port("127.0.0.1", port)
    assert taken.returncode == 1
    assert taken.stderr.strip().splitlines() == [taken.stderr.strip()] and f"port {port}" in taken.stderr
    assert check_port("127.0.0.1", port).returncode == 0  # free again once the server is gone


def test_make_demo_checks_the_port_before_it_resets_passwords():
    lines = (ROOT / "Makefile").read_text().split("\ndemo:", 1)[1].split("\n\n", 1)[0].splitlines()
    commands = [line.strip().lstrip("@") for line in lines if line.startswith("\t")]
    check = next(i for i, command in enumerate(commands) if "scripts/check_port.py $(HOST) $(PORT)" in command)
    demo = next(i for i, command in enumerate(commands) if command.endswith("lms demo"))
    assert check < demo and check == 0
