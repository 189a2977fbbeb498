"""The plugin's parent blueprint: identity, CSRF, security headers, errors.

Feature blueprints (``learn``, and later ``trainer``, ``reports``...) are
nested under it, so every one of these rules applies to every plugin route.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from flask import (
    abort,
    current_app,
    g,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, format_datetime, format_decimal, format_percent

from .i18n import LANGUAGES, current_language, gettext, ngettext, text_direction

F = TypeVar("F", bound=Callable[..., Any])
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class NavItem:
    """A link in the plugin's navigation, shown to users with one of ``roles``.

    ``badge`` (optional) returns a number to show beside the label, such as the
    count of answers waiting for review; it is called once per page.
    """

    endpoint: str
    label: Callable[[], str]
    roles: tuple[str, ...]
    badge: Callable[[Any], int] | None = None
    order: int = 50


NAV_ITEMS: list[NavItem] = []


def add_nav_item(item: NavItem) -> None:
    """Feature packages call this at import time to appear in the navigation."""
    if all(existing.endpoint != item.endpoint for existing in NAV_ITEMS):
        NAV_ITEMS.append(item)
        NAV_ITEMS.sort(key=lambda i: i.order)


def nav_for(user) -> list[tuple[str, str, int | None]]:
    """(url, label, badge) for the items ``user`` may see."""
    if user is None:
        return []
    items = []
    for item in NAV_ITEMS:
        if item.roles and not user.has_role(*item.roles):
            continue
        badge = item.badge(user) if item.badge else None
        items.append((url_for(item.endpoint), item.label(), badge))
    return items


def public(view: F) -> F:
    """Mark a view as reachable without logging in (e.g. certificate verification)."""
    view._lms_public = True  # type: ignore[attr-defined]
    return view


def csrf_exempt(view: F) -> F:
    """Mark a view that authenticates otherwise (API tokens) as exempt from CSRF."""
    view._lms_csrf_exempt = True  # type: ignore[attr-defined]
    return view


def roles_required(*roles: str) -> Callable[[F], F]:
    """Allow the view to users with one of ``roles`` (admins always pass)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not g.lms_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


def security_headers(response):
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
    """Names every plugin template can use."""
    language = current_language()
    return {
        "_": gettext,
        "gettext": gettext,
        "ngettext": ngettext,
        "lms_user": getattr(g, "lms_user", None),
        "lms_nav": lambda: nav_for(getattr(g, "lms_user", None)),
        "lms_base_template": current_app.config["LMS_BASE_TEMPLATE"],
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


def cache_static(response):
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


def render_error(code: int, title: str, message: str):
    return render_template("lms/error.html", code=code, title=title, message=message), code


def form_field_bytes(config) -> int:
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
