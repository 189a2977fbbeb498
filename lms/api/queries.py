"""Set-based queries behind the JSON API: one SQL statement per page, keyset-paginated.

Every list is ordered by a unique key and a page continues after the last key
of the previous one (the opaque ``next`` cursor), so pages stay stable while
rows are added and no ``OFFSET`` scan grows with the page number.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Date, and_, case, false, func, literal, or_, select, true, union_all
from sqlalchemy.orm import Session

from ..core.status import COURSE_STATUSES
from ..models import (
    Certificate,
    Course,
    CourseVersion,
    Enrollment,
    Group,
    GroupMember,
    User,
    utcnow,
)
from ..services import status

COMPLETION_STATUSES = COURSE_STATUSES
CERTIFICATE_STATUSES = ("valid", "expired", "revoked")


@dataclass(frozen=True)
class Filters:
    group: int | None = None
    course: str | None = None
    status: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    expiring_within: int | None = None
    department: str | None = None
    active: bool | None = None
    kind: str | None = None


def iso(value: dt.datetime | dt.date | None) -> str | None:
    """ISO 8601; datetimes in UTC with ``Z`` (SQLite returns naive UTC datetimes)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return value.isoformat()


def _start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def _in_group(user_column, group_id: int):
    return user_column.in_(select(GroupMember.user_id).where(GroupMember.group_id == group_id))


def _after(columns, cursor: list[Any] | None):
    """Keyset condition: (a, b) > (x, y), written portably."""
    if not cursor:
        return true()
    first, *rest = columns
    if not rest:
        return first > cursor[0]
    return or_(first > cursor[0], and_(first == cursor[0], _after(rest, cursor[1:])))


def course_titles(session: Session) -> dict[int, str]:
    """Each course's title in its default language, from its published version."""
    rows = session.execute(select(Course.id, Course.slug, CourseVersion.manifest)
                           .join(CourseVersion, CourseVersion.id == Course.published_version_id, isouter=True))
    titles = {}
    for course_id, slug, manifest in rows:
        try:
            titles[course_id] = manifest["editions"][manifest["default_language"]]["title"]
        except (TypeError, KeyError):
            titles[course_id] = slug
    return titles


def completions(session: Session, filters: Filters, cursor: list[Any] | None, limit: int,
                today: dt.date | None = None) -> tuple[list[dict[str, Any]], list[Any] | None]:
    """One row per person and course they are assigned (directly or through a group) or enrolled in."""
    today = today or dt.date.today()
    assigned = status.assigned_pairs()
    direct = select(assigned.c.user_id, assigned.c.course_id, assigned.c.due_date, literal(1).label("assigned"))
    enrolled = select(Enrollment.user_id, Enrollment.course_id, literal(None, Date), literal(0))
    every = union_all(direct, enrolled).subquery()
    pairs = select(every.c.user_id, every.c.course_id, func.min(every.c.due_date).label("due_date"),
                   func.max(every.c.assigned).label("assigned")) \
        .group_by(every.c.user_id, every.c.course_id).subquery()
    course_status = status.course_status_column(
        completed_at=Enrollment.completed_at, enrollment_id=Enrollment.id, due_date=pairs.c.due_date,
        user_id=pairs.c.user_id, course_id=pairs.c.course_id, today=today, now=utcnow())
    query = (select(pairs.c.user_id, pairs.c.course_id, pairs.c.due_date, pairs.c.assigned, User.email, User.name,
                    User.employee_id, User.department, Course.slug, Enrollment.started_at, Enrollment.completed_at,
                    course_status.label("status"))
             .join(User, User.id == pairs.c.user_id).join(Course, Course.id == pairs.c.course_id)
             .join(Enrollment, and_(Enrollment.user_id == pairs.c.user_id, Enrollment.course_id == pairs.c.course_id),
                   isouter=True))
    if filters.group is not None:
        query = query.where(_in_group(pairs.c.user_id, filters.group))
    if filters.course:
        query = query.where(Course.slug == filters.course)
    if filters.status:
        query = query.where(course_status == filters.status)
    if filters.date_from:
        query = query.where(Enrollment.completed_at >= _start(filters.date_from))
    if filters.date_to:
        query = query.where(Enrollment.completed_at < _start(filters.date_to + dt.timedelta(days=1)))
    query = query.where(_after([pairs.c.user_id, pairs.c.course_id], cursor)) \
        .order_by(pairs.c.user_id, pairs.c.course_id).limit(limit + 1)
    rows = session.execute(query).all()
    titles = course_titles(session) if rows else {}
    items = [{
        "user": {"id": r.user_id, "email": r.email, "name": r.name, "employee_id": r.employee_id,
                 "department": r.department},
        "course": {"slug": r.slug, "title": titles.get(r.course_id, r.slug)},
        "status": r.status,
        "assigned": bool(r.assigned),
        "due_date": iso(r.due_date),
        "started_at": iso(r.started_at),
        "completed_at": iso(r.completed_at),
    } for r in rows[:limit]]
    following = [rows[limit - 1].user_id, rows[limit - 1].course_id] if len(rows) > limit else None
    return items, following


