"""Completion rules: from each activity's status to the modules' and the course's progress.

Pure: takes the course manifest's structure, the completion rules of course.md and each
activity's status (:mod:`lms.core.status`), and says which requirements are met, how many
of them per module, and where "Continue" leads. The course's *status* (completed,
overdue...) is :func:`lms.core.status.course_status`; this module says whether the
requirements are all met, which is what records a completion.

How a kind is counted comes from the activity-kind registry (:mod:`lms.core.activities`):
its ``completion_key`` in course.md (``lessons``, ``quizzes``...) and its default rule.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import activities
from .status import COMPLETED, IN_PROGRESS, NOT_COUNTED, NOT_STARTED, requirement_met


def rule_for(kind: str, rules: Mapping[str, str]) -> str:
    """The completion rule that applies to activities of ``kind`` under the course's ``rules``."""
    found = activities.get(kind)
    if found is None:
        return NOT_COUNTED
    return rules.get(found.completion_key, found.default_rule)


def counts(kind: str, rules: Mapping[str, str]) -> bool:
    """Whether an activity of ``kind`` takes part in completion under ``rules``."""
    return rule_for(kind, rules) != NOT_COUNTED


@dataclass(frozen=True)
class ActivityProgress:
    """One activity as the course page shows it."""

    key: str
    kind: str
    status: str
    counted: bool
    met: bool


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
    activities: Mapping[str, ActivityProgress]
    #: every requirement is met (this is what records the course's completion)
    requirements_met: bool
    #: where "Continue" leads: the first requirement not yet met (None when all are)
    next_key: str | None
    started: bool
    #: the minutes the activities not yet met take (as the course states or estimates them)
    minutes_left: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    def position(self, key: str) -> tuple[int, int]:
        """(1-based place of ``key`` in reading order, number of activities)."""
        order = list(self.activities)
        return (order.index(key) + 1 if key in order else 0), len(order)


def module_status(done: int, total: int, started: bool) -> str:
    """A module's status: completed when its requirements are met, else in progress once touched."""
    return COMPLETED if done == total else (IN_PROGRESS if started or done else NOT_STARTED)


def course_progress(edition: Mapping[str, Any], rules: Mapping[str, str], statuses: Mapping[str, str],
                    ) -> CourseProgress:
    """Progress of one learner through one edition of a course.

    ``statuses`` maps activity keys to their status (missing: not started).
    """
    modules = []
    done_total = counted_total = 0
    shown: dict[str, ActivityProgress] = {}
    next_key: str | None = None
    started_any = False
    minutes_left = 0
    for module in edition["modules"]:
        done = total = 0
        started = False
        for activity in module["activities"]:
            key, kind = activity["key"], activity["kind"]
            status = statuses.get(key, NOT_STARTED)
            rule = rule_for(kind, rules)
            counted = rule != NOT_COUNTED
            met = counted and requirement_met(status, rule)
            shown[key] = ActivityProgress(key, kind, status, counted, met)
            started = started or status != NOT_STARTED
            if counted:
                total += 1
                done += met
                if not met:
                    minutes_left += activity.get("minutes") or 0
                    next_key = next_key or key
        started_any = started_any or started
        modules.append(ModuleProgress(module["slug"], module["title"], done, total, module_status(done, total, started)))
        done_total += done
        counted_total += total
    return CourseProgress(done_total, counted_total, tuple(modules), shown,
                          counted_total > 0 and done_total == counted_total, next_key, started_any, minutes_left)


def neighbours(edition: Mapping[str, Any], key: str) -> tuple[str | None, str | None]:
    """The activities before and after ``key`` in reading order."""
    order = [a["key"] for m in edition["modules"] for a in m["activities"]]
    if key not in order:
        return None, None
    i = order.index(key)
    return (order[i - 1] if i > 0 else None), (order[i + 1] if i + 1 < len(order) else None)
