"""What trainers and learning records see of role-plays: the learner's runs, the group's
competency profile, how often each reply was chosen, and the xAPI statements of finished runs."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...core import dashboard as dashboard_core
from ...core import item_analysis, xapi
from ...core.scenario import ROUTE
from ...models import ActivityContent, Enrollment, ScenarioChoice, ScenarioRun, User
from ...services import xapi as records
from . import service


@dataclass(frozen=True)
class RunRecord:
    """A role-play run in a learner's record."""

    title: str
    number: int
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    outcome: str | None
    points: float | None
    passed: bool | None
    version: int
    path: tuple[str, ...]
    seconds: int


def run_records(session: Session, enrollments: Mapping[int, Enrollment], context: Any) -> Iterator[tuple[int, RunRecord]]:
    runs = list(session.scalars(select(ScenarioRun).where(ScenarioRun.enrollment_id.in_(enrollments))
                                .order_by(ScenarioRun.activity_key, ScenarioRun.number)))
    seconds = dict(session.execute(
        select(ScenarioChoice.run_id, func.sum(ScenarioChoice.seconds))
        .join(ScenarioRun, ScenarioRun.id == ScenarioChoice.run_id)
        .where(ScenarioRun.enrollment_id.in_(enrollments)).group_by(ScenarioChoice.run_id)).all()) if runs else {}
    for run in runs:
        title, _module, number = context.describe(run.enrollment_id, run.version_id, run.activity_key)
        content = context.content(run.version_id, run.activity_key, context.language(run.enrollment_id))
        path: list[str] = []
        outcome = run.outcome
        if content is not None:
            scenario = service.scenario_of(content, context.cache)
            state = run.state or {}
            for step_id in [p[0] for p in state.get("path", [])] + [state.get("step_id")]:
                step = scenario.step(step_id) if step_id else None
                if step is not None and step.kind != ROUTE:
                    path.append(step.title or step.id)
            outcome = scenario.outcome_label(run.outcome)
        yield run.enrollment_id, RunRecord(title, run.number, run.started_at, run.finished_at, outcome, run.points,
                                           run.passed, number, tuple(path), int(seconds.get(run.id) or 0))


def competencies(session: Session, version_id: int, language: str, in_course: Any) -> list[dashboard_core.CompetencyAverage]:
    """The group's average points per competency against the best possible: each learner
    counts once per role-play, with their latest finished run."""
    outlines = {key: dashboard_core.outline_of(data) for key, data in session.execute(
        select(ActivityContent.key, ActivityContent.data).where(
            ActivityContent.version_id == version_id, ActivityContent.language == language,
            ActivityContent.kind == service.KIND))}
    # only tags some scenario can award (best above 0, or unlimited) are summed
    tags = sorted({tag for outline in outlines.values() for tag, best in outline.best.items()
                   if best is None or best > 0})
    totals: dict[str, dashboard_core.RunTotals] = {}
    if tags:
        ranked = (select(ScenarioRun.activity_key.label("key"),
                         ScenarioRun.competencies.label("competencies"),
                         func.row_number().over(partition_by=(ScenarioRun.enrollment_id, ScenarioRun.activity_key),
                                                order_by=ScenarioRun.number.desc()).label("rank"))
                  .join(Enrollment, Enrollment.id == ScenarioRun.enrollment_id)
                  .where(in_course, ScenarioRun.finished_at.is_not(None)).subquery())
        sums = [func.sum(ranked.c.competencies[tag].as_float()) for tag in tags]
        for key, runs, *points in session.execute(
                select(ranked.c.key, func.count(), *sums).where(ranked.c.rank == 1).group_by(ranked.c.key)):
            totals[key] = dashboard_core.RunTotals(int(runs), {tag: float(p or 0)
                                                               for tag, p in zip(tags, points, strict=True)})
    return dashboard_core.competency_profile(outlines, totals)


@dataclass(frozen=True)
class ScenarioAnalysis:
    key: str
    title: str
    runs: int
    steps: list[item_analysis.StepStats]


def analysis(session: Session, version_id: int, contents: list[ActivityContent], cache: Any) -> list[ScenarioAnalysis]:
    """Every reply chosen in a run on this version, per step of each role-play."""
    keys = [c.key for c in contents]
    counts: dict[str, dict[tuple[str, str], int]] = defaultdict(dict)
    for key, step_id, reply_id, count in session.execute(
        select(ScenarioChoice.activity_key, ScenarioChoice.step_id, ScenarioChoice.reply_id,
               func.count(ScenarioChoice.id))
        .where(ScenarioChoice.version_id == version_id, ScenarioChoice.activity_key.in_(keys))
        .group_by(ScenarioChoice.activity_key, ScenarioChoice.step_id, ScenarioChoice.reply_id)):
        counts[key][(step_id, reply_id)] = count
    runs = dict(session.execute(
        select(ScenarioRun.activity_key, func.count(ScenarioRun.id))
        .where(ScenarioRun.version_id == version_id, ScenarioRun.activity_key.in_(keys))
        .group_by(ScenarioRun.activity_key)).all())
    return [ScenarioAnalysis(c.key, c.title, runs.get(c.key, 0),
                             item_analysis.analyse_scenario(service.scenario_of(c, cache), counts[c.key]))
            for c in contents]


def statements(session: Session, catalogue: Any) -> Iterator[records.Record]:
    """Each finished run: one "experienced" statement with its outcome."""
    rows = records.streamed(session,
        select(ScenarioRun, Enrollment, User)
        .join(Enrollment, Enrollment.id == ScenarioRun.enrollment_id).join(User, User.id == ScenarioRun.user_id)
        .where(ScenarioRun.finished_at.is_not(None), ScenarioRun.passed.is_not(None))
        .order_by(ScenarioRun.id))
    for run, enrollment, user in rows:
        title, language = catalogue.title(run.version_id, enrollment.language, run.activity_key)
        course = catalogue.course(enrollment.course_id, run.version_id, enrollment.language)
        yield records.Record(xapi.statement_id("scenario", run.id), user.id, xapi.scenario_ended(
            run_id=run.id, number=run.number, actor=records.actor_of(user), course=course,
            iri=xapi.activity_iri(catalogue.base, catalogue.slug(enrollment.course_id), run.activity_key),
            title=title, language=language, outcome=run.outcome, points=run.points,
            passed=run.passed, started=run.started_at, finished=run.finished_at, enrollment_id=enrollment.id))
