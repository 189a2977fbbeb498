"""Images in a course: which files are images, and whether their bytes say what their name says.

A course image is served to every learner with the content type its extension
names, so a file called ``logo.png`` must really be a PNG: anything else (a
page of HTML, a copied key file) is refused wherever course files come in, an
upload in the editor, a folder or a zip, by :func:`image_matches`.

An SVG drawing (``.svg``) is a course image too, but one that could carry script:
it must pass :func:`lms.core.svg.svg_problems` (shapes and text only), and it is
served with a CSP of its own (:data:`SVG_CONTENT_SECURITY_POLICY`).
"""
from __future__ import annotations

import posixpath

from .svg import is_safe_svg

IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
}
"""Raster images: the types a course image and an uploaded task file may have."""
SVG_TYPE = "image/svg+xml"
ASSET_TYPES = {**IMAGE_TYPES, ".svg": SVG_TYPE}
"""Every course image by extension: raster images and SVG drawings."""
ASSET_EXTENSIONS = frozenset(ASSET_TYPES)
"""The extensions of files a course may hold besides its Markdown."""
SVG_CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'"
"""Sent with every course SVG: nothing in it may run or load, even when its address is opened directly."""

_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF87a", b"GIF89a"),
    ".webp": (b"RIFF",),
}


def image_matches(path: str, data: bytes) -> bool:
    """Whether ``data`` is the kind of image ``path`` names by its extension.

    The first bytes (the format's signature) must match the extension: PNG,
    JPEG, GIF, or WebP (``RIFF....WEBP``); an SVG must be a safe drawing
    (:func:`lms.core.svg.is_safe_svg`). A name that is not an image's never matches.
    """
    extension = posixpath.splitext(path)[1].lower()
    if extension == ".svg":
        return is_safe_svg(data)
    signatures = _SIGNATURES.get(extension, ())
    if not any(data.startswith(signature) for signature in signatures):
        return False
    return extension != ".webp" or data[8:12] == b"WEBP"
