"""The plugin's parent blueprint: identity, CSRF, request limits, security headers, errors.

Feature blueprints (learn, trainer, review, certificates, author, reports, people, api)
are nested under it, so every one of these rules applies to every plugin route. The
building blocks (decorators, headers, the navigation) live in :mod:`lms.web`, which the
features import; this module imports the features, so the graph points one way.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, g, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal
from flask_wtf.csrf import CSRFError, validate_csrf
from werkzeug.exceptions import HTTPException
from wtforms import ValidationError

from . import activities
from .api import bp as api_bp
from .author import bp as author_bp
from .certificates import bp as certificates_bp
from .i18n import LANGUAGES, _
from .labels import status_labels
from .learn import bp as learn_bp
from .lti import bp as lti_bp
from .notify import bp as notify_bp
from .people import bp as people_bp
from .practice import bp as practice_bp
from .reports import bp as reports_bp
from .review import bp as review_bp
from .services import learning
from .services.users import sync_identity
from .state import db_session, state
from .trainer import bp as trainer_bp
from .urls import safe_next
from .web import (
    UNSAFE_METHODS,
    add_fingerprint,
    cache_static,
    ids_in_range,
    limit_request_size,
    login_url,
    public,
    render_error,
    security_headers,
    template_context,
)


def create_blueprint() -> Blueprint:
    bp = Blueprint("lms", __name__, template_folder="templates", static_folder="static",
                   static_url_path="/static")

    bp.before_request(limit_request_size)

    @bp.before_request
    def load_user() -> ResponseReturnValue | None:
        if not ids_in_range(request.view_args):
            abort(404)
        view = current_app.view_functions.get(request.endpoint or "")
        g.lms_user = None
        if request.endpoint == "lms.static":
            return None
        identity = state().identity()
        if identity is not None:
            session_ = db_session()
            g.lms_user = sync_identity(session_, identity)
            if not g.lms_user.is_active:
                g.lms_user = None
                abort(403)
        if request.method in UNSAFE_METHODS and current_app.config.get("WTF_CSRF_ENABLED", True) \
                and not getattr(view, "_lms_csrf_exempt", False):
            token = request.form.get("csrf_token") or request.headers.get("X-CSRFToken")
            try:
                validate_csrf(token)
            except ValidationError as exc:
                raise CSRFError(str(exc)) from None
        if g.lms_user is None and not getattr(view, "_lms_public", False):
            target = login_url()
            if target:
                separator = "&" if "?" in target else "?"
                return redirect(f"{target}{separator}next={request.full_path.rstrip('?')}")
            abort(401)
        return None

    @bp.after_request
    def headers(response: Response) -> Response:
        # a changed identity (name, e-mail, roles) is written with the request's own transaction;
        # a page that committed already took it along, one that wrote nothing commits it here
        session_ = db_session() if request.endpoint != "lms.static" else None
        if session_ is not None and session_.info.pop("lms_identity_changed", False) and response.status_code < 400:
            session_.commit()
        if request.endpoint == "lms.static":
            cache_static(response)
        return security_headers(response)

    @bp.url_defaults
    def static_fingerprint(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "lms.static":
            add_fingerprint(bp.static_folder, values)

    bp.context_processor(template_context)

    @bp.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> ResponseReturnValue:
        return render_error(400, _("The form has expired"),
                            _("For your security the form was refused. Go back, reload the page and try again."))

    @bp.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> ResponseReturnValue:
        messages = {
            401: (_("Please sign in"), _("You need to sign in to see this page.")),
            403: (_("Access denied"), _("You do not have access to this page.")),
            404: (_("Page not found"), _("There is nothing here. Check the address or go back to your training.")),
            405: (_("Not allowed"), _("This page cannot be used this way.")),
            413: (_("The file is too large"), _(
                "What you sent is larger than this page accepts (at most %(limit)s MB in all). Make the file "
                "smaller or split the text into several files, then try again.",
                limit=format_decimal(round((request.max_content_length or current_app.config[
                    "LMS_MAX_REQUEST_BYTES"]) / 1_000_000, 1)))),
            429: (_("Too many attempts"), _("Please wait a minute and try again.")),
        }
        title, message = messages.get(exc.code or 500, (_("Something went wrong"), _("Please try again.")))
        return render_error(exc.code or 500, title, message)

    @bp.errorhandler(Exception)
    def server_error(exc: Exception) -> ResponseReturnValue:
        if isinstance(exc, HTTPException):
            return http_error(exc)
        current_app.logger.exception("Unhandled error in the LMS")
        db_session().rollback()
        return render_error(500, _("Something went wrong"),
                            _("The error has been logged. Please try again in a moment."))

    @bp.post("/language")
    @public
    def set_language() -> ResponseReturnValue:
        language = request.form.get("language", "")
        if language not in LANGUAGES:
            abort(400)
        session["lms_locale"] = language
        if g.lms_user is not None:
            g.lms_user.locale = language
            # the content follows the interface wherever the course has that edition
            learning.follow_interface_language(db_session(), g.lms_user, language)
            db_session().commit()
        return redirect(safe_next(request.form.get("next"), url_for("lms.learn.home")))

    for feature in (learn_bp, practice_bp, notify_bp, trainer_bp, review_bp, certificates_bp, author_bp, reports_bp,
                    people_bp, api_bp, lti_bp):
        bp.register_blueprint(feature)
    # each activity kind's own forms (quiz answers, role-play replies, task submissions)
    for kind in activities.kinds():
        if kind.blueprint is not None:
            bp.register_blueprint(kind.blueprint)

    @bp.context_processor
    def activity_kinds() -> dict[str, Any]:
        """Templates ask the registry about a kind: its object and its name in the reader's language."""
        def label(name: str) -> str:
            kind = activities.get(name)
            return kind.label() if kind is not None else name

        return {"activity_kind": activities.get, "activity_label": label, "lms_status_labels": status_labels}
    return bp
