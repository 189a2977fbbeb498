"""A task's file: an on-the-job assignment in Markdown, with its rubric (pure).

::

    ---
    type: task
    title: Answer a real lead within 30 minutes
    minutes: 30            # optional: how long it takes
    files: 2               # optional: how many photos or PDFs the learner may attach (0-5, default 3)
    rubric:                # optional: what the trainer checks; a line is worth 1 point unless it says
      - label: You replied within 30 minutes
        points: 2
      - You asked what the customer needs
    pass: 2                # optional: points needed to pass (default: half of the rubric's, rounded up)
    ---
    Instructions for the learner, in Markdown.

Without a rubric the trainer accepts (1 point) or returns (0 points) the work.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from ...core.activities import ParsedActivity, minutes_of, title_of
from ...core.frontmatter import UNKNOWN_KEY, Document
from ...core.problems import Problem, define
from ...core.render import Rendered

KNOWN_KEYS = frozenset({"title", "type", "minutes", "summary", "files", "rubric", "pass"})
MAX_FILES = 5
DEFAULT_FILES = 3

NO_TEXT = define("task-no-text", "the task has no instructions: write what the learner should do")
BAD_FILES = define("task-bad-files", "'files:' must be a whole number from 0 to %(max)s")
BAD_RUBRIC = define("task-bad-rubric", "'rubric:' must be a list of items, each a text or {label: text, points: number}")
BAD_ITEM = define("task-bad-rubric-item", "rubric item %(num)s needs a label and points above 0")
BAD_PASS = define("task-bad-pass", "'pass:' must be a number of points from 0 to %(max)s (the rubric's total)")


def _rubric(raw: Any, doc: Document, problems: list[Problem]) -> list[dict[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        problems.append(Problem.of(doc.path, 1, BAD_RUBRIC))
        return []
    items = []
    for number, item in enumerate(raw, start=1):
        if isinstance(item, str) and item.strip():
            items.append({"label": item.strip(), "points": 1.0})
            continue
        label = item.get("label") if isinstance(item, dict) else None
        points = item.get("points", 1) if isinstance(item, dict) else None
        if (not isinstance(label, str) or not label.strip() or isinstance(points, bool)
                or not isinstance(points, int | float) or points <= 0):
            problems.append(Problem.of(doc.path, 1, BAD_ITEM, num=number))
            continue
        items.append({"label": label.strip(), "points": float(points)})
    return items


def parse_task(doc: Document, render: Callable[[str], Rendered]) -> ParsedActivity:
    problems: list[Problem] = []
    title = title_of(doc, problems)
    minutes = minutes_of(doc, problems)
    for key in sorted(set(doc.meta) - KNOWN_KEYS):
        problems.append(Problem.of(doc.path, 1, UNKNOWN_KEY, key=key, known=sorted(KNOWN_KEYS)))
    if not doc.body.strip():
        problems.append(Problem.of(doc.path, doc.body_line, NO_TEXT))
    files = doc.meta.get("files", DEFAULT_FILES)
    if isinstance(files, bool) or not isinstance(files, int) or not 0 <= files <= MAX_FILES:
        problems.append(Problem.of(doc.path, 1, BAD_FILES, max=MAX_FILES))
        files = DEFAULT_FILES
    rubric = _rubric(doc.meta.get("rubric"), doc, problems)
    total = sum(item["points"] for item in rubric) if rubric else 1.0
    needed = doc.meta.get("pass")
    if needed is None:
        needed = math.ceil(total / 2) if rubric else 1.0
    elif isinstance(needed, bool) or not isinstance(needed, int | float) or not 0 <= needed <= total:
        problems.append(Problem.of(doc.path, 1, BAD_PASS, max=f"{total:g}"))
        needed = total
    data = {"files": files, "rubric": rubric, "max_points": float(total), "pass_points": float(needed),
            "summary": str(doc.meta.get("summary") or "")}
    return ParsedActivity(title=title, html=render(doc.body).html, data=data, minutes=minutes, problems=problems,
                          measures={"rubric_items": len(rubric)})


def passes(points: float, data: dict[str, Any]) -> bool:
    """Whether a trainer's points pass the task."""
    return points >= float(data.get("pass_points", data.get("max_points", 1)))
