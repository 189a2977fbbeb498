"""Loading the HR reports: one set-based statement per page, or a stream for exports.

The completion report's rows come from a single SELECT (assignments, people,
groups, enrollments, best scores and certificates joined as subqueries), so the
number of statements for a page does not grow with its rows;
``tests/web/test_reports_queries.py`` keeps it so. Plain rows go to
:mod:`lms.core.reports`, which holds the definitions HR reads.

Who sees what: HR and admins every employee; a trainer the members of the
groups they train (see :class:`Scope`).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from sqlalchemy import Select, String, and_, case, func, select, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.functions import FunctionElement

from ..core import reports as core
from ..core.status import COMPLETED, OVERDUE
from ..models import (
    Certificate,
    Course,
    CourseVersion,
    Enrollment,
    Group,
    GroupMember,
    User,
)
from . import status
from .groups import MEMBER, TRAINER, oversees
from .learning import pick_language

#: rows fetched at a time from the server-side cursor of an export
STREAM_BATCH = 1000


@dataclass(frozen=True)
class Scope:
    """Whose rows a viewer may see: everyone (``trainer`` None: HR and admins) or, for a
    trainer, exactly what :func:`lms.services.groups.oversees` lets them see (learners of
    the groups they train, in the courses assigned through those groups)."""

    trainer: User | None = None

    @property
    def trainer_id(self) -> int | None:
        return self.trainer.id if self.trainer is not None else None

    @classmethod
    def for_user(cls, user: User) -> Scope:
        return cls(None if user.has_role("hr") else user)


EVERYONE = Scope()


@dataclass(frozen=True)
class CourseOption:
    id: int
    slug: str
    title: str


def course_options(session: Session, ui_language: str) -> list[CourseOption]:
    """Every course that is not archived, with its title in the UI language (one statement)."""
    options = []
    for course_id, slug, manifest in session.execute(
            select(Course.id, Course.slug, CourseVersion.manifest)
            .outerjoin(CourseVersion, CourseVersion.id == Course.published_version_id)
            .where(Course.archived.is_(False))):
        title = slug
        if manifest:
            language = pick_language(manifest, ui_language)
            title = manifest["editions"][language].get("title") or slug
        options.append(CourseOption(course_id, slug, title))
    options.sort(key=lambda o: (o.title.casefold(), o.slug))
    return options


def group_options(session: Session, scope: Scope) -> list[Group]:
    """The groups the viewer may filter by: all for HR, the trained ones for a trainer."""
    query = select(Group).order_by(Group.name)
    if scope.trainer_id is not None:
        query = query.where(Group.id.in_(select(GroupMember.group_id).where(
            GroupMember.user_id == scope.trainer_id, GroupMember.role == TRAINER)))
    return list(session.scalars(query))


def find_group_id(session: Session, name_or_id: str) -> int | None:
    """A group's id from its name (or its id), for the command line."""
    found = session.scalar(select(Group.id).where(Group.name == name_or_id))
    if found is None and name_or_id.isdigit():
        found = session.scalar(select(Group.id).where(Group.id == int(name_or_id)))
    return found


class names_in_order(FunctionElement):
    """Names joined with ", " in alphabetical order: ``string_agg(... ORDER BY ...)`` on
    PostgreSQL; elsewhere ``group_concat`` over a subquery already in that order
    (SQLite before 3.44 has no ORDER BY inside an aggregate)."""

    type = String()
    name = "names_in_order"
    inherit_cache = True


@compiles(names_in_order)
def _names_default(element, compiler, **kw):
    return f"group_concat({compiler.process(element.clauses, **kw)}, ', ')"


@compiles(names_in_order, "postgresql")
def _names_postgresql(element, compiler, **kw):
    name = compiler.process(element.clauses, **kw)
    return f"string_agg({name}, ', ' ORDER BY {name})"


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC)


