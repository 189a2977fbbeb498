"""Scores back to the platforms' gradebooks (LTI Assignment and Grade Services), through an outbox.

**Queued with the change.** A listener on every SQLAlchemy session (:func:`queue_changed_launches`,
``before_flush``) sees a learner's activity progress change, wherever it changes (an activity
completed, a quiz graded, a review released) and, for each LTI launch of that learner's course,
puts one row in ``lms_lti_score_outbox`` in the same transaction: a change that is rolled back
queues nothing, one that is committed cannot be lost.

**Sent after the response is made, and by ``flask lms lti send``.** At the end of a request that
queued scores the LMS tries to send them at once (:func:`send_queued_after_request`); what fails
(the platform is down) waits with exponential backoff (:mod:`lms.core.retry`) for the next request
or for ``flask lms lti send`` (cron). A send claims the row first (so two senders never send it
twice), computes the learner's current progress through the linked course or module, turns it
into a score (:func:`lms.core.lti.ags_score`) and posts it to the launch's line item, creating
(or finding, by tag and resource id) one when the platform gave none. A row changed while its
score was on the way stays queued.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import current_app, g, has_request_context
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem
from pylti1p3.service_connector import ServiceConnector
from requests import RequestException
from sqlalchemy import delete, event, inspect, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from ..core import lti as rules
from ..core import status as status_rules
from ..core.retry import backoff
from ..models import ActivityProgress, CourseVersion, Enrollment, utcnow
from ..services import learning
from ..services import status as status_service
from ..state import state
from .models import LtiLaunch, LtiScoreOutbox
from .service import sends_scores
from .tool import TimeoutSession, registration_of

BATCH = 50
CLAIM_TIMEOUT = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 10
_WATCHED = ("status", "score", "passed", "result", "completed_at")


# -- queueing ---------------------------------------------------------------------------------
def _changed_enrollments(session: Session) -> set[int]:
    found: set[int] = set()
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, ActivityProgress) and obj.enrollment_id is not None:
            if obj in session.new or session.is_modified(obj, include_collections=False):
                found.add(obj.enrollment_id)
        elif isinstance(obj, Enrollment) and obj.id is not None and obj in session.dirty:
            if inspect(obj).attrs.completed_at.history.has_changes():
                found.add(obj.id)
    return found


def queue_changed_launches(session: Session, _context: Any, _instances: Any) -> None:
    """``before_flush``: queue the scores of the launches whose learner's progress changed."""
    enrollment_ids = _changed_enrollments(session)
    if not enrollment_ids:
        return
    with session.no_autoflush:
        pairs = session.execute(select(Enrollment.user_id, Enrollment.course_id)
                                .where(Enrollment.id.in_(enrollment_ids))).all()
        if not pairs:
            return
        launches = session.scalars(select(LtiLaunch).where(
            or_(*[(LtiLaunch.user_id == user_id) & (LtiLaunch.course_id == course_id) for user_id, course_id in pairs]),
            LtiLaunch.ags_scopes.is_not(None))).all()
        now = utcnow()
        for launch in launches:
            if not sends_scores(launch):
                continue
            _queue_row(session, launch.id, now)


def queue(session: Session, launch: LtiLaunch) -> None:
    """Queue ``launch``'s score now (a launch itself reports the learner's progress so far)."""
    if not sends_scores(launch):
        return
    _queue_row(session, launch.id, utcnow())
    session.flush()


def _queue_row(session: Session, launch_id: int, now: dt.datetime) -> None:
    row = session.get(LtiScoreOutbox, launch_id)
    if row is None:
        session.add(LtiScoreOutbox(launch_id=launch_id, requested_at=now, send_after=now))
    else:
        row.requested_at, row.send_after, row.attempts = now, now, 0
    session.info.setdefault("lms_lti_queued", set()).add(launch_id)


def remember_queued(session: Session) -> None:
    """``after_commit``: hand the committed queue to the request, which sends it at its teardown."""
    queued = session.info.pop("lms_lti_queued", None)
    if queued and has_request_context():
        g.lms_lti_send = set(g.get("lms_lti_send") or set()) | queued


def forget_queued(session: Session, _transaction: Any = None) -> None:
    """``after_rollback``: nothing rolled back is sent."""
    session.info.pop("lms_lti_queued", None)


