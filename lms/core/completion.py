"""Completion rules: from what a learner did to module and course status.

Pure: takes the course manifest's structure and a map of activity keys to
progress records, returns the status of each module and of the course.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

NOT_STARTED, IN_PROGRESS, COMPLETED, OVERDUE = "not_started", "in_progress", "completed", "overdue"


@dataclass(frozen=True)
class ActivityState:
    """What is known of one activity for one learner."""

    status: str = NOT_STARTED  # not_started | started | completed
    passed: bool | None = None  # graded activities: did the result meet the rule


@dataclass(frozen=True)
class ModuleProgress:
    slug: str
    title: str
    done: int
    total: int
    status: str

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100


@dataclass(frozen=True)
class CourseProgress:
    done: int
    total: int
    modules: tuple[ModuleProgress, ...]
    completed: bool
    next_key: str | None
    status: str

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def counts(kind: str, rules: dict[str, str]) -> bool:
    """Whether an activity of ``kind`` takes part in completion under ``rules``."""
    rule = rules.get({"lesson": "lessons", "quiz": "quizzes", "scenario": "scenarios"}.get(kind, kind), "all")
    return rule != "none"


def activity_done(kind: str, state: ActivityState, rules: dict[str, str]) -> bool:
    """Whether one activity counts as done under the course's rules."""
    if kind == "lesson":
        return state.status == "completed"
    rule = rules.get({"quiz": "quizzes", "scenario": "scenarios"}.get(kind, kind), "passed")
    if rule in ("attempted", "finished"):
        return state.status == "completed"
    return state.status == "completed" and bool(state.passed)


def course_progress(
    edition: dict[str, Any],
    rules: dict[str, str],
    states: dict[str, ActivityState],
    last_key: str | None = None,
    due: dt.date | None = None,
    today: dt.date | None = None,
) -> CourseProgress:
    """Progress of one learner through one edition of a course.

    ``next_key`` is where "Continue" leads: the activity after the last one
    opened if that one is done, else the last one opened, else the first not done.
    """
    modules = []
    done_total = counted_total = 0
    order: list[str] = []
    done_keys: set[str] = set()
    started_any = False
    for module in edition["modules"]:
        done = total = 0
        started = False
        for activity in module["activities"]:
            key, kind = activity["key"], activity["kind"]
            order.append(key)
            state = states.get(key, ActivityState())
            if state.status != NOT_STARTED:
                started = True
            is_done = activity_done(kind, state, rules)
            if is_done:
                done_keys.add(key)
            if counts(kind, rules):
                total += 1
                done += is_done
        status = COMPLETED if done == total else (IN_PROGRESS if started or done else NOT_STARTED)
        started_any = started_any or started
        modules.append(ModuleProgress(module["slug"], module["title"], done, total, status))
        done_total += done
        counted_total += total
    completed = done_total == counted_total and counted_total > 0
    next_key = None
    if last_key in order:
        index = order.index(last_key)
        if last_key not in done_keys:
            next_key = last_key
        else:
            later = [k for k in order[index + 1:] if k not in done_keys]
            next_key = later[0] if later else None
    if next_key is None:
        remaining = [k for k in order if k not in done_keys]
        next_key = remaining[0] if remaining else (order[0] if order else None)
    if completed:
        status = COMPLETED
    elif due is not None and today is not None and today > due:
        status = OVERDUE
    elif started_any or done_total:
        status = IN_PROGRESS
    else:
        status = NOT_STARTED
    return CourseProgress(done_total, counted_total, tuple(modules), completed, next_key, status)


def neighbours(edition: dict[str, Any], key: str) -> tuple[str | None, str | None]:
    """The activities before and after ``key`` in reading order."""
    order = [a["key"] for m in edition["modules"] for a in m["activities"]]
    if key not in order:
        return None, None
    i = order.index(key)
    return (order[i - 1] if i > 0 else None), (order[i + 1] if i + 1 < len(order) else None)
