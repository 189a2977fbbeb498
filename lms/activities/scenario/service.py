"""Playing role-play scenarios: runs saved after every reply, reviews for free text.

Functions take a session and plain values and flush; the view commits.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...core import scenario as engine
from ...models import (
    ActivityContent,
    CourseVersion,
    Enrollment,
    Review,
    ScenarioChoice,
    ScenarioRun,
    utcnow,
)
from ...services import learning
from ...services.certificates import cycle_started_at
from ...services.learning import complete_activity

Cache = MutableMapping[tuple, Any] | None
#: the kind this package implements (``ActivityContent.kind``)
KIND = "scenario"


def scenario_of(content: ActivityContent, cache: Cache = None) -> engine.Scenario:
    """The parsed scenario of a content row (content is immutable: ``cache`` may keep it)."""
    return learning.parsed(content, engine.Scenario.from_dict, cache)


def state_of(run: ScenarioRun) -> engine.RunState:
    return engine.RunState.from_dict(run.state)


def latest_run(session: Session, enrollment: Enrollment, key: str) -> ScenarioRun | None:
    return session.scalar(
        select(ScenarioRun).where(ScenarioRun.enrollment_id == enrollment.id, ScenarioRun.activity_key == key)
        .order_by(ScenarioRun.number.desc()).limit(1)
    )


def run_count(session: Session, enrollment: Enrollment, key: str) -> int:
    return session.scalar(select(func.count(ScenarioRun.id)).where(
        ScenarioRun.enrollment_id == enrollment.id, ScenarioRun.activity_key == key)) or 0


def start_run(session: Session, enrollment: Enrollment, content: ActivityContent, version: CourseVersion,
              cache: Cache = None) -> ScenarioRun:
    """A new run; earlier runs stay on record."""
    scenario = scenario_of(content, cache)
    number = run_count(session, enrollment, content.key) + 1
    run = ScenarioRun(
        enrollment_id=enrollment.id, user_id=enrollment.user_id, activity_key=content.key,
        version_id=version.id, number=number, state=engine.start_state(scenario).to_dict(),
    )
    session.add(run)
    enrollment.last_key = content.key
    session.flush()
    return run


def _record(session: Session, run: ScenarioRun, step_id: str, reply_id: str) -> None:
    now = utcnow()
    last = run.updated_at if run.updated_at.tzinfo else run.updated_at.replace(tzinfo=dt.UTC)
    session.add(ScenarioChoice(run_id=run.id, version_id=run.version_id, activity_key=run.activity_key,
                               step_id=step_id, reply_id=reply_id, at=now,
                               seconds=max(0, int((now - last).total_seconds()))))
    run.updated_at = now


def choose(session: Session, run: ScenarioRun, content: ActivityContent, step_id: str, reply_id: str,
           cache: Cache = None) -> None:
    """Apply a chosen reply; raises ``engine.InvalidMove`` without touching the run."""
    scenario = scenario_of(content, cache)
    new_state = engine.choose(scenario, state_of(run), reply_id, expected_step=step_id)
    _record(session, run, step_id, reply_id)
    run.state = new_state.to_dict()


def write(session: Session, run: ScenarioRun, content: ActivityContent, course_id: int, step_id: str,
          text: str, self_check: list[int], cache: Cache = None) -> Review:
    """Hand in a free-text reply: it moves the run on and waits for a trainer's review."""
    scenario = scenario_of(content, cache)
    new_state = engine.submit_text(scenario, state_of(run), text, expected_step=step_id)
    step = scenario.known_step(step_id)  # submit_text refused a run that is not at this step
    rubric = [{"label": item.label, "points": item.points} for item in step.rubric]
    checked = sorted({i for i in self_check if 0 <= i < len(rubric)})
    review = Review(
        kind=KIND, user_id=run.user_id, course_id=course_id, activity_key=run.activity_key,
        version_id=run.version_id, source_id=run.id, item_id=step_id, prompt=step.prompt, answer=text.strip(),
        rubric=rubric, self_check=checked, max_points=float(sum(item.points for item in step.rubric)),
    )
    session.add(review)
    _record(session, run, step_id, "text")
    run.state = new_state.to_dict()
    return review


def text_points(session: Session, run: ScenarioRun) -> dict[str, Any]:
    rows = session.execute(select(Review.item_id, Review.points).where(
        Review.kind == KIND, Review.source_id == run.id, Review.status == "released"))
    return {step_id: points for step_id, points in rows if points is not None}


def run_summary(session: Session, run: ScenarioRun, content: ActivityContent, cache: Cache = None
                ) -> engine.RunSummary:
    return engine.summary(scenario_of(content, cache), state_of(run), text_points(session, run))


