"""Loading what the trainer's pages show: the group dashboard and a learner's record.

The dashboard reads a fixed number of queries whatever the size of the group
(members are a subquery in each), then hands plain rows to
:mod:`lms.core.dashboard`. ``tests/web/test_trainer_queries.py`` keeps it so.
What depends on an activity's kind (the quiz score bands, the competency profile,
a learner's attempts and runs) comes from the kinds (:mod:`lms.activities`).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Integer, String, and_, case, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from ..activities import base as kinds
from ..core import dashboard as core
from ..models import (
    ActivityContent,
    ActivityProgress,
    Assignment,
    Certificate,
    Course,
    CourseVersion,
    Enrollment,
    Group,
    GroupMember,
    User,
)
from . import status
from .groups import MEMBER
from .learning import pick_language

Cache = MutableMapping[tuple, Any] | None


@dataclass(frozen=True)
class GroupDashboard:
    course: Course
    version: CourseVersion
    language: str
    edition: Mapping[str, Any]
    due: dt.date | None
    plan: core.Plan
    matrix: core.Matrix
    timeline: list[tuple[dt.date, int]]
    #: each kind's panel (the quiz score bands, the competency profile...)
    panels: list[kinds.DashboardPanel]
    #: the earliest moment after ``now`` a member's certificate of the course expires: a course
    #: status (``expired``) changes then without any write (a cached dashboard is valid until it)
    valid_until: dt.datetime | None = None


def group_courses(session: Session, group: Group) -> list[tuple[Course, CourseVersion, Assignment]]:
    """Published courses actively assigned to the group, by slug."""
    return [(course, version, assignment) for course, version, assignment in session.execute(
        select(Course, CourseVersion, Assignment)
        .join(CourseVersion, CourseVersion.id == Course.published_version_id)
        .join(Assignment, and_(Assignment.course_id == Course.id, Assignment.group_id == group.id,
                               Assignment.removed_at.is_(None)))
        .order_by(Course.slug, Assignment.id))]


def _member_ids(group: Group):
    return select(GroupMember.user_id).where(GroupMember.group_id == group.id, GroupMember.role == MEMBER)


def member_ids(session: Session, group: Group) -> list[int]:
    """The ids of the group's members (its trainees)."""
    return list(session.scalars(_member_ids(group)))


def in_course(group: Group, course: Course):
    """SQL condition on ``Enrollment``: a member's enrollment in the course."""
    return and_(Enrollment.course_id == course.id, Enrollment.user_id.in_(_member_ids(group)))


def _graded_kinds() -> dict[str, bool]:
    return {kind.name: kind.graded for kind in kinds.kinds()}


def _progress_counts(session: Session, plan: core.Plan, condition) -> dict[int, dict[int, tuple[int, int]]]:
    """user id -> {module index: (activities done that count, activities touched at all)}."""
    query = (select(Enrollment.user_id).select_from(Enrollment)
             .join(ActivityProgress, ActivityProgress.enrollment_id == Enrollment.id).where(condition))
    if session.get_bind().dialect.name == "sqlite":
        # SQLite would scan a joined plan table for every progress row: CASEs cost less there
        module: ColumnElement[Any] = case(plan.module_of, value=ActivityProgress.activity_key)
        rule: ColumnElement[Any] = case(dict(plan.done_when), value=ActivityProgress.activity_key, else_=core.NEVER)
    else:
        # the plan as a small table (key, module, rule), hash-joined on the activity key:
        # less work per progress row than CASEs over every key of the course
        table = union_all(*[
            select(literal(key, String).label("key"), literal(index, Integer).label("module"),
                   literal(plan.done_when.get(key, core.NEVER), Integer).label("rule"))
            for key, index in sorted(plan.module_of.items())]).subquery("plan")
        query = query.outerjoin(table, table.c.key == ActivityProgress.activity_key)
        module, rule = table.c.module, table.c.rule
    completed = ActivityProgress.status == "completed"
    handed_in = ActivityProgress.status.in_(("completed", "awaiting_review"))
    done = case((or_(and_(rule == core.WHEN_COMPLETED, completed),
                     and_(rule == core.WHEN_PASSED, completed, ActivityProgress.passed.is_(True)),
                     and_(rule == core.WHEN_HANDED_IN, handed_in)), 1), else_=0)
    progress: dict[int, dict[int, tuple[int, int]]] = {}
    for user_id, index, done_count, touched in session.execute(
            query.add_columns(module, func.sum(done), func.count()).group_by(Enrollment.user_id, module)):
        if index is not None:  # progress in an activity that is no longer in the course
            progress.setdefault(user_id, {})[int(index)] = (int(done_count or 0), int(touched))
    return progress


