"""Records that leave the LMS: a streamed xAPI export, an outbox that survives a killed sender,
absolute links that never follow a forged Host header, and the static security gate (bandit)."""
import importlib.util
import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from lms.core import open_badges
from lms.models import Certificate, XapiOutbox
from lms.services import xapi
from lms.state import db_session

from support import ROOT
from support.certificates import CERT_COURSES, complete
from support.people import STAFF
from support.records import learn_everything

PUBLIC = "https://lms.example.com"
EVIL = "evil.example"


# -- the xAPI export is streamed ---------------------------------------------------------------
def test_the_xapi_export_is_streamed_line_by_line_with_every_statement(app, client, auth, runner, sample_course,
                                                                      monkeypatch, tmp_path):
    app.config["LMS_PUBLIC_URL"] = PUBLIC
    learn_everything(client, auth, runner)
    target = tmp_path / "cli.jsonl"
    assert runner.invoke(args=["lms", "xapi", "export", "-o", str(target)]).exit_code == 0
    expected = target.read_text(encoding="utf-8")
    monkeypatch.setattr(xapi, "CHUNK_CHARS", 1, raising=False)  # one statement a chunk: proves it is written as it is read
    auth.as_role("hr")
    response = client.get("/training/people/xapi.jsonl", buffered=False)
    assert response.status_code == 200 and response.is_streamed
    assert response.headers["Cache-Control"] == "no-store"
    chunks = list(response.response)
    response.close()
    assert len(chunks) == expected.count("\n") > 10
    assert b"".join(chunks).decode("utf-8") == expected
    ids = [json.loads(line)["id"] for line in expected.splitlines()]
    assert len(ids) == len(set(ids))


# -- a killed `xapi send` does not send an accepted batch again -------------------------------------
class LRS(BaseHTTPRequestHandler):
    """Accepts every batch and records its statement ids, except the POST number ``hang_on``:
    that one it never answers (nor reads), so the sender can be killed while it waits."""

    def do_POST(self):  # noqa: N802 (http.server's naming)
        state = self.server.state
        with state["lock"]:
            state["posts"] += 1
            number = state["posts"]
        if number == state["hang_on"]:
            state["hanging"].set()
            state["release"].wait(60)
            return
        batch = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with state["lock"]:
            state["accepted"].append([statement["id"] for statement in batch])
        body = json.dumps([statement["id"] for statement in batch]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def lrs():
    server = ThreadingHTTPServer(("127.0.0.1", 0), LRS)
    server.daemon_threads = True
    server.state = {"lock": threading.Lock(), "posts": 0, "hang_on": 2, "accepted": [],
                    "hanging": threading.Event(), "release": threading.Event()}
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/xapi", server.state
    server.state["release"].set()
    server.shutdown()
    server.server_close()


def outbox(app):
    with app.app_context():
        return db_session().scalars(select(XapiOutbox).order_by(XapiOutbox.id)).all()


def test_a_sender_killed_after_an_accepted_batch_does_not_send_it_again(app, client, auth, runner, sample_course,
                                                                        lrs, tmp_path):
    endpoint, state = lrs
    learn_everything(client, auth, runner)
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "LMS_INSTANCE_PATH": str(tmp_path / "cron"), "LMS_XAPI_ENDPOINT": endpoint, "LMS_PUBLIC_URL": PUBLIC}
    env.pop("FLASK_APP", None)
    cron = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "lms", "xapi", "send", "--batch", "4"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        assert state["hanging"].wait(60), cron.communicate(timeout=5)[0]  # batch 1 accepted, batch 2 in flight
        cron.send_signal(signal.SIGKILL)  # what `kill -9`, an OOM kill or a reboot does
        cron.wait(30)
    finally:
        if cron.poll() is None:
            cron.kill()
    [first] = state["accepted"]
    queued = outbox(app)
    assert len(queued) > 8
    assert {row.statement_id for row in queued if row.sent_at is not None} == set(first)
    state["hang_on"] = None
    app.config.update(LMS_XAPI_ENDPOINT=endpoint, LMS_PUBLIC_URL=PUBLIC)
    again = runner.invoke(args=["lms", "xapi", "send", "--batch", "4"])
    assert again.exit_code == 0, again.output
    received = [statement_id for batch in state["accepted"] for statement_id in batch]
    assert len(received) == len(set(received))  # no statement reached the LRS twice
    assert set(received) == {row.statement_id for row in queued}
    assert all(row.sent_at is not None for row in outbox(app))


