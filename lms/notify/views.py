"""The bell, the preferences page, one-click unsubscribe and the admin's notification page.

The bell's count is one indexed query per page (``outbox.unread_count``), made only when a page
shows the bell to a signed-in person (``lms_unread_count`` in the templates, kept on ``g``).
"""
from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import format_date, format_time, get_locale
from sqlalchemy import select

from ..core import notify as rules
from ..i18n import _, current_language
from ..links import public_base
from ..models import User, aware
from ..state import db_session
from ..urls import safe_next
from ..web import NavItem, add_nav_item, csrf_exempt, public, roles_required
from . import outbox
from .forms import MarkReadForm, organisation_form, preferences_form, switch_name, zone_choices
from .labels import KIND_ROLES, kind_explanations, kind_names, state_names
from .messages import subject_of
from .models import Notification

bp = Blueprint("notify", __name__)

add_nav_item(bp, NavItem("lms.notify.admin", lambda: _("Mail"), ("admin",), order=80))

#: how many notifications the list shows (the newest)
LIST_LIMIT = 50


@bp.app_context_processor
def bell_context() -> dict[str, Any]:
    """``lms_unread_count()`` for the header's bell: counted once per request, only when asked."""
    return {"lms_unread_count": unread_for_current_user}


def unread_for_current_user() -> int:
    user = getattr(g, "lms_user", None)
    if user is None:
        return 0
    if "lms_unread" not in g:
        g.lms_unread = outbox.unread_count(db_session(), user.id)
    return int(g.lms_unread)


def no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def person_zone(user: User | None) -> dt.tzinfo:
    return rules.zone(user.timezone if user is not None else None, current_app.config.get("LMS_TIMEZONE") or "UTC")


def when(moment: dt.datetime, zone: dt.tzinfo) -> str:
    """A notification's date and time in the reader's time zone and language."""
    local = aware(moment).astimezone(zone)
    glue = get_locale().datetime_formats["medium"]  # "{1}, {0}"; Arabic joins with its own comma
    return glue.format(format_time(local, "short", rebase=False), format_date(local, "medium", rebase=False))


def subject_for_reader(row: Notification, language: str) -> str:
    """The row's one line in ``language``; a row whose parameters no longer fit its kind still shows its kind."""
    try:
        return subject_of(row.kind, row.params or {}, language)
    except (KeyError, ValueError, TypeError):
        current_app.logger.warning("LMS: notification %s (%s) cannot be worded", row.id, row.kind)
        return kind_names().get(row.kind, row.kind)


def local_link(link: str) -> str:
    """Where the bell's entry leads, as a path on this site: a stored absolute address of this
    site (the e-mail's link) becomes its path; anything else leads back to the list."""
    fallback = url_for(".bell")
    if not link:
        return fallback
    parts = urlsplit(link)
    if parts.scheme in ("http", "https") and parts.netloc:
        base = public_base()
        ours = {urlsplit(base).netloc} if base else set()
        ours.add(request.host)
        if parts.netloc not in ours:
            return fallback
        link = parts.path + (f"?{parts.query}" if parts.query else "")
    return safe_next(link, fallback)


# -- the list -------------------------------------------------------------------------
@bp.get("/notifications")
def bell() -> ResponseReturnValue:
    session = db_session()
    user = g.lms_user
    language = current_language()
    zone = person_zone(user)
    rows = outbox.recent(session, user.id, LIST_LIMIT)
    entries = [{"id": row.id, "subject": subject_for_reader(row, language), "unread": row.read_at is None,
                "when": when(row.created_at, zone), "iso": aware(row.created_at).isoformat()} for row in rows]
    if len(rows) < LIST_LIMIT:  # every notification is on the page: the bell's count needs no query of its own
        g.lms_unread = sum(1 for entry in entries if entry["unread"])
    return render_template("lms/notify/bell.html", entries=entries, unread=unread_for_current_user(),
                           form=MarkReadForm(),
                           limited=len(rows) == LIST_LIMIT, limit=LIST_LIMIT)


@bp.get("/notifications/<int:notification_id>")
def open_(notification_id: int) -> ResponseReturnValue:
    session = db_session()
    row = session.get(Notification, notification_id)
    if row is None or row.user_id != g.lms_user.id or not row.in_bell:
        abort(404)
    target = local_link(row.link)
    if row.read_at is None:
        outbox.mark_read(session, g.lms_user.id, [notification_id])
        session.commit()
    return redirect(target)


@bp.post("/notifications/read")
def read_all() -> ResponseReturnValue:
    if not MarkReadForm().validate_on_submit():
        abort(400)
    session = db_session()
    outbox.mark_read(session, g.lms_user.id)
    session.commit()
    flash(_("All notifications are marked as read."), "success")
    return redirect(url_for(".bell"))