def passed_in_cycle(session: Session, enrollment: Enrollment, key: str) -> bool:
    """Whether any run of the role-play passed in the learner's current certification cycle."""
    query = select(func.count(ScenarioRun.id)).where(
        ScenarioRun.enrollment_id == enrollment.id, ScenarioRun.activity_key == key, ScenarioRun.passed.is_(True))
    since = cycle_started_at(session, enrollment.user_id, enrollment.course_id)
    if since is not None:  # after a certificate expired, only this cycle's runs count
        query = query.where(ScenarioRun.started_at >= since)
    return bool(session.scalar(query))


def settle(session: Session, run: ScenarioRun, content: ActivityContent, enrollment: Enrollment,
           version: CourseVersion, cache: Cache = None) -> engine.RunSummary | None:
    """At an ending: record the outcome and let the module's completion see it.

    A written reply waiting for review does not hold the role-play back: it passes or
    fails on its outcome, and released points are added when the trainer releases them.
    """
    state = state_of(run)
    if not state.finished:
        return None
    result = run_summary(session, run, content, cache)
    run.finished_at = run.finished_at or utcnow()
    run.outcome = result.outcome
    run.points = float(result.points)
    run.passed = result.passed
    record_outcome(session, run, content, enrollment, version, result)
    return result


def record_outcome(session: Session, run: ScenarioRun, content: ActivityContent, enrollment: Enrollment,
                   version: CourseVersion, result: engine.RunSummary) -> None:
    session.flush()
    complete_activity(session, enrollment, content, version,
                      result={"passed": passed_in_cycle(session, enrollment, content.key), "outcome": result.outcome,
                              "points": float(result.points), "run": run.number,
                              "awaiting_review": list(result.awaiting_review)},
                      score=float(result.points))


def apply_review(session: Session, run: ScenarioRun, content: ActivityContent, cache: Cache = None) -> None:
    """A trainer released points for a written reply: the run's points and verdict, and the
    activity's progress (the learner's "Continue" stays where it was)."""
    if run.finished_at is None:
        return  # the run settles at its ending, where released points already count
    enrollment = session.get_one(Enrollment, run.enrollment_id)
    summary = run_summary(session, run, content, cache)
    run.points = float(summary.points)
    run.passed = summary.passed
    version = session.get_one(CourseVersion, enrollment.version_id)
    latest = session.scalar(select(func.max(ScenarioRun.number)).where(
        ScenarioRun.enrollment_id == enrollment.id, ScenarioRun.activity_key == run.activity_key))
    last_key = enrollment.last_key
    if run.number == latest:
        record_outcome(session, run, content, enrollment, version, summary)
    else:
        session.flush()
        learning.mark_passed(session, enrollment, content, version, passed_in_cycle(session, enrollment, content.key))
    enrollment.last_key = last_key


@dataclass(frozen=True)
class Turn:
    """One bubble of the transcript."""

    who: str  # customer | narrator | learner
    speaker: str | None
    html: str = ""
    text: str = ""


def transcript(session: Session, run: ScenarioRun, content: ActivityContent, cache: Cache = None) -> list[Turn]:
    """The dialogue so far, rebuilt from the run's path and the stored free texts."""
    texts = dict(session.execute(select(Review.item_id, Review.answer).where(
        Review.kind == KIND, Review.source_id == run.id)).all())
    return dialogue(scenario_of(content, cache), content.data.get("html", {}), state_of(run), texts)


def dialogue(scenario: engine.Scenario, rendered: dict[str, Any], state: engine.RunState,
             texts: dict[str, str]) -> list[Turn]:
    """The dialogue of a run in ``state``: the lines of every step it met (``rendered``: the steps'
    HTML) and the learner's replies, the written ones taken from ``texts`` (step id -> text)."""
    turns: list[Turn] = []
    steps = [step_id for step_id, _ in state.path] + [state.step_id]
    actions = [action for _, action in state.path] + [None]
    for step_id, action in zip(steps, actions, strict=True):
        step = scenario.step(step_id)
        if step is None or step.kind == engine.ROUTE:
            continue
        for index, line in enumerate(step.lines):
            html = rendered.get(step_id, {}).get("lines", [])
            turns.append(Turn("narrator" if line.speaker is None else "customer", line.speaker,
                              html=html[index] if index < len(html) else ""))
        if action is None:
            continue
        if action == "text":
            turns.append(Turn("learner", None, text=texts.get(step_id, "")))
        else:
            reply = step.reply(action)
            if reply is not None:
                turns.append(Turn("learner", None, text=reply.text))
    return turns
