"""The dashboard's pure parts: counting per module agrees with the completion rules, sorting, bands, profiles."""
import datetime as dt
import random

import pytest

from lms.core import dashboard as core
from lms.core.completion import course_progress
from lms.core.status import COMPLETED, activity_status

GRADED = {"lesson": False, "quiz": True, "scenario": True}

EDITION = {"modules": [
    {"slug": "01-a", "title": "A", "activities": [
        {"key": "01-a/l1", "kind": "lesson"}, {"key": "01-a/l2", "kind": "lesson"}, {"key": "01-a/q", "kind": "quiz"}]},
    {"slug": "02-b", "title": "B", "activities": [
        {"key": "02-b/l1", "kind": "lesson"}, {"key": "02-b/s", "kind": "scenario"}]},
    {"slug": "03-c", "title": "C", "activities": [{"key": "03-c/q", "kind": "quiz"}]},
]}
TODAY = dt.date(2030, 6, 1)
RULES = [
    {"lessons": "all", "quizzes": "passed", "scenarios": "passed"},
    {"lessons": "all", "quizzes": "attempted", "scenarios": "finished"},
    {"lessons": "all", "quizzes": "none", "scenarios": "passed"},
    {"lessons": "none", "quizzes": "passed", "scenarios": "none"},
]


def counted_like_the_database(plan: core.Plan, rows: dict[str, tuple[str, bool | None]]) -> dict[int, tuple[int, int]]:
    """What the dashboard's SQL computes from progress rows (status, passed), per module."""
    result: dict[int, tuple[int, int]] = {}
    for key, (progress, passed) in rows.items():
        if key not in plan.module_of:
            continue
        index = plan.module_of[key]
        way = plan.done_when.get(key, core.NEVER)
        done = ((way == core.WHEN_COMPLETED and progress == "completed")
                or (way == core.WHEN_PASSED and progress == "completed" and bool(passed))
                or (way == core.WHEN_HANDED_IN and progress in ("completed", "awaiting_review")))
        before = result.get(index, (0, 0))
        result[index] = (before[0] + done, before[1] + 1)
    return result


@pytest.mark.parametrize("rules", RULES)
def test_counting_per_module_agrees_with_course_progress(rules):
    rng = random.Random(7)
    keys = [a["key"] for m in EDITION["modules"] for a in m["activities"]]
    plan = core.make_plan(EDITION, rules, GRADED)
    kinds = {a["key"]: a["kind"] for m in EDITION["modules"] for a in m["activities"]}
    learners, rows, dues = [], {}, {}
    for uid in range(300):
        learners.append(core.Learner(uid, f"L{uid}", f"l{uid}@x"))
        rows[uid] = {k: (rng.choice(["started", "awaiting_review", "completed"]), rng.choice([True, False, None]))
                     for k in keys if rng.random() < 0.6}
        dues[uid] = rng.choice([None, TODAY - dt.timedelta(days=1), TODAY + dt.timedelta(days=1)])
    progress = {uid: counted_like_the_database(plan, r) for uid, r in rows.items()}
    statuses = {uid: "in_progress" for uid in rows}
    matrix = core.build_matrix(plan, learners, progress, dues, TODAY, statuses)
    for row in matrix.rows:
        mine = {k: activity_status(p, passed, GRADED[kinds[k]]) for k, (p, passed) in rows[row.learner.user_id].items()}
        expected = course_progress(EDITION, rules, mine)
        assert (row.status, row.done, row.total) == ("in_progress", expected.done, expected.total)
        late = dues[row.learner.user_id] is not None and TODAY > dues[row.learner.user_id]
        for cell, module in zip(row.cells, expected.modules, strict=True):
            want = "overdue" if late and module.status != COMPLETED else module.status
            assert (cell.status, cell.done, cell.total) == (want, module.done, module.total)
    assert sum(matrix.course_counts.values()) == 300
    for index, column in enumerate(matrix.columns):
        assert sum(column.counts.values()) == 300
        assert column.counts[COMPLETED] == sum(r.cells[index].status == COMPLETED for r in matrix.rows)


