"""Content problems in the reader's language: the edge where core problem codes become words.

The core reports :class:`lms.core.problems.Problem` codes; views and commands show them
through these two functions, which translate with the current locale (a request's, or the
one a command forced with ``flask_babel.force_locale``) in the plugin's own catalogue
(:data:`lms.i18n.domain`), and write fractional numbers (a size in MB) in that
language's format.
"""
from __future__ import annotations

from typing import Any

from flask_babel import format_decimal

from .core.problems import Problem
from .i18n import gettext


def _localised(problem: Problem) -> Problem:
    if not any(isinstance(value, float) for _key, value in problem.params):
        return problem
    params = tuple((key, format_decimal(value) if isinstance(value, float) else value) for key, value in problem.params)
    return Problem(problem.path, problem.line, problem.code, params, problem.severity, problem.accepted)


def problem_text(problem: Problem) -> str:
    """The problem's message in the current language."""
    return _localised(problem).text(gettext)


def problem_dict(problem: Problem) -> dict[str, Any]:
    """``{"path", "line", "code", "severity", "accepted", "message"}`` with the message translated."""
    return _localised(problem).to_dict(gettext)
