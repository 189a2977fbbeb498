"""The statuses of :mod:`lms.core.status` in the reader's language: one wording for every page."""
from __future__ import annotations

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
