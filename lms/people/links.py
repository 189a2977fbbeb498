"""Addresses the people pages and commands hand out (invitation links, xAPI activity ids)."""
from __future__ import annotations

from flask import current_app

from ..links import absolute_url, public_base, verify_url
from ..state import state

__all__ = ["activity_base", "invitation_url", "verify_url"]


def invitation_url(token: str) -> str | None:
    """Where a new employee accepts ``token``, if the host's user store serves invitations."""
    store = state().user_store
    endpoint = store.invitation_endpoint() if store is not None and hasattr(store, "invitation_endpoint") else None
    return absolute_url(endpoint, token=token) if endpoint else None


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