def test_each_accepted_batch_is_committed_before_the_next_is_sent(app, client, auth, runner, sample_course,
                                                                  lrs, monkeypatch):
    """In-process: an interrupt (Ctrl+C) while batch 2 is posted keeps batch 1 recorded as sent."""
    endpoint, state = lrs
    state["hang_on"] = None
    learn_everything(client, auth, runner)
    app.config["LMS_XAPI_ENDPOINT"] = endpoint
    real_post, posts = xapi.post_statements, []

    def interrupted_on_second(*args, **kwargs):
        posts.append(args[1])
        if len(posts) == 2:
            raise KeyboardInterrupt
        return real_post(*args, **kwargs)

    monkeypatch.setattr(xapi, "post_statements", interrupted_on_second)
    with pytest.raises(KeyboardInterrupt), app.app_context():
        from lms.people.cli import send_statements

        send_statements(batch_size=3)
    sent = {row.statement_id for row in outbox(app) if row.sent_at is not None}
    assert sent == {statement["id"] for statement in posts[0]} and len(sent) == 3


# -- absolute links follow LMS_PUBLIC_URL, never the Host header ----------------------------------
def from_host(client, app, host: str) -> None:
    """Carry the signed-in session over to requests that claim to be for ``host``."""
    name = app.config.get("SESSION_COOKIE_NAME", "session")
    cookie = client.get_cookie(name)
    client.set_cookie(name, cookie.value, domain=host)


def absolute_urls(text: str) -> set[str]:
    return set(re.findall(r"https?://[^\s\"'<>\\]+", text))


def ours(urls) -> set[str]:
    """The addresses that point at the site (not the JSON-LD contexts, schemas and vocabularies)."""
    foreign = ("www.w3.org", "purl.imsglobal.org", "json-schema.org", "adlnet.gov", "w3id.org")
    return {url for url in urls if not any(f"//{host}" in url for host in foreign)}


@pytest.fixture
def public_app(app, runner):
    app.config.update(LMS_PUBLIC_URL=PUBLIC + "/", LMS_ORGANISATION="")
    assert runner.invoke(args=["lms", "courses", "import", str(CERT_COURSES)]).exit_code == 0
    return app


def test_badges_and_verification_links_ignore_a_forged_host(public_app, client, auth):
    app = public_app
    auth.as_role("learner", name="Мария Кузнецова")
    complete(client)
    with app.app_context():
        serial = db_session().scalar(select(Certificate.serial))
    from_host(client, app, EVIL)
    forged = {"Host": EVIL}
    verify = f"{PUBLIC}/training/verify/{serial}"

    badge_response = client.get(f"/training/certificates/{serial}/badge.json", headers=forged)
    assert badge_response.status_code == 200
    text = badge_response.get_data(as_text=True)
    badge = json.loads(text)
    assert EVIL not in text and badge["id"] == verify
    assert badge["issuer"]["id"] == f"{PUBLIC}/training/certificates/issuer.json"
    assert badge["issuer"]["name"] == "lms.example.com"  # no organisation set: the public host, not the forged one
    assert ours(absolute_urls(text)) and all(url.startswith(PUBLIC + "/") for url in ours(absolute_urls(text)))

    token = client.get(f"/training/certificates/{serial}/badge.jwt", headers=forged).get_data(as_text=True)
    jwk = client.get("/training/certificates/issuer-rsa.jwk", headers=forged).get_json(force=True)
    header, payload = open_badges.verify_jws(token, jwk)
    assert header["kid"] == f"{PUBLIC}/training/certificates/issuer-rsa.jwk" == jwk["kid"]
    assert payload["jti"] == verify and payload["iss"] == badge["issuer"]["id"]
    assert EVIL not in json.dumps(payload)

    profile = client.get("/training/certificates/issuer.json", headers=forged).get_data(as_text=True)
    assert EVIL not in profile and json.loads(profile)["url"] == f"{PUBLIC}/training/"

    pdf = client.get(f"/training/certificates/{serial}.pdf", headers=forged)
    printed = PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert verify in printed and EVIL not in printed  # the QR code encodes the same address