def test_scores_are_the_best_quiz_percent_of_each_module():
    plan = core.make_plan(EDITION, RULES[0], GRADED, {"quiz"})
    matrix = core.build_matrix(plan, [core.Learner(1, "A", "a@x")], {}, {}, TODAY, {})
    [row] = core.with_scores(plan, matrix.rows, {1: {"01-a/q": 55.0, "03-c/q": 90.0, "gone/q": 100.0}})
    assert [cell.score for cell in row.cells] == [55.0, None, 90.0]


def rows_for(*specs):
    plan = core.make_plan(EDITION, RULES[0], GRADED)
    learners = [core.Learner(i, name, f"{i}@x") for i, (name, _) in enumerate(specs)]
    progress = {i: {0: (done, done)} for i, (_, done) in enumerate(specs) if done}
    statuses = {i: ("completed" if done == 7 else "in_progress" if done else "not_started")
                for i, (_, done) in enumerate(specs)}
    return core.build_matrix(plan, learners, progress, {}, TODAY, statuses).rows


def test_sorting_by_name_progress_and_status_and_filtering():
    rows = rows_for(("вера", 0), ("Анна", 3), ("Борис", 1), ("анатолий", 1))
    names = lambda rows: [r.learner.name for r in rows]  # noqa: E731
    assert names(core.sort_rows(rows, "name")) == ["анатолий", "Анна", "Борис", "вера"]
    assert names(core.sort_rows(rows, "name", descending=True)) == ["вера", "Борис", "Анна", "анатолий"]
    assert names(core.sort_rows(rows, "progress")) == ["вера", "анатолий", "Борис", "Анна"]
    assert names(core.sort_rows(rows, "progress", descending=True)) == ["Анна", "анатолий", "Борис", "вера"]
    assert names(core.sort_rows(rows, "status")) == ["вера", "анатолий", "Анна", "Борис"]
    assert names(core.filter_rows(rows, "not_started")) == ["вера"]
    assert len(core.filter_rows(rows, "nonsense")) == 4


def test_completion_timeline_is_cumulative_per_day():
    d = dt.date
    assert core.completion_timeline([d(2030, 1, 3), d(2030, 1, 1), d(2030, 1, 3), d(2030, 1, 9)]) == [
        (d(2030, 1, 1), 1), (d(2030, 1, 3), 3), (d(2030, 1, 9), 4)]
    assert core.completion_timeline([]) == []


@pytest.mark.parametrize(("percent", "band"), [(0, 0), (9.99, 0), (10, 1), (55, 5), (89.9, 8), (90, 9), (100, 9),
                                               (-4, 0), (130, 9)])
def test_score_bands_are_ten_wide_and_the_last_one_is_closed(percent, band):
    assert core.band_of(percent) == band


def test_competency_profile_averages_earned_against_best():
    outlines = {
        "m/s1": core.ScenarioOutline({"speed": "Speed", "promises": "Promises", "unused": "Unused"},
                                     {"speed": 2, "promises": 4, "unused": 0}),
        "m/s2": core.ScenarioOutline({"promises": "Promises", "free": "Free"}, {"promises": 2, "free": None}),
    }
    totals = {"m/s1": core.RunTotals(2, {"speed": 3.0, "promises": 4.0}),
              "m/s2": core.RunTotals(1, {"promises": 2.0, "free": 5.0}),
              "gone": core.RunTotals(9, {"speed": 99.0})}
    profile = {c.tag: c for c in core.competency_profile(outlines, totals)}
    assert set(profile) == {"speed", "promises", "free"}
    assert (profile["speed"].earned, profile["speed"].best, profile["speed"].runs) == (1.5, 2.0, 2)
    # promises: (4 + 2) earned over 3 runs; best (4 + 4 + 2) / 3
    assert profile["promises"].earned == 2.0 and profile["promises"].best == pytest.approx(10 / 3)
    assert profile["promises"].share == pytest.approx(0.6)
    assert profile["free"].best is None and profile["free"].share is None
    assert core.competency_profile(outlines, {}) == []


def test_outline_of_reads_a_stored_scenario():
    data = {"competencies": [{"tag": "speed", "label": "Скорость"}, {"tag": "needs"}],
            "outline": {"competency_max": {"speed": 3}}}
    outline = core.outline_of(data)
    assert outline.labels == {"speed": "Скорость", "needs": "needs"}
    assert outline.best == {"speed": 3, "needs": 0}
