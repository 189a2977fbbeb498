"""Seed a group of learners with realistic progress through one course, in bulk.

Used by ``bench/dashboard.py`` and by the query-count test. Rows go in with
``session.execute(insert(Model), rows)`` (one statement per table and batch), so
thousands of learners take seconds. Progress follows the course's own rules:
learners advance in reading order; a quiz is passed before moving on (often
after a failed first attempt); a role-play is finished with competency points
drawn within what the scenario allows.
"""
from __future__ import annotations

import datetime as dt
import random
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from lms.models import (
    ActivityContent,
    ActivityProgress,
    Assignment,
    Course,
    CourseVersion,
    Enrollment,
    Group,
    GroupMember,
    QuizAttempt,
    ScenarioChoice,
    ScenarioRun,
    User,
)

BATCH = 5000


def _bulk(session: Session, model, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH):
        session.execute(insert(model), rows[start:start + BATCH])


def seed_group(session: Session, slug: str, learners: int, *, name: str | None = None,
               trainer_id: int | None = None, seed: int = 1, today: dt.date | None = None,
               due_in_days: int = 14) -> Group:
    """A group of ``learners`` members with ``slug`` assigned and progress through it.

    About 15 % have not started, a quarter have finished, the rest are part-way.
    Returns the group; the caller commits.
    """
    rng = random.Random(seed)
    today = today or dt.date.today()
    now = dt.datetime.combine(today, dt.time(12), tzinfo=dt.UTC)
    course, version = session.execute(
        select(Course, CourseVersion).join(CourseVersion, CourseVersion.id == Course.published_version_id)
        .where(Course.slug == slug)).one()
    manifest = version.manifest
    language = manifest["default_language"]
    activities = [(a["key"], a["kind"]) for m in manifest["editions"][language]["modules"] for a in m["activities"]]
    scenarios = {key: data for key, data in session.execute(
        select(ActivityContent.key, ActivityContent.data).where(
            ActivityContent.version_id == version.id, ActivityContent.language == language,
            ActivityContent.kind == "scenario"))}

    name = name or f"Bench group {learners} #{seed}"
    group = Group(name=name, kind="store")
    session.add(group)
    session.flush()
    prefix = f"seed:{group.id}:"
    _bulk(session, User, [
        {"external_id": f"{prefix}{i}", "email": f"learner{i}.g{group.id}@example.com",
         "name": f"Learner {i:05d}", "roles": "learner"} for i in range(learners)])
    ids = list(session.scalars(select(User.id).where(User.external_id.startswith(prefix)).order_by(User.id)))
    members = [{"group_id": group.id, "user_id": uid, "role": "member", "joined_at": now} for uid in ids]
    if trainer_id is not None:
        members.append({"group_id": group.id, "user_id": trainer_id, "role": "trainer", "joined_at": now})
    _bulk(session, GroupMember, members)
    session.add(Assignment(course_id=course.id, group_id=group.id, due_date=today + dt.timedelta(days=due_in_days),
                           assigned_by_id=trainer_id))

    depth_of: dict[int, int] = {}
    for uid in ids:
        roll = rng.random()
        depth_of[uid] = 0 if roll < 0.15 else len(activities) if roll > 0.75 else rng.randint(1, len(activities) - 1)
    started = [uid for uid in ids if depth_of[uid] > 0]
    _bulk(session, Enrollment, [
        {"user_id": uid, "course_id": course.id, "version_id": version.id, "language": language,
         "last_key": activities[min(depth_of[uid], len(activities)) - 1][0],
         "started_at": now - dt.timedelta(days=30), "updated_at": now,
         "completed_at": now - dt.timedelta(days=rng.randint(0, 29)) if depth_of[uid] == len(activities) else None,
         "completed_version_id": version.id if depth_of[uid] == len(activities) else None}
        for uid in started])
    enrollment_of = dict(session.execute(select(Enrollment.user_id, Enrollment.id).where(
        Enrollment.course_id == course.id, Enrollment.user_id.in_(select(GroupMember.user_id).where(
            GroupMember.group_id == group.id)))).all())

    progress, attempts, runs = [], [], []
    for uid in started:
        enrollment = enrollment_of[uid]
        depth = depth_of[uid]
        for index, (key, kind) in enumerate(activities[:depth + 1]):
            if index >= len(activities):
                break
            finished = index < depth
            at = now - dt.timedelta(days=rng.randint(1, 29), minutes=rng.randint(0, 600))
            row = {"enrollment_id": enrollment, "activity_key": key, "version_id": version.id,
                   "status": "completed" if finished else "started", "started_at": at,
                   "completed_at": at if finished else None, "score": None, "result": None}
            if kind == "quiz" and (finished or rng.random() < 0.5):
                tries = rng.choice((1, 1, 2)) if finished else 1
                for number in range(1, tries + 1):
                    last = number == tries
                    percent = float(rng.randint(70, 100) if finished and last else rng.randint(10, 69))
                    attempts.append({
                        "enrollment_id": enrollment, "user_id": uid, "activity_key": key, "version_id": version.id,
                        "number": number, "seed": rng.getrandbits(40), "plan": {"seed": 0, "question_ids": []},
                        "answers": {}, "status": "submitted", "started_at": at, "submitted_at": at,
                        "percent": percent, "passed": percent >= 70, "result": None, "revision": 1})
                row.update(status="completed", completed_at=at, score=percent,
                           result={"passed": finished, "percent": percent, "attempt": tries})
            elif kind == "scenario" and key in scenarios:
                data = scenarios[key]
                maxima = (data.get("outline") or {}).get("competency_max", {})
                competencies = {tag: rng.randint(0, int(best)) for tag, best in maxima.items() if best}
                path = [[step, "1"] for step in (data.get("outline") or {}).get("best_path", [])[:-1]]
                state = {"step_id": (data.get("outline") or {}).get("best_path", [data["start"]])[-1],
                         "variables": {}, "competencies": competencies, "path": path,
                         "finished": finished, "outcome": None}
                runs.append({
                    "enrollment_id": enrollment, "user_id": uid, "activity_key": key, "version_id": version.id,
                    "number": 1, "state": state, "started_at": at, "updated_at": at,
                    "finished_at": at if finished else None, "outcome": None,
                    "points": float(sum(competencies.values())) if finished else None,
                    "passed": finished if finished else None, "revision": 1})
                if finished:
                    row["result"] = {"passed": True, "points": float(sum(competencies.values())), "run": 1}
            progress.append(row)
    _bulk(session, ActivityProgress, progress)
    _bulk(session, QuizAttempt, attempts)
    _bulk(session, ScenarioRun, runs)
    if learners <= 50:  # a few timed choices, so a learner's page has something to add up
        played = session.execute(select(ScenarioRun.id, ScenarioRun.activity_key).where(ScenarioRun.user_id.in_(ids)))
        _bulk(session, ScenarioChoice, [
            {"run_id": run_id, "version_id": version.id, "activity_key": key, "step_id": "start", "reply_id": "1",
             "at": now, "seconds": 30} for run_id, key in played])
    session.flush()
    return group
