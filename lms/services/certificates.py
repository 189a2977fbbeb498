"""Certificates: issue on completion, expire into a new cycle, revoke with an audit entry.

Functions take a session and plain values and flush; the view or command commits.

**Recertification.** When a certificate with a validity period expires, the
learner keeps the same :class:`~lms.models.Enrollment` (its quiz attempts and
scenario runs stay on record, and the certificate itself keeps a copy of the
results that earned it in ``record``). Only what decides completion is reset:
``completed_at`` is cleared, the activity progress rows go back to "started",
and a new :class:`~lms.models.Assignment` is recorded so the course shows up
again in the learner's list with a due date. Passing the course again issues
a certificate with the next ``cycle``. Earlier quiz attempts and scenario runs
do not count towards the new cycle (see :func:`cycle_started_at`).
"""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, cast

from sqlalchemy import func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..core import certificates as core
from ..core import status as status_rules
from ..models import (
    ActivityProgress,
    Assignment,
    AuditEntry,
    Certificate,
    CourseVersion,
    Enrollment,
    User,
    utcnow,
)
from . import status

RENEWAL_DUE_DAYS = 30
EXPIRING_WITHIN_DAYS = 30


def rule_of(version: CourseVersion) -> dict[str, Any]:
    """The course version's certificate rule ({} when it issues none)."""
    rule = version.manifest.get("certificate") or {}
    return core.check_rule(rule)[0] if rule else {}


def current_cycle(session: Session, user_id: int, course_id: int) -> int:
    """The cycle a learner is in: one more than the number of certificates already renewed."""
    renewed = session.scalar(select(func.count(Certificate.id)).where(
        Certificate.user_id == user_id, Certificate.course_id == course_id, Certificate.renewed_at.is_not(None)))
    return (renewed or 0) + 1


def cycle_started_at(session: Session, user_id: int, course_id: int) -> dt.datetime | None:
    """When the learner's current cycle began (the last renewal), or None in the first cycle.

    Quizzes and scenarios count only attempts started since then, so passing the
    course again needs new work.
    """
    return session.scalar(select(func.max(Certificate.renewed_at)).where(
        Certificate.user_id == user_id, Certificate.course_id == course_id))


def _score_and_record(session: Session, enrollment: Enrollment) -> tuple[float | None, dict[str, Any]]:
    """The course's score (:func:`lms.core.status.course_score` of this cycle's best quiz
    scores) and the learner's results, kept with the certificate."""
    rows = session.scalars(select(ActivityProgress).where(ActivityProgress.enrollment_id == enrollment.id)).all()
    record = {
        row.activity_key: {
            "status": row.status, "score": row.score, "version_id": row.version_id,
            "passed": (row.result or {}).get("passed") if isinstance(row.result, dict) else None,
            "completed_at": row.completed_at.isoformat() if row.completed_at else None,
        }
        for row in rows
    }
    best = status.best_scores(session, enrollment.user_id, enrollment.course_id)
    return status_rules.course_score(best), record


def issue_if_earned(session: Session, enrollment: Enrollment, version: CourseVersion,
                    completed: bool) -> Certificate | None:
    """Issue the certificate when the course's rule is met; at most once per cycle.

    Safe under concurrent requests: the unique (user, course, cycle) constraint
    lets one insert win; the loser rolls back its savepoint and returns the winner's.
    """
    rule = rule_of(version)
    if not rule or not completed:
        return None
    cycle = current_cycle(session, enrollment.user_id, enrollment.course_id)
    existing = _certificate_of_cycle(session, enrollment, cycle)
    if existing is not None:
        return existing
    manifest = version.manifest
    language = enrollment.language if enrollment.language in manifest["editions"] else manifest["default_language"]
    score, record = _score_and_record(session, enrollment)
    if not core.rule_met(rule, completed, score):
        return None
    user = session.get(User, enrollment.user_id)
    issued_at = utcnow()
    certificate = Certificate(
        serial=core.new_serial(), user_id=enrollment.user_id, course_id=enrollment.course_id,
        version_id=version.id, cycle=cycle, score=score, issued_at=issued_at,
        expires_at=core.expiry(rule, issued_at), holder_name=user.name if user else "",
        course_title=manifest["editions"][language]["title"], language=language, title=rule.get("title") or "",
        trainer_name=rule.get("trainer") or "", record=record,
    )
    try:
        with session.begin_nested():
            session.add(certificate)
    except IntegrityError:
        # Another request issued it first (same cycle): theirs stands.
        return _certificate_of_cycle(session, enrollment, cycle)
    return certificate


