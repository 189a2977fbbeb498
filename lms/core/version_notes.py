"""The note of a course version: what an author wrote, or what the system did, as a code (pure).

An author's note ("Fixed the prices in module 2") is stored and shown as written. A note the
system writes is a code, so each reader sees it in their own language
(:func:`lms.labels.version_note`):

=====================  =========================================
``@published``         published from the studio without a note
``@rollback:3``        version 3 published again
``@zip``               imported from a zip
``@import:courses/``   imported from a folder with ``flask lms courses import``
=====================  =========================================

Versions stored before the codes have English notes; :func:`read_note` understands those too.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

PUBLISHED = "published"
ROLLBACK = "rollback"
ZIP = "zip"
IMPORT = "import"
#: an author's own words
TEXT = "text"

_CODE = re.compile(r"^@(published|zip)$|^@(rollback):(\d+)$|^@(import):(.+)$", re.DOTALL)
_LEGACY = (
    (re.compile(r"^published from the editor$"), PUBLISHED),
    (re.compile(r"^rollback to version (\d+)$"), ROLLBACK),
    (re.compile(r"^imported from a zip$"), ZIP),
    (re.compile(r"^import from (.+)$", re.DOTALL), IMPORT),
)


@dataclass(frozen=True)
class Note:
    """What a stored note means: a ``code`` (PUBLISHED, ROLLBACK, ZIP, IMPORT or TEXT) and its value
    (the version number, the folder, or the author's text)."""

    code: str
    value: str = ""


def published_note() -> str:
    return f"@{PUBLISHED}"


def rollback_note(number: int) -> str:
    return f"@{ROLLBACK}:{number}"


def zip_note() -> str:
    return f"@{ZIP}"


def import_note(directory: str) -> str:
    return f"@{IMPORT}:{directory}"


def read_note(note: str | None) -> Note:
    """The meaning of a stored note: a system code (new or legacy English), else the author's text."""
    text = (note or "").strip()
    match = _CODE.match(text)
    if match:
        code = next(group for group in (match.group(1), match.group(2), match.group(4)) if group)
        return Note(code, match.group(3) or match.group(5) or "")
    for pattern, code in _LEGACY:
        legacy = pattern.match(text)
        if legacy:
            return Note(code, legacy.group(1) if legacy.groups() else "")
    return Note(TEXT, text)
