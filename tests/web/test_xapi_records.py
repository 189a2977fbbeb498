"""Learning records as xAPI: the JSON-lines export, and the outbox that survives a down LRS."""
import base64
import datetime as dt
import json
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import select

from lms.models import XapiOutbox
from lms.state import db_session

from support import csrf_from
from support.records import learn_everything

VERBS = "http://adlnet.gov/expapi/verbs/"
SAMPLE = "/training/courses/sample"


def by_verb(lines):
    found = {}
    for statement in lines:
        found.setdefault(statement["verb"]["id"].rsplit("/", 1)[1], []).append(statement)
    return found


def test_hr_exports_every_learning_record_as_json_lines(app, client, auth, runner, sample_course):
    app.config["LMS_PUBLIC_URL"] = "https://lms.example.com"
    learn_everything(client, auth, runner)
    auth.as_role("hr")
    response = client.get("/training/people/xapi.jsonl")
    assert response.status_code == 200 and response.mimetype == "application/x-ndjson"
    lines = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    verbs = by_verb(lines)
    assert len(lines) == len({s["id"] for s in lines})
    lessons = {s["object"]["id"] for s in verbs["completed"]
               if s["object"]["definition"]["type"].endswith("/lesson")}
    assert f"https://lms.example.com{SAMPLE}/01-basics/01-welcome" in lessons and len(lessons) == 5
    [attempt] = verbs["passed"]
    assert attempt["object"]["id"] == f"https://lms.example.com{SAMPLE}/02-practice/03-quiz"
    assert attempt["result"]["success"] is True and 0 < attempt["result"]["score"]["scaled"] <= 1
    assert re.fullmatch(r"PT[\d.HMS]+", attempt["result"]["duration"])
    answers = verbs["answered"]
    assert len(answers) >= 5 and all(a["object"]["id"].startswith(attempt["object"]["id"] + "/questions/")
                                     for a in answers)
    assert all(a["context"]["contextActivities"]["parent"][0]["id"] == attempt["object"]["id"] for a in answers)
    [scenario] = verbs["experienced"]
    assert scenario["object"]["definition"]["type"].endswith("/simulation")
    assert scenario["result"]["completion"] is True
    courses = [s for s in verbs["completed"] if s["object"]["definition"]["type"].endswith("/course")]
    extension = "https://w3id.org/xapi/lms-service-training/extensions/certificate"
    [certificate] = [s for s in courses if extension in s["context"].get("extensions", {})]
    assert certificate["object"]["id"] == "https://lms.example.com/training/courses/cert-basics"
    # the course's completion is a statement of its own (lms.core.status: "completed")
    [completion] = [s for s in courses if extension not in s["context"].get("extensions", {})
                    and s["object"]["id"] == certificate["object"]["id"]]
    assert completion["result"]["completion"] is True
    for statement in lines:
        assert statement["actor"]["mbox"] == "mailto:learner@example.com"
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", statement["timestamp"])
    again = client.get("/training/people/xapi.jsonl").get_data(as_text=True)
    assert again == response.get_data(as_text=True)  # the same records give the same statements


def test_cli_export_writes_the_same_statements(app, client, auth, runner, sample_course, tmp_path):
    learn_everything(client, auth, runner)
    target = tmp_path / "out.jsonl"
    result = runner.invoke(args=["lms", "xapi", "export", "-o", str(target)])
    assert result.exit_code == 0, result.output
    lines = target.read_text(encoding="utf-8").splitlines()
    assert f"Wrote {len(lines)} statements" in result.output and len(lines) > 10


class Recorder(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Recorder.received.append((self.path, {k.lower(): v for k, v in self.headers.items()}, json.loads(body)))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"[]")

    def log_message(self, *args):
        pass


@pytest.fixture
def lrs():
    Recorder.received = []
    server = HTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/xapi", Recorder.received
    server.shutdown()
    server.server_close()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def outbox(app):
    with app.app_context():
        return db_session().scalars(select(XapiOutbox).order_by(XapiOutbox.id)).all()


def test_the_outbox_keeps_statements_while_the_lrs_is_down_then_delivers(app, client, auth, runner, sample_course,
                                                                         lrs):
    learn_everything(client, auth, runner)
    assert runner.invoke(args=["lms", "xapi", "send"]).exit_code == 1  # no endpoint configured
    app.config.update(LMS_XAPI_ENDPOINT=f"http://127.0.0.1:{closed_port()}/xapi", LMS_XAPI_AUTH="lrs:secret")
    down = runner.invoke(args=["lms", "xapi", "send", "--batch", "4"])
    assert down.exit_code == 1 and "unreachable" in down.output
    queued = outbox(app)
    assert queued and all(row.sent_at is None for row in queued)
    tried = [row for row in queued if row.attempts == 1]
    assert len(tried) == 4 and all(row.last_error for row in tried)  # one failed batch, then it stopped
    now = dt.datetime.now(dt.UTC)
    assert all((row.next_attempt_at.replace(tzinfo=dt.UTC) if row.next_attempt_at.tzinfo is None
                else row.next_attempt_at) > now for row in tried)
    endpoint, received = lrs
    app.config["LMS_XAPI_ENDPOINT"] = endpoint
    waiting = runner.invoke(args=["lms", "xapi", "send", "--batch", "4"])  # the failed batch is backing off
    assert waiting.exit_code == 0 and len(outbox(app)) == len(queued)
    assert sum(len(batch) for _, _, batch in received) == len(queued) - 4
    with app.app_context():
        session = db_session()
        for row in session.scalars(select(XapiOutbox).where(XapiOutbox.sent_at.is_(None))):
            row.next_attempt_at = now - dt.timedelta(seconds=1)
        session.commit()
    done = runner.invoke(args=["lms", "xapi", "send", "--batch", "4"])
    assert done.exit_code == 0, done.output
    delivered = [statement for _, _, batch in received for statement in batch]
    assert sorted(s["id"] for s in delivered) == sorted(row.statement_id for row in queued)
    path, headers, _ = received[0]
    assert path == "/xapi/statements" and headers["x-experience-api-version"] == "1.0.3"
    assert all("version" not in statement for statement in delivered)  # the LRS sets it, not the LMS
    assert headers["authorization"] == "Basic " + base64.b64encode(b"lrs:secret").decode()
    assert all(row.sent_at is not None for row in outbox(app))
    before = len(received)
    assert runner.invoke(args=["lms", "xapi", "send"]).exit_code == 0
    assert len(received) == before  # nothing is sent twice


def test_deleting_a_person_rewrites_their_queued_statements(app, client, auth, runner, sample_course):
    learn_everything(client, auth, runner)
    app.config["LMS_XAPI_ENDPOINT"] = f"http://127.0.0.1:{closed_port()}/xapi"
    runner.invoke(args=["lms", "xapi", "send"])
    auth.as_role("hr")
    learner_id = outbox(app)[0].user_id
    page = client.get(f"/training/people/{learner_id}").get_data(as_text=True)
    client.post(f"/training/people/{learner_id}", data={"csrf_token": csrf_from(page), "confirm": "y"})
    assert all("learner@example.com" not in json.dumps(row.payload) for row in outbox(app))
    exported = client.get("/training/people/xapi.jsonl").get_data(as_text=True)
    assert "learner@example.com" not in exported and exported
