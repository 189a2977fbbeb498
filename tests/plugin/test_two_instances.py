"""Two app servers behind one address (issue 21): nothing a person does depends on one process.

Two gunicorn instances of the site, as ``gunicorn.conf.py`` configures them (the app
preloaded), on two ports, with one database (the suite's) and one Redis: a person signs in
on one and goes on on the other with the same session cookie (the same ``SECRET_KEY``), a
quiz attempt started on one is saved on the other and submitted on the first, and the
login rate limit counts the attempts made on both. ``docs/deployment.md`` describes the
set-up behind a reverse proxy.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from lms.models import QuizAttempt

from support import csrf_from, free_port, redis_available
from support.quiz import URL as QUIZ
from support.quiz import answers_for, save, start, submit

ROOT = Path(__file__).resolve().parents[2]
REDIS = "redis://127.0.0.1:6379/0"


class Reply:
    def __init__(self, status: int, headers, body: bytes):
        self.status_code, self.headers, self.body = status, headers, body

    def get_data(self, as_text: bool = False):
        return self.body.decode("utf-8") if as_text else self.body


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One browser's cookies, sent to whichever instance it asks (the instances share 127.0.0.1,
    as two servers behind a proxy share its address), with the test client's get/post."""

    def __init__(self, jar: CookieJar, port: int):
        self.base = f"http://127.0.0.1:{port}"
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirects)

    def _open(self, request: urllib.request.Request) -> Reply:
        try:
            with self.opener.open(request, timeout=20) as response:
                return Reply(response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.headers, error.read())

    def get(self, path: str) -> Reply:
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path: str, data: dict) -> Reply:
        return self._open(urllib.request.Request(self.base + path, data=urllib.parse.urlencode(data, doseq=True)
                                                 .encode()))


class Instance:
    def __init__(self, database: str, instance: Path, extra: dict[str, str]):
        self.port = free_port()
        env = {**os.environ, "DATABASE_URL": database, "LMS_INSTANCE_PATH": str(instance), "WORKERS": "1",
               "THREADS": "2", "BIND": f"127.0.0.1:{self.port}", "ACCESS_LOG": "", **extra}
        self.process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
                                        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def wait(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.output()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/login", timeout=2):
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("the instance did not answer within 30 s:\n" + self.output())

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.terminate()
        return self.output()

    def output(self) -> str:
        try:
            return self.process.communicate(timeout=20)[0].decode(errors="replace")[-3000:]
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.communicate()[0].decode(errors="replace")[-3000:]


def test_two_instances_share_sessions_quiz_attempts_and_rate_limits(app, auth, sample_course, database, tmp_path):
    if not redis_available():
        if os.environ.get("LMS_REQUIRE_REDIS"):
            pytest.fail("LMS_REQUIRE_REDIS is set but no Redis answers on 127.0.0.1:6379")
        pytest.skip("no Redis on 127.0.0.1:6379")
    auth.create("learner@example.com", "Лена Учащаяся")
    prefix = f"lms-two-{uuid.uuid4().hex[:12]}"
    shared = {"SECRET_KEY": "two-instances-secret", "LMS_REDIS_URL": REDIS, "LMS_RATELIMIT_KEY_PREFIX": prefix,
              "LMS_LOGIN_RATE_LIMIT": "4 per minute", "LMS_DEFAULT_LOCALE": "ru"}
    # each instance has an instance folder of its own: nothing the test does may need the other's
    first, second = (Instance(database, tmp_path / name, shared) for name in ("one", "two"))
    try:
        first.wait()
        second.wait()
        jar = CookieJar()
        one, two = Browser(jar, first.port), Browser(jar, second.port)

        # signed in on one, and the same cookie is a session on the other
        page = one.get("/login")
        signed = one.post("/login", {"email": "learner@example.com", "password": "password123",
                                     "csrf_token": csrf_from(page.get_data(as_text=True))})
        assert signed.status_code == 302, signed.get_data(as_text=True)[:500]
        home = two.get("/training/")
        assert home.status_code == 200 and "Лена Учащаяся" in home.get_data(as_text=True)

        # a quiz attempt started on one, saved on the other, submitted on the first
        html = start(one)
        assert 'name="attempt"' in html
        attempt = int(re.search(r'name="attempt" value="(\d+)"', html).group(1))
        saved = save(two, html, answers_for(html, right=True))
        assert saved.status_code == 302, saved.get_data(as_text=True)[:500]
        submitted = submit(one, two.get(QUIZ).get_data(as_text=True))
        assert submitted.status_code == 302 and "/attempts/" in submitted.headers["Location"]
        engine = create_engine(database)
        with engine.connect() as connection:
            row = connection.execute(select(QuizAttempt.status, QuizAttempt.passed)
                                     .where(QuizAttempt.id == attempt)).one()
        engine.dispose()
        assert row.status != "open" and row.passed is True  # the answers saved on the other instance were graded
        results = two.get(urllib.parse.urlsplit(submitted.headers["Location"]).path)
        assert results.status_code == 200

        # the login limit counts on both: one sign-in above, three wrong passwords, then refused
        stranger_jar = CookieJar()
        codes = []
        for browser in (Browser(stranger_jar, first.port), Browser(stranger_jar, second.port)) * 2:
            form = csrf_from(browser.get("/login").get_data(as_text=True))
            codes.append(browser.post("/login", {"email": "learner@example.com", "password": "wrong-password",
                                                 "csrf_token": form}).status_code)
        assert codes == [401, 401, 401, 429], codes
        import redis

        assert redis.Redis.from_url(REDIS).keys(f"*{prefix}*"), "the counter lives in Redis"
    finally:
        logs = first.stop() + second.stop()
    assert "Traceback" not in logs, logs