def certificates(session: Session, filters: Filters, cursor: list[Any] | None, limit: int,
                 now: dt.datetime | None = None) -> tuple[list[dict[str, Any]], list[Any] | None]:
    now = now or utcnow()
    certificate_status = case((Certificate.revoked_at.is_not(None), "revoked"),
                  (and_(Certificate.expires_at.is_not(None), Certificate.expires_at <= now), "expired"),
                  else_="valid")
    query = (select(Certificate, User.email, User.employee_id, Course.slug, certificate_status.label("status"))
             .join(User, User.id == Certificate.user_id).join(Course, Course.id == Certificate.course_id))
    if filters.group is not None:
        query = query.where(_in_group(Certificate.user_id, filters.group))
    if filters.course:
        query = query.where(Course.slug == filters.course)
    if filters.status:
        query = query.where(certificate_status == filters.status)
    if filters.date_from:
        query = query.where(Certificate.issued_at >= _start(filters.date_from))
    if filters.date_to:
        query = query.where(Certificate.issued_at < _start(filters.date_to + dt.timedelta(days=1)))
    if filters.expiring_within is not None:
        query = query.where(Certificate.revoked_at.is_(None), Certificate.expires_at > now,
                            Certificate.expires_at <= now + dt.timedelta(days=filters.expiring_within))
    rows = session.execute(query.where(_after([Certificate.id], cursor)).order_by(Certificate.id)
                           .limit(limit + 1)).all()
    items = [{
        "serial": c.serial,
        "user": {"id": c.user_id, "email": email, "name": c.holder_name, "employee_id": employee_id},
        "course": {"slug": slug, "title": c.course_title},
        "cycle": c.cycle,
        "status": state,
        "score": c.score,
        "issued_at": iso(c.issued_at),
        "expires_at": iso(c.expires_at),
        "revoked_at": iso(c.revoked_at),
    } for c, email, employee_id, slug, state in rows[:limit]]
    following = [rows[limit - 1][0].id] if len(rows) > limit else None
    return items, following


def users(session: Session, filters: Filters, cursor: list[Any] | None,
          limit: int) -> tuple[list[dict[str, Any]], list[Any] | None]:
    query = select(User)
    if filters.group is not None:
        query = query.where(_in_group(User.id, filters.group))
    if filters.department:
        query = query.where(User.department == filters.department)
    if filters.active is not None:
        query = query.where(User.is_active.is_(true() if filters.active else false()))
    people = list(session.scalars(query.where(_after([User.id], cursor)).order_by(User.id).limit(limit + 1)))
    page = people[:limit]
    memberships: dict[int, list[int]] = {}
    if page:
        for user_id, group_id in session.execute(select(GroupMember.user_id, GroupMember.group_id)
                                                 .where(GroupMember.user_id.in_([u.id for u in page]))
                                                 .order_by(GroupMember.group_id)):
            memberships.setdefault(user_id, []).append(group_id)
    items = [{
        "id": u.id, "email": u.email, "name": u.name, "employee_id": u.employee_id, "department": u.department,
        "manager_id": u.manager_id, "roles": sorted(u.role_set), "is_active": u.is_active,
        "anonymized": u.anonymized_at is not None, "groups": memberships.get(u.id, []),
        "created_at": iso(u.created_at),
    } for u in page]
    return items, ([page[-1].id] if len(people) > limit else None)


def groups(session: Session, filters: Filters, cursor: list[Any] | None,
           limit: int) -> tuple[list[dict[str, Any]], list[Any] | None]:
    members = (select(func.count()).select_from(GroupMember)
               .where(GroupMember.group_id == Group.id, GroupMember.role == "member").scalar_subquery())
    query = select(Group, members.label("members"))
    if filters.kind:
        query = query.where(Group.kind == filters.kind)
    rows = session.execute(query.where(_after([Group.id], cursor)).order_by(Group.id).limit(limit + 1)).all()
    items = [{"id": g.id, "name": g.name, "kind": g.kind, "member_count": count, "created_at": iso(g.created_at)}
             for g, count in rows[:limit]]
    return items, ([rows[limit - 1][0].id] if len(rows) > limit else None)
