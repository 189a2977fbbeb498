"""The plugin's parent blueprint: identity, CSRF, security headers, errors.

Feature blueprints (``learn``, and later ``trainer``, ``reports``...) are
nested under it, so every one of these rules applies to every plugin route.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, cast

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    render_template,
    request,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from flask_babel import format_date, format_datetime, format_decimal, format_percent

from .i18n import LANGUAGES, current_language, gettext, ngettext, text_direction
from .state import state

if TYPE_CHECKING:
    from .models import User

F = TypeVar("F", bound=Callable[..., Any])
P = ParamSpec("P")
R = TypeVar("R")
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class NavItem:
    """A link in the plugin's navigation, shown to users with one of ``roles``.

    ``badge`` (optional) returns a number to show beside the label, such as the
    count of answers waiting for review; it is called once per page. ``landing`` names
    the roles whose work this page is: they land on it after signing in (:func:`landing_url`).
    """

    endpoint: str
    label: Callable[[], str]
    roles: tuple[str, ...]
    badge: Callable[[Any], int] | None = None
    order: int = 50
    landing: tuple[str, ...] = ()


def add_nav_item(bp: Blueprint, item: NavItem) -> None:
    """Show ``item`` in the navigation of every app ``bp`` is registered on.

    Feature packages call this at import time with their blueprint; a host may do the
    same with a blueprint of its own (registered after ``LMS(app)``). The item joins that
    app's registry (``app.extensions["lms"].nav_items``) when the blueprint is registered,
    so two apps in one process keep their own navigation.
    """

    def register(setup_state: BlueprintSetupState) -> None:
        lms_state = setup_state.app.extensions.get("lms")
        if lms_state is None:
            raise RuntimeError(f"Register the blueprint {bp.name!r} after LMS(app): "
                               f"its navigation item {item.endpoint!r} needs the plugin")
        lms_state.add_nav_item(item)

    bp.record_once(register)


def nav_for(user: User | None) -> list[tuple[str, str, int | None]]:
    """(url, label, badge) for the items of this app's navigation that ``user`` may see."""
    if user is None:
        return []
    items = []
    for item in state().nav_items:
        if item.roles and not user.has_role(*item.roles):
            continue
        badge = item.badge(user) if item.badge else None
        items.append((url_for(item.endpoint), item.label(), badge))
    return items


def landing_url(roles: Iterable[str]) -> str:
    """Where someone with ``roles`` starts: the first navigation item that is the ``landing`` of one
    of their roles (a trainer's groups, HR's reports), else their own training."""
    mine = frozenset(roles)
    for item in state().nav_items:
        if mine.intersection(item.landing):
            return url_for(item.endpoint)
    return url_for("lms.learn.home")


def public(view: F) -> F:
    """Mark a view as reachable without logging in (e.g. certificate verification)."""
    cast(Any, view)._lms_public = True  # a function takes attributes; its Callable type does not say so
    return view


def csrf_exempt(view: F) -> F:
    """Mark a view that authenticates otherwise (API tokens) as exempt from CSRF."""
    cast(Any, view)._lms_csrf_exempt = True  # a function takes attributes; its Callable type does not say so
    return view


