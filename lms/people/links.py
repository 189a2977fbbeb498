"""Addresses the people pages and commands hand out (invitation links, xAPI activity ids)."""
from __future__ import annotations

from flask import current_app, has_request_context, url_for

from ..extension import state


def public_base() -> str | None:
    """``LMS_PUBLIC_URL`` without a trailing slash, when configured."""
    value = current_app.config.get("LMS_PUBLIC_URL")
    return value.rstrip("/") if value else None


def external_url(endpoint: str, **values) -> str:
    """An absolute address: from the request, else from ``LMS_PUBLIC_URL`` (commands run without one)."""
    base = public_base()
    if base:
        with current_app.test_request_context("/", base_url=base):
            return url_for(endpoint, _external=True, **values)
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context("/"):
        return url_for(endpoint, **values)  # a path: set LMS_PUBLIC_URL for full links


def invitation_url(token: str) -> str | None:
    """Where a new employee accepts ``token``, if the host's user store serves invitations."""
    store = state().user_store
    endpoint = store.invitation_endpoint() if store is not None and hasattr(store, "invitation_endpoint") else None
    return external_url(endpoint, token=token) if endpoint else None


def activity_base() -> str:
    """The stem of xAPI activity ids: ``LMS_XAPI_ACTIVITY_BASE``, else the plugin's public address.

    Set one of them in production: without, ids start with ``http://localhost``.
    """
    configured = current_app.config.get("LMS_XAPI_ACTIVITY_BASE")
    if configured:
        return configured.rstrip("/")
    prefix = current_app.config.get("LMS_URL_PREFIX", "")
    # Not the request's host: the same record must get the same id from a page and from cron.
    base = public_base() or "http://localhost"
    return base + prefix


def verify_url(serial: str) -> str:
    return external_url("lms.certificates.verify", serial=serial)
