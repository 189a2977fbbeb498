import datetime as dt

from lms.core.completion import ActivityState, course_progress, neighbours

EDITION = {"modules": [
    {"slug": "m1", "title": "M1", "activities": [{"key": "m1/a", "kind": "lesson"}, {"key": "m1/q", "kind": "quiz"}]},
    {"slug": "m2", "title": "M2", "activities": [{"key": "m2/b", "kind": "lesson"}]},
]}
RULES = {"lessons": "all", "quizzes": "passed", "scenarios": "passed"}


def test_nothing_done_is_not_started_and_starts_at_the_first_activity():
    progress = course_progress(EDITION, RULES, {})
    assert (progress.done, progress.total, progress.status, progress.next_key) == (0, 3, "not_started", "m1/a")


def test_a_failed_quiz_does_not_count_until_passed():
    states = {"m1/a": ActivityState("completed"), "m1/q": ActivityState("completed", passed=False)}
    progress = course_progress(EDITION, RULES, states, last_key="m1/q")
    assert progress.done == 1 and progress.modules[0].status == "in_progress"
    assert progress.next_key == "m1/q"
    lenient = course_progress(EDITION, dict(RULES, quizzes="attempted"), states)
    assert lenient.done == 2 and lenient.modules[0].status == "completed"


def test_continue_goes_to_the_activity_after_the_last_one_done():
    states = {"m1/a": ActivityState("completed")}
    assert course_progress(EDITION, RULES, states, last_key="m1/a").next_key == "m1/q"


def test_everything_done_completes_the_course_even_past_the_due_date():
    states = {k: ActivityState("completed", True) for k in ("m1/a", "m1/q", "m2/b")}
    progress = course_progress(EDITION, RULES, states, due=dt.date(2020, 1, 1), today=dt.date(2026, 1, 1))
    assert progress.completed and progress.status == "completed" and progress.percent == 100


def test_unfinished_past_the_due_date_is_overdue():
    progress = course_progress(EDITION, RULES, {}, due=dt.date(2020, 1, 1), today=dt.date(2026, 1, 1))
    assert progress.status == "overdue"


def test_quizzes_can_be_left_out_of_completion():
    states = {"m1/a": ActivityState("completed"), "m2/b": ActivityState("completed")}
    progress = course_progress(EDITION, dict(RULES, quizzes="none"), states)
    assert progress.completed and progress.total == 2


def test_neighbours_cross_module_boundaries():
    assert neighbours(EDITION, "m1/q") == ("m1/a", "m2/b")
    assert neighbours(EDITION, "m1/a") == (None, "m1/q")
    assert neighbours(EDITION, "nope") == (None, None)
