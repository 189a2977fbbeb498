"""What a learner may attach to a task: photos and PDFs, checked by their bytes (pure)."""
from __future__ import annotations

import hashlib
import re

from ...core.assets import IMAGE_TYPES, image_matches

#: extension -> content type of what a task accepts
FILE_TYPES: dict[str, str] = {**IMAGE_TYPES, ".pdf": "application/pdf"}
_SAFE = re.compile(r"[^\w.\-]+", re.UNICODE)


def extension_of(name: str) -> str:
    return ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""


def accepted(name: str, data: bytes) -> bool:
    """Whether ``data`` is really the photo or PDF its name says (the bytes, not the name, decide)."""
    extension = extension_of(name)
    if extension == ".pdf":
        return data.startswith(b"%PDF-")
    return extension in IMAGE_TYPES and image_matches(name, data)


def display_name(name: str) -> str:
    """The file's own name, cut to its last part and to safe characters (for the download)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip() or "file"
    cleaned = _SAFE.sub("_", base)[-120:]
    return cleaned or "file"


def stored_name(index: int, data: bytes, name: str) -> str:
    """The name on disk: never the learner's words, only the position, a hash and the type."""
    return f"{index}-{hashlib.sha256(data).hexdigest()[:20]}{extension_of(name)}"
