"""Where a form may send the browser afterwards: one rule for every ``next`` parameter.

The site's sign-in, the invitation page and the plugin's language switch all
follow a ``next`` address taken from the request. Only a path on this site is
followed; anything a browser could read as another host (``//evil.com``,
``/\\evil.com``, ``/\\t/evil.com`` once the browser has dropped the tab) or that
would break the ``Location`` header (``\\r\\n``) is replaced by the fallback.
"""
from __future__ import annotations

import unicodedata
from typing import TypeGuard
from urllib.parse import unquote, urlsplit

MAX_NEXT_LENGTH = 2000


def _suspicious(text: str) -> bool:
    # Browsers drop tabs and newlines anywhere in a URL and treat "\" as "/": both turn an
    # innocent-looking "/\t/evil.com" or "/\evil.com" into "//evil.com", another host.
    return any(char == "\\" or unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") for char in text)


def is_local_path(target: str | None) -> TypeGuard[str]:
    """Whether ``target`` is a path on this site (``/training/?q=1``), safe to redirect to."""
    if not target or len(target) > MAX_NEXT_LENGTH:
        return False
    decoded = unquote(target)
    for text in (target, decoded):
        if _suspicious(text) or not text.startswith("/") or text.startswith("//"):
            return False
    try:
        parts = urlsplit(target)
    except ValueError:
        return False
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None, fallback: str) -> str:
    """``target`` when it is a local path, else ``fallback``."""
    return target if is_local_path(target) else fallback
