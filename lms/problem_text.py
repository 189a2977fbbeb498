"""Content problems in the reader's language: the edge where core problem codes become words.

The core reports :class:`lms.core.problems.Problem` codes; views and commands show them
through these two functions, which translate with the current locale (a request's, or the
one a command forced with ``flask_babel.force_locale``).
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext

from .core.problems import Problem


def problem_text(problem: Problem) -> str:
    """The problem's message in the current language."""
    return problem.text(gettext)


def problem_dict(problem: Problem) -> dict[str, Any]:
    """``{"path", "line", "code", "severity", "accepted", "message"}`` with the message translated."""
    return problem.to_dict(gettext)
