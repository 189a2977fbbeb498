"""The trainer's group dashboard: from plain rows to the matrix and chart data.

Pure: the service layer loads every row for a group in a fixed number of
queries and hands them here as plain values; nothing in this module queries
the database or reads the request. A learner's course status is the one of
:mod:`lms.core.status` (computed with the learner's rows, in SQL, from the same
rules); a module's cell is counted here from the completion rules.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from . import status as rules_of_status
from .completion import module_status, rule_for
from .status import COMPLETED, COURSE_STATUS_ORDER, COURSE_STATUSES, NOT_COUNTED, NOT_STARTED, OVERDUE

STATUSES: tuple[str, ...] = COURSE_STATUSES
#: "sort by status" puts who needs attention first
STATUS_ORDER: dict[str, int] = COURSE_STATUS_ORDER
#: how an activity of the plan counts as done, by its progress row (see :func:`done_when`)
NEVER, WHEN_COMPLETED, WHEN_PASSED, WHEN_HANDED_IN = 0, 1, 2, 3
SORT_KEYS: tuple[str, ...] = ("name", "progress", "status")


@dataclass(frozen=True, slots=True)
class Learner:
    """A member of the group, as the dashboard names them."""

    user_id: int
    name: str
    email: str


class Cell(NamedTuple):
    """One learner in one module: status, activities done of those that count,
    best quiz percent in the module (None: no quiz taken, or not loaded)."""

    status: str
    done: int
    total: int
    score: float | None = None


@dataclass(slots=True)
class LearnerRow:
    learner: Learner
    status: str
    done: int
    total: int
    due: dt.date | None
    cells: tuple[Cell, ...]

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


@dataclass(frozen=True)
class ModuleColumn:
    """A module of the course with how many learners are in each status."""

    slug: str
    title: str
    counts: Mapping[str, int]
    learners: int

    def percent(self, status: str) -> int:
        return round(100 * self.counts.get(status, 0) / self.learners) if self.learners else 0


@dataclass(frozen=True)
class Matrix:
    columns: tuple[ModuleColumn, ...]
    rows: tuple[LearnerRow, ...]
    course_counts: Mapping[str, int] = field(default_factory=dict)

    def course_percent(self, status: str) -> int:
        return round(100 * self.course_counts.get(status, 0) / len(self.rows)) if self.rows else 0


@dataclass(frozen=True)
class Plan:
    """How the completion rules apply to each activity of one edition, so progress can be
    counted per module in the database: ``done_when[key]`` says which progress rows meet
    the activity's requirement (:func:`done_when`); ``scored_keys`` per module are the
    activities whose best percent the module's cell shows."""

    modules: tuple[tuple[str, str], ...]
    module_of: Mapping[str, int]
    totals: tuple[int, ...]
    done_when: Mapping[str, int]
    scored_keys: tuple[tuple[str, ...], ...]


def done_when(kind: str, rules: Mapping[str, str], graded: bool) -> int:
    """Which progress rows meet an activity's requirement, worked out from
    :func:`lms.core.status.requirement_met` (so the database counts what the pages show)."""
    rule = rule_for(kind, rules)
    if rule == NOT_COUNTED:
        return NEVER

    def met(progress: str, passed: bool) -> bool:
        return rules_of_status.requirement_met(rules_of_status.activity_status(progress, passed, graded), rule)

    if met(rules_of_status.REVIEW, False):
        return WHEN_HANDED_IN
    if met(rules_of_status.DONE, False):
        return WHEN_COMPLETED
    if met(rules_of_status.DONE, True):
        return WHEN_PASSED
    return NEVER


