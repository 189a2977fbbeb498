"""The task's page, its hand-in form and its attachments (served to the learner and their trainers).

Attachments are stored under ``LMS_TASK_FILES_PATH`` (default: ``task-files`` in the app's
instance folder); each file may be as large as ``LMS_MAX_ASSET_BYTES`` (5 MB).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, send_file
from flask.typing import ResponseReturnValue

from ...i18n import _
from ...learn import milestones
from ...learn.forms import CompleteForm
from ...learn.pages import activity_url, edition_of, load_page, module_of, with_links
from ...services import reviews
from ...state import db_session
from ..base import ActivityPage
from . import service

bp = Blueprint("task", __name__)


def files_folder() -> Path:
    configured = current_app.config.get("LMS_TASK_FILES_PATH")
    return Path(configured) if configured else Path(current_app.instance_path) / "task-files"


def refusal(exc: service.TaskRefused) -> str:
    messages = {
        "task-waiting": _("Your last hand-in is waiting for the trainer's review; you can hand in again if it "
                          "comes back."),
        "task-empty": _("Write what you did or attach a photo or a PDF before handing in."),
        "task-text-too-long": _("Your text is too long: keep it under %(max)s characters."),
        "task-too-many-files": _("You can attach at most %(max)s files to this task."),
        "task-file-too-large": _("“%(name)s” is larger than %(max)s MB. Attach a smaller photo or PDF."),
        "task-file-type": _("“%(name)s” is not a photo (PNG, JPEG, GIF, WebP) or a PDF."),
    }
    return messages[exc.code] % exc.params


def task_view(page: ActivityPage) -> Any:
    session = db_session()
    history = service.submissions(session, page.enrollment, page.key)
    released = {s.id: reviews.released_for(session, service.KIND, s.id) for s in history}
    session.commit()
    return render_template(
        "lms/activities/task.html", course=page.course, edition=edition_of(page), module=module_of(page),
        content=page.content, html=with_links(page.content.html, page.course.slug), history=history,
        released=released, may_submit=service.may_submit(history), form=CompleteForm(),
        action=activity_url(page.course.slug, page.key) + "/task",
        max_mb=round(current_app.config.get("LMS_MAX_ASSET_BYTES", 5_000_000) / 1_000_000, 1))


@bp.post("/courses/<slug>/<module>/<activity>/task")
def hand_in(slug: str, module: str, activity: str) -> ResponseReturnValue:
    page = load_page(slug, module, activity, kind=service.KIND)
    if not CompleteForm().validate_on_submit():
        abort(400)
    session = db_session()
    uploads = [service.Upload(f.filename or "", f.read(current_app.config.get("LMS_MAX_ASSET_BYTES", 5_000_000) + 1))
               for f in request.files.getlist("files") if f and f.filename]
    before = milestones.snapshot(page)
    written: list[Path] = []
    try:
        written = service.submit(session, page.enrollment, page.content, page.version, page.course.id,
                                 request.form.get("text", ""), uploads, files_folder(),
                                 current_app.config.get("LMS_MAX_ASSET_BYTES", 5_000_000))
        session.commit()
    except service.TaskRefused as exc:
        session.rollback()
        flash(refusal(exc), "error")
        return redirect(activity_url(slug, page.key))
    except Exception:
        session.rollback()
        service.remove(written)
        raise
    reached = milestones.reached(page, before)
    if reached is None:
        flash(_("Handed in. Your trainer will review it; you will see the result here."), "success")
    milestones.announce(reached)
    return redirect(activity_url(slug, page.key))


@bp.get("/task-files/<int:file_id>")
def attachment(file_id: int) -> ResponseReturnValue:
    found = service.visible_file(db_session(), g.lms_user, file_id)
    if found is None:
        abort(404)
    path = files_folder() / str(found.submission_id) / found.stored
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=found.content_type, as_attachment=found.content_type == "application/pdf",
                         download_name=found.name, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
