from __future__ import annotations

import posixpath

from flask import abort, current_app, flash, g, jsonify, redirect, render_template, request, url_for
from markupsafe import Markup
from sqlalchemy import func, select

from ..core.content import LINK_BASE, Limits, load_course
from ..core.frontmatter import split_front_matter
from ..core.render import render_markdown
from ..extension import db_session
from ..i18n import _
from ..models import Course, CourseVersion
from ..services import authoring
from ..services.content import store_version, version_files
from ..web import NavItem, add_nav_item, roles_required
from . import bp
from .forms import ActionForm, EditForm, NewCourseForm, NewFileForm, UploadForm, ZipForm

add_nav_item(NavItem("lms.author.index", lambda: _("Courses"), ("trainer",), order=25))


@bp.before_request
@roles_required("trainer")
def only_authors():
    return None


def limits() -> Limits:
    return Limits(current_app.config["LMS_MAX_TEXT_BYTES"], current_app.config["LMS_MAX_ASSET_BYTES"])


def course_or_404(slug: str) -> Course:
    course = db_session().scalar(select(Course).where(Course.slug == slug))
    if course is None:
        abort(404)
    return course


@bp.get("/")
def index():
    session = db_session()
    courses = session.scalars(select(Course).order_by(Course.slug)).all()
    counts = dict(session.execute(select(CourseVersion.course_id, func.count(CourseVersion.id))
                                  .group_by(CourseVersion.course_id)).all())
    return render_template("lms/author/index.html", courses=courses, counts=counts,
                           new_form=NewCourseForm(), zip_form=ZipForm())


@bp.post("/new")
def new_course():
    form = NewCourseForm()
    if not form.validate_on_submit():
        flash(_("Check the course address: use a-z, 0-9 and '-' only, and give a title."), "error")
        return redirect(url_for(".index"))
    session = db_session()
    try:
        course = authoring.create_course(session, form.slug.data, form.title.data, form.language.data, g.lms_user)
    except authoring.AuthoringError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".index"))
    session.commit()
    return redirect(url_for(".course", slug=course.slug))


@bp.post("/import")
def import_zip():
    form = ZipForm()
    if not form.validate_on_submit():
        abort(400)
    session = db_session()
    try:
        slug, files = authoring.unzip_course(form.file.data.read(), limits())
    except authoring.AuthoringError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".index"))
    content, problems = load_course(slug, files, slug, limits())
    if problems or content is None:
        return render_template("lms/author/problems.html", problems=problems, slug=slug), 400
    result = store_version(session, content, g.lms_user, note="imported from a zip")
    session.commit()
    flash(_("Imported %(slug)s as version %(number)s.", slug=slug, number=result.version_number)
          if result.created else _("%(slug)s is unchanged.", slug=slug), "success")
    return redirect(url_for(".course", slug=slug))


@bp.get("/<slug>/")
def course(slug: str):
    session = db_session()
    course = course_or_404(slug)
    files = authoring.working_files(session, course)
    _content, problems = load_course(slug, files, slug, limits())
    return render_template(
        "lms/author/course.html", course=course, files=sorted(files), changes=authoring.changes(session, course),
        problems=problems, version=authoring.latest_version(session, course), action=ActionForm(),
        new_file=NewFileForm(), upload=UploadForm(),
    )


def preview_of(slug: str, files: dict[str, bytes], path: str):
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
    return Markup(html.replace(f'"{LINK_BASE}', f'"{base}')), mine, problems


@bp.route("/<slug>/edit", methods=["GET", "POST"])
def edit(slug: str):
    session = db_session()
    course = course_or_404(slug)
    path = request.args.get("path", "")
    try:
        path = authoring.check_path(path)
    except authoring.AuthoringError:
        abort(404)
    if not path.endswith(".md"):
        abort(404)
    files = authoring.working_files(session, course)
    form = EditForm()
    if form.validate_on_submit():
        text = form.text.data.replace("\r\n", "\n")
        if form.action.data == "preview":
            files[path] = text.encode()
        else:
            authoring.save_draft(session, course, path, text.encode(), g.lms_user)
            session.commit()
            flash(_("Draft saved. Learners see it after you publish."), "success")
            return redirect(url_for(".edit", slug=slug, path=path))
    elif path not in files:
        files[path] = b""
    if request.method == "GET":
        form.text.data = files[path].decode("utf-8", "replace")
    preview, mine, _all = preview_of(slug, files, path)
    return render_template("lms/author/edit.html", course=course, path=path, form=form, preview=preview,
                           problems=mine, changed=path in authoring.changes(session, course))