def test_xapi_ids_invitations_and_the_api_document_ignore_a_forged_host(public_app, client, auth, runner,
                                                                        sample_course):
    app = public_app
    learn_everything(client, auth, runner)
    auth.as_role("hr")
    from_host(client, app, EVIL)
    forged = {"Host": EVIL}
    exported = client.get("/training/people/xapi.jsonl", headers=forged).get_data(as_text=True)
    assert exported and EVIL not in exported
    assert all(url.startswith(PUBLIC + "/") for url in ours(absolute_urls(exported)))
    imported = client.post("/training/people/import", headers=forged, content_type="multipart/form-data", data={
        "csrf_token": auth.csrf("/training/people/import"), "file": (io.BytesIO(STAFF.encode()), "staff.csv")})
    html = imported.get_data(as_text=True)
    links = re.findall(r'<code class="invitation-link">([^<]+)</code>', html)
    assert links and all(link.startswith(f"{PUBLIC}/invite/") for link in links) and EVIL not in html
    document = client.get("/training/api/v1/openapi.json", headers=forged).get_data(as_text=True)
    assert EVIL not in document


def test_without_a_public_address_pages_follow_the_request_but_no_credential_is_signed(app, client, auth, runner):
    """The default (development, tests): no LMS_PUBLIC_URL, the PDF's link is built from the request;
    a signed credential is never built from the Host header, so none is issued."""
    assert runner.invoke(args=["lms", "courses", "import", str(CERT_COURSES)]).exit_code == 0
    auth.as_role("learner")
    complete(client)
    with app.app_context():
        serial = db_session().scalar(select(Certificate.serial))
    pdf = client.get(f"/training/certificates/{serial}.pdf")
    assert f"http://localhost/training/verify/{serial}" in PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert client.get(f"/training/certificates/{serial}/badge.json").status_code == 503


def test_a_public_address_without_a_scheme_is_refused_clearly(app):
    from lms.links import absolute_url

    app.config["LMS_PUBLIC_URL"] = "lms.example.com"
    with app.test_request_context("/"), pytest.raises(RuntimeError, match="LMS_PUBLIC_URL must be an absolute"):
        absolute_url("lms.certificates.issuer")
    app.config["LMS_PUBLIC_URL"] = "https://example.com/lms/"
    with app.test_request_context("/", headers={"Host": EVIL}):
        assert absolute_url("lms.certificates.issuer") == "https://example.com/lms/training/certificates/issuer.json"


# -- the static security gate -------------------------------------------------------------------
def load_checker():
    spec = importlib.util.spec_from_file_location("check_nosec", ROOT / ".ci" / "check_nosec.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_nosec_in_the_plugin_is_explained_and_listed():
    assert load_checker().problems(ROOT / "lms", ROOT / "docs") == []


def test_an_unexplained_or_unlisted_nosec_fails_the_gate(tmp_path):
    checker = load_checker()
    source, docs = tmp_path / "lms", tmp_path / "docs"
    source.mkdir()
    docs.mkdir()
    (source / "bare.py").write_text("import urllib.request\nurllib.request.urlopen(u)  # nosec\n")
    (source / "unlisted.py").write_text("import urllib.request\nurllib.request.urlopen(u)  # nosec B310 # fixed url\n")
    (source / "listed.py").write_text("import urllib.request\nurllib.request.urlopen(u)  # nosec B310 # fixed url\n")
    (docs / "security.md").write_text(f"| `{(source / 'listed.py').as_posix()}` | B310 | a fixed address |\n")
    found = checker.problems(source, docs)
    assert len(found) == 2
    assert any("bare.py:2" in line and "must read" in line for line in found)
    assert any("unlisted.py:2" in line and "not listed" in line for line in found)
    assert checker.main(["check_nosec.py", str(source), str(docs)]) == 1


def test_make_security_runs_bandit_and_ci_runs_it_first():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^security:.*\n\t\$\(BIN\)/bandit -ll -r lms", makefile, re.M)
    assert "check_nosec.py" in makefile
    ci = (ROOT / ".ci" / "run").read_text()
    assert ci.index("make security") < ci.index("make test")