def make_plan(edition: Mapping, rules: Mapping[str, str], graded: Mapping[str, bool],
              scored: Collection[str] = ()) -> Plan:
    """The :class:`Plan` of an edition (from the course manifest) under ``rules``; ``graded``
    says which kinds are graded and ``scored`` which have a percent to show."""
    module_of: dict[str, int] = {}
    totals, scored_keys = [], []
    when: dict[str, int] = {}
    for index, module in enumerate(edition["modules"]):
        total = 0
        for activity in module["activities"]:
            key, kind = activity["key"], activity["kind"]
            module_of[key] = index
            way = done_when(kind, rules, graded.get(kind, False))
            if rule_for(kind, rules) == NOT_COUNTED:
                continue
            total += 1
            when[key] = way
        totals.append(total)
        scored_keys.append(tuple(a["key"] for a in module["activities"] if a["kind"] in scored))
    return Plan(tuple((m["slug"], m["title"]) for m in edition["modules"]), module_of, tuple(totals), when,
                tuple(scored_keys))


def build_matrix(
    plan: Plan,
    learners: Sequence[Learner],
    progress: Mapping[int, Mapping[int, tuple[int, int]]],
    dues: Mapping[int, dt.date | None],
    today: dt.date,
    statuses: Mapping[int, str],
) -> Matrix:
    """Every learner's status in every module, and in the course (``statuses``: user id ->
    the course status of :mod:`lms.core.status`, computed for the learners' rows).

    ``progress`` maps a user id to ``{module index: (activities done that count,
    activities with any progress)}``; a learner missing from it has not started.
    A module not completed by a learner whose due date has passed is ``overdue``.
    """
    size, totals = len(plan.modules), plan.totals
    counts = [dict.fromkeys(STATUSES, 0) for _ in range(size)]
    course_counts = dict.fromkeys(STATUSES, 0)
    total = sum(totals)
    rows = []
    nothing: Mapping[int, tuple[int, int]] = {}
    # thousands of learners share a few dozen distinct cells: each is made once
    cell_of: dict[tuple[int, int, bool, bool], Cell] = {}
    for learner in learners:
        due = dues.get(learner.user_id)
        late = due is not None and today > due
        mine = progress.get(learner.user_id, nothing)
        cells = []
        done_all = 0
        for index in range(size):
            done, touched = mine.get(index, (0, 0))
            key = (index, done, touched > 0, late)
            cell = cell_of.get(key)
            if cell is None:
                status = module_status(done, totals[index], touched > 0)
                cell = cell_of[key] = Cell(OVERDUE if late and status != COMPLETED else status, done, totals[index])
            cells.append(cell)
            counts[index][cell.status] += 1
            done_all += done
        status = statuses.get(learner.user_id, NOT_STARTED)
        course_counts[status] = course_counts.get(status, 0) + 1
        rows.append(LearnerRow(learner, status, done_all, total, due, tuple(cells)))
    columns = tuple(ModuleColumn(slug, title, counts[index], len(learners))
                    for index, (slug, title) in enumerate(plan.modules))
    return Matrix(columns, tuple(rows), course_counts)


def with_scores(plan: Plan, rows: Iterable[LearnerRow], best: Mapping[int, Mapping[str, float]]) -> list[LearnerRow]:
    """``rows`` with each module's best quiz percent (``best``: user id -> quiz key -> percent)."""
    scored = []
    for row in rows:
        scores = best.get(row.learner.user_id, {})
        cells = []
        for index, cell in enumerate(row.cells):
            found = [scores[k] for k in plan.scored_keys[index] if k in scores]
            cells.append(cell._replace(score=max(found)) if found else cell)
        scored.append(LearnerRow(row.learner, row.status, row.done, row.total, row.due, tuple(cells)))
    return scored


def sort_rows(rows: Iterable[LearnerRow], key: str = "name", descending: bool = False) -> list[LearnerRow]:
    """Rows ordered by ``name``, ``progress`` (share done) or ``status``; ties by name."""

    def by_name(row: LearnerRow) -> tuple:
        return (row.learner.name.casefold(), row.learner.email)

    rows = sorted(rows, key=by_name)
    if key == "progress":
        rows.sort(key=lambda row: (row.done / row.total) if row.total else 0.0, reverse=descending)
    elif key == "status":
        rows.sort(key=lambda row: STATUS_ORDER.get(row.status, len(STATUS_ORDER)), reverse=descending)
    elif descending:
        rows.reverse()
    return rows


