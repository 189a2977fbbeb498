"""The learner's pages: my training, a course's outline, choosing its language, an activity.

An activity's page belongs to its kind (:mod:`lms.activities`): this blueprint finds the
activity and hands it to the kind's ``view``.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from ..activities.base import get as kind_of
from ..activities.base import kinds
from ..core import status as status_rules
from ..core.assets import ASSET_TYPES, SVG_CONTENT_SECURITY_POLICY, SVG_TYPE, image_matches
from ..i18n import LANGUAGES, current_language
from ..models import Blob, Course, CourseVersion, Enrollment, VersionFile
from ..practice import service as practice
from ..services import certificates, learning, status
from ..state import db_session
from . import milestones
from .forms import EditionForm
from .pages import activity_url, course_or_404, load_page, open_catalogue, parsed_cache

bp = Blueprint("learn", __name__)

@bp.get("/")
def home() -> ResponseReturnValue:
    mine, others = learning.my_training(db_session(), g.lms_user, current_language(), open_catalogue())
    waiting, answered, streak = practice.summary(db_session(), g.lms_user)
    return render_template("lms/learn/home.html", mine=mine, others=others, activity_url=activity_url,
                           practice={"waiting": waiting, "answered": answered, "streak": streak})


@bp.get("/courses/<slug>/")
def course(slug: str) -> ResponseReturnValue:
    course, version, enrollment = course_or_404(slug)
    session = db_session()
    manifest = version.manifest
    language = learning.pick_language(manifest, enrollment.language if enrollment else None, current_language())
    due = learning.due_dates(session, g.lms_user).get(course.id)
    progress = learning.progress_of(session, enrollment, manifest, language)
    course_status = status.course_statuses(session, [(g.lms_user.id, course.id)])[(g.lms_user.id, course.id)]
    # a failed quiz shows its best score beside its pass mark
    scores = status.best_scores(session, g.lms_user.id, course.id) if enrollment else {}
    form = EditionForm(language=language)
    form.language.choices = [(code, LANGUAGES.get(code, code)) for code in manifest["languages"]]
    return render_template(
        "lms/learn/course.html", course=course, version=version, edition=manifest["editions"][language],
        language=language, progress=progress, status=course_status, due=due, form=form, enrollment=enrollment,
        activity_url=activity_url, scores=scores,
    )


@bp.post("/courses/<slug>/edition")
def choose_edition(slug: str) -> ResponseReturnValue:
    course, version, enrollment = course_or_404(slug)
    form = EditionForm()
    form.language.choices = [(code, code) for code in version.manifest["languages"]]
    if not form.validate_on_submit():
        abort(400)
    enrollment = learning.ensure_enrollment(db_session(), g.lms_user, course, version, form.language.data,
                                            found=enrollment, looked_up=True)
    enrollment.language = form.language.data
    db_session().commit()
    return redirect(url_for(".course", slug=slug))


def enrolled_or_404(slug: str) -> tuple[Course, CourseVersion, Enrollment, str]:
    """The course, its version, the current learner's enrollment and edition language
    (404 when the learner is not enrolled: a completion page is theirs alone)."""
    course, version, enrollment = course_or_404(slug)
    if enrollment is None:
        abort(404)
    return course, version, enrollment, learning.pick_language(version.manifest, enrollment.language,
                                                              current_language())


@bp.get("/courses/<slug>/complete")
def course_complete(slug: str) -> ResponseReturnValue:
    """The moment of finishing: congratulations, the certificate, the competency profile, what next."""
    course, version, enrollment, language = enrolled_or_404(slug)
    session = db_session()
    if not milestones.course_completed(session, g.lms_user.id, course.id):
        return redirect(url_for(".course", slug=slug))
    manifest = version.manifest
    certificate = next((c for c in certificates.certificates_of(session, g.lms_user.id)
                        if c.course_id == course.id), None)
    panels = [panel for kind in kinds()
              if (panel := kind.completion_panel(session, enrollment, version, language, parsed_cache()))]
    mine, _others = learning.my_training(session, g.lms_user, current_language(), open_catalogue())
    upcoming = [card for card in mine if card.course.id != course.id and card.status != status_rules.COMPLETED]
    return render_template(
        "lms/learn/course_complete.html", course=course, edition=manifest["editions"][language], language=language,
        enrollment=enrollment, certificate=certificate, status_of=certificates.status_of,
        certificate_rule=certificates.rule_of(version), panels=panels, upcoming=upcoming,
        progress=learning.progress_of(session, enrollment, manifest, language), activity_url=activity_url,
    )


@bp.get("/courses/<slug>/complete/<module>")
def module_complete(slug: str, module: str) -> ResponseReturnValue:
    """A module's requirements are met: say so, and lead to the next module's first activity."""
    course, version, enrollment, language = enrolled_or_404(slug)
    session = db_session()
    edition = version.manifest["editions"][language]
    index = next((i for i, m in enumerate(edition["modules"]) if m["slug"] == module), None)
    if index is None:
        abort(404)
    progress = learning.progress_of(session, enrollment, version.manifest, language)
    if progress.modules[index].status != status_rules.COMPLETED:
        return redirect(url_for(".course", slug=slug))
    following = next((m for m in edition["modules"][index + 1:] if m["activities"]), None)
    return render_template(
        "lms/learn/module_complete.html", course=course, edition=edition, language=language,
        module=edition["modules"][index], progress=progress, following=following,
        next_url=activity_url(slug, following["activities"][0]["key"]) if following else None,
        continue_url=activity_url(slug, progress.next_key) if progress.next_key else None,
        course_done=milestones.course_completed(session, g.lms_user.id, course.id),
    )


@bp.get("/courses/<slug>/<module>/<activity>")
def activity(slug: str, module: str, activity: str) -> ResponseReturnValue:
    page = load_page(slug, module, activity)
    kind = kind_of(page.content.kind)
    if kind is None:
        abort(404)
    return kind.view(page)


@bp.get("/courses/<slug>/files/<token>/<path:path>")
def course_file(slug: str, token: str, path: str) -> ResponseReturnValue:
    course, _version, _enrollment = course_or_404(slug)
    session = db_session()
    row = session.execute(
        select(Blob.data).join(VersionFile, VersionFile.blob_sha == Blob.sha256)
        .join(CourseVersion, CourseVersion.id == VersionFile.version_id)
        .where(CourseVersion.course_id == course.id, CourseVersion.content_hash.startswith(token),
               VersionFile.path == path)
        .limit(1)
    ).first()
    extension = "." + path.rsplit(".", 1)[-1].lower() if "." in path else ""
    # A version stored before images were checked may hold anything under an image's name.
    if row is None or extension not in ASSET_TYPES or len(token) < 8 or not image_matches(path, bytes(row[0])):
        abort(404)
    mimetype = ASSET_TYPES[extension]
    response = current_app.response_class(bytes(row[0]), mimetype=mimetype)
    if mimetype == SVG_TYPE:  # shapes and text only (checked above); nothing in it may run or load
        response.headers["Content-Security-Policy"] = SVG_CONTENT_SECURITY_POLICY
    response.cache_control.private = True
    response.cache_control.max_age = 31536000
    response.cache_control.immutable = True
    return response