def report_subquery(scope: Scope, filters: core.ReportFilters, titles: Mapping[int, str],
                    today: dt.date, now: dt.datetime):
    """Every row the viewer may see and the filters keep, as a subquery with the
    columns :func:`lms.core.reports.row_from` reads (plus ``status_rank``)."""
    assigned = status.assigned_pairs()

    memberships = (select(GroupMember.user_id, Group.name)
                   .join(Group, Group.id == GroupMember.group_id).where(GroupMember.role == MEMBER)
                   .order_by(GroupMember.user_id, Group.name).subquery("memberships"))
    group_names = (select(memberships.c.user_id, names_in_order(memberships.c.name).label("names"))
                   .group_by(memberships.c.user_id).subquery("group_names"))

    scores = status.course_scores()

    latest_cycle = (select(Certificate.user_id, Certificate.course_id, func.max(Certificate.cycle).label("cycle"))
                    .where(Certificate.revoked_at.is_(None))
                    .group_by(Certificate.user_id, Certificate.course_id).subquery("latest_cycle"))

    manager = aliased(User, name="manager")
    course_status = status.course_status_column(
        completed_at=Enrollment.completed_at, enrollment_id=Enrollment.id, due_date=assigned.c.due_date,
        user_id=assigned.c.user_id, course_id=assigned.c.course_id, today=today, now=now)
    title = case(dict(titles), value=Course.id, else_=Course.slug) if titles else Course.slug

    query = (
        select(User.id.label("user_id"), User.name.label("employee"), User.employee_id, User.email,
               User.department, group_names.c.names.label("groups"), manager.name.label("manager"),
               Course.id.label("course_id"), Course.slug.label("course_slug"), title.label("course"),
               assigned.c.assigned_at, assigned.c.due_date, course_status.label("status"), scores.c.score,
               Enrollment.completed_at, Certificate.serial, Certificate.expires_at)
        .select_from(assigned)
        .join(User, User.id == assigned.c.user_id)
        .join(Course, Course.id == assigned.c.course_id)
        .outerjoin(manager, manager.id == User.manager_id)
        .outerjoin(group_names, group_names.c.user_id == User.id)
        .outerjoin(Enrollment, and_(Enrollment.user_id == assigned.c.user_id,
                                    Enrollment.course_id == assigned.c.course_id))
        .outerjoin(scores, and_(scores.c.user_id == assigned.c.user_id, scores.c.course_id == assigned.c.course_id))
        .outerjoin(latest_cycle, and_(latest_cycle.c.user_id == assigned.c.user_id,
                                      latest_cycle.c.course_id == assigned.c.course_id))
        .outerjoin(Certificate, and_(Certificate.user_id == latest_cycle.c.user_id,
                                     Certificate.course_id == latest_cycle.c.course_id,
                                     Certificate.cycle == latest_cycle.c.cycle))
        .where(User.is_active.is_(True), Course.archived.is_(False))
    )
    if scope.trainer is not None:
        query = query.where(oversees(scope.trainer, assigned.c.user_id, assigned.c.course_id))
    if filters.group_id is not None:
        query = query.where(assigned.c.user_id.in_(select(GroupMember.user_id).where(
            GroupMember.group_id == filters.group_id, GroupMember.role == MEMBER)))
    if filters.course:
        query = query.where(Course.slug == filters.course)
    if filters.date_from or filters.date_to:
        when = assigned.c.assigned_at if filters.date_field == "assigned" else Enrollment.completed_at
        if filters.date_from:
            query = query.where(when >= _day_start(filters.date_from))
        if filters.date_to:
            query = query.where(when < _day_start(filters.date_to + dt.timedelta(days=1)))
    if filters.expiring_within is not None:
        query = query.where(Certificate.expires_at >= now,
                            Certificate.expires_at <= now + dt.timedelta(days=filters.expiring_within))
    report = query.subquery("report")
    if filters.status:
        report = select(report).where(report.c.status == filters.status).subquery("report_by_status")
    return report


