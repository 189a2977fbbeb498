"""The translated words of the reports: column headers and statuses.

In the UI language of the request (or, on the command line, of ``--language``),
so Russian HR gets Russian headers in the exports too.
"""
from __future__ import annotations

from ..core import reports as core
from ..i18n import _
from ..labels import status_labels

__all__ = ["column_headers", "header_list", "status_labels", "status_label_function", "sheet_name"]


def column_headers() -> dict[str, str]:
    headers = {
        "employee": _("Employee"),
        "employee_id": _("Employee ID"),
        "email": _("E-mail"),
        "department": _("Department"),
        "groups": _("Groups"),
        "manager": _("Manager"),
        "course": _("Course"),
        "assigned_on": _("Assigned on"),
        "due_on": _("Due date"),
        "status": _("Status"),
        "score": _("Best score, %"),
        "completed_on": _("Completed on"),
        "certificate": _("Certificate"),
        "certificate_expires_on": _("Certificate expires"),
    }
    return headers


def header_list() -> list[str]:
    headers = column_headers()
    return [headers[column.key] for column in core.COLUMNS]


def status_label_function():
    labels = status_labels()
    return lambda status: labels.get(status, status)


def sheet_name() -> str:
    return _("Completions")
