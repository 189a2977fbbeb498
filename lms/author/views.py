from __future__ import annotations

import posixpath

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from markupsafe import Markup
from sqlalchemy import func, select

from ..core.content import LINK_BASE, Limits, load_course
from ..core.frontmatter import split_front_matter
from ..core.problems import Problem
from ..core.render import render_markdown
from ..i18n import _
from ..models import Course, CourseEditor, CourseVersion
from ..problem_text import problem_text
from ..services import authoring
from ..services.content import version_files
from ..state import db_session
from ..web import NavItem, add_nav_item, render_error, roles_required
from .forms import (
    ActionForm,
    EditForm,
    EditorForm,
    NewCourseForm,
    NewFileForm,
    UploadForm,
    ZipForm,
    megabytes,
)

bp = Blueprint("author", __name__, url_prefix="/author")

add_nav_item(bp, NavItem("lms.author.index", lambda: _("Courses"), ("trainer",), order=25))


@bp.before_request
@roles_required("trainer")
def only_authors() -> ResponseReturnValue | None:
    return None


@bp.before_request
def only_editors() -> ResponseReturnValue | None:
    """Every page of one course (its drafts, versions, files, editors) is for its editors and administrators."""
    slug = (request.view_args or {}).get("slug")
    if slug is None:
        return None
    session = db_session()
    course = session.scalar(select(Course).where(Course.slug == slug))
    if course is None:
        abort(404)
    if not authoring.is_editor(session, course, g.lms_user):
        return render_error(403, _("You do not edit this course"), _(
            "Only the editors of this course and administrators can see its drafts and versions or change it. "
            "Ask one of its editors or an administrator to add you."))
    g.lms_course = course
    return None


def limits() -> Limits:
    return Limits(current_app.config["LMS_MAX_TEXT_BYTES"], current_app.config["LMS_MAX_ASSET_BYTES"])


def current_course() -> Course:
    """The course of this page, found (and its editor checked) by :func:`only_editors`."""
    return g.lms_course


@bp.context_processor
def problem_words() -> dict:
    """The author's templates word content problems in the reader's language."""
    return {"problem_text": problem_text}


def flash_form_errors(form: FlaskForm) -> None:
    for errors in form.errors.values():
        for message in errors:
            flash(message, "error")


@bp.get("/")
def index() -> ResponseReturnValue:
    session = db_session()
    courses = authoring.edited_courses(session, g.lms_user)
    counts = dict(session.execute(select(CourseVersion.course_id, func.count(CourseVersion.id))
                                  .where(CourseVersion.course_id.in_([c.id for c in courses]))
                                  .group_by(CourseVersion.course_id)).all())
    return render_template("lms/author/index.html", courses=courses, counts=counts,
                           new_form=NewCourseForm(), zip_form=ZipForm())


@bp.post("/new")
def new_course() -> ResponseReturnValue:
    form = NewCourseForm()
    if not form.validate_on_submit():
        flash(_("Check the course address: use a-z, 0-9 and '-' only, and give a title."), "error")
        return redirect(url_for(".index"))
    session = db_session()
    try:
        course = authoring.create_course(session, form.slug.data, form.title.data, form.language.data, g.lms_user)
    except authoring.AuthoringError as exc:
        session.rollback()
        flash(problem_text(exc.problem), "error")
        return redirect(url_for(".index"))
    session.commit()
    return redirect(url_for(".course", slug=course.slug))


@bp.post("/import")
def import_zip() -> ResponseReturnValue:
    """Publish a course from a zip: a new one, or a new version of one the user edits."""
    form = ZipForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for(".index"))
    session = db_session()
    data = form.file.data.read(current_app.config["LMS_MAX_ZIP_BYTES"] + 1)
    try:
        slug, result = authoring.import_zip(session, data, limits(), g.lms_user,
                                            current_app.config["LMS_MAX_UNZIPPED_BYTES"])
    except authoring.AuthoringError as exc:
        session.rollback()
        flash(problem_text(exc.problem), "error")
        return redirect(url_for(".index"))
    except authoring.PublishRefused as refused:
        session.rollback()
        return render_template("lms/author/problems.html", problems=refused.problems, slug=None), 400
    session.commit()
    flash(_("Imported %(slug)s as version %(number)s.", slug=slug, number=result.version_number)
          if result.created else _("%(slug)s is unchanged.", slug=slug), "success")
    return redirect(url_for(".course", slug=slug))