def _ordered(report, filters: core.ReportFilters) -> Select:
    columns = {
        "employee": report.c.employee, "employee_id": report.c.employee_id, "email": report.c.email,
        "department": report.c.department, "groups": report.c.groups, "manager": report.c.manager,
        "course": report.c.course, "assigned_on": report.c.assigned_at, "due_on": report.c.due_date,
        "status": case(core.STATUS_ORDER, value=report.c.status, else_=len(core.STATUS_ORDER)),
        "score": report.c.score, "completed_on": report.c.completed_at, "certificate": report.c.serial,
        "certificate_expires_on": report.c.expires_at,
    }
    key = columns[filters.sort]
    key = key.desc() if filters.descending else key.asc()
    return select(report).order_by(key.nulls_last(), report.c.employee, report.c.user_id, report.c.course,
                                   report.c.course_id)


def totals(session: Session, report) -> core.Totals:
    """Assigned, completed and overdue over every row of ``report`` (one statement)."""
    assigned, completed, overdue = session.execute(select(
        func.count(),
        func.coalesce(func.sum(case((report.c.status == COMPLETED, 1), else_=0)), 0),
        func.coalesce(func.sum(case((report.c.status == OVERDUE, 1), else_=0)), 0),
    ).select_from(report)).one()
    return core.Totals(int(assigned), int(completed), int(overdue))


@dataclass(frozen=True)
class CompletionPage:
    totals: core.Totals
    page: core.Page
    rows: list[core.ReportRow]


def completion_page(session: Session, scope: Scope, filters: core.ReportFilters, titles: Mapping[int, str],
                    today: dt.date, now: dt.datetime, page_size: int = core.PAGE_SIZE) -> CompletionPage:
    """Totals and one page of rows: two statements, whatever the number of rows."""
    report = report_subquery(scope, filters, titles, today, now)
    summary = totals(session, report)
    page = core.page_of(filters.page, summary.assigned, page_size)
    result = session.execute(_ordered(report, filters).limit(page.size).offset(page.offset)).mappings()
    return CompletionPage(summary, page, [core.row_from(row) for row in result])


def stream_rows(session: Session, scope: Scope, filters: core.ReportFilters, titles: Mapping[int, str],
                today: dt.date, now: dt.datetime, batch: int = STREAM_BATCH) -> Iterator[core.ReportRow]:
    """Every row the filters keep, in the report's order, read from a server-side
    cursor ``batch`` rows at a time (memory does not grow with the row count)."""
    if session.get_bind().dialect.name == "postgresql":
        # PostgreSQL plans a cursor for its first 10 % of rows (cursor_tuple_fraction), which
        # can pick nested loops that take seconds over the whole set; an export reads it all
        session.execute(text("SET LOCAL cursor_tuple_fraction = 1.0"))
    report = report_subquery(scope, filters, titles, today, now)
    statement = _ordered(report, filters).execution_options(yield_per=batch, stream_results=True)
    result = session.execute(statement).mappings()
    try:
        for row in result:
            yield core.row_from(row)
    finally:
        result.close()


@dataclass(frozen=True)
class ComplianceView:
    matrix: core.Matrix
    page: core.Page


def compliance(session: Session, scope: Scope, filters: core.ReportFilters, titles: Mapping[int, str],
               today: dt.date, now: dt.datetime, page_size: int = core.PAGE_SIZE) -> ComplianceView:
    """Employees (a page of them, by name) × the courses assigned to anyone the filters keep.

    Three statements: the employees and the columns, then the page's cells.
    """
    report = report_subquery(scope, filters, titles, today, now)
    employees = session.scalar(select(func.count(func.distinct(report.c.user_id))).select_from(report)) or 0
    page = core.page_of(filters.page, employees, page_size)
    columns = [(int(course_id), title) for course_id, title in session.execute(
        select(report.c.course_id, report.c.course).distinct().order_by(report.c.course, report.c.course_id))]
    on_page = (select(report.c.user_id).group_by(report.c.user_id, report.c.employee)
               .order_by(report.c.employee, report.c.user_id).limit(page.size).offset(page.offset))
    rows = session.execute(select(report).where(report.c.user_id.in_(on_page))
                           .order_by(report.c.employee, report.c.user_id)).mappings()
    return ComplianceView(core.build_matrix((core.row_from(row) for row in rows), columns), page)
