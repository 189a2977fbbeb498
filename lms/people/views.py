"""Routes of people administration: the people list, staff import, deletion, API tokens, xAPI export.

Every action on someone's account (an invitation, deletion, "sign out everywhere")
first asks :func:`lms.services.people.may_manage_person`: HR acts on learners and
trainers only, administrators on anyone. A refusal is a 403 and an audit entry.

Two pages show a secret once (a staff import's invitation links, a new API
token): they answer the POST itself, with ``Cache-Control: no-store``, instead
of redirecting, because the secret is never stored anywhere it could be read
back from.
"""
from __future__ import annotations

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
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal
from flask_wtf import FlaskForm
from sqlalchemy import select

from ..core.staff_import import StaffFileError
from ..i18n import _, ngettext
from ..identity import can_end_sessions, can_invite, has_password
from ..models import ApiToken, User
from ..notify.invitations import deliver_import_invitations, email_configured, email_invitations
from ..services import people as service
from ..services import xapi
from ..state import db_session, state
from ..web import NavItem, add_nav_item, roles_required
from .forms import DeleteForm, EndSessionsForm, ImportForm, InviteForm, RevokeTokenForm, TokenForm
from .links import activity_base, invitation_url, verify_url

bp = Blueprint("people", __name__, url_prefix="/people")

add_nav_item(bp, NavItem("lms.people.index", lambda: _("People"), ("hr",), order=45, landing=("admin",)))


def no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def flash_errors(form: FlaskForm) -> None:
    for errors in form.errors.values():
        for message in errors:
            flash(message, "error")


@bp.get("/")
@roles_required("hr")
def index() -> ResponseReturnValue:
    query = request.args.get("q", "").strip()[:100]
    people, total = service.search_people(db_session(), query)
    return render_template("lms/people/index.html", people=people, total=total, query=query)


def person_or_404(user_id: int) -> User:
    person = db_session().get(User, user_id)
    if person is None:
        abort(404)
    return person


def require_manageable(person: User, action: str) -> None:
    """403 (and an audit entry) unless the current user may act on ``person``'s account."""
    session = db_session()
    if not service.may_manage_person(g.lms_user, person, state().user_store):
        service.refuse(session, g.lms_user, person, action)
        session.commit()
        abort(403)


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@roles_required("hr")
def person(user_id: int) -> ResponseReturnValue:
    """A person's details; POST (with the confirmation box ticked) deletes them."""
    session = db_session()
    person = person_or_404(user_id)
    store = state().user_store
    form = DeleteForm()
    if request.method == "POST":
        if person.id == g.lms_user.id:
            flash(_("You cannot delete yourself."), "error")
            return redirect(url_for(".person", user_id=user_id))
        require_manageable(person, "delete")
        if form.validate_on_submit():
            if service.anonymize_person(session, person, g.lms_user, state().user_store):
                session.commit()
                flash(_("The person was deleted: their name and e-mail are erased, their results kept."), "success")
        else:
            flash_errors(form)
        return redirect(url_for(".person", user_id=user_id))
    manager = session.get(User, person.manager_id) if person.manager_id else None
    reports = list(session.scalars(select(User).where(User.manager_id == person.id).order_by(User.name)))
    present = person.anonymized_at is None
    manageable = present and service.may_manage_person(g.lms_user, person, store)
    inviting = manageable and can_invite(store)
    has_password_ = inviting and has_password(store, person.email)
    return render_template("lms/people/person.html", person=person, manager=manager, reports=reports,
                           groups=service.groups_of(session, person), form=form, invite_form=InviteForm(),
                           manageable=manageable, may_invite=inviting and not has_password_,
                           has_password=has_password_,
                           may_end_sessions=manageable and g.lms_user.has_role("admin") and can_end_sessions(store),
                           end_sessions_form=EndSessionsForm(),
                           invitation=service.pending_invitation(session, person),
                           invitations_by_email=inviting and email_configured())


@bp.post("/<int:user_id>/invitation")
@roles_required("hr")
def invite(user_id: int) -> ResponseReturnValue:
    """A fresh invitation for someone without a password (the old link stops working): by e-mail when
    e-mail is configured, else the link is shown once."""
    session = db_session()
    person = person_or_404(user_id)
    store = state().user_store
    if person.anonymized_at is not None or not can_invite(store):
        abort(404)
    if not InviteForm().validate_on_submit():
        abort(400)
    require_manageable(person, "invite")
    if has_password(store, person.email):
        flash(_("%(name)s has already chosen a password, so an invitation link cannot be made for them.",
                name=person.name), "error")
        return redirect(url_for(".person", user_id=person.id))
    days = current_app.config["LMS_INVITATION_DAYS"]
    token = service.create_invitation(session, person, g.lms_user, days=days)
    mailed = person.id in email_invitations(session, [(person, token)], days)
    session.commit()
    if mailed:
        flash(_("A new invitation is on its way to %(email)s; the earlier link no longer works.",
                email=person.email), "success")
        return redirect(url_for(".person", user_id=person.id))
    return no_store(make_response(render_template(
        "lms/people/invitation.html", person=person, link=invitation_url(token), days=days)))


