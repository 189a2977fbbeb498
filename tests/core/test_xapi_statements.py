"""Building xAPI statements from plain values."""
import datetime as dt

import pytest

from lms.core import xapi

COURSE = xapi.CourseRef("https://lms.example.com/training/courses/sample", "Sample", "ru")
ACTOR = xapi.Actor("anna@example.com", "Анна")
T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize("seconds, text", [(0, "PT0S"), (-5, "PT0S"), (59, "PT59S"), (61.5, "PT1M1.5S"),
                                           (3600, "PT1H"), (3723, "PT1H2M3S")])
def test_iso_durations(seconds, text):
    assert xapi.iso_duration(seconds) == text


def test_a_lesson_completion_statement():
    statement = xapi.lesson_completed(
        record_id=7, actor=ACTOR, course=COURSE, iri=xapi.activity_iri(
            "https://lms.example.com/training", "sample", "01-basics/01-welcome"),
        title="Добро пожаловать", started=T0, completed=T0 + dt.timedelta(minutes=4), enrollment_id=3)
    assert statement["id"] == xapi.statement_id("lesson", 7)
    assert statement["actor"] == {"objectType": "Agent", "name": "Анна", "mbox": "mailto:anna@example.com"}
    assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
    assert statement["object"]["id"] == "https://lms.example.com/training/courses/sample/01-basics/01-welcome"
    assert statement["object"]["definition"] == {"name": {"ru": "Добро пожаловать"},
                                                 "type": "http://adlnet.gov/expapi/activities/lesson"}
    assert statement["result"] == {"completion": True, "duration": "PT4M"}
    assert statement["timestamp"] == "2026-03-01T09:04:00.000Z"
    assert statement["context"]["contextActivities"]["parent"][0]["id"] == COURSE.iri
    assert statement["context"]["registration"] == xapi.registration_id(3)


def test_attempts_pass_or_fail_with_a_scaled_score():
    quiz = xapi.activity(COURSE.iri + "/m/quiz", "Quiz", "quiz", "ru")
    passed = xapi.attempt_result(attempt_id=1, number=1, actor=ACTOR, course=COURSE, quiz=quiz, percent=85.0,
                                 points=17, max_points=20, passed=True, started=T0,
                                 submitted=T0 + dt.timedelta(seconds=90), enrollment_id=1)
    failed = xapi.attempt_result(attempt_id=2, number=2, actor=ACTOR, course=COURSE, quiz=quiz, percent=40.0,
                                 points=8, max_points=20, passed=False, started=T0, submitted=T0, enrollment_id=1)
    assert passed["verb"]["id"].endswith("/passed") and failed["verb"]["id"].endswith("/failed")
    assert passed["result"] == {"success": True, "completion": True, "duration": "PT1M30S",
                                "score": {"scaled": 0.85, "raw": 17, "min": 0.0, "max": 20}}
    assert passed["id"] != failed["id"]


def test_an_answer_awaiting_review_has_no_success_yet():
    quiz = xapi.activity(COURSE.iri + "/m/quiz", "Quiz", "quiz", "ru")
    statement = xapi.question_answered(attempt_id=41, number=2, question_id="q1", actor=ACTOR, course=COURSE,
                                       iri=COURSE.iri + "/m/quiz/questions/q1", title="Q1", quiz=quiz,
                                       interaction=xapi.Interaction("long-fill-in"), response="Простите нас",
                                       fraction=0.0, points=0, max_points=2, correct=None, answered=True, when=T0,
                                       enrollment_id=1)
    assert statement["verb"]["id"].endswith("/answered")
    assert "success" not in statement["result"] and "scaled" not in statement["result"]["score"]
    assert statement["result"]["response"] == "Простите нас"
    assert statement["object"]["definition"]["interactionType"] == "long-fill-in"
    assert "correctResponsesPattern" not in statement["object"]["definition"]  # a trainer scores it
    assert statement["context"]["extensions"][xapi.EXTENSION_BASE + "attempt"] == 2  # the learner's 2nd, not row 41
    assert statement["context"]["contextActivities"]["parent"] == [quiz]
    assert statement["context"]["contextActivities"]["grouping"][0]["id"] == COURSE.iri


def test_statements_leave_the_version_to_the_lrs():
    statement = xapi.course_completed(enrollment_id=1, actor=ACTOR, course=COURSE, started=T0, completed=T0)
    assert "version" not in statement  # an LRP sets 1.0.0 or nothing; 1.0.3 travels in the request header


def test_a_title_in_another_language_than_the_edition_is_tagged_with_its_own():
    course = xapi.CourseRef(COURSE.iri, "Основы сервиса", "ar", title_language="ru")
    statement = xapi.lesson_completed(record_id=1, actor=ACTOR, course=course, iri=COURSE.iri + "/m/l",
                                      title="Welcome", language="en", started=None, completed=T0, enrollment_id=1)
    assert statement["object"]["definition"]["name"] == {"en": "Welcome"}
    assert statement["context"]["contextActivities"]["parent"][0]["definition"]["name"] == {"ru": "Основы сервиса"}
    assert statement["context"]["language"] == "ar"  # the edition the learner took


def test_statement_ids_are_stable_and_distinct():
    assert xapi.statement_id("lesson", 1) == xapi.statement_id("lesson", 1)
    assert len({xapi.statement_id("lesson", 1), xapi.statement_id("attempt", 1), xapi.statement_id("lesson", 2)}) == 3
