"""The activity kinds: lesson, quiz, scenario (role-play) and task (on-the-job assignment).

Each is a package that owns everything that varies with the kind (see
:class:`lms.activities.base.ActivityKind`). Importing this package registers them, in
this order; the rest of the plugin reaches them only through :func:`get` and :func:`kinds`.
"""
from __future__ import annotations

from . import lesson, quiz, scenario, task
from .base import ActivityKind, ActivityPage, get, kinds, names, register, reviewable

__all__ = ["ActivityKind", "ActivityPage", "get", "kinds", "names", "register", "reviewable",
           "lesson", "quiz", "scenario", "task"]