def _certificate_of_cycle(session: Session, enrollment: Enrollment, cycle: int) -> Certificate | None:
    return session.scalar(select(Certificate).where(
        Certificate.user_id == enrollment.user_id, Certificate.course_id == enrollment.course_id,
        Certificate.cycle == cycle))


def find(session: Session, serial: str) -> Certificate | None:
    normalised = core.normalise_serial(serial)
    if normalised is None:
        return None
    return session.scalar(select(Certificate).where(Certificate.serial == normalised))


def status_of(certificate: Certificate, now: dt.datetime | None = None) -> str:
    return core.status(certificate.expires_at, certificate.revoked_at, now or utcnow())


def certificates_of(session: Session, user_id: int) -> list[Certificate]:
    return list(session.scalars(select(Certificate).where(Certificate.user_id == user_id)
                                .order_by(Certificate.issued_at.desc(), Certificate.id.desc())))


def expiring(session: Session, now: dt.datetime | None = None,
             within_days: int = EXPIRING_WITHIN_DAYS) -> list[Certificate]:
    """Valid certificates that expire within ``within_days``, soonest first."""
    now = now or utcnow()
    return list(session.scalars(
        select(Certificate).where(Certificate.revoked_at.is_(None), Certificate.expires_at > now,
                                  Certificate.expires_at <= now + dt.timedelta(days=within_days))
        .order_by(Certificate.expires_at, Certificate.id)))


def renew_expired(session: Session, now: dt.datetime | None = None) -> list[Certificate]:
    """Start a new cycle for every expired certificate not yet handled; return those handled.

    Each one is claimed with a conditional UPDATE, so a cron run and a page
    listing at the same moment assign the course once.
    """
    now = now or utcnow()
    due = session.scalars(select(Certificate).where(
        Certificate.expires_at <= now, Certificate.renewed_at.is_(None), Certificate.revoked_at.is_(None),
    ).order_by(Certificate.id)).all()
    handled = []
    for certificate in due:
        # Session.execute is typed Result; an UPDATE without RETURNING gives a CursorResult (SQLAlchemy's advice: cast)
        claimed = cast(CursorResult[Any], session.execute(update(Certificate).where(
            Certificate.id == certificate.id, Certificate.renewed_at.is_(None)).values(renewed_at=now)
            .execution_options(synchronize_session=False)))
        if claimed.rowcount != 1:
            continue
        session.refresh(certificate)
        _start_new_cycle(session, certificate, now)
        handled.append(certificate)
    session.flush()
    return handled


def _start_new_cycle(session: Session, certificate: Certificate, now: dt.datetime) -> None:
    assignment = Assignment(course_id=certificate.course_id, user_id=certificate.user_id,
                            due_date=now.date() + dt.timedelta(days=RENEWAL_DUE_DAYS))
    session.add(assignment)
    session.flush()
    certificate.renewal_assignment_id = assignment.id
    enrollment = session.scalar(select(Enrollment).where(
        Enrollment.user_id == certificate.user_id, Enrollment.course_id == certificate.course_id))
    if enrollment is None:
        return
    enrollment.completed_at = None
    enrollment.completed_version_id = None
    session.execute(update(ActivityProgress).where(ActivityProgress.enrollment_id == enrollment.id).values(
        status="started", completed_at=None, result=None, passed=None, score=None, started_at=now,
    ).execution_options(synchronize_session=False))


def revoke(session: Session, certificate: Certificate, actor: User, reason: str) -> bool:
    """Revoke with a reason, recorded in the audit log; False if it was already revoked."""
    if certificate.revoked_at is not None:
        return False
    certificate.revoked_at = utcnow()
    certificate.revoked_by_id = actor.id
    certificate.revoke_reason = reason
    session.add(AuditEntry(
        actor_id=actor.id, action="certificate.revoke", target=f"certificate:{certificate.serial}",
        details={"reason": reason, "user_id": certificate.user_id, "course_id": certificate.course_id,
                 "cycle": certificate.cycle},
    ))
    session.flush()
    return True


def credential_subject(session: Session, user: User) -> str:
    """The person's Open Badge subject id (``urn:uuid:…``), given once and kept (flushes when new).

    Given with a conditional UPDATE, so two badges downloaded at the same moment agree on it.
    """
    if user.credential_subject:
        return user.credential_subject
    session.execute(update(User).where(User.id == user.id, User.credential_subject.is_(None))
                    .values(credential_subject=f"urn:uuid:{uuid.uuid4()}")
                    .execution_options(synchronize_session=False))
    session.flush()
    session.refresh(user, ["credential_subject"])
    assert user.credential_subject is not None
    return user.credential_subject