def group_dashboard(session: Session, group: Group, course: Course, version: CourseVersion,
                    group_due: dt.date | None, ui_language: str, today: dt.date, cache: Cache = None,
                    now: dt.datetime | None = None) -> GroupDashboard:
    """Everything the dashboard shows for the group's members in ``course`` but the
    scores of each row (see :func:`best_scores`, for the rows on screen).

    Progress is counted per learner and module in the database, so the rows
    read grow with learners × modules, not with every activity done.
    """
    manifest = version.manifest
    language = pick_language(manifest, ui_language)
    edition = manifest["editions"][language]
    plan = core.make_plan(edition, manifest["completion"], _graded_kinds(),
                          {kind.name for kind in kinds.kinds() if kind.scored})
    member_ids = _member_ids(group)
    condition = in_course(group, course)

    learners = [core.Learner(uid, name, email) for uid, name, email in session.execute(
        select(User.id, User.name, User.email).join(GroupMember, GroupMember.user_id == User.id)
        .where(GroupMember.group_id == group.id, GroupMember.role == MEMBER))]

    # each member's due date and course status, by the one definition (lms.core.status)
    now = now or dt.datetime.now(dt.UTC)
    assigned = status.assigned_pairs(member_ids, [course.id])
    members = select(GroupMember.user_id.label("user_id")).where(
        GroupMember.group_id == group.id, GroupMember.role == MEMBER).subquery("members")
    course_status = status.course_status_column(
        completed_at=Enrollment.completed_at, enrollment_id=Enrollment.id, due_date=assigned.c.due_date,
        user_id=members.c.user_id, course_id=literal(course.id), today=today, now=now)
    expires = (select(func.min(Certificate.expires_at))
               .where(Certificate.user_id == members.c.user_id, Certificate.course_id == course.id,
                      Certificate.revoked_at.is_(None), Certificate.expires_at > now).scalar_subquery())
    dues: dict[int, dt.date | None] = {}
    statuses: dict[int, str] = {}
    valid_until: dt.datetime | None = None
    for user_id, due, state, expiry in session.execute(
            select(members.c.user_id, assigned.c.due_date, course_status, expires).select_from(members)
            .outerjoin(assigned, assigned.c.user_id == members.c.user_id)
            .outerjoin(Enrollment, and_(Enrollment.user_id == members.c.user_id, Enrollment.course_id == course.id))):
        dues[user_id] = due
        statuses[user_id] = state
        if expiry is not None:
            if expiry.tzinfo is None:  # SQLite keeps no time zone: the column is UTC
                expiry = expiry.replace(tzinfo=dt.UTC)
            valid_until = expiry if valid_until is None else min(valid_until, expiry)

    progress = _progress_counts(session, plan, condition) if plan.module_of else {}
    matrix = core.build_matrix(plan, learners, progress, dues, today, statuses)

    timeline = core.completion_timeline(at.date() for at in session.scalars(
        select(Enrollment.completed_at).where(condition, Enrollment.completed_at.is_not(None)))
        if at is not None)  # always (the query keeps those): for the type, completed_at may be NULL

    panels = [panel for kind in kinds.kinds()
              if (panel := kind.dashboard(session, course, version, language, condition, cache)) is not None]
    return GroupDashboard(course, version, language, edition, group_due, plan, matrix, timeline, panels, valid_until)


def best_scores(session: Session, group: Group, course: Course, user_ids: list[int]) -> dict[int, dict[str, float]]:
    """The best percent of each of ``user_ids`` (the rows on screen) per scored activity of the course."""
    best: dict[int, dict[str, float]] = {}
    condition = in_course(group, course)
    for kind in kinds.kinds():
        if kind.scored:
            for user_id, scores in kind.best_percents(session, condition, user_ids).items():
                best.setdefault(user_id, {}).update(scores)
    return best


