"""Routes of the review queue: mark free-text answers, release results, analyse items."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, url_for
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from ..core.item_analysis import GROUP_SHARE
from ..i18n import _, current_language
from ..models import Course, CourseVersion
from ..services import reviews
from ..services.learning import pick_language
from ..state import db_session
from ..web import NavItem, add_nav_item, roles_required
from . import bp
from .forms import ReviewForm

add_nav_item(NavItem("lms.review.queue", lambda: _("Reviews"), ("trainer",),
                     badge=lambda user: reviews.pending_count(db_session(), user), order=30))


def _published_courses() -> list[tuple[str, str]]:
    """(slug, title) of every published course, for the item-analysis links."""
    rows = db_session().execute(
        select(Course.slug, CourseVersion.manifest).join(CourseVersion, CourseVersion.id == Course.published_version_id)
        .where(Course.archived.is_(False)).order_by(Course.slug))
    language = current_language()
    return [(slug, manifest["editions"][pick_language(manifest, language)]["title"])
            for slug, manifest in rows]


@bp.get("/")
@roles_required("trainer")
def queue():
    session = db_session()
    entries = reviews.queue(session, g.lms_user, current_language())
    total = reviews.pending_count(session, g.lms_user)
    return render_template("lms/review/queue.html", entries=entries, total=total, courses=_published_courses())


def _review_or_404(review_id: int):
    review = reviews.get_visible(db_session(), g.lms_user, review_id)
    if review is None:
        abort(404)
    return review


def _render(review, form, status: int = 200):
    entry = reviews.entry(db_session(), review, current_language())
    return render_template("lms/review/review.html", entry=entry, review=review, form=form), status


@bp.get("/<int:review_id>")
@roles_required("trainer")
def review(review_id: int):
    found = _review_or_404(review_id)
    return _render(found, ReviewForm(review=found))


@bp.post("/<int:review_id>")
@roles_required("trainer")
def release(review_id: int):
    session = db_session()
    found = _review_or_404(review_id)
    here = url_for(".review", review_id=review_id)
    if found.status != reviews.PENDING:
        flash(_("This result was already released; nothing was changed."), "info")
        return redirect(here)
    form = ReviewForm(review=found)
    if not form.validate_on_submit():
        return _render(found, form, 400)
    try:
        released = reviews.release(session, found, g.lms_user, form.marks.data or [], form.points.data,
                                   form.comment.data or "")
        session.commit()
    except reviews.ReviewInvalid:
        session.rollback()
        abort(400)  # the form validated the same rules: only a forged request gets here
    except StaleDataError:
        session.rollback()
        flash(_("The learner's result changed while you were marking. Please release it again."), "error")
        return redirect(here)
    if not released:
        flash(_("This result was already released; nothing was changed."), "info")
        return redirect(here)
    flash(_("The result is released. The learner can see it now."), "info")
    return redirect(url_for(".queue"))


@bp.get("/analysis/<slug>")
@roles_required("trainer")
def analysis(slug: str):
    session = db_session()
    row = session.execute(
        select(Course, CourseVersion).join(CourseVersion, CourseVersion.id == Course.published_version_id)
        .where(Course.slug == slug)).first()
    if row is None:
        abort(404)
    course, version = row
    language = pick_language(version.manifest, current_language())
    quizzes, scenarios = reviews.course_analysis(session, version, language)
    return render_template("lms/review/analysis.html", course=course, version=version,
                           title=version.manifest["editions"][language]["title"],
                           quizzes=quizzes, scenarios=scenarios, group_share=float(GROUP_SHARE))
