"""Images in a course: which files are images, and whether their bytes say what their name says.

A course image is served to every learner with the content type its extension
names, so a file called ``logo.png`` must really be a PNG: anything else (a
page of HTML, a copied key file) is refused wherever course files come in, an
upload in the editor, a folder or a zip, by :func:`image_matches`.
"""
from __future__ import annotations

import posixpath

IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
}
ASSET_EXTENSIONS = frozenset(IMAGE_TYPES)
"""The extensions of files a course may hold besides its Markdown."""

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
    JPEG, GIF, or WebP (``RIFF....WEBP``). A name that is not an image's never matches.
    """
    extension = posixpath.splitext(path)[1].lower()
    signatures = _SIGNATURES.get(extension, ())
    if not any(data.startswith(signature) for signature in signatures):
        return False
    return extension != ".webp" or data[8:12] == b"WEBP"