def filter_rows(rows: Iterable[LearnerRow], status: str | None) -> list[LearnerRow]:
    """Only learners whose course status is ``status`` (all when it is empty or unknown)."""
    if status not in STATUSES:
        return list(rows)
    return [row for row in rows if row.status == status]


def completion_timeline(completed: Iterable[dt.date]) -> list[tuple[dt.date, int]]:
    """Cumulative completions at the end of each day that had any, oldest first."""
    per_day: dict[dt.date, int] = {}
    for day in completed:
        per_day[day] = per_day.get(day, 0) + 1
    total = 0
    timeline = []
    for day in sorted(per_day):
        total += per_day[day]
        timeline.append((day, total))
    return timeline


#: quiz scores are shown in ten bands: 0-9, 10-19, ... 80-89 and 90-100 (closed)
BANDS = 10


def band_of(percent: float) -> int:
    """The band (0..9) of a percent; 100 % is in the last band, values outside 0..100 are clamped."""
    return min(BANDS - 1, max(0, int(float(percent) // (100 / BANDS))))


@dataclass(frozen=True)
class ScenarioOutline:
    """What the profile needs of one scenario: its competency labels and maxima.

    ``best`` maps a tag to the most any run can earn (None: unlimited).
    """

    labels: Mapping[str, str]
    best: Mapping[str, float | None]


@dataclass(frozen=True)
class CompetencyAverage:
    """The group's average points in one competency against the best possible."""

    tag: str
    label: str
    earned: float
    best: float | None
    runs: int

    @property
    def share(self) -> float | None:
        """Earned as a share of best (0..1, clamped), or None when best is unknown or 0."""
        if not self.best:
            return None
        return max(0.0, min(1.0, self.earned / self.best))


@dataclass(frozen=True)
class RunTotals:
    """The latest finished runs of one scenario: how many, and their points per tag summed."""

    runs: int
    points: Mapping[str, float]


def competency_profile(outlines: Mapping[str, ScenarioOutline], totals: Mapping[str, RunTotals]) -> list[CompetencyAverage]:
    """Per competency tag: the average points earned against the average best, over
    the runs counted in ``totals`` (scenario key -> :class:`RunTotals`).

    A tag counts in a scenario that can award it (best above 0, or unlimited);
    tags no scenario awards, or that no counted run met, are left out.
    """
    sums: dict[str, list] = {}  # tag -> [earned, best (None: unlimited), runs]
    labels: dict[str, str] = {}
    for outline in outlines.values():
        for tag, label in outline.labels.items():
            labels.setdefault(tag, label)
    for key, outline in outlines.items():
        found = totals.get(key)
        if found is None or not found.runs:
            continue
        for tag, best in outline.best.items():
            if best is not None and best <= 0:
                continue
            total = sums.setdefault(tag, [0.0, 0.0, 0])
            total[0] += float(found.points.get(tag) or 0)
            total[1] = None if best is None or total[1] is None else total[1] + best * found.runs
            total[2] += found.runs
    order = list(labels)
    return sorted(
        (CompetencyAverage(tag, labels.get(tag, tag), earned / runs, None if best is None else best / runs, runs)
         for tag, (earned, best, runs) in sums.items()),
        key=lambda c: order.index(c.tag) if c.tag in order else len(order))


def outline_of(data: Mapping) -> ScenarioOutline:
    """The outline of a stored scenario (``Scenario.to_dict()`` data)."""
    labels = {c["tag"]: c.get("label", c["tag"]) for c in data.get("competencies", ())}
    maxima = (data.get("outline") or {}).get("competency_max", {})
    return ScenarioOutline(labels, {tag: maxima.get(tag, 0) for tag in labels})
