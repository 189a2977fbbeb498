from __future__ import annotations

from collections.abc import Callable

from flask import abort, current_app, flash, g, redirect, render_template, url_for
from markupsafe import Markup
from sqlalchemy import select

from ..core.assets import IMAGE_TYPES, image_matches
from ..core.completion import neighbours
from ..core.content import LINK_BASE
from ..i18n import LANGUAGES, _, current_language
from ..models import ActivityContent, Blob, CourseVersion, VersionFile
from ..services import learning
from ..state import db_session
from . import bp
from .forms import CompleteForm, EditionForm

#: Views per activity kind; the quiz and scenario features add theirs.
ACTIVITY_VIEWS: dict[str, Callable] = {}


def activity_view(kind: str):
    def decorator(view):
        ACTIVITY_VIEWS[kind] = view
        return view
    return decorator


def open_catalogue() -> bool:
    return bool(current_app.config.get("LMS_OPEN_CATALOGUE", True))


def course_or_404(slug: str):
    found = learning.accessible_course(db_session(), g.lms_user, slug, open_catalogue())
    if found is None:
        abort(404)
    return found


def with_links(html: str, slug: str) -> Markup:
    """Swap the placeholder of resolved links for this course's real address."""
    base = url_for("lms.learn.course", slug=slug)
    return Markup(html.replace(f'"{LINK_BASE}', f'"{base}'))  # nosec B704 # nh3-sanitised at import


def split_key(key: str) -> tuple[str, str]:
    module, _, activity = key.partition("/")
    return module, activity


def activity_url(slug: str, key: str) -> str:
    module, activity = split_key(key)
    return url_for("lms.learn.activity", slug=slug, module=module, activity=activity)


@bp.get("/")
def home():
    mine, others = learning.my_training(db_session(), g.lms_user, current_language(), open_catalogue())
    return render_template("lms/learn/home.html", mine=mine, others=others, activity_url=activity_url)


@bp.get("/courses/<slug>/")
def course(slug: str):
    course, version = course_or_404(slug)
    session = db_session()
    enrollment = learning.get_enrollment(session, g.lms_user, course)
    manifest = version.manifest
    language = learning.pick_language(manifest, enrollment.language if enrollment else None, current_language())
    due = learning.due_dates(session, g.lms_user).get(course.id)
    progress = learning.progress_of(session, enrollment, manifest, language, due)
    states = learning.activity_states(session, [enrollment.id])[enrollment.id] if enrollment else {}
    form = EditionForm(language=language)
    form.language.choices = [(code, LANGUAGES.get(code, code)) for code in manifest["languages"]]
    return render_template(
        "lms/learn/course.html", course=course, version=version, edition=manifest["editions"][language],
        language=language, progress=progress, states=states, due=due, form=form, enrollment=enrollment,
        activity_url=activity_url,
    )


@bp.post("/courses/<slug>/edition")
def choose_edition(slug: str):
    course, version = course_or_404(slug)
    form = EditionForm()
    form.language.choices = [(code, code) for code in version.manifest["languages"]]
    if not form.validate_on_submit():
        abort(400)
    enrollment = learning.ensure_enrollment(db_session(), g.lms_user, course, version, form.language.data)
    enrollment.language = form.language.data
    db_session().commit()
    return redirect(url_for(".course", slug=slug))


def load_activity_or_404(slug: str, module: str, activity: str):
    course, version = course_or_404(slug)
    session = db_session()
    enrollment = learning.get_enrollment(session, g.lms_user, course)
    language = learning.pick_language(version.manifest, enrollment.language if enrollment else None,
                                      current_language())
    content = learning.load_activity(session, version, language, f"{module}/{activity}")
    if content is None:
        abort(404)
    enrollment = learning.ensure_enrollment(session, g.lms_user, course, version, language)
    return course, version, enrollment, language, content


@bp.get("/courses/<slug>/<module>/<activity>")
def activity(slug: str, module: str, activity: str):
    course, version, enrollment, language, content = load_activity_or_404(slug, module, activity)
    view = ACTIVITY_VIEWS.get(content.kind)
    if view is None:
        abort(404)
    return view(course, version, enrollment, language, content)


@activity_view("lesson")
def lesson_view(course, version: CourseVersion, enrollment, language: str, content: ActivityContent):
    session = db_session()
    progress = learning.record_visit(session, enrollment, content.key, version)
    session.commit()
    edition = version.manifest["editions"][language]
    previous_key, next_key = neighbours(edition, content.key)
    module = next(m for m in edition["modules"] if m["slug"] == split_key(content.key)[0])
    return render_template(
        "lms/learn/lesson.html", course=course, edition=edition, module=module, content=content,
        html=with_links(content.html, course.slug), done=progress.status == "completed",
        previous_url=activity_url(course.slug, previous_key) if previous_key else None,
        next_url=activity_url(course.slug, next_key) if next_key else None,
        form=CompleteForm(), language=language,
    )


@bp.post("/courses/<slug>/<module>/<activity>/done")
def complete(slug: str, module: str, activity: str):
    course, version, enrollment, language, content = load_activity_or_404(slug, module, activity)
    if content.kind != "lesson" or not CompleteForm().validate_on_submit():
        abort(400)
    session = db_session()
    was_complete = enrollment.completed_at is not None
    learning.complete_activity(session, enrollment, content, version)
    session.commit()
    if not was_complete and enrollment.completed_at is not None:
        flash(_("Well done! You have completed the course."), "success")
        return redirect(url_for(".course", slug=slug))
    _previous, next_key = neighbours(version.manifest["editions"][language], content.key)
    if next_key:
        return redirect(activity_url(slug, next_key))
    return redirect(url_for(".course", slug=slug))


@bp.get("/courses/<slug>/files/<token>/<path:path>")
def course_file(slug: str, token: str, path: str):
    course, _version = course_or_404(slug)
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
    if row is None or extension not in IMAGE_TYPES or len(token) < 8 or not image_matches(path, bytes(row[0])):
        abort(404)
    mimetype = IMAGE_TYPES[extension]
    response = current_app.response_class(bytes(row[0]), mimetype=mimetype)
    response.cache_control.private = True
    response.cache_control.max_age = 31536000
    response.cache_control.immutable = True
    return response
