"""The production set-up: gunicorn with several workers sharing rate limits through Redis."""
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from support import free_port, redis_available

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_gunicorn_workers_share_the_login_rate_limit_through_redis(database, tmp_path):
    if not redis_available():
        pytest.skip("no Redis on 127.0.0.1:6379")
    port = free_port()
    prefix = f"lms-test-{os.getpid()}-{port}"
    env = {
        **os.environ, "DATABASE_URL": database, "SECRET_KEY": "gunicorn-test", "LMS_INSTANCE_PATH": str(tmp_path),
        "LMS_REDIS_URL": "redis://127.0.0.1:6379/0", "LMS_LOGIN_RATE_LIMIT": "3 per minute",
        "LMS_RATELIMIT_KEY_PREFIX": prefix, "WORKERS": "3", "BIND": f"127.0.0.1:{port}", "ACCESS_LOG": "",
    }
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60  # with preload_app the port opens once the app is built
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(base + "/login", timeout=2)
                break
            except OSError:
                time.sleep(0.1)
        codes = []
        for _ in range(5):  # each attempt on a fresh connection: the workers take turns
            jar = CookieJar()
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
            page = opener.open(base + "/login", timeout=5).read().decode()
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
            body = urllib.parse.urlencode({"email": "x@example.com", "password": "wrong-password",
                                           "csrf_token": token}).encode()
            try:
                codes.append(opener.open(base + "/login", data=body, timeout=5).status)
            except urllib.error.HTTPError as error:
                codes.append(error.code)
        assert codes[:3] == [401, 401, 401] and codes[3:] == [429, 429], codes
        import redis

        assert redis.Redis.from_url("redis://127.0.0.1:6379/0").keys(f"*{prefix}*"), "the counter lives in Redis"
        static = urllib.request.urlopen(base + "/training/static/lms/lms.css?v=1", timeout=5)
        assert "immutable" in static.headers["Cache-Control"]
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0].decode(errors="replace")
        print(output[-3000:])


def test_the_site_on_sqlite_lets_readers_go_on_while_a_request_writes(tmp_path, monkeypatch):
    """Several gunicorn workers share one SQLite file: WAL, and writers wait for the lock."""
    from sqlalchemy import text

    from lms.site import create_app
    from lms.site.models import db

    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path))
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'site.sqlite'}"})
    with app.app_context():
        with db.engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 30_000
        db.engine.dispose()
