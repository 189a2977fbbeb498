"""Play a draft: a trainer takes a draft quiz or role-play exactly as a learner would; nothing is recorded.

``GET /author/<slug>/play?path=<file>&lang=<edition>`` (the outline's and the editor's link) finds
the activity of that file in the course's working files (the published files with the drafts laid
over them) and goes to its play, ``/author/<slug>/play/<lang>/<module>/<activity>``: the learner's
own page of the activity, under the learner's address scheme, so its forms post to
``.../quiz/start``, ``.../reply`` and so on below it. The kind's draft player (see
:mod:`lms.activities.draft`) answers them; a banner says that nothing is recorded and leads back
to the editor or starts again.

Only the course's editors get here (the author blueprint checks every ``<slug>`` page), and every
form is CSRF-checked by the plugin's blueprint.
"""
from __future__ import annotations

import posixpath
from typing import NoReturn

from flask import abort, flash, g, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ..activities import get as get_kind
from ..activities.draft import (
    BadState,
    DraftContent,
    DraftPlay,
    DraftPlayer,
    StateTooLarge,
    player_for,
    revision,
)
from ..core.content import Activity, CourseContent, Edition, check_course, split_language
from ..core.problems import Problem
from ..i18n import _
from ..learn.forms import CompleteForm
from ..services import authoring
from ..state import db_session
from ..web import render_error
from .views import bp, current_course, limits


def _working_course(slug: str) -> tuple[CourseContent | None, list[Problem]]:
    files = authoring.working_files(db_session(), current_course())
    content, problems, _warnings = check_course(slug, files, slug, limits())
    return content, problems


def _blocked(slug: str, problems: list[Problem], path: str | None) -> ResponseReturnValue:
    """The draft cannot be played: its errors, each with a way to the editor."""
    return render_template("lms/author/play_problems.html", course=current_course(), problems=problems,
                           path=path, prefix=f"{slug}/"), 409


def _stop(response: ResponseReturnValue) -> NoReturn:
    abort(make_response(response))


def _file_errors(slug: str, problems: list[Problem], path: str) -> list[Problem]:
    return [p for p in problems if p.is_error and p.path == f"{slug}/{path}"]


def _edition_for(content: CourseContent, path: str, wanted: str | None) -> tuple[Edition, Activity] | None:
    """The edition to play ``path`` in: the one asked for, else the file's own language, else the
    course's language, else any edition that uses the file (an untranslated file serves several)."""
    _stem, suffix = split_language(posixpath.basename(path))
    order = [wanted, suffix, content.default_language, *sorted(content.editions)]
    for language in dict.fromkeys(lang for lang in order if lang):
        edition = content.editions.get(language)
        found = next((a for a in edition.activities() if a.path == path), None) if edition else None
        if edition is not None and found is not None:
            return edition, found
    return None


@bp.get("/<slug>/play")
def play(slug: str) -> ResponseReturnValue:
    """The outline's and the editor's "Play the draft": to the play of the activity in file ``path``."""
    try:
        path = authoring.check_path(request.args.get("path", ""))
    except authoring.AuthoringError:
        abort(404)
    content, problems = _working_course(slug)
    if content is None:
        return _blocked(slug, problems, path)
    found = _edition_for(content, path, request.args.get("lang"))
    if found is None:
        abort(404)
    edition, activity = found
    return redirect(url_for(".play_activity", slug=slug, lang=edition.language, module=activity.module,
                            activity=activity.slug))


def _draft(slug: str, lang: str, module: str, activity: str) -> tuple[DraftPlay, DraftPlayer]:
    """The play of one activity of the working course, and its kind's player (else the page to show
    instead: the draft's errors, or the editor of a kind that has nothing to play)."""
    content, problems = _working_course(slug)
    if content is None:
        _stop(_blocked(slug, problems, None))
    edition = content.editions.get(lang)
    if edition is None:
        abort(404)
    found = next(((m, a) for m in edition.modules for a in m.activities if a.key == f"{module}/{activity}"), None)
    if found is None:
        abort(404)
    part, item = found
    editor_url = url_for(".edit", slug=slug, path=item.path)
    kind = get_kind(item.kind)
    player = player_for(kind) if kind is not None else None
    if player is None:
        flash(_("This activity has nothing to play: the editor's preview shows it as learners will see it."), "info")
        _stop(redirect(editor_url))
    errors = _file_errors(slug, problems, item.path)
    if errors:
        _stop(_blocked(slug, errors, item.path))
    course = current_course()
    play = DraftPlay(
        course=course, edition=edition, module=part, activity=item,
        content=DraftContent(item.key, item.kind, item.title, edition.language, item.language, item.html, item.data),
        user_id=g.lms_user.id, revision=revision(content.files[item.path]),
        base=url_for(".play_activity", slug=slug, lang=lang, module=module, activity=activity),
        editor_url=editor_url, course_url=url_for(".course", slug=slug),
    )
    return play, player


def _unreadable(play: DraftPlay) -> ResponseReturnValue:
    play.clear()
    return render_error(400, _("This preview could not be read"), _(
        "The saved state of this draft preview is damaged or was not made by this server, so it was "
        "dropped. Start the preview again."))


def _too_long(play: DraftPlay) -> ResponseReturnValue:
    play.clear()
    return render_error(413, _("This preview is too long to keep"), _(
        "A draft preview keeps its answers in your browser's session, which holds only a few kilobytes. "
        "Start the preview again with shorter written answers."))


@bp.get("/<slug>/play/<lang>/<module>/<activity>")
def play_activity(slug: str, lang: str, module: str, activity: str) -> ResponseReturnValue:
    """The draft activity's page, as the learner's page shows it, under the banner."""
    play, player = _draft(slug, lang, module, activity)
    try:
        response = player.page(play)
    except BadState:
        return _unreadable(play)
    except StateTooLarge:
        return _too_long(play)
    return response


@bp.route("/<slug>/play/<lang>/<module>/<activity>/<path:action>", methods=["GET", "POST"])
def play_action(slug: str, lang: str, module: str, activity: str, action: str) -> ResponseReturnValue:
    """A form of the draft's page (``quiz/save``, ``reply``...) or one of its other pages (``attempts/1``);
    ``restart`` (the banner's "Start again") drops the play."""
    play, player = _draft(slug, lang, module, activity)
    try:
        if request.method == "GET":
            response = player.get(play, action)
        elif not CompleteForm().validate_on_submit():
            abort(400)
        elif action == "restart":
            play.clear()
            response = redirect(play.base)
        else:
            response = player.post(play, action)
    except BadState:
        return _unreadable(play)
    except StateTooLarge:
        return _too_long(play)
    return response
