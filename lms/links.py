"""Absolute addresses the plugin hands out: badge ids, verification links and QR codes, invitations.

Every absolute URL is built by :func:`absolute_url`. With ``LMS_PUBLIC_URL`` set it comes from that
setting and never from the request: the ``Host`` header is whatever the client sent, and a forged one
must not end up in a signed badge, a printed QR code or an invitation link handed to someone else.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, has_request_context, request, url_for


def public_base() -> str | None:
    """``LMS_PUBLIC_URL`` without a trailing slash, when configured.

    Raises ``RuntimeError`` when it is not an absolute http(s) address: a link built
    from ``lms.example.com`` alone would silently point nowhere.
    """
    value = current_app.config.get("LMS_PUBLIC_URL")
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise RuntimeError(f"LMS_PUBLIC_URL must be an absolute http(s) address such as "
                           f"https://lms.example.com, not {value!r}")
    return value.rstrip("/")


def absolute_url(endpoint: str, **values) -> str:
    """The absolute address of ``endpoint`` (a full name such as ``lms.certificates.verify``).

    From ``LMS_PUBLIC_URL`` when set (its path, if any, is where the site is mounted);
    else from the current request; else, in a command without either, just the path.
    """
    base = public_base()
    if base is None:
        if has_request_context():
            return url_for(endpoint, _external=True, **values)
        with current_app.test_request_context("/"):
            return url_for(endpoint, **values)  # a path: set LMS_PUBLIC_URL for full links
    parts = urlsplit(base)
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme)
    current_app.inject_url_defaults(endpoint, values)
    return adapter.build(endpoint, values, force_external=True)


def public_host() -> str:
    """The site's host name for display (the issuer's name when no organisation is configured)."""
    base = public_base()
    if base is not None:
        return urlsplit(base).netloc
    return request.host if has_request_context() else "localhost"


def verify_url(serial: str) -> str:
    """Where anyone checks the certificate ``serial`` (printed as a QR code, the badge's id)."""
    return absolute_url("lms.certificates.verify", serial=serial)