@bp.post("/<int:user_id>/sessions")
@roles_required("admin")
def end_sessions(user_id: int) -> ResponseReturnValue:
    """Sign someone out on every device (a lost phone, a shared computer, a leaked password)."""
    session = db_session()
    person = person_or_404(user_id)
    store = state().user_store
    if person.anonymized_at is not None or not can_end_sessions(store):
        abort(404)
    form = EndSessionsForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(url_for(".person", user_id=person.id))
    require_manageable(person, "end_sessions")
    if service.end_sessions(session, person, g.lms_user, store):
        session.commit()
        flash(_("%(name)s is signed out on every device.", name=person.name), "success")
    return redirect(url_for(".person", user_id=person.id))


# -- staff import ------------------------------------------------------------------
def file_error_message(exc: StaffFileError) -> str:
    messages = {
        "not_utf8": _("The file is not UTF-8 text (line %(line)s). Save it as “CSV UTF-8” and upload it again.",
                      line=exc.line or 1),
        "not_csv": _("The file is not a CSV table. Save the spreadsheet as “CSV UTF-8” and upload it again."),
        "empty": _("The file is empty."),
        "wrong_header": _("The first row must name the columns name, email and department (manager_email and "
                          "employee_id are optional). Found a problem with: %(columns)s", columns=exc.detail),
        "too_many_rows": _("The file has more than %(count)s rows; split it into smaller files.", count=exc.detail),
    }
    return messages.get(exc.code, exc.code)


def row_problem_labels() -> dict[str, str]:
    return {
        "bad_email": _("not a valid e-mail address"),
        "missing_name": _("the name is empty"),
        "wrong_columns": _("the row has a different number of cells than the header"),
        "duplicate_email": _("this e-mail appears earlier in the file"),
        "duplicate_employee_id": _("this employee number appears earlier in the file"),
        "bad_manager_email": _("the manager's e-mail is not valid"),
        "unknown_manager": _("the manager is neither in the file nor known to the LMS"),
        "own_manager": _("a person cannot be their own manager"),
        "conflict": _("the e-mail and the employee number belong to two different people"),
        "privileged": _("this is an administrator's or HR account: only an administrator can change it"),
        "email_taken": _("another account already uses this e-mail"),
    }


@bp.route("/import", methods=["GET", "POST"])
@roles_required("hr")
def import_staff() -> ResponseReturnValue:
    form = ImportForm()
    if form.validate_on_submit():
        session = db_session()
        limit = current_app.config["LMS_MAX_CSV_BYTES"]
        data = form.file.data.read(limit + 1)
        if len(data) > limit:
            form.file.errors = [_("The file is larger than %(limit)s MB. Split it into smaller files and import "
                                  "them one after another.", limit=format_decimal(round(limit / 1_000_000, 1)))]
            return render_template("lms/people/import.html", form=form), 413
        try:
            result = service.import_staff(session, data, g.lms_user, state().user_store,
                                          current_app.config["LMS_INVITATION_DAYS"])
        except StaffFileError as exc:
            session.rollback()
            form.file.errors = [file_error_message(exc)]
            return render_template("lms/people/import.html", form=form), 422
        days = current_app.config["LMS_INVITATION_DAYS"]
        delivery = deliver_import_invitations(session, result.invitations, days)
        session.commit()
        counts = result.counts
        flash(ngettext("%(num)s row imported.", "%(num)s rows imported.",
                       counts["created"] + counts["updated"] + counts["unchanged"]), "success")
        return no_store(make_response(render_template(
            "lms/people/import_result.html", result=result, counts=counts, links=delivery.links, mailed=delivery.mailed,
            email_configured=email_configured(), problems=row_problem_labels(),
            may_invite=can_invite(state().user_store), days=days)))
    if request.method == "POST":
        return render_template("lms/people/import.html", form=form), 422
    return render_template("lms/people/import.html", form=form)


# -- API tokens (admins) --------------------------------------------------------------
@bp.route("/tokens", methods=["GET", "POST"])
@roles_required("admin")
def tokens() -> ResponseReturnValue:
    session = db_session()
    form = TokenForm()
    created = None
    if form.validate_on_submit():
        token, plain = service.create_api_token(session, form.name.data, g.lms_user, form.scope.data)
        session.commit()
        created = (token, plain)
        form = TokenForm(formdata=None)
    elif request.method == "POST":
        flash_errors(form)
        return redirect(url_for(".tokens"))
    response = make_response(render_template("lms/people/tokens.html", form=form, tokens=service.api_tokens(session),
                                             created=created, revoke_form=RevokeTokenForm(),
                                             api_url=url_for("lms.api.openapi_json")))
    return no_store(response)


@bp.post("/tokens/<int:token_id>/revoke")
@roles_required("admin")
def revoke_token(token_id: int) -> ResponseReturnValue:
    session = db_session()
    token = session.get(ApiToken, token_id)
    if token is None:
        abort(404)
    if not RevokeTokenForm().validate_on_submit():
        abort(400)
    if service.revoke_api_token(session, token, g.lms_user):
        session.commit()
        flash(_("The token “%(name)s” is revoked.", name=token.name), "success")
    return redirect(url_for(".tokens"))


# -- xAPI ------------------------------------------------------------------------------
@bp.get("/xapi.jsonl")
@roles_required("hr")
def xapi_export() -> ResponseReturnValue:
    """Every learning record as xAPI statements, one JSON object a line, streamed as it is read."""
    chunks = xapi.export_chunks(db_session(), activity_base(), verify_url)
    response = Response(stream_with_context(chunks), mimetype="application/x-ndjson")
    response.headers["Content-Disposition"] = 'attachment; filename="xapi-statements.jsonl"'
    response.headers["Cache-Control"] = "no-store"  # every learner's e-mail and results
    return response