# -- a learner's record ------------------------------------------------------------

@dataclass
class CourseRecord:
    course: Course
    title: str
    language: str
    enrollment: Enrollment
    #: the course's status for this learner (:mod:`lms.core.status`)
    status: str = "not_started"
    #: what the learner did, one section per activity kind
    sections: list[kinds.RecordSection] = field(default_factory=list)


class _RecordContext:
    """What the kinds need to describe a learner's work (titles in the learner's edition)."""

    def __init__(self, session: Session, enrollments: Mapping[int, Enrollment], versions: dict[int, CourseVersion],
                 cache: Cache):
        self.session = session
        self.enrollments = enrollments
        self.versions = versions
        self.cache = cache if cache is not None else {}
        self._contents: dict[tuple[int, str, str], ActivityContent | None] = {}

    def version(self, version_id: int) -> CourseVersion:
        if version_id not in self.versions:
            self.versions[version_id] = self.session.get_one(CourseVersion, version_id)
        return self.versions[version_id]

    def language(self, enrollment_id: int) -> str:
        enrollment = self.enrollments[enrollment_id]
        return pick_language(self.version(enrollment.version_id).manifest, enrollment.language)

    def _entry(self, version_id: int, key: str, language: str) -> tuple[str, str, str] | None:
        manifest = self.version(version_id).manifest
        edition = manifest["editions"][pick_language(manifest, language)]
        for module in edition["modules"]:
            for activity in module["activities"]:
                if activity["key"] == key:
                    return activity["kind"], activity["title"], module["title"]
        return None

    def kind_of(self, version_id: int, key: str) -> str | None:
        manifest = self.version(version_id).manifest
        found = self._entry(version_id, key, manifest["default_language"])
        return found[0] if found else None

    def describe(self, enrollment_id: int, version_id: int, key: str) -> tuple[str, str, int]:
        found = self._entry(version_id, key, self.language(enrollment_id))
        number = self.version(version_id).number
        return (found[1], found[2], number) if found else (key, "", number)

    def content(self, version_id: int, key: str, language: str) -> ActivityContent | None:
        wanted = (version_id, key, language)
        if wanted not in self._contents:
            self._contents[wanted] = self.session.scalars(select(ActivityContent).where(
                ActivityContent.version_id == version_id, ActivityContent.key == key)
                .order_by((ActivityContent.language == language).desc(), ActivityContent.language)).first()
        return self._contents[wanted]


def learner_record(session: Session, learner: User, course_ids: Collection[int] | None = None,
                   cache: Cache = None) -> list[CourseRecord]:
    """Everything ``learner`` did, course by course, each item pinned to the content version
    number it was made on; only in ``course_ids`` if given (what the viewer may see,
    :func:`lms.services.groups.visible_course_ids`)."""
    query = (select(Enrollment, Course).join(Course, Course.id == Enrollment.course_id)
             .where(Enrollment.user_id == learner.id).order_by(Course.slug))
    if course_ids is not None:
        query = query.where(Enrollment.course_id.in_(course_ids))
    rows = session.execute(query).all()
    if not rows:
        return []
    enrollments = {e.id: e for e, _ in rows}
    versions = {v.id: v for v in session.scalars(select(CourseVersion).where(
        CourseVersion.id.in_({e.version_id for e in enrollments.values()})))}
    context = _RecordContext(session, enrollments, versions, cache)
    statuses = status.course_statuses(session, [(learner.id, course.id) for _, course in rows])
    records: dict[int, CourseRecord] = {}
    for enrollment, course in rows:
        manifest = versions[enrollment.version_id].manifest
        language = pick_language(manifest, enrollment.language)
        records[enrollment.id] = CourseRecord(course, manifest["editions"][language]["title"], language, enrollment,
                                              statuses.get((learner.id, course.id), "not_started"))
    for kind in kinds.kinds():
        if kind.record_template is None:
            continue
        items: dict[int, list[Any]] = {}
        for enrollment_id, item in kind.record(session, enrollments, context):
            items.setdefault(enrollment_id, []).append(item)
        for enrollment_id, record in records.items():
            record.sections.append(kinds.RecordSection(kind.name, kind.record_template, items.get(enrollment_id, [])))
    return list(records.values())