def rate_limited(config_key: str, scope: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Refuse (429) a client address's requests to the view beyond the limit in ``config_key``
    (``"30 per minute"``), counted in the plugin's own storage (:meth:`LMSState.hit_rate_limit`)."""

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            if not state().hit_rate_limit(current_app.config[config_key], scope, request.remote_addr or "-"):
                abort(429)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def roles_required(*roles: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Allow the view to users with one of ``roles`` (admins always pass)."""

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            if not g.lms_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def security_headers(response: Response) -> Response:
    """Headers every page gets: CSP without inline script, no sniffing, no framing."""
    csp = current_app.config.get("LMS_CONTENT_SECURITY_POLICY")
    if csp:
        response.headers.setdefault("Content-Security-Policy", csp)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    return response


def login_url() -> str | None:
    configured = current_app.config.get("LMS_LOGIN_URL")
    if configured:
        return configured
    login_manager = getattr(current_app, "login_manager", None)
    view = getattr(login_manager, "login_view", None)
    return url_for(view) if view else None


def template_context() -> dict[str, Any]:
    """Names every plugin template can use.

    A host's ``templates/lms/base.html`` reads ``lms_title`` (the page's title),
    ``lms_language`` and ``lms_dir`` (for ``<html lang dir>``); ``lms/_head.html`` reads
    ``lms_styles`` and ``lms_scripts``, the extra files (under the plugin's ``static/``)
    a page asks for with ``{% set lms_styles = [...] %}``.
    """
    language = current_language()
    return {
        "_": gettext,
        "gettext": gettext,
        "ngettext": ngettext,
        "lms_user": getattr(g, "lms_user", None),
        "lms_nav": lambda: nav_for(getattr(g, "lms_user", None)),
        "lms_title": gettext("Training"),
        "lms_styles": (),
        "lms_scripts": (),
        "lms_language": language,
        "lms_dir": text_direction(language),
        "lms_languages": LANGUAGES,
        "text_direction": text_direction,
        "format_date": format_date,
        "format_datetime": format_datetime,
        "format_decimal": format_decimal,
        "format_percent": format_percent,
    }


_FINGERPRINTS: dict[str, str] = {}


def fingerprint(folder: str, filename: str) -> str | None:
    """A short hash of a static file's bytes, so its URL changes when it does."""
    path = os.path.join(folder, filename)
    key = f"{path}:{os.path.getmtime(path) if os.path.exists(path) else 0}"
    if key not in _FINGERPRINTS:
        try:
            with open(path, "rb") as handle:
                _FINGERPRINTS[key] = hashlib.sha256(handle.read()).hexdigest()[:12]
        except OSError:
            return None
    return _FINGERPRINTS[key]


def add_fingerprint(static_folder: str | None, values: dict[str, Any]) -> None:
    if static_folder and "filename" in values and "v" not in values:
        version = fingerprint(static_folder, values["filename"])
        if version:
            values["v"] = version


def cache_static(response: Response) -> Response:
    """Fingerprinted assets are cached for a year; anything else for an hour."""
    response.cache_control.public = True
    response.cache_control.no_cache = None  # send_file's default would make browsers revalidate every time
    if request.args.get("v"):
        response.cache_control.max_age = 31_536_000
        response.cache_control.immutable = True
    else:
        response.cache_control.max_age = 3600
    return response


#: The largest value of the tables' ``Integer`` id columns (every ``<int:...>`` part of a plugin URL).
MAX_ID = 2**31 - 1


def ids_in_range(view_args: dict[str, Any] | None) -> bool:
    """Whether every integer part of the URL fits the id columns: a larger one names nothing (404),
    where PostgreSQL would refuse the query (``integer out of range``) with a server error."""
    return all(not isinstance(value, int) or 0 <= value <= MAX_ID for value in (view_args or {}).values())


def render_error(code: int, title: str, message: str) -> tuple[str, int]:
    return render_template("lms/error.html", code=code, title=title, message=message), code


def form_field_bytes(config: Mapping[str, Any]) -> int:
    """The most one form field may hold: a whole Markdown file (``LMS_MAX_TEXT_BYTES``) and some room."""
    return config["LMS_MAX_TEXT_BYTES"] + 100_000


def limit_request_size() -> None:
    """Refuse a body over ``LMS_MAX_REQUEST_BYTES`` (413) before anything reads it.

    The limit is set on this request (Flask 3.1), so a body sent without a
    Content-Length is cut off there too; a smaller ``MAX_CONTENT_LENGTH`` of the host
    still wins. One form field may hold a whole Markdown file (``LMS_MAX_TEXT_BYTES``),
    more than Werkzeug's 500 kB; the views give a longer text its own message.
    """
    config = current_app.config
    host_limit = request.max_content_length
    request.max_content_length = min(config["LMS_MAX_REQUEST_BYTES"], host_limit or config["LMS_MAX_REQUEST_BYTES"])
    field_limit = form_field_bytes(config)
    if request.max_form_memory_size is not None and request.max_form_memory_size < field_limit:
        request.max_form_memory_size = field_limit
    if request.content_length is not None and request.content_length > request.max_content_length:
        abort(413)


def today() -> dt.date:
    return dt.date.today()