@bp.post("/<slug>/preview")
def live_preview(slug: str):
    """JSON for the editor's live preview: rendered HTML and this file's problems with lines."""
    session = db_session()
    course = course_or_404(slug)
    try:
        path = authoring.check_path(request.args.get("path", ""))
    except authoring.AuthoringError:
        abort(404)
    files = authoring.working_files(session, course)
    files[path] = (request.form.get("text") or "").replace("\r\n", "\n").encode()
    preview, mine, _all = preview_of(slug, files, path)
    # the labels come translated, so the live list reads as the one the page was rendered with
    return jsonify(html=str(preview), none=_("No problems"),
                   problems=[{"line": p.line, "label": _("line %(num)s", num=p.line), "message": p.message,
                              "text": str(p)} for p in mine])


@bp.post("/<slug>/files")
def new_file(slug: str):
    course = course_or_404(slug)
    form = NewFileForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        path = authoring.check_path(form.path.data)
    except authoring.AuthoringError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".course", slug=slug))
    if not path.endswith(".md"):
        flash(_("New text files must end in .md; upload images with the image form."), "error")
        return redirect(url_for(".course", slug=slug))
    files = authoring.working_files(db_session(), course)
    if path not in files:
        authoring.save_draft(db_session(), course, path, b"---\ntitle: \n---\n", g.lms_user)
        db_session().commit()
    return redirect(url_for(".edit", slug=slug, path=path))


@bp.post("/<slug>/delete")
def delete_file(slug: str):
    course = course_or_404(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        authoring.save_draft(db_session(), course, request.form.get("path", ""), None, g.lms_user)
    except authoring.AuthoringError:
        abort(400)
    db_session().commit()
    return redirect(url_for(".course", slug=slug))


@bp.post("/<slug>/upload")
def upload(slug: str):
    course = course_or_404(slug)
    form = UploadForm()
    if not form.validate_on_submit():
        flash(_("Choose an image to upload."), "error")
        return redirect(url_for(".course", slug=slug))
    filename = posixpath.basename(form.file.data.filename or "").lower().replace(" ", "-")
    folder = (form.path.data or "").strip().strip("/")
    try:
        data = form.file.data.read(limits().asset_bytes + 1)
        authoring.save_image(db_session(), course, posixpath.join(folder, filename) if folder else filename, data,
                             limits(), g.lms_user)
    except authoring.AuthoringError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".course", slug=slug))
    db_session().commit()
    flash(_("Image uploaded: %(path)s", path=posixpath.join(folder, filename)), "success")
    return redirect(url_for(".course", slug=slug))


@bp.post("/<slug>/publish")
def publish(slug: str):
    session = db_session()
    course = course_or_404(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        result = authoring.publish(session, course, limits(), g.lms_user)
    except authoring.PublishRefused as refused:
        session.rollback()
        return render_template("lms/author/problems.html", problems=refused.problems, slug=slug), 400
    session.commit()
    flash(_("Published version %(number)s. Learners now see it.", number=result.version_number)
          if result.created else _("Nothing changed since the last version."), "success")
    return redirect(url_for(".course", slug=slug))


@bp.post("/<slug>/discard")
def discard(slug: str):
    course = course_or_404(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    authoring.discard(db_session(), course)
    db_session().commit()
    return redirect(url_for(".course", slug=slug))


@bp.get("/<slug>/versions")
def versions(slug: str):
    session = db_session()
    course = course_or_404(slug)
    rows = session.scalars(select(CourseVersion).where(CourseVersion.course_id == course.id)
                           .order_by(CourseVersion.number.desc())).all()
    numbers = [v.number for v in rows]
    a = request.args.get("a", type=int)
    b = request.args.get("b", type=int)
    diff = None
    if a in numbers and b in numbers:
        by_number = {v.number: v for v in rows}
        diff = authoring.diff_files(version_files(session, by_number[a]), version_files(session, by_number[b]),
                                    f"v{a}", f"v{b}")
    return render_template("lms/author/versions.html", course=course, versions=rows, diff=diff, a=a, b=b,
                           action=ActionForm())


@bp.post("/<slug>/rollback")
def rollback(slug: str):
    session = db_session()
    course = course_or_404(slug)
    number = request.form.get("number", type=int)
    if not ActionForm().validate_on_submit() or number is None:
        abort(400)
    try:
        result = authoring.rollback(session, course, number, limits(), g.lms_user)
    except (authoring.AuthoringError, authoring.PublishRefused) as exc:
        session.rollback()
        flash(str(exc), "error")
        return redirect(url_for(".versions", slug=slug))
    session.commit()
    flash(_("Version %(old)s is published again as version %(new)s.", old=number, new=result.version_number), "success")
    return redirect(url_for(".versions", slug=slug))


@bp.get("/<slug>/export.zip")
def export_zip(slug: str):
    session = db_session()
    course = course_or_404(slug)
    version = authoring.latest_version(session, course)
    files = authoring.working_files(session, course) if request.args.get("draft") else (
        version_files(session, version) if version else {})
    if not files:
        abort(404)
    response = current_app.response_class(authoring.zip_course(slug, files), mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{slug}.zip"'
    return response
