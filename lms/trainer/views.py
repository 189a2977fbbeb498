"""Routes of the trainer's workspace: groups, members, assignments, dashboards, learners.

Every route is for trainers (admins pass). A trainer reaches only the groups
they train and the people in them; anything else answers 404, so the pages
do not tell which groups exist.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from urllib.parse import urlencode

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_date
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms import SelectChoice

from ..core import charts
from ..core import dashboard as core
from ..i18n import _, current_language, ngettext
from ..models import Course, Group, User
from ..practice import service as practice
from ..services import dashboard, dashboard_cache, groups, learning, reviews, status
from ..state import db_session, state
from ..web import NavItem, add_nav_item, today
from .forms import ActionForm, AssignForm, GroupForm, MembersForm

bp = Blueprint("trainer", __name__, url_prefix="/trainer")

#: learners per page of the dashboard; counts and charts always cover the whole group
PAGE_SIZE = 100
#: how many e-mails a message lists before "and N more"
LISTED_EMAILS = 20

add_nav_item(bp, NavItem("lms.trainer.groups", lambda: _("Groups"), ("trainer",), order=20, landing=("trainer",)))


@bp.before_request
def trainers_only() -> None:
    # the parent blueprint has already sent anonymous users to sign in
    if g.lms_user is None or not g.lms_user.has_role("trainer"):
        abort(403)


def group_or_404(group_id: int) -> Group:
    group = groups.managed_group(db_session(), g.lms_user, group_id)
    if group is None:
        abort(404)
    return group


def learner_or_404(user_id: int) -> User:
    learner = groups.managed_learner(db_session(), g.lms_user, user_id)
    if learner is None:
        abort(404)
    return learner


def course_choices(form: AssignForm) -> tuple[dict[int, Course], dict[int, str]]:
    """Offer the published courses in ``form``; returns them, and their titles, by id."""
    found = groups.assignable_courses(db_session(), current_language())
    form.course.choices = [SelectChoice(course.id, title) for course, title in found]
    return {course.id: course for course, _title in found}, {course.id: title for course, title in found}


def listed(emails: list[str]) -> str:
    shown = ", ".join(emails[:LISTED_EMAILS])
    if len(emails) > LISTED_EMAILS:
        shown += " " + _("and %(num)s more", num=len(emails) - LISTED_EMAILS)
    return shown


# -- groups ------------------------------------------------------------------------

@bp.get("/", endpoint="groups")
def group_list() -> ResponseReturnValue:
    # a trainer lands here after signing in: the answers waiting for them are the other half of their work
    return render_template("lms/trainer/groups.html", summaries=groups.managed_groups(db_session(), g.lms_user),
                           form=GroupForm(), waiting=reviews.pending_count(db_session(), g.lms_user))


@bp.post("/groups")
def create_group() -> ResponseReturnValue:
    form = GroupForm()
    if not form.validate_on_submit():
        flash(_("Give the group a name (up to 200 characters)."), "error")
        return redirect(url_for(".groups"))
    session = db_session()
    try:
        group = groups.create_group(session, g.lms_user, form.name.data, form.kind.data)
    except groups.GroupError as exc:
        if exc.code == "name_taken":
            flash(_("A group called “%(name)s” already exists. Choose another name.", name=form.name.data.strip()),
                  "error")
        else:
            flash(_("Give the group a name (up to 200 characters)."), "error")
        return redirect(url_for(".groups"))
    session.commit()
    flash(_("Group “%(name)s” created. Now add its members.", name=group.name), "success")
    return redirect(url_for(".members", group_id=group.id))


@bp.get("/groups/<int:group_id>")
def group(group_id: int) -> ResponseReturnValue:
    group = group_or_404(group_id)
    session = db_session()
    courses = dashboard.group_courses(session, group)
    slug = request.args.get("course")
    chosen = next((row for row in courses if row[0].slug == slug), courses[0] if courses else None)
    sort = request.args.get("sort", "name")
    sort = sort if sort in core.SORT_KEYS else "name"
    descending = request.args.get("dir") == "desc"
    status = request.args.get("status", "")
    status = status if status in core.STATUSES else ""
    page = max(1, request.args.get("page", 1, type=int) or 1)
    context = {"group": group, "courses": courses, "chosen": chosen, "sort": sort, "descending": descending,
               "status": status, "statuses": core.STATUSES}
    if chosen is None:
        return render_template("lms/trainer/group.html", data=None, **context)
    course, version, assignment = chosen
    language, day = current_language(), today()
    now = dt.datetime.now(dt.UTC)

    def build() -> tuple[tuple, list[int], dt.datetime | None]:
        # a session of its own: its reads start after the cache read the stamps, whatever the
        # database's isolation (SQLite keeps the snapshot of the request's first read)
        with Session(state().engine) as fresh:
            data = dashboard.group_dashboard(fresh, group, course, version, assignment.due_date, language, day,
                                             state().parsed, now=now)
            refreshers = practice.group_refreshers(fresh, group, course, version, data.language, day,
                                                   state().parsed)
        # without the rows of this request's session (each request puts its own back): the value is shared
        value = (replace(data, course=None, version=None), refreshers)  # type: ignore[arg-type]
        return value, [row.learner.user_id for row in data.matrix.rows], data.valid_until

    # the group's assignment is part of the key: a new due date or a new assignment is a new entry
    entry = dashboard_cache.cached(group.id, (group.id, course.id, version.id, assignment.id, assignment.due_date,
                                              language, day), now,
                                   lambda: dashboard.member_ids(db_session(), group), build)
    data, refreshers = entry.value
    # this request's rows, not those of the request that built the entry (same ids: they are in the key)
    data = replace(data, course=course, version=version)
    ordered = entry.extras.get((sort, descending, status))
    if ordered is None:
        ordered = entry.extras[(sort, descending, status)] = core.filter_rows(
            core.sort_rows(data.matrix.rows, sort, descending), status)
    rows = ordered
    shown = len(rows)
    pages = max(1, -(-shown // PAGE_SIZE))
    page = min(page, pages)

    def link(**changes) -> str:
        args = {"course": course.slug, "sort": sort, "dir": "desc" if descending else "", "status": status,
                "page": page, **changes}
        query = urlencode({k: v for k, v in args.items() if v not in ("", None, 1) or k == "sort"})
        return url_for(".group", group_id=group.id) + "?" + query

    def table() -> str:
        shown_rows = rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
        with Session(state().engine) as fresh:  # read after the stamps, as the entry was (see build)
            scores = dashboard.best_scores(fresh, group, course, [row.learner.user_id for row in shown_rows])
        return render_template("lms/trainer/_group_matrix.html", data=data, rows=core.with_scores(
            data.plan, shown_rows, scores), shown=shown, page=page, pages=pages, link=link, **context)

    # rendered once while the entry lives (and shared by the workers)
    matrix_html = dashboard_cache.fragment(entry, ("table", sort, descending, status, page), table)
    charts_html = dashboard_cache.fragment(entry, ("charts",), lambda: render_template(
        "lms/trainer/_group_charts.html", data=data, refreshers=refreshers, refresher_days=practice.TALLY_DAYS,
        charts=dashboard_charts(data)))
    return render_template("lms/trainer/group.html", data=data, matrix_html=matrix_html, charts_html=charts_html,
                           **context)


def dashboard_charts(data: dashboard.GroupDashboard) -> dict:
    """The completions chart as markup (escaped by ``lms.core.charts``); each activity kind's
    panel brings its own charts (``data.panels``)."""
    result: dict = {}
    timeline = data.timeline
    if timeline:
        first, last = timeline[0][0], timeline[-1][0]
        result["timeline"] = Markup(charts.line_chart(  # nosec B704 # charts escape their text
            "chart-completions", [(day.toordinal(), count) for day, count in timeline],
            title=_("Completions over time"),
            desc=ngettext("%(num)s learner completed the course between %(first)s and %(last)s.",
                          "%(num)s learners completed the course between %(first)s and %(last)s.",
                          timeline[-1][1], first=format_date(first), last=format_date(last)),
            x_labels=(format_date(first, "short"), format_date(last, "short"))))
    return result


# -- members -----------------------------------------------------------------------

@bp.get("/groups/<int:group_id>/members")
def members(group_id: int) -> ResponseReturnValue:
    group = group_or_404(group_id)
    return render_template("lms/trainer/members.html", group=group, people=groups.members(db_session(), group),
                           form=MembersForm())


@bp.post("/groups/<int:group_id>/members")
def add_members(group_id: int) -> ResponseReturnValue:
    group = group_or_404(group_id)
    form = MembersForm()
    if not form.validate_on_submit():
        flash(_("Enter at least one e-mail."), "error")
        return redirect(url_for(".members", group_id=group.id))
    emails = groups.parse_emails(form.emails.data)
    store = state().user_store
    session = db_session()
    report = groups.add_members(session, g.lms_user, group, emails, form.role.data, store.find if store else None)
    session.commit()
    if report.added:
        flash(ngettext("%(num)s person added: %(emails)s", "%(num)s people added: %(emails)s",
                       len(report.added), emails=listed(report.added)), "success")
    if report.already:
        flash(ngettext("%(num)s was already in the group: %(emails)s",
                       "%(num)s were already in the group: %(emails)s",
                       len(report.already), emails=listed(report.already)), "info")
    if report.unknown:
        flash(ngettext("%(num)s e-mail is unknown (the person needs an account first): %(emails)s",
                       "%(num)s e-mails are unknown (the people need an account first): %(emails)s",
                       len(report.unknown), emails=listed(report.unknown)), "error")
    if report.not_learners:
        flash(ngettext("%(num)s person is not a learner; ask an administrator to add them: %(emails)s",
                       "%(num)s people are not learners; ask an administrator to add them: %(emails)s",
                       len(report.not_learners), emails=listed(report.not_learners)), "error")
    if report.not_trainers:
        flash(ngettext("%(num)s person cannot be a trainer without the trainer role: %(emails)s",
                       "%(num)s people cannot be trainers without the trainer role: %(emails)s",
                       len(report.not_trainers), emails=listed(report.not_trainers)), "error")
    if not emails:
        flash(_("No e-mail found in what you entered."), "error")
    return redirect(url_for(".members", group_id=group.id))


@bp.post("/groups/<int:group_id>/members/<int:user_id>/remove")
def remove_member(group_id: int, user_id: int) -> ResponseReturnValue:
    group = group_or_404(group_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    session = db_session()
    try:
        user = groups.remove_member(session, g.lms_user, group, user_id)
    except groups.GroupError as exc:
        if exc.code == "not_member":
            abort(404)
        flash(_("A group needs at least one trainer: add another trainer first."), "error")
        return redirect(url_for(".members", group_id=group.id))
    session.commit()
    flash(_("%(name)s left the group; their results are kept.", name=user.name), "success")
    return redirect(url_for(".members", group_id=group.id))


# -- assignments -------------------------------------------------------------------

@bp.get("/groups/<int:group_id>/courses")
def courses(group_id: int) -> ResponseReturnValue:
    group = group_or_404(group_id)
    form = AssignForm()
    _available, titles = course_choices(form)
    return render_template("lms/trainer/courses.html", group=group, form=form, titles=titles,
                           assignments=groups.active_assignments(db_session(), group=group))


def _assign(form: AssignForm, back: str, *, group: Group | None = None, user: User | None = None
            ) -> ResponseReturnValue:
    available, titles = course_choices(form)
    if not form.validate_on_submit() or form.course.data not in available:
        flash(_("Choose a published course; the due date, if any, as YYYY-MM-DD."), "error")
        return redirect(back)
    session = db_session()
    course = available[form.course.data]
    _assignment, created = groups.assign(session, g.lms_user, course, group=group, user=user, due=form.due_date.data)
    session.commit()
    title = titles.get(course.id, course.slug)
    if created:
        flash(_("“%(course)s” assigned.", course=title), "success")
    else:
        flash(_("“%(course)s” was already assigned; its due date is updated.", course=title), "success")
    return redirect(back)


@bp.post("/groups/<int:group_id>/courses")
def assign_group(group_id: int) -> ResponseReturnValue:
    group = group_or_404(group_id)
    return _assign(AssignForm(), url_for(".courses", group_id=group.id), group=group)


@bp.post("/learners/<int:user_id>/courses")
def assign_learner(user_id: int) -> ResponseReturnValue:
    learner = learner_or_404(user_id)
    return _assign(AssignForm(), url_for(".learner", user_id=learner.id), user=learner)


@bp.post("/assignments/<int:assignment_id>/remove")
def unassign(assignment_id: int) -> ResponseReturnValue:
    session = db_session()
    assignment = groups.managed_assignment(session, g.lms_user, assignment_id)
    if assignment is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    groups.unassign(session, g.lms_user, assignment)
    session.commit()
    flash(_("Assignment ended. What learners did stays on record."), "success")
    if assignment.group_id is not None:
        return redirect(url_for(".courses", group_id=assignment.group_id))
    return redirect(url_for(".learner", user_id=assignment.user_id))


# -- a learner's record ------------------------------------------------------------

@bp.get("/learners/<int:user_id>")
def learner(user_id: int) -> ResponseReturnValue:
    learner = learner_or_404(user_id)
    session = db_session()
    form = AssignForm()
    _available, titles = course_choices(form)
    # a trainer sees the courses assigned through their groups or by themselves, nothing else
    visible = groups.visible_course_ids(session, g.lms_user, learner.id)
    records = dashboard.learner_record(session, learner, visible, state().parsed)
    dues = learning.due_dates(session, learner)
    if visible is not None:
        dues = {course_id: due for course_id, due in dues.items() if course_id in visible}
    statuses = status.course_statuses(session, [(learner.id, course_id) for course_id in dues])
    assigned = []
    if dues:
        for course in session.scalars(select(Course).where(Course.id.in_(dues)).order_by(Course.slug)):
            assigned.append((course, titles.get(course.id, course.slug), dues[course.id],
                             statuses[(learner.id, course.id)]))
    return render_template(
        "lms/trainer/learner.html", learner=learner, form=form, titles=titles,
        groups_of=groups.visible_groups_of(session, g.lms_user, learner), assigned=assigned,
        direct=groups.active_assignments(session, user=learner, actor=g.lms_user), records=records,
        duration=duration)


def duration(seconds: int) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes}:{seconds:02d}"

