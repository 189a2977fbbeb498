"""Learning records that third parties accept: every statement passes Learning Locker's xAPI validator, and a
real LRS (Ralph) stores each exactly once through `flask lms xapi send`, even when it was down for a while."""
from __future__ import annotations

import datetime as dt
import json
from collections import Counter

import pytest
from sqlalchemy import select

from lms.models import XapiOutbox
from lms.state import db_session

from support.review import team_up
from support.xapi_history import (
    certificate_and_reviewed_answers,
    import_courses,
    learner_history,
    sample_course_in_arabic,
)
from support.xapi_validator import validate

EXTENSIONS = "https://w3id.org/xapi/lms-service-training/extensions/"
BASE = "https://lms.example.com/training/courses"


@pytest.fixture
def ralph(lrs, app):
    """The session's Ralph, emptied, with the app sending to it."""
    lrs.start()
    lrs.clear()
    app.config.update(LMS_XAPI_ENDPOINT=lrs.endpoint, LMS_XAPI_AUTH=lrs.auth, LMS_PUBLIC_URL="https://lms.example.com")
    yield lrs
    lrs.start()  # a test that took it down leaves it up for the next


def exported(runner) -> list[dict]:
    result = runner.invoke(args=["lms", "xapi", "export", "-o", "-"])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines() if line.strip()]


def queued(app) -> list[XapiOutbox]:
    with app.app_context():
        return list(db_session().scalars(select(XapiOutbox).order_by(XapiOutbox.id)))


def send(runner):
    return runner.invoke(args=["lms", "xapi", "send", "--batch", "7"])


def test_every_statement_of_a_learner_history_passes_a_third_party_validator(app, client, auth, runner):
    app.config["LMS_PUBLIC_URL"] = "https://lms.example.com"
    learner_history(app, client, auth, runner)
    statements = exported(runner)
    assert validate(statements) == []

    verbs = Counter(s["verb"]["id"].rsplit("/", 1)[1] for s in statements)
    assert {"answered", "passed", "failed", "completed", "experienced"} <= set(verbs)
    assert all("version" not in s for s in statements)
    answers = [s for s in statements if s["verb"]["id"].endswith("/answered")]
    interactions = {s["object"]["definition"]["interactionType"] for s in answers}
    assert interactions == {"choice", "true-false", "fill-in", "numeric", "matching", "sequencing", "long-fill-in"}
    assert all(s["object"]["definition"]["type"].endswith("/cmi.interaction") for s in answers)
    # the learner's answer, in the response format, by the quiz file's ids (never the page's tokens)
    responses = {s["object"]["id"].rsplit("/", 1)[1]: s["result"].get("response") for s in answers
                 if s["context"]["extensions"][EXTENSIONS + "attempt"] == 2 and "/sample/" in s["object"]["id"]}
    assert responses["smile"] == "a" and responses["parts"] == "a[,]b" and responses["promise"] == "true"
    assert responses["speed"] == "15" and responses["host"] == "Хостес!"
    assert responses["channels"] == "a[.]r1[,]b[.]r2"
    channels = next(s for s in answers if s["object"]["id"].endswith("/channels"))["object"]["definition"]
    assert channels["correctResponsesPattern"] == [responses["channels"]]
    [apology] = [s for s in answers if s["object"]["id"].endswith("/apology")]
    assert apology["result"]["response"] == "Извините, привезём сегодня к 15:00."
    assert apology["result"]["success"] is True  # the trainer's review counted
    # attempt numbers, not row ids: the sample quiz was failed once, then passed
    attempts = sorted((s["verb"]["id"].rsplit("/", 1)[1], s["context"]["extensions"][EXTENSIONS + "attempt"])
                      for s in statements if s["object"]["id"] == f"{BASE}/sample/02-practice/03-quiz")
    assert attempts == [("failed", 1), ("passed", 2)]


def test_texts_are_tagged_with_the_language_they_are_written_in(app, client, auth, runner):
    app.config["LMS_PUBLIC_URL"] = "https://lms.example.com"
    import_courses(runner)
    team_up(app, auth)
    auth.login("learner@example.com")
    sample_course_in_arabic(client)
    statements = [s for s in exported(runner) if s["object"]["id"].startswith(f"{BASE}/sample")]
    names = {s["object"]["id"].removeprefix(f"{BASE}/sample/"): s["object"]["definition"]["name"]
             for s in statements}
    assert list(names["01-basics/01-welcome"]) == ["ar"]  # translated
    assert list(names["01-basics/02-speed"]) == ["en"]  # the Arabic edition falls back to English here
    assert list(names["02-practice/03-quiz"]) == ["ru"]  # ... and to the Russian original here
    assert list(names["02-practice/03-quiz/questions/smile"]) == ["ru"]
    smile = next(s for s in statements if s["object"]["id"].endswith("/smile"))["object"]["definition"]
    assert {lang for choice in smile["choices"] for lang in choice["description"]} == {"ru"}
    assert list(names["02-practice/02-call"]) == ["ru"]
    for statement in statements:
        assert statement["context"]["language"] == "ar"  # the edition the learner took
        around = statement["context"].get("contextActivities", {})
        course = (around.get("grouping") or around.get("parent") or [statement["object"]])[0]
        assert course["id"] == f"{BASE}/sample" and course["definition"]["name"] == {"ar": "أساسيات الخدمة"}


def test_ralph_stores_every_statement_once(app, client, auth, runner, ralph):
    learner_history(app, client, auth, runner)
    result = send(runner)
    assert result.exit_code == 0, result.output
    rows = queued(app)
    stored = ralph.statements()
    assert len(stored) == len(rows) == len(exported(runner)) >= 30
    assert sorted(s["id"] for s in stored) == sorted(row.statement_id for row in rows)
    assert all(row.sent_at is not None for row in rows)
    # what Ralph keeps is what the LMS built (Ralph adds only stored, authority and its version)
    by_id = {s["id"]: s for s in stored}
    for row in rows:
        assert by_id[row.statement_id]["result" if "result" in row.payload else "object"] == \
            row.payload["result" if "result" in row.payload else "object"]
    again = send(runner)
    assert again.exit_code == 0 and "Sent 0 statements; 0 waiting." in again.output
    assert len(ralph.statements()) == len(stored)


def test_an_lrs_that_is_down_then_back_loses_nothing(app, client, auth, runner, ralph):
    import_courses(runner)
    team_up(app, auth)
    auth.login("learner@example.com")
    sample_course_in_arabic(client)
    assert send(runner).exit_code == 0
    first = len(ralph.statements())
    assert first == len(queued(app))

    ralph.stop()
    auth.login("learner@example.com")
    certificate_and_reviewed_answers(app, client, auth)  # more records while the LRS is down
    down = send(runner)
    assert down.exit_code == 1 and "unreachable" in down.output
    waiting = [row for row in queued(app) if row.sent_at is None]
    assert waiting and all(row.attempts <= 1 for row in waiting)

    ralph.start()
    with app.app_context():  # the backoff has passed
        session = db_session()
        for row in session.scalars(select(XapiOutbox).where(XapiOutbox.sent_at.is_(None))):
            row.next_attempt_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        session.commit()
    back = send(runner)
    assert back.exit_code == 0, back.output
    rows = queued(app)
    stored = ralph.statements()
    assert len(stored) == len(rows) > first
    assert sorted(s["id"] for s in stored) == sorted(row.statement_id for row in rows)
    assert all(row.sent_at is not None for row in rows)
    assert "Sent 0 statements" in send(runner).output
