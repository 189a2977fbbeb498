"""The lesson's page and its "mark as done" form."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from ...core.completion import neighbours
from ...learn import milestones
from ...learn.forms import CompleteForm
from ...learn.pages import activity_url, edition_of, load_page, module_of, with_links
from ...services import learning
from ...state import db_session
from ..base import ActivityPage

bp = Blueprint("lesson", __name__)


def lesson_view(page: ActivityPage) -> Any:
    session = db_session()
    progress = learning.record_visit(session, page.enrollment, page.key, page.version)
    session.commit()
    edition = edition_of(page)
    previous_key, next_key = neighbours(edition, page.key)
    return render_template(
        "lms/activities/lesson.html", course=page.course, edition=edition, module=module_of(page),
        content=page.content, html=with_links(page.content.html, page.course.slug),
        done=progress.status == "completed",
        previous_url=activity_url(page.course.slug, previous_key) if previous_key else None,
        next_url=activity_url(page.course.slug, next_key) if next_key else None,
        form=CompleteForm(), language=page.language,
    )


@bp.post("/courses/<slug>/<module>/<activity>/done")
def complete(slug: str, module: str, activity: str) -> ResponseReturnValue:
    page = load_page(slug, module, activity, kind="lesson")
    if not CompleteForm().validate_on_submit():
        abort(400)
    session = db_session()
    before = milestones.snapshot(page)
    learning.complete_activity(session, page.enrollment, page.content, page.version)
    session.commit()
    reached = milestones.reached(page, before)
    if reached is not None:  # the module or the course is complete: its page says so and what comes next
        return redirect(reached.url)
    _previous, next_key = neighbours(edition_of(page), page.key)
    if next_key:
        return redirect(activity_url(slug, next_key))
    return redirect(url_for("lms.learn.course", slug=slug))
