"""The versions of a course: publishing with a note, the list, what changed between two, publishing an old one again."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from ..i18n import LANGUAGES, _, current_language
from ..labels import version_note
from ..models import CourseVersion, User
from ..problem_text import problem_text
from ..services import authoring
from ..services.version_diff import compare_versions
from ..state import db_session
from .forms import ActionForm, PublishForm
from .views import bp, current_course, limits


@bp.post("/<slug>/publish")
def publish(slug: str) -> ResponseReturnValue:
    """Publish the working copy with the author's one-line note; without a note nothing is published."""
    session = db_session()
    course = current_course()
    form = PublishForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        for message in form.note.errors:
            flash(message, "error")
        return redirect(url_for(".course", slug=slug))
    try:
        result = authoring.publish(session, course, limits(), g.lms_user, note=form.note.data)
    except authoring.PublishRefused as refused:
        session.rollback()
        return render_template("lms/author/problems.html", problems=refused.problems, slug=slug), 400
    session.commit()
    flash(_("Published version %(number)s. Learners now see it.", number=result.version_number)
          if result.created else _("Nothing changed since the last version."), "success")
    return redirect(url_for(".course", slug=slug))


@bp.get("/<slug>/versions")
def versions(slug: str) -> ResponseReturnValue:
    """Every version with its note, and what changed between two of them (by default the latest and the one before)."""
    session = db_session()
    course = current_course()
    rows = session.scalars(select(CourseVersion).where(CourseVersion.course_id == course.id)
                           .order_by(CourseVersion.number.desc())).all()
    by_number = {v.number: v for v in rows}
    b = request.args.get("b", type=int, default=rows[0].number if rows else None)
    a = request.args.get("a", type=int, default=next((v.number for v in rows if b is not None and v.number < b), None))
    comparison = None
    languages: set[str] = set()
    if a in by_number and b in by_number and a != b:
        comparison = compare_versions(session, by_number[a], by_number[b], current_language())
        languages = {*by_number[a].manifest.get("languages", []), *by_number[b].manifest.get("languages", [])}
    authors = {user.id: user.name for user in session.scalars(select(User).where(
        User.id.in_({v.created_by_id for v in rows if v.created_by_id is not None})))}
    missing = [number for number in (a, b) if number is not None and number not in by_number]
    return render_template("lms/author/versions.html", course=course, versions=rows, comparison=comparison,
                           a=a, b=b, same=a is not None and a == b, missing=missing, authors=authors,
                           multilingual=len(languages) > 1, action=ActionForm(), version_note=version_note,
                           language_name=lambda code: LANGUAGES.get(code, code))


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
