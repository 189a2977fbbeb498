"""Completion: from each activity's status to the modules, the course's requirements and Continue."""
import pytest

from lms.core.completion import course_progress, neighbours
from lms.core.status import (
    AWAITING_REVIEW,
    COMPLETED,
    EXPIRED,
    FAILED,
    IN_PROGRESS,
    NOT_STARTED,
    OVERDUE,
    PASSED,
    CourseFacts,
    activity_status,
    course_score,
    course_status,
    requirement_met,
)

EDITION = {"modules": [
    {"slug": "m1", "title": "M1", "activities": [{"key": "m1/a", "kind": "lesson"}, {"key": "m1/q", "kind": "quiz"}]},
    {"slug": "m2", "title": "M2", "activities": [{"key": "m2/b", "kind": "lesson"}]},
]}
RULES = {"lessons": "all", "quizzes": "passed", "scenarios": "passed"}


def test_nothing_done_has_nothing_met_and_starts_at_the_first_activity():
    progress = course_progress(EDITION, RULES, {})
    assert (progress.done, progress.total, progress.started, progress.next_key) == (0, 3, False, "m1/a")
    assert not progress.requirements_met


def test_a_failed_quiz_is_failed_not_done_and_continue_goes_back_to_it():
    statuses = {"m1/a": COMPLETED, "m1/q": FAILED, "m2/b": COMPLETED}
    progress = course_progress(EDITION, RULES, statuses)
    assert progress.done == 2 and progress.modules[0].status == "in_progress"
    assert progress.activities["m1/q"].status == FAILED and not progress.activities["m1/q"].met
    assert progress.next_key == "m1/q"
    lenient = course_progress(EDITION, dict(RULES, quizzes="attempted"), statuses)
    assert lenient.done == 3 and lenient.requirements_met and lenient.next_key is None


def test_awaiting_review_counts_only_for_a_lenient_rule():
    statuses = {"m1/a": COMPLETED, "m1/q": AWAITING_REVIEW, "m2/b": COMPLETED}
    assert not course_progress(EDITION, RULES, statuses).requirements_met
    assert course_progress(EDITION, dict(RULES, quizzes="attempted"), statuses).requirements_met


def test_continue_goes_to_the_first_requirement_not_met():
    assert course_progress(EDITION, RULES, {"m1/a": COMPLETED}).next_key == "m1/q"
    assert course_progress(EDITION, RULES, {"m2/b": COMPLETED, "m1/q": PASSED}).next_key == "m1/a"


def test_quizzes_can_be_left_out_of_completion():
    progress = course_progress(EDITION, dict(RULES, quizzes="none"), {"m1/a": COMPLETED, "m2/b": COMPLETED})
    assert progress.requirements_met and progress.total == 2
    assert not progress.activities["m1/q"].counted


def test_neighbours_cross_module_boundaries():
    assert neighbours(EDITION, "m1/q") == ("m1/a", "m2/b")
    assert neighbours(EDITION, "m1/a") == (None, "m1/q")
    assert neighbours(EDITION, "nope") == (None, None)


@pytest.mark.parametrize(("progress", "passed", "graded", "expected"), [
    (None, None, True, NOT_STARTED),
    ("started", None, True, IN_PROGRESS),
    ("awaiting_review", False, True, AWAITING_REVIEW),
    ("completed", False, True, FAILED),
    ("completed", True, True, PASSED),
    ("completed", None, False, COMPLETED),
])
def test_activity_status(progress, passed, graded, expected):
    assert activity_status(progress, passed, graded) == expected


@pytest.mark.parametrize(("facts", "expected"), [
    (CourseFacts(), NOT_STARTED),
    (CourseFacts(started=True), IN_PROGRESS),
    (CourseFacts(started=True, overdue=True), OVERDUE),
    (CourseFacts(completed=True, overdue=True, started=True), COMPLETED),
    (CourseFacts(completed=True, expired=True, started=True), EXPIRED),
    (CourseFacts(expired=True, overdue=True, started=True), EXPIRED),
])
def test_course_status_takes_the_first_rule_that_holds(facts, expected):
    assert course_status(facts) == expected


def test_rules_and_scores():
    assert requirement_met(PASSED, "passed") and not requirement_met(FAILED, "passed")
    assert requirement_met(FAILED, "attempted") and not requirement_met(IN_PROGRESS, "attempted")
    assert not requirement_met(COMPLETED, "none")
    assert course_score({"q1": 90.0, "q2": 70.0, "q3": None}) == 80.0
    assert course_score([]) is None