# -- preferences ----------------------------------------------------------------------
def kinds_for(user: User) -> list[str]:
    """The choosable kinds this person can receive (a trainer's summary only for trainers...)."""
    return [kind for kind in rules.CHOOSABLE if kind not in KIND_ROLES or user.has_role(*KIND_ROLES[kind])]


@bp.route("/notifications/preferences", methods=["GET", "POST"])
def preferences() -> ResponseReturnValue:
    session = db_session()
    user = g.lms_user
    kinds = kinds_for(user)
    current = outbox.choices(session, user.id)
    organisation_zone = current_app.config.get("LMS_TIMEZONE") or "UTC"
    default_label = _("The organisation's time zone (%(zone)s)", zone=organisation_zone)
    values: dict[str, object] = {switch_name(kind): current[kind] for kind in kinds}
    values["timezone"] = user.timezone or ""
    form = preferences_form(kinds, zone_choices(user.timezone), default_label, **values)
    if form.validate_on_submit():
        for kind in kinds:
            wanted = bool(form[switch_name(kind)].data)
            if wanted != current[kind]:
                outbox.set_choice(session, user.id, kind, wanted)
        user.timezone = form.timezone.data or None
        session.commit()
        flash(_("Your e-mail preferences are saved."), "success")
        return redirect(url_for(".preferences"))
    if request.method == "POST":
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
    off = outbox.organisation_off(session)
    choices = [{"kind": kind, "field": form[switch_name(kind)], "name": kind_names()[kind],
                "explanation": kind_explanations()[kind], "organisation_off": kind in off} for kind in kinds]
    return render_template("lms/notify/preferences.html", form=form, choices=choices,
                           has_email="@" in (user.email or ""))


# -- one-click unsubscribe (RFC 8058) ----------------------------------------------------
@bp.route("/notifications/unsubscribe/<token>", methods=["GET", "POST"])
@public
@csrf_exempt  # a mail client POSTs "List-Unsubscribe=One-Click" with no session: the signed token is the proof
def unsubscribe(token: str) -> ResponseReturnValue:
    found = outbox.read_unsubscribe_token(token)
    if found is None:
        abort(404)
    user_id, kind = found
    session = db_session()
    if session.get(User, user_id) is None:
        abort(404)
    done = request.method == "POST"
    if done:
        outbox.set_choice(session, user_id, kind, False)
        session.commit()
    page = render_template("lms/notify/unsubscribe.html", kind_name=kind_names()[kind], done=done,
                           explanation=kind_explanations()[kind])
    return no_store(make_response(page))


# -- the administrator's page -------------------------------------------------------------
@bp.route("/notifications/admin", methods=["GET", "POST"])
@roles_required("admin")
def admin() -> ResponseReturnValue:
    session = db_session()
    off = outbox.organisation_off(session)
    kinds = list(rules.ORGANISATION_TOGGLES)
    form = organisation_form(kinds, **{switch_name(kind): kind not in off for kind in kinds})
    if form.validate_on_submit():
        for kind in kinds:
            enabled = bool(form[switch_name(kind)].data)
            if enabled != (kind not in off):
                outbox.set_organisation_kind(session, kind, enabled)
        session.commit()
        flash(_("The organisation's notification settings are saved."), "success")
        return redirect(url_for(".admin"))
    if request.method == "POST":
        abort(400)
    try:
        config, problem = outbox.settings(), None
    except ValueError as exc:
        config, problem = None, str(exc)
    counts = outbox.queue_counts(session)
    failures = outbox.recent_failures(session)
    user_ids = {row.user_id for row, _attempt in failures if row.user_id is not None}
    people = {user.id: user for user in session.scalars(select(User).where(User.id.in_(user_ids)))} \
        if user_ids else {}
    zone = person_zone(g.lms_user)
    names = kind_names()
    failure_rows = [{"when": when(attempt.at, zone), "kind": names.get(row.kind, row.kind),
                     "to": people[row.user_id].email if row.user_id in people else (row.to_address or "—"),
                     "code": attempt.code, "error": attempt.error, "gave_up": row.email_state == "failed"}
                    for row, attempt in failures]
    switches = [{"kind": kind, "field": form[switch_name(kind)], "name": names[kind],
                 "explanation": kind_explanations()[kind]} for kind in kinds]
    states = state_names()
    return render_template("lms/notify/admin.html", form=form, config=config, problem=problem,
                           waiting=counts.get("pending", 0) + counts.get("sending", 0),
                           counts=[(states.get(state, state), state, counts.get(state, 0)) for state in states
                                   if counts.get(state)],
                           failures=failure_rows, switches=switches)
