"""The statuses of :mod:`lms.core.status` and the notes of course versions in the reader's language:
one wording for every page."""
from __future__ import annotations

from .core import version_notes
from .core.version_notes import read_note
from .i18n import _


def status_labels() -> dict[str, str]:
    """Every activity and course status, translated (the report, the dashboard, the badges)."""
    return {
        "not_started": _("Not started"),
        "in_progress": _("In progress"),
        "awaiting_review": _("Awaiting review"),
        "failed": _("Not passed"),
        "passed": _("Passed"),
        "completed": _("Completed"),
        "overdue": _("Overdue"),
        "expired": _("Certificate expired"),
    }


def status_label(status: str) -> str:
    return status_labels().get(status, status)


def version_note(note: str | None) -> str:
    """A course version's note in the reader's language: what the system did (a code or an old
    English note, :mod:`lms.core.version_notes`) translated, an author's note as written."""
    meaning = read_note(note)
    if meaning.code == version_notes.PUBLISHED:
        return _("Published from the studio")
    if meaning.code == version_notes.ROLLBACK:
        return _("Version %(number)s published again", number=meaning.value)
    if meaning.code == version_notes.ZIP:
        return _("Imported from a zip")
    if meaning.code == version_notes.IMPORT:
        # a folder name keeps its own direction inside a right-to-left sentence (U+2068…U+2069 isolate it)
        return _("Imported from the folder %(folder)s", folder=f"\u2068{meaning.value}\u2069")
    return meaning.value
