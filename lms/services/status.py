"""The course status and the best score in SQL, built from their one definition.

:mod:`lms.core.status` says what each status means (``COURSE_RULES``); this module turns
the same rules into SQL so a page of thousands of rows is one statement, and every place
that shows a course's status for a person uses :func:`course_status_column` (the HR report,
its exports and the compliance matrix, the JSON API, the trainer's dashboard) or
:func:`course_statuses` (the learner's pages, the learner record, the xAPI course
statements), which runs the same expression for a few pairs. What an assignment is, and a
person's due date, are defined here too (:func:`assigned_pairs`).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, false, func, literal, or_, select, union_all
from sqlalchemy.orm import Session, aliased

from ..core import status as core
from ..models import ActivityProgress, Assignment, Certificate, Enrollment, GroupMember, QuizAttempt

MEMBER = "member"


def assigned_pairs(user_ids: Any = None, course_ids: Any = None):
    """Every (person, course) assigned by a live assignment, directly or through a group the
    person is a *member* of (a group's trainers are not its trainees), with the earliest
    assignment date (``assigned_at``) and the earliest due date (``due_date``)."""
    direct = (select(Assignment.user_id.label("user_id"), Assignment.course_id.label("course_id"),
                     Assignment.created_at.label("assigned_at"), Assignment.due_date.label("due_date"))
              .where(Assignment.user_id.is_not(None), Assignment.removed_at.is_(None)))
    through_groups = (select(GroupMember.user_id, Assignment.course_id, Assignment.created_at, Assignment.due_date)
                      .join(Assignment, Assignment.group_id == GroupMember.group_id)
                      .where(GroupMember.role == MEMBER, Assignment.removed_at.is_(None)))
    if user_ids is not None:
        direct = direct.where(Assignment.user_id.in_(user_ids))
        through_groups = through_groups.where(GroupMember.user_id.in_(user_ids))
    if course_ids is not None:
        direct = direct.where(Assignment.course_id.in_(course_ids))
        through_groups = through_groups.where(Assignment.course_id.in_(course_ids))
    pairs = union_all(direct, through_groups).subquery("assignment_rows")
    return (select(pairs.c.user_id, pairs.c.course_id, func.min(pairs.c.assigned_at).label("assigned_at"),
                   func.min(pairs.c.due_date).label("due_date"))
            .group_by(pairs.c.user_id, pairs.c.course_id).subquery("assigned"))


def started(enrollment_id: Any) -> ColumnElement[bool]:
    """Any activity of the enrollment was opened."""
    # aliases: the condition may sit in a query that selects from these tables itself
    progress = aliased(ActivityProgress)
    return exists().where(progress.enrollment_id == enrollment_id)


def expired(user_id: Any, course_id: Any, now: dt.datetime) -> ColumnElement[bool]:
    """The person's latest certificate of the course that was not revoked has expired."""
    mine, later = aliased(Certificate), aliased(Certificate)
    latest = ~exists().where(later.user_id == mine.user_id, later.course_id == mine.course_id,
                             later.revoked_at.is_(None), later.cycle > mine.cycle)
    return exists().where(mine.user_id == user_id, mine.course_id == course_id,
                          mine.revoked_at.is_(None), mine.expires_at.is_not(None),
                          mine.expires_at <= now, latest)


def course_status_column(*, completed_at: Any, enrollment_id: Any, due_date: Any, user_id: Any, course_id: Any,
                         today: dt.date, now: dt.datetime) -> ColumnElement[str]:
    """The course status of each row, as ``CASE`` over :data:`lms.core.status.COURSE_RULES`.

    ``completed_at``/``enrollment_id`` may be NULL (no enrollment), ``due_date`` too.
    """
    facts: dict[str, ColumnElement[bool]] = {
        "completed": completed_at.is_not(None),
        "expired": expired(user_id, course_id, now),
        "overdue": and_(due_date.is_not(None), due_date < today) if due_date is not None else false(),
        "started": and_(enrollment_id.is_not(None), started(enrollment_id)),
    }
    whens = [(and_(*(facts[name] for name in needed)), literal(status)) for status, needed in core.COURSE_RULES]
    return case(*whens, else_=literal(core.NOT_STARTED))


def course_statuses(session: Session, pairs: Iterable[tuple[int, int]], today: dt.date | None = None,
                    now: dt.datetime | None = None) -> dict[tuple[int, int], str]:
    """The status of each (person, course) pair, by the same expression as the reports."""
    pairs = list(dict.fromkeys(pairs))
    if not pairs:
        return {}
    today = today or dt.date.today()
    now = now or dt.datetime.now(dt.UTC)
    users = {u for u, _ in pairs}
    courses = {c for _, c in pairs}
    assigned = assigned_pairs(users, courses)
    wanted = union_all(*[select(literal(u).label("user_id"), literal(c).label("course_id")) for u, c in pairs]
                       ).subquery("wanted")
    status = course_status_column(completed_at=Enrollment.completed_at, enrollment_id=Enrollment.id,
                                  due_date=assigned.c.due_date, user_id=wanted.c.user_id,
                                  course_id=wanted.c.course_id, today=today, now=now)
    rows = session.execute(
        select(wanted.c.user_id, wanted.c.course_id, status)
        .select_from(wanted)
        .outerjoin(Enrollment, and_(Enrollment.user_id == wanted.c.user_id, Enrollment.course_id == wanted.c.course_id))
        .outerjoin(assigned, and_(assigned.c.user_id == wanted.c.user_id, assigned.c.course_id == wanted.c.course_id)))
    return {(int(u), int(c)): s for u, c, s in rows}


def cycle_start():
    """Per (person, course): when the current certification cycle began (the last renewal)."""
    return (select(Certificate.user_id, Certificate.course_id, func.max(Certificate.renewed_at).label("since"))
            .where(Certificate.renewed_at.is_not(None))
            .group_by(Certificate.user_id, Certificate.course_id).subquery("cycle_start"))


def best_per_quiz(user_ids: Any = None, course_ids: Any = None):
    """Per (person, course, quiz): the best percent of the graded attempts of the current cycle
    (:func:`lms.core.status.best_score`)."""
    since = cycle_start()
    query = (select(QuizAttempt.user_id, Enrollment.course_id, QuizAttempt.activity_key,
                    func.max(QuizAttempt.percent).label("best"))
             .join(Enrollment, Enrollment.id == QuizAttempt.enrollment_id)
             .outerjoin(since, and_(since.c.user_id == QuizAttempt.user_id, since.c.course_id == Enrollment.course_id))
             .where(QuizAttempt.percent.is_not(None), QuizAttempt.status != "open",
                    or_(since.c.since.is_(None), QuizAttempt.started_at >= since.c.since)))
    if user_ids is not None:
        query = query.where(QuizAttempt.user_id.in_(user_ids))
    if course_ids is not None:
        query = query.where(Enrollment.course_id.in_(course_ids))
    return query.group_by(QuizAttempt.user_id, Enrollment.course_id, QuizAttempt.activity_key).subquery("best")


def course_scores(user_ids: Any = None, course_ids: Any = None):
    """Per (person, course): the course's score (the mean of the best scores; SQL rounds at display)."""
    best = best_per_quiz(user_ids, course_ids)
    return (select(best.c.user_id, best.c.course_id, func.avg(best.c.best).label("score"))
            .group_by(best.c.user_id, best.c.course_id).subquery("scores"))


def best_scores(session: Session, user_id: int, course_id: int) -> dict[str, float]:
    """One person's best score per quiz of a course (this cycle)."""
    best = best_per_quiz([user_id], [course_id])
    return {key: float(value) for _u, _c, key, value in session.execute(select(best))}


def activity_statuses(rows: Iterable[tuple[str, str | None, bool | None]], kinds: Mapping[str, bool]) -> dict[str, str]:
    """Activity status per key from ``(key, progress status, passed)`` rows; ``kinds`` says
    whether each key's kind is graded (keys not in it are no longer in the course)."""
    return {key: core.activity_status(progress, passed, kinds.get(key, False)) for key, progress, passed in rows}


__all__ = ["assigned_pairs", "started", "expired", "course_status_column", "course_statuses", "cycle_start",
           "best_per_quiz", "course_scores", "best_scores", "activity_statuses"]
