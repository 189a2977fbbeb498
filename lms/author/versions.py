"""The versions of a course: the list, the differences between two, publishing an old one again."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from ..i18n import _
from ..models import CourseVersion
from ..problem_text import problem_text
from ..services import authoring
from ..services.content import version_files
from ..state import db_session
from .forms import ActionForm
from .views import bp, current_course, limits


@bp.post("/<slug>/publish")
def publish(slug: str) -> ResponseReturnValue:
    session = db_session()
    course = current_course()
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        result = authoring.publish(session, course, limits(), g.lms_user)
    except authoring.PublishRefused as refused:
        session.rollback()
        return render_template("lms/author/problems.html", problems=refused.problems, slug=slug), 400
    session.commit()
    flash(_("Published version %(number)s. Learners now see it.", number=result.version_number)
          if result.created else _("Nothing changed since the last version."), "success")
    return redirect(url_for(".course", slug=slug))


@bp.get("/<slug>/versions")
def versions(slug: str) -> ResponseReturnValue:
    session = db_session()
    course = current_course()
    rows = session.scalars(select(CourseVersion).where(CourseVersion.course_id == course.id)
                           .order_by(CourseVersion.number.desc())).all()
    numbers = [v.number for v in rows]
    a = request.args.get("a", type=int)
    b = request.args.get("b", type=int)
    diff = None
    if a in numbers and b in numbers:
        by_number = {v.number: v for v in rows}
        diff = authoring.diff_files(version_files(session, by_number[a]), version_files(session, by_number[b]),
                                    f"v{a}", f"v{b}")
    return render_template("lms/author/versions.html", course=course, versions=rows, diff=diff, a=a, b=b,
                           action=ActionForm())


@bp.post("/<slug>/rollback")
def rollback(slug: str) -> ResponseReturnValue:
    session = db_session()
    course = current_course()
    number = request.form.get("number", type=int)
    if not ActionForm().validate_on_submit() or number is None:
        abort(400)
    try:
        result = authoring.rollback(session, course, number, limits(), g.lms_user)
    except authoring.AuthoringError as exc:
        session.rollback()
        flash(problem_text(exc.problem), "error")
        return redirect(url_for(".versions", slug=slug))
    except authoring.PublishRefused as refused:
        session.rollback()
        return render_template("lms/author/problems.html", problems=refused.problems, slug=slug), 400
    session.commit()
    flash(_("Version %(old)s is published again as version %(new)s.", old=number, new=result.version_number), "success")
    return redirect(url_for(".versions", slug=slug))
