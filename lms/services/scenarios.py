"""Playing role-play scenarios: runs saved after every reply, reviews for free text."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..core import scenario as engine
from ..models import (
    ActivityContent,
    CourseVersion,
    Enrollment,
    Review,
    ScenarioChoice,
    ScenarioRun,
    utcnow,
)
from . import learning
from .certificates import cycle_started_at
from .learning import complete_activity


def scenario_of(content: ActivityContent) -> engine.Scenario:
    """The parsed scenario of a content row; content is immutable, so it is cached."""
    return learning.parsed(content, engine.Scenario.from_dict)


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


def start_run(session: Session, enrollment: Enrollment, content: ActivityContent, version: CourseVersion) -> ScenarioRun:
    """A new run; earlier runs stay on record."""
    scenario = scenario_of(content)
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


def choose(session: Session, run: ScenarioRun, content: ActivityContent, step_id: str, reply_id: str) -> None:
    """Apply a chosen reply; raises ``engine.InvalidMove`` without touching the run."""
    scenario = scenario_of(content)
    new_state = engine.choose(scenario, state_of(run), reply_id, expected_step=step_id)
    _record(session, run, step_id, reply_id)
    run.state = new_state.to_dict()


def write(session: Session, run: ScenarioRun, content: ActivityContent, course_id: int, step_id: str,
          text: str, self_check: list[int]) -> Review:
    """Hand in a free-text reply: it moves the run on and waits for a trainer's review."""
    scenario = scenario_of(content)
    step = scenario.step(step_id)
    new_state = engine.submit_text(scenario, state_of(run), text, expected_step=step_id)
    rubric = [{"label": item.label, "points": item.points} for item in step.rubric]
    checked = sorted({i for i in self_check if 0 <= i < len(rubric)})
    review = Review(
        kind="scenario", user_id=run.user_id, course_id=course_id, activity_key=run.activity_key,
        version_id=run.version_id, run_id=run.id, item_id=step_id, prompt=step.prompt, answer=text.strip(),
        rubric=rubric, self_check=checked, max_points=float(sum(item.points for item in step.rubric)),
    )
    session.add(review)
    _record(session, run, step_id, "text")
    run.state = new_state.to_dict()
    return review


def text_points(session: Session, run: ScenarioRun) -> dict[str, Any]:
    rows = session.execute(select(Review.item_id, Review.points).where(
        Review.run_id == run.id, Review.status == "released"))
    return {step_id: points for step_id, points in rows if points is not None}


def run_summary(session: Session, run: ScenarioRun, content: ActivityContent) -> engine.RunSummary:
    return engine.summary(scenario_of(content), state_of(run), text_points(session, run))


def settle(session: Session, run: ScenarioRun, content: ActivityContent, enrollment: Enrollment,
           version: CourseVersion) -> engine.RunSummary | None:
    """At an ending: record the outcome and let the module's completion see it."""
    state = state_of(run)
    if not state.finished:
        return None
    result = run_summary(session, run, content)
    run.finished_at = run.finished_at or utcnow()
    run.outcome = result.outcome
    run.points = float(result.points)
    run.passed = result.passed
    earlier_passed = select(func.count(ScenarioRun.id)).where(
        ScenarioRun.enrollment_id == enrollment.id, ScenarioRun.activity_key == content.key,
        ScenarioRun.passed.is_(True), ScenarioRun.id != run.id)
    since = cycle_started_at(session, enrollment.user_id, enrollment.course_id)
    if since is not None:  # after a certificate expired, only this cycle's runs count
        earlier_passed = earlier_passed.where(ScenarioRun.started_at >= since)
    best_passed = bool(result.passed) or bool(session.scalar(earlier_passed))
    complete_activity(session, enrollment, content, version,
                      result={"passed": best_passed, "outcome": result.outcome, "points": float(result.points),
                              "run": run.number, "awaiting_review": list(result.awaiting_review)},
                      score=float(result.points))
    return result


@dataclass(frozen=True)
class Turn:
    """One bubble of the transcript."""

    who: str  # customer | narrator | learner
    speaker: str | None
    html: str = ""
    text: str = ""


def transcript(session: Session, run: ScenarioRun, content: ActivityContent) -> list[Turn]:
    """The dialogue so far, rebuilt from the run's path and the stored free texts."""
    scenario = scenario_of(content)
    rendered = content.data.get("html", {})
    texts = dict(session.execute(select(Review.item_id, Review.answer).where(Review.run_id == run.id)).all())
    turns: list[Turn] = []
    state = state_of(run)
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
