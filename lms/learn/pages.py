"""What every learner page needs: finding the course and the activity, links, breadcrumbs.

The activity kinds (:mod:`lms.activities`) build their pages with these helpers; this
module imports none of them, so the learner's blueprint and the kinds do not import each
other.
"""
from __future__ import annotations

from typing import Any

from flask import abort, current_app, g, url_for
from markupsafe import Markup

from ..activities.base import ActivityPage
from ..core.content import LINK_BASE
from ..i18n import current_language
from ..models import Course, CourseVersion, Enrollment
from ..services import learning
from ..state import db_session, state


def open_catalogue() -> bool:
    return bool(current_app.config.get("LMS_OPEN_CATALOGUE", True))


def parsed_cache() -> Any:
    """The app's cache of parsed quizzes and scenarios (handed to the services)."""
    return state().parsed


def course_or_404(slug: str) -> tuple[Course, CourseVersion, Enrollment | None]:
    """The course the learner may open, its published version and their enrollment (None before
    their first activity); 404 otherwise."""
    found = learning.accessible_course(db_session(), g.lms_user, slug, open_catalogue(), state().rows)
    if found is None:
        abort(404)
    return found


def with_links(html: str, slug: str) -> Markup:
    """Swap the placeholder of resolved links for this course's real address."""
    base = url_for("lms.learn.course", slug=slug)
    return Markup(html.replace(f'"{LINK_BASE}', f'"{base}'))  # nosec B704 # nh3-sanitised at import


def link_in(href: str, slug: str) -> str:
    """One resolved link of a course's content (a lesson a quiz or a competency points to), as an address."""
    return str(with_links(f'"{href}"', slug)).strip('"')


def split_key(key: str) -> tuple[str, str]:
    module, _, activity = key.partition("/")
    return module, activity


def activity_url(slug: str, key: str) -> str:
    module, activity = split_key(key)
    return url_for("lms.learn.activity", slug=slug, module=module, activity=activity)


def load_page(slug: str, module: str, activity: str, kind: str | None = None) -> ActivityPage:
    """The course, version, enrollment, language and content of an activity the learner may
    open (404 otherwise, or when it is not of ``kind``); the enrollment is made on first use."""
    course, version, enrollment = course_or_404(slug)
    session = db_session()
    language = learning.pick_language(version.manifest, enrollment.language if enrollment else None,
                                      current_language())
    content = learning.load_activity(session, version, language, f"{module}/{activity}", state().rows)
    if content is None or (kind is not None and content.kind != kind):
        abort(404)
    enrollment = learning.ensure_enrollment(session, g.lms_user, course, version, language, found=enrollment,
                                            looked_up=True)
    return ActivityPage(course, version, enrollment, language, content)


def module_of(page: ActivityPage) -> dict[str, Any]:
    """The manifest's entry of the module the page's activity belongs to."""
    edition = page.version.manifest["editions"][page.language]
    return next(m for m in edition["modules"] if m["slug"] == split_key(page.key)[0])


def edition_of(page: ActivityPage) -> dict[str, Any]:
    return page.version.manifest["editions"][page.language]


def page_url(page: ActivityPage) -> str:
    return activity_url(page.course.slug, page.key)
