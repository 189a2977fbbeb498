"""The plugin's icons: a few SVG files of Lucide (ISC licence) in ``static/lms/icons/``, put inline.

Templates call ``icon(name, label=None)`` from ``lms/_macros.html`` (or the Jinja global
``lms_icon``). Inline SVG takes the text colour, needs no request and is allowed by the plugin's
CSP (its attributes are presentation attributes, not inline styles). Without a label the icon is
decoration, hidden from screen readers; with one it is an image of that name.
"""
from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from markupsafe import Markup, escape

ICONS = Path(__file__).resolve().parent / "static" / "lms" / "icons"
_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_INSIDE = re.compile(r"<svg\b[^>]*>(.*)</svg>", re.S)


@cache
def _shapes(name: str) -> str:
    """The shapes inside the icon file's ``<svg>`` element (the files are ours: read once)."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"not an icon name: {name!r}")
    path = ICONS / f"{name}.svg"
    if not path.is_file():
        raise ValueError(f"no icon {name!r} in {ICONS}")
    match = _INSIDE.search(path.read_text(encoding="utf-8"))
    if match is None:
        raise ValueError(f"{path} is not an SVG icon")
    return " ".join(match.group(1).split())


def icon(name: str, label: str | None = None, class_: str = "") -> Markup:
    """The icon ``name`` as an inline ``<svg>``; ``label`` names it for screen readers."""
    classes = " ".join(filter(None, ("icon", f"icon-{name}", class_)))
    if label:
        a11y = f'role="img" aria-label="{escape(label)}"'
    else:
        a11y = 'aria-hidden="true"'
    return Markup(  # nosec B704 # our own SVG files (name checked), the label and classes escaped
        f'<svg class="{escape(classes)}" {a11y} focusable="false" xmlns="http://www.w3.org/2000/svg" '
        'viewBox="0 0 24 24" width="24" height="24" fill="none" stroke="currentColor" stroke-width="2" '
        f'stroke-linecap="round" stroke-linejoin="round">{_shapes(name)}</svg>'
    )