@bp.get("/<slug>/")
def course(slug: str) -> ResponseReturnValue:
    session = db_session()
    course = current_course()
    files = authoring.working_files(session, course)
    _content, problems = load_course(slug, files, slug, limits())
    return render_template(
        "lms/author/course.html", course=course, files=sorted(files), changes=authoring.changes(session, course),
        problems=problems, version=authoring.latest_version(session, course), action=ActionForm(),
        new_file=NewFileForm(), upload=UploadForm(), editors=authoring.editors(session, course),
        editor_form=EditorForm(),
    )


def preview_of(slug: str, files: dict[str, bytes], path: str) -> tuple[Markup, list[Problem], list[Problem]]:
    """Rendered HTML of one file as learners will see it, and its problems."""
    content, problems = load_course(slug, files, slug, limits())
    mine = [p for p in problems if p.path == f"{slug}/{path}"]
    html = ""
    if content is not None:
        for edition in content.editions.values():
            for activity in edition.activities():
                if activity.path == path:
                    html = activity.html or ""
                    break
    if not html and path.endswith(".md") and path in files:
        text = files[path].decode("utf-8", "replace")
        html = render_markdown(split_front_matter(text, path).body).html
    base = url_for("lms.learn.course", slug=slug)
    return Markup(html.replace(f'"{LINK_BASE}', f'"{base}')), mine, problems  # nosec B704 # nh3-sanitised


def too_long_message() -> str:
    limit = current_app.config["LMS_MAX_TEXT_BYTES"]
    return _("The text is over %(limit)s MB. Make it shorter or split it into several files.",
             limit=megabytes(limit))


@bp.route("/<slug>/edit", methods=["GET", "POST"])
def edit(slug: str) -> ResponseReturnValue:
    session = db_session()
    course = current_course()
    path = request.args.get("path", "")
    try:
        path = authoring.check_path(path)
    except authoring.AuthoringError:
        abort(404)
    if not path.endswith(".md"):
        abort(404)
    files = authoring.working_files(session, course)
    form = EditForm()
    status = 200
    if form.validate_on_submit():
        text = form.text.data.replace("\r\n", "\n")
        if form.action.data == "preview":
            files[path] = text.encode()
        else:
            authoring.save_draft(session, course, path, text.encode(), g.lms_user)
            session.commit()
            flash(_("Draft saved. Learners see it after you publish."), "success")
            return redirect(url_for(".edit", slug=slug, path=path))
    elif request.method == "POST":
        status = 413  # the text is over LMS_MAX_TEXT_BYTES: shown with its message, nothing saved
    if path not in files:
        files[path] = b""
    if request.method == "GET":
        form.text.data = files[path].decode("utf-8", "replace")
    preview, mine, _all = preview_of(slug, files, path)
    return render_template("lms/author/edit.html", course=course, path=path, form=form, preview=preview,
                           problems=mine, changed=path in authoring.changes(session, course),
                           too_long=too_long_message()), status


@bp.post("/<slug>/preview")
def live_preview(slug: str) -> ResponseReturnValue:
    """JSON for the editor's live preview: rendered HTML and this file's problems with lines."""
    session = db_session()
    course = current_course()
    try:
        path = authoring.check_path(request.args.get("path", ""))
    except authoring.AuthoringError:
        abort(404)
    text = (request.form.get("text") or "").replace("\r\n", "\n").encode()
    if len(text) > current_app.config["LMS_MAX_TEXT_BYTES"]:
        message = too_long_message()
        return jsonify(html="", none=_("No problems"), problems=[
            {"line": 0, "label": "", "message": message, "text": message}]), 413
    files = authoring.working_files(session, course)
    files[path] = text
    preview, mine, _all = preview_of(slug, files, path)
    # labels and messages come translated, so the live list reads as the one the page was rendered with
    return jsonify(html=str(preview), none=_("No problems"), problems=[
        {"line": p.line, "code": p.code, "label": _("line %(num)s", num=p.line), "message": problem_text(p),
         "text": f"{p.path}:{p.line}: {problem_text(p)}"} for p in mine])


