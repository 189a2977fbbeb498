"""Who is signed in through an LTI launch, inside the platform's iframe.

The host decides who is signed in (its identity loader), with its own session cookie, which is
``SameSite=Lax``: a browser does not send it to a page framed by another site. So a launch signs
the person in with a cookie of its own, ``lms_lti``, kept apart from the host's:

- signed with the app's ``SECRET_KEY`` (itsdangerous), holding the LMS person's id, a CSRF secret,
  the launch and the origins allowed to frame the pages; it expires after
  :data:`SESSION_SECONDS`;
- sent ``SameSite=None; Secure; HttpOnly; Partitioned`` on the plugin's URL prefix only: in a
  browser that partitions cookies (CHIPS) it exists only inside the platform that launched it.

:func:`lti_identity` is registered in the plugin's ``identity_sources`` (asked before the host's
loader), so every plugin page knows the person. :func:`open_lti_session` runs first of all the
app's ``before_request`` functions: it seeds the Flask-WTF CSRF secret from the cookie when the
host's session (not sent inside the frame) has none, so the plugin's and the host's CSRF checks
work inside the frame too. :func:`frame_headers` lets the platforms that launched the page frame it
(``Content-Security-Policy: frame-ancestors``) and marks the page ``lms_embedded``: the layout
leaves out the site's header and footer.
"""
from __future__ import annotations

import secrets
from typing import Any

from flask import current_app, g, request, session
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from ..identity import Identity
from ..models import User
from ..state import db_session, state

COOKIE = "lms_lti"
SESSION_SECONDS = 8 * 3600
_SALT = "lms-lti-session"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def cookie_path() -> str:
    return (state().url_prefix or "") + "/"


def set_lti_session(response: Response, user_id: int, launch_id: int | None, origins: list[str]) -> None:
    """Sign ``user_id`` in for the LTI pages (and keep a CSRF secret for them)."""
    payload = {"u": user_id, "l": launch_id, "f": origins[:10], "c": secrets.token_hex(20)}
    response.set_cookie(COOKIE, _serializer().dumps(payload), max_age=SESSION_SECONDS, path=cookie_path(),
                        secure=True, httponly=True, samesite="None", partitioned=True)


def lti_payload() -> dict[str, Any] | None:
    """The valid LTI session of this request, if any (read once per request)."""
    if "lms_lti" in g:
        return g.lms_lti
    found = None
    token = request.cookies.get(COOKIE)
    if token and len(token) < 4000:
        try:
            data = _serializer().loads(token, max_age=SESSION_SECONDS)
        except BadSignature:
            data = None
        if isinstance(data, dict) and isinstance(data.get("u"), int) and isinstance(data.get("c"), str):
            found = data
    g.lms_lti = found
    return found


def open_lti_session() -> None:
    """Before anything else in a plugin request: seed the CSRF secret from the LTI cookie when the
    host's session has none (inside the platform's frame the host's cookie is not sent)."""
    prefix = state().url_prefix or ""
    if not request.path.startswith(prefix + "/"):
        return
    payload = lti_payload()
    if payload is None:
        return
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    if field not in session:
        session[field] = payload["c"]


def lti_identity() -> Identity | None:
    """The person an LTI launch signed in, as an identity (their LMS row's own values)."""
    payload = lti_payload()
    if payload is None:
        return None
    user = db_session().get(User, payload["u"])
    if user is None or not user.is_active or user.anonymized_at is not None:
        return None
    g.lms_embedded = True
    return Identity(id=user.external_id, name=user.name, email=user.email, roles=user.role_set,
                    locale=user.locale)


def embedded() -> bool:
    """Whether this page is shown inside a platform's frame (no header or footer)."""
    return bool(g.get("lms_embedded"))


def frame_headers(response: Response) -> Response:
    """Let the launching platforms frame the plugin's pages of an LTI session."""
    payload = g.get("lms_lti")
    if not payload or not g.get("lms_embedded"):
        return response
    origins = " ".join(o for o in payload.get("f", []) if isinstance(o, str) and " " not in o and ";" not in o)
    allow_framing(response, f"'self' {origins}".strip())
    return response


def allow_framing(response: Response, ancestors: str, form_action: str | None = None) -> None:
    """Replace the page's ``frame-ancestors`` (and, for a form that posts to a platform, its
    ``form-action``) and drop ``X-Frame-Options``, which cannot name another site."""
    policy = response.headers.get("Content-Security-Policy") or current_app.config.get(
        "LMS_CONTENT_SECURITY_POLICY") or ""
    parts = [p.strip() for p in policy.split(";") if p.strip()
             and not p.strip().startswith("frame-ancestors")
             and not (form_action and p.strip().startswith("form-action"))]
    parts.append(f"frame-ancestors {ancestors}")
    if form_action:
        parts.append(f"form-action 'self' {form_action}")
    response.headers["Content-Security-Policy"] = "; ".join(parts)
    response.headers.pop("X-Frame-Options", None)