def listen() -> None:
    """Install the listeners once per process (on every session; they look only at LMS progress rows)."""
    for name, listener in (("before_flush", queue_changed_launches), ("after_commit", remember_queued),
                           ("after_rollback", forget_queued)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


# -- what the learner has done ------------------------------------------------------------------
def progress_of(session: Session, launch: LtiLaunch) -> rules.Progress | None:
    """The learner's progress through the launch's course or module (None: not enrolled, or the
    module is gone)."""
    enrollment = session.scalar(select(Enrollment).where(Enrollment.user_id == launch.user_id,
                                                         Enrollment.course_id == launch.course_id))
    course = launch.course
    if enrollment is None or course is None:
        return rules.Progress(0, 0, False, False) if course is not None else None
    version = course.published_version or session.get(CourseVersion, enrollment.version_id)
    if version is None:
        return None
    manifest = version.manifest
    language = learning.pick_language(manifest, enrollment.language)
    progress = learning.progress_of(session, enrollment, manifest, language)
    scores = status_service.best_scores(session, launch.user_id, course.id)
    if launch.module is None:
        keys = list(progress.activities)
        done, total, completed = progress.done, progress.total, progress.requirements_met
        started = progress.started
    else:
        module = next((m for m in progress.modules if m.slug == launch.module), None)
        if module is None:
            return None
        edition = manifest["editions"][language]
        keys = [a["key"] for m in edition["modules"] if m["slug"] == launch.module for a in m["activities"]]
        done, total = module.done, module.total
        completed = module.status == status_rules.COMPLETED and total > 0
        started = module.status != status_rules.NOT_STARTED
    awaiting = any(progress.activities[k].status == status_rules.AWAITING_REVIEW for k in keys
                   if k in progress.activities)
    score = status_rules.course_score([scores[k] for k in keys if k in scores])
    return rules.Progress(done, total, started, completed, awaiting, score)


# -- sending ------------------------------------------------------------------------------------
@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    dropped: int = 0


def _claim(session: Session, now: dt.datetime, batch: int, only: Iterable[int] | None = None) -> list[tuple[int, Any]]:
    stale = now - CLAIM_TIMEOUT
    query = select(LtiScoreOutbox.launch_id, LtiScoreOutbox.requested_at).where(
        LtiScoreOutbox.send_after <= now,
        or_(LtiScoreOutbox.claimed_at.is_(None), LtiScoreOutbox.claimed_at < stale))
    if only is not None:
        query = query.where(LtiScoreOutbox.launch_id.in_(list(only)))
    claimed = []
    for launch_id, requested_at in session.execute(query.order_by(LtiScoreOutbox.send_after).limit(batch)).all():
        result = session.execute(update(LtiScoreOutbox).where(
            LtiScoreOutbox.launch_id == launch_id,
            or_(LtiScoreOutbox.claimed_at.is_(None), LtiScoreOutbox.claimed_at < stale)).values(claimed_at=now))
        if result.rowcount:  # type: ignore[attr-defined]
            claimed.append((launch_id, requested_at))
    session.commit()
    return claimed


def post_score(launch: LtiLaunch, score: dict[str, Any]) -> dict[str, Any]:
    """Send ``score`` to the launch's line item (found or created when the platform gave none)."""
    connector = ServiceConnector(registration_of(launch.platform), TimeoutSession())
    service_data: dict[str, Any] = {"scope": list(launch.ags_scopes or [])}
    if launch.lineitems_url:
        service_data["lineitems"] = launch.lineitems_url
    if launch.lineitem_url:
        service_data["lineitem"] = launch.lineitem_url
    ags = AssignmentsGradesService(connector, service_data)  # type: ignore[arg-type]
    grade = (Grade().set_score_given(score["scoreGiven"]).set_score_maximum(score["scoreMaximum"])
             .set_activity_progress(score["activityProgress"]).set_grading_progress(score["gradingProgress"])
             .set_timestamp(score["timestamp"]).set_user_id(score["userId"]))
    if launch.lineitem_url:
        ags.put_grade(grade)
        return {"lineitem": launch.lineitem_url}
    target = rules.Target(launch.course.slug if launch.course else "", launch.module)
    wanted = rules.line_item(target, launch.title or target.resource_id, launch.resource_link_id or None)
    item = LineItem(wanted)  # type: ignore[arg-type]
    # one line item per target and tag: reuse the platform's when it exists
    found = ags.find_lineitem_by_resource_id(target.resource_id)
    found = found if found is not None and (found.get_tag() in (None, rules.LINE_ITEM_TAG)) else None
    item = found or ags.find_or_create_lineitem(item, find_by="resource_id")
    ags.put_grade(grade, item)
    return {"lineitem": item.get_id()}


def send_due(session: Session, now: dt.datetime | None = None, batch: int = BATCH,
             only: Iterable[int] | None = None) -> SendReport:
    """Send the due scores (each claimed by one sender), commit each outcome."""
    now = now or utcnow()
    report = SendReport()
    for launch_id, requested_at in _claim(session, now, batch, only):
        launch = session.get(LtiLaunch, launch_id)
        progress = progress_of(session, launch) if launch is not None else None
        if launch is None or progress is None or not sends_scores(launch):
            session.execute(delete(LtiScoreOutbox).where(LtiScoreOutbox.launch_id == launch_id))
            session.commit()
            report.dropped += 1
            continue
        score = rules.ags_score(progress, launch.sub, now)
        try:
            outcome = post_score(launch, score)
        except (LtiException, LtiServiceException, RequestException, ValueError, KeyError) as exc:
            row = session.get(LtiScoreOutbox, launch_id)
            if row is not None:
                row.attempts += 1
                row.claimed_at = None
                row.last_error = str(exc)[:1000]
                row.send_after = now + backoff(row.attempts)
                if row.attempts >= MAX_ATTEMPTS:
                    session.delete(row)
            current_app.logger.warning("LTI: the score of launch %s was not accepted: %s", launch_id, exc)
            session.commit()
            report.failed += 1
            continue
        launch.last_score = {**score, **outcome}
        launch.score_sent_at = now
        if outcome.get("lineitem") and not launch.lineitem_url:
            launch.lineitem_url = outcome["lineitem"]
        # a change queued while this score was on its way stays queued
        session.execute(delete(LtiScoreOutbox).where(LtiScoreOutbox.launch_id == launch_id,
                                                     LtiScoreOutbox.requested_at == requested_at))
        session.execute(update(LtiScoreOutbox).where(LtiScoreOutbox.launch_id == launch_id)
                        .values(claimed_at=None))
        session.commit()
        report.sent += 1
    return report


def send_queued_after_request(_exc: BaseException | None = None) -> None:
    """``teardown_request``: a request that committed a progress change sends its scores now, in a
    session of its own; a failure is logged and left to the next try."""
    if not g.get("lms_lti_send"):
        return
    try:
        with sessionmaker(bind=state().engine, expire_on_commit=False)() as session:
            send_due(session, only=g.lms_lti_send)
    except Exception:  # the response is made; a score that fails waits in the outbox
        current_app.logger.exception("LTI: sending scores after the request failed")