@bp.post("/<slug>/files")
def new_file(slug: str) -> ResponseReturnValue:
    session = db_session()
    course = current_course()
    form = NewFileForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        path = authoring.check_path(form.path.data)
    except authoring.AuthoringError as exc:
        flash(problem_text(exc.problem), "error")
        return redirect(url_for(".course", slug=slug))
    if not path.endswith(".md"):
        flash(_("New text files must end in .md; upload images with the image form."), "error")
        return redirect(url_for(".course", slug=slug))
    files = authoring.working_files(session, course)
    if path not in files:
        authoring.save_draft(session, course, path, b"---\ntitle: \n---\n", g.lms_user)
        session.commit()
    return redirect(url_for(".edit", slug=slug, path=path))


@bp.post("/<slug>/delete")
def delete_file(slug: str) -> ResponseReturnValue:
    course = current_course()
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        authoring.save_draft(db_session(), course, request.form.get("path", ""), None, g.lms_user)
    except authoring.AuthoringError:
        abort(400)
    db_session().commit()
    return redirect(url_for(".course", slug=slug))


@bp.post("/<slug>/upload")
def upload(slug: str) -> ResponseReturnValue:
    course = current_course()
    form = UploadForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for(".course", slug=slug))
    filename = posixpath.basename(form.file.data.filename or "").lower().replace(" ", "-")
    folder = (form.path.data or "").strip().strip("/")
    try:
        data = form.file.data.read(limits().asset_bytes + 1)
        authoring.save_image(db_session(), course, posixpath.join(folder, filename) if folder else filename, data,
                             limits(), g.lms_user)
    except authoring.AuthoringError as exc:
        db_session().rollback()
        flash(problem_text(exc.problem), "error")
        return redirect(url_for(".course", slug=slug))
    db_session().commit()
    flash(_("Image uploaded: %(path)s", path=posixpath.join(folder, filename)), "success")
    return redirect(url_for(".course", slug=slug))


@bp.post("/<slug>/discard")
def discard(slug: str) -> ResponseReturnValue:
    course = current_course()
    if not ActionForm().validate_on_submit():
        abort(400)
    authoring.discard(db_session(), course)
    db_session().commit()
    return redirect(url_for(".course", slug=slug))


@bp.get("/<slug>/export.zip")
def export_zip(slug: str) -> ResponseReturnValue:
    session = db_session()
    course = current_course()
    version = authoring.latest_version(session, course)
    files = authoring.working_files(session, course) if request.args.get("draft") else (
        version_files(session, version) if version else {})
    if not files:
        abort(404)
    response = current_app.response_class(authoring.zip_course(slug, files), mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{slug}.zip"'
    return response


# -- editors --------------------------------------------------------------------------------
@bp.post("/<slug>/editors")
def add_editor(slug: str) -> ResponseReturnValue:
    session = db_session()
    course = current_course()
    form = EditorForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for(".course", slug=slug, _anchor="editors"))
    try:
        person = authoring.add_editor(session, course, form.email.data, g.lms_user)
    except authoring.AuthoringError as exc:
        session.rollback()
        flash(problem_text(exc.problem), "error")
        return redirect(url_for(".course", slug=slug, _anchor="editors"))
    session.commit()
    flash(_("%(name)s can now edit this course.", name=person.name), "success")
    return redirect(url_for(".course", slug=slug, _anchor="editors"))


@bp.route("/<slug>/editors/<int:user_id>/remove", methods=["GET", "POST"])
def remove_editor(slug: str, user_id: int) -> ResponseReturnValue:
    """A confirmation page (GET), then the removal (POST)."""
    session = db_session()
    course = current_course()
    editor = session.get(CourseEditor, (course.id, user_id))
    if editor is None:
        abort(404)
    form = ActionForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        name = editor.user.name
        try:
            authoring.remove_editor(session, course, editor.user, g.lms_user)
        except authoring.AuthoringError as exc:
            session.rollback()
            flash(problem_text(exc.problem), "error")
            return redirect(url_for(".course", slug=slug, _anchor="editors"))
        session.commit()
        flash(_("%(name)s no longer edits this course.", name=name), "success")
        if not authoring.is_editor(session, course, g.lms_user):
            return redirect(url_for(".index"))
        return redirect(url_for(".course", slug=slug, _anchor="editors"))
    count = session.scalar(
        select(func.count()).select_from(CourseEditor).where(CourseEditor.course_id == course.id)) or 0
    return render_template("lms/author/remove_editor.html", course=course, editor=editor, form=form,
                           last=count <= 1, yourself=user_id == g.lms_user.id)
