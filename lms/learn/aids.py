"""A course's job aids as PDFs: ``/courses/<slug>/aids/<name>.pdf``, in the learner's language.

A lesson links to ``../aids/<name>.md`` and the loader makes that link point here
(:mod:`lms.core.job_aids`). Whoever may open the course may download its aids (the
learner's own access check, :func:`lms.learn.pages.course_or_404`); the aid comes from
the published version, in the learner's edition language, else in the course's own
language. Each PDF is drawn once per file content and language, then kept in memory.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache

from flask import abort, current_app, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from ..core.content import SLUG_RE
from ..core.frontmatter import split_front_matter
from ..core.job_aids import AIDS_FOLDER, parse_aid
from ..i18n import RTL_LANGUAGES, current_language
from ..models import Blob, VersionFile
from ..services import learning
from ..state import db_session
from .aid_pdf import Page, render_aid
from .pages import course_or_404
from .views import bp

CACHED_PDFS = 64
"""How many drawn aids each worker keeps (a few tens of KB each)."""


@lru_cache(maxsize=CACHED_PDFS)
def aid_pdf(source: bytes, rtl: bool, course_title: str) -> bytes:
    """The PDF of one aid file (its bytes), drawn once for each content, direction and course title."""
    document = split_front_matter(source.decode("utf-8"), "")
    return render_aid(parse_aid(document), Page(course_title, rtl))


@bp.get(f"/courses/<slug>/{AIDS_FOLDER}/<name>.pdf")
def job_aid(slug: str, name: str) -> ResponseReturnValue:
    course, version, enrollment = course_or_404(slug)
    if not SLUG_RE.match(name):
        abort(404)
    manifest = version.manifest
    language = learning.pick_language(manifest, enrollment.language if enrollment else None, current_language())
    default = manifest["default_language"]
    candidates = [f"{AIDS_FOLDER}/{name}.{language}.md"] if language != default else []
    candidates.append(f"{AIDS_FOLDER}/{name}.md")
    rows = {path: data for path, data in db_session().execute(
        select(VersionFile.path, Blob.data).join(Blob, Blob.sha256 == VersionFile.blob_sha)
        .where(VersionFile.version_id == version.id, VersionFile.path.in_(candidates)))}
    path = next((candidate for candidate in candidates if candidate in rows), None)
    if path is None:
        abort(404)
    shown = language if path != candidates[-1] else default
    title = manifest["editions"].get(shown, manifest["editions"][default])["title"]
    data = bytes(rows[path])
    response = current_app.response_class(aid_pdf(data, shown in RTL_LANGUAGES, title),
                                          mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{name}.{shown}.pdf"'
    response.cache_control.private = True
    response.cache_control.no_cache = True  # ask again after a new version is published; the ETag saves the body
    response.set_etag(hashlib.sha256(data + shown.encode() + title.encode()).hexdigest()[:32])
    return response.make_conditional(request)
