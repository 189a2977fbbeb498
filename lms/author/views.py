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

from ..activities import get as get_kind
from ..activities import kinds as activity_kinds
from ..core import outline
from ..core.activities import DEFAULT_KIND
from ..core.content import LINK_BASE, Limits, check_course, read_structure, split_language
from ..core.frontmatter import split_front_matter
from ..core.outline import course_outline
from ..core.problems import Problem
from ..core.render import render_markdown
from ..i18n import _
from ..models import Course, CourseEditor, CourseVersion
from ..problem_text import problem_text
from ..services import authoring, studio
from ..services.content import version_files
from ..state import db_session
from ..web import NavItem, add_nav_item, render_error, roles_required
from .forms import (
    ActionForm,
    EditForm,
    EditorForm,
    NewCourseForm,
    NewFileForm,
    OutlineForm,
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


def requested_path() -> str:
    """The course file named by ``?path=``, inside the course's folder, or 404."""
    try:
        return authoring.check_path(request.args.get("path", ""))
    except authoring.AuthoringError:
        abort(404)


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
    """The course as its outline: modules and activities by title, editions, changes and problems."""
    session = db_session()
    course = current_course()
    files = authoring.working_files(session, course)
    changes = authoring.changes(session, course)
    _content, problems, warnings = check_course(slug, files, slug, limits())
    plan = course_outline(files, [*problems, *warnings], changes, slug, limits())
    return render_template(
        "lms/author/course.html", course=course, outline=plan, changes=changes, problems=problems,
        warnings=warnings, version=authoring.latest_version(session, course), action=ActionForm(),
        outline_form=OutlineForm(), kinds=activity_kinds(), language_names=LANGUAGE_NAMES,
        new_file=NewFileForm(), upload=UploadForm(), editors=authoring.editors(session, course),
        editor_form=EditorForm(), playable=playable_kinds(), mapped=mapped_kinds(),
    )


LANGUAGE_NAMES = {"ru": "Русский", "en": "English", "ar": "العربية"}


def playable_kinds() -> frozenset[str]:
    """The kinds whose drafts a trainer can play as a learner would."""
    if "lms.author.play" not in current_app.view_functions:
        return frozenset()
    return frozenset(k.name for k in activity_kinds() if k.draft_player)


def mapped_kinds() -> frozenset[str]:
    """The kinds whose files the studio draws as a map (a role-play's steps and routes)."""
    if "lms.author.scenario_map" not in current_app.view_functions:
        return frozenset()
    return frozenset(k.name for k in activity_kinds() if k.studio_map)


def outline_done(slug: str, anchor: str = "") -> ResponseReturnValue:
    return redirect(url_for(".course", slug=slug, _anchor=anchor or None))


def outline_refused(slug: str, exc: outline.OutlineError | authoring.AuthoringError) -> ResponseReturnValue:
    db_session().rollback()
    flash(problem_text(exc.problem), "error")
    return outline_done(slug)


@bp.post("/<slug>/outline/<action>")
def outline_edit(slug: str, action: str) -> ResponseReturnValue:
    """Add, rename, move, reorder or delete a module or an activity; the changes are drafts."""
    session = db_session()
    course = current_course()
    form = OutlineForm()
    if not form.validate_on_submit():
        abort(400)
    files = authoring.working_files(session, course)
    module, stem, title = form.module.data or "", form.stem.data or "", form.title.data or ""
    anchor, target = "", None
    try:
        if action == "add-module":
            module, changes = outline.add_module(files, title)
            anchor = f"module-{module}"
        elif action == "add-activity":
            kind = get_kind(form.kind.data or "")
            if kind is None:
                abort(400)
            language = read_structure(files, limits()).language
            target, changes = outline.add_activity(files, module, title, kind.starter(language))
        elif action == "rename":
            changes = outline.rename(files, authoring.check_path(form.path.data or ""), title)
            anchor = f"module-{module}" if not stem else f"activity-{module}-{stem}"
        elif action in ("move", "order"):
            structure = read_structure(files, limits())
            if action == "order":
                order = [item for item in (form.order.data or "").split(",") if item]
                changes = (outline.reorder_activities(files, module, order) if module
                           else outline.reorder_modules(files, order))
            elif stem:
                stems = dict(structure.modules).get(module, ())
                changes = outline.reorder_activities(files, module, outline.moved(
                    list(stems), stem, -1 if form.direction.data == "up" else 1))
                anchor = f"activity-{module}-{stem}"
            else:
                current = [m for m, _ in structure.modules]
                changes = outline.reorder_modules(files, outline.moved(
                    current, module, -1 if form.direction.data == "up" else 1))
                anchor = f"module-{module}"
        elif action == "delete":
            changes = outline.delete_activity(files, module, stem) if stem else outline.delete_module(files, module)
        elif action == "edition":
            language = form.language.data or ""
            structure = read_structure(files, limits())
            original = authoring.check_path(form.path.data or "")
            if language not in structure.languages or language == structure.language or original not in files:
                abort(400)
            target = outline.edition_path(original, language, structure.language)
            changes = {} if target in files else {target: files[original]}
        else:
            abort(404)
        studio.apply(session, course, changes, g.lms_user, limits(), action)
    except (outline.OutlineError, authoring.AuthoringError) as exc:
        if request.accept_mimetypes.best == "application/json":
            db_session().rollback()
            return jsonify(message=problem_text(exc.problem)), 400
        return outline_refused(slug, exc)
    session.commit()
    if action == "order" and request.accept_mimetypes.best == "application/json":
        return jsonify(message=_("New order saved as a draft."))
    if target is not None:
        return redirect(url_for(".edit", slug=slug, path=target))
    flash({"add-module": _("Module added."), "rename": _("Title changed."), "move": _("Moved."),
           "order": _("New order saved as a draft."), "delete": _("Deleted from the draft.")}[action], "success")
    return outline_done(slug, anchor)


def preview_of(slug: str, files: dict[str, bytes], path: str) -> tuple[Markup, list[Problem], list[Problem]]:
    """Rendered HTML of one file as learners will see it, and its problems and warnings (with accepted ones)."""
    content, problems, warnings = check_course(slug, files, slug, limits())
    mine = [p for p in [*problems, *warnings] if p.path == f"{slug}/{path}"]
    html = ""
    found = next((a for edition in (content.editions.values() if content else ()) for a in edition.activities()
                  if a.path == path), None)
    if found is not None:
        kind = get_kind(found.kind)
        html = (render_template(kind.preview_template, activity=found, data=found.data)
                if kind is not None and kind.preview_template else found.html or "")
    if not html and path.endswith(".md") and path in files:
        text = files[path].decode("utf-8", "replace")
        html = render_markdown(split_front_matter(text, path).body).html
    base = url_for("lms.learn.course", slug=slug)
    return Markup(html.replace(f'"{LINK_BASE}', f'"{base}')), mine, problems  # nosec B704 # nh3-sanitised


def too_long_message() -> str:
    limit = current_app.config["LMS_MAX_TEXT_BYTES"]
    return _("The text is over %(limit)s MB. Make it shorter or split it into several files.",
             limit=megabytes(limit))


def problem_rows(problems: list[Problem]) -> list[dict]:
    """The problems list of the editor, as the page and the live preview show it: errors first."""
    return [{"line": p.line, "code": p.code, "severity": "accepted" if p.accepted else p.severity,
             "label": _("line %(num)s", num=p.line) if p.line else "", "message": problem_text(p)}
            for p in sorted(problems, key=lambda p: (p.severity != "error", p.accepted, p.line))]


def file_context(files: dict[str, bytes], path: str) -> dict:
    """Where a file sits in the outline: its title, kind, module, language and its sibling editions."""
    structure = read_structure(files, limits())
    folder, name = posixpath.split(path)
    base, language = split_language(name)
    original = posixpath.join(folder, f"{base}.md")
    meta = structure.meta.get(path) or structure.meta.get(original) or {}
    in_module = folder != "" and "/" not in folder and base != "module"
    kind_name = meta.get("type", DEFAULT_KIND) if in_module else None
    kind = get_kind(kind_name) if isinstance(kind_name, str) else None
    title = meta.get("title")
    return {"title": title.strip() if isinstance(title, str) and title.strip() else name, "kind": kind,
            "language": language or structure.language, "module": folder or None, "original": original,
            "editions": [(lang, outline.edition_path(original, lang, structure.language))
                         for lang in structure.languages]}


@bp.route("/<slug>/edit", methods=["GET", "POST"])
def edit(slug: str) -> ResponseReturnValue:
    """The editor: source and live preview side by side, the problems beside them; a save never overwrites
    another editor's save unseen (the form carries the revision it started from)."""
    session = db_session()
    course = current_course()
    path = requested_path()
    if not path.endswith(".md"):
        abort(404)
    files = authoring.working_files(session, course)
    form = EditForm()
    status = 200
    conflict = None
    if form.validate_on_submit():
        text = form.text.data.replace("\r\n", "\n")
        if form.action.data == "preview":
            files[path] = text.encode()
        else:
            base = None if form.overwrite.data == "mine" else (form.base.data or None)
            try:
                studio.save_text(session, course, path, text.encode(), base, g.lms_user)
            except studio.Conflict as found:
                conflict = found
                status = 409
            else:
                session.commit()
                flash(_("Draft saved. Learners see it after you publish."), "success")
                return redirect(url_for(".edit", slug=slug, path=path))
    elif request.method == "POST":
        status = 413  # the text is over LMS_MAX_TEXT_BYTES: shown with its message, nothing saved
    if path not in files:
        files[path] = b""
    if request.method == "GET":
        form.text.data = files[path].decode("utf-8", "replace")
    form.base.data = studio.revision(files[path] if conflict is None else conflict.theirs)
    form.overwrite.data = ""
    preview, mine, _all = preview_of(slug, files, path)
    context = file_context(files, path)
    kind = context["kind"]
    return render_template(
        "lms/author/edit.html", course=course, path=path, form=form, preview=preview,
        problems=problem_rows(mine), changed=path in authoring.changes(session, course),
        too_long=too_long_message(), conflict=conflict,
        theirs=(conflict.theirs or b"").decode("utf-8", "replace") if conflict else "",
        help_template=kind.help_template if kind else "lms/author/help_course.html",
        playable=kind is not None and kind.name in playable_kinds(),
        mappable=kind is not None and kind.name in mapped_kinds(), line=request.args.get("line", type=int),
        language_names=LANGUAGE_NAMES, **context), status


@bp.post("/<slug>/preview")
def live_preview(slug: str) -> ResponseReturnValue:
    """JSON for the editor's live preview: rendered HTML and this file's problems with lines."""
    session = db_session()
    course = current_course()
    path = requested_path()
    text = (request.form.get("text") or "").replace("\r\n", "\n").encode()
    if len(text) > current_app.config["LMS_MAX_TEXT_BYTES"]:
        message = too_long_message()
        return jsonify(html="", none=_("No problems"), problems=[
            {"line": 0, "label": "", "message": message, "severity": "error"}]), 413
    files = authoring.working_files(session, course)
    files[path] = text
    preview, mine, _all = preview_of(slug, files, path)
    # labels and messages come translated, so the live list reads as the one the page was rendered with
    return jsonify(html=str(preview), none=_("No problems"), problems=problem_rows(mine))


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
