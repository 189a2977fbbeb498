"""Routes of the review queue: mark free-text answers, release results, analyse items."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from ..activities import base as kinds
from ..core.item_analysis import GROUP_SHARE
from ..i18n import _, current_language
from ..models import Course, CourseVersion, Review
from ..services import reviews
from ..services.learning import pick_language
from ..state import db_session, state
from ..web import NavItem, add_nav_item, roles_required
from .forms import ReviewForm

bp = Blueprint("review", __name__, url_prefix="/review")

add_nav_item(bp, NavItem("lms.review.queue", lambda: _("Reviews"), ("trainer",),
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
def queue() -> ResponseReturnValue:
    session = db_session()
    entries = reviews.queue(session, g.lms_user, current_language())
    total = reviews.pending_count(session, g.lms_user)
    return render_template("lms/review/queue.html", entries=entries, total=total, courses=_published_courses())


def _review_or_404(review_id: int) -> Review:
    review = reviews.get_visible(db_session(), g.lms_user, review_id)
    if review is None:
        abort(404)
    return review


def _render(review: Review, form: ReviewForm, status: int = 200) -> tuple[str, int]:
    session = db_session()
    entry = reviews.entry(session, review, current_language())
    kind = kinds.get(review.kind)
    extras = kind.review_context(session, review) if kind is not None else {}
    return render_template("lms/review/review.html", entry=entry, review=review, form=form, extras=extras), status


@bp.get("/<int:review_id>")
@roles_required("trainer")
def review(review_id: int) -> ResponseReturnValue:
    found = _review_or_404(review_id)
    return _render(found, ReviewForm(review=found))


@bp.post("/<int:review_id>")
@roles_required("trainer")
def release(review_id: int) -> ResponseReturnValue:
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
                                   form.comment.data or "", state().parsed)
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
def analysis(slug: str) -> ResponseReturnValue:
    session = db_session()
    row = session.execute(
        select(Course, CourseVersion).join(CourseVersion, CourseVersion.id == Course.published_version_id)
        .where(Course.slug == slug)).first()
    if row is None:
        abort(404)
    course, version = row
    language = pick_language(version.manifest, current_language())
    sections = reviews.course_analysis(session, version, language, state().parsed)
    return render_template("lms/review/analysis.html", course=course, version=version,
                           title=version.manifest["editions"][language]["title"],
                           sections=sections, group_share=float(GROUP_SHARE))
