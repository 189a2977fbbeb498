"""A lesson's file: a Markdown page the learner reads (pure).

::

    ---
    title: Reality minus expectations
    minutes: 4             # optional: reading time; estimated from the text when left out
    objectives:            # optional: what the learner will be able to do, shown at the top
      - Work out a customer's satisfaction as reality minus expectations
      - Tell which of the two sides of the formula a case is about
    ---
    Markdown.

A translation (``name.en.md``) carries its own ``objectives:`` in its language; without them
its page shows none (the original's would be in another language).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ...core.activities import ParsedActivity, minutes_of, title_of
from ...core.frontmatter import UNKNOWN_KEY, Document, front_matter_line
from ...core.problems import Problem, define
from ...core.render import Rendered

KNOWN_KEYS = frozenset({"title", "type", "minutes", "summary", "objectives"})
NO_TEXT = define("lesson-no-text", "the lesson has no text")
#: a lesson states a few things the learner will be able to do, each in one line
MAX_OBJECTIVES = 5
MAX_OBJECTIVE_CHARS = 200
BAD_OBJECTIVES = define("lesson-bad-objectives",
                        "'objectives:' must be a list of 1 to %(max)s lines, each saying what the learner "
                        "will be able to do (- Work out ...)")
BAD_OBJECTIVE = define("lesson-bad-objective",
                       "objective %(num)s must be a line of text of 1 to %(chars)s characters")
#: about 180 words a minute; a lesson always takes at least one
WORDS_PER_MINUTE = 180


def objectives_of(doc: Document, problems: list[Problem]) -> list[str]:
    """The lesson's ``objectives:``, stripped; a problem for anything that is not 1-5 short lines."""
    raw: Any = doc.meta.get("objectives")
    if raw is None:
        return []
    line = front_matter_line(doc.source, "objectives")
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_OBJECTIVES:
        problems.append(Problem.of(doc.path, line, BAD_OBJECTIVES, max=MAX_OBJECTIVES))
        return []
    objectives = []
    for number, item in enumerate(raw, start=1):
        text = item.strip() if isinstance(item, str) else ""
        if not text or len(text) > MAX_OBJECTIVE_CHARS or "\n" in text:
            problems.append(Problem.of(doc.path, _item_line(doc.source, line, number), BAD_OBJECTIVE,
                                       num=number, chars=MAX_OBJECTIVE_CHARS))
            continue
        objectives.append(text)
    return objectives


def _item_line(source: str, key_line: int, number: int) -> int:
    """The line of the ``number``-th ``- item`` under the key at ``key_line`` (the key's own line if
    the list is written inline, ``[a, b]``)."""
    lines = source.split("\n")
    seen = 0
    for index in range(key_line, len(lines)):  # lines[key_line] is the line after the key (1-based)
        text = lines[index]
        if text.strip() in ("---", "...") or (text and not text[0].isspace() and not text.startswith("-")):
            break
        if re.match(r"\s*-(\s|$)", text):
            seen += 1
            if seen == number:
                return index + 1
    return key_line


def parse_lesson(doc: Document, render: Callable[[str], Rendered]) -> ParsedActivity:
    problems: list[Problem] = []
    title = title_of(doc, problems)
    minutes = minutes_of(doc, problems)
    for key in sorted(set(doc.meta) - KNOWN_KEYS):
        problems.append(Problem.of(doc.path, 1, UNKNOWN_KEY, key=key, known=sorted(KNOWN_KEYS)))
    objectives = objectives_of(doc, problems)
    rendered = render(doc.body)
    if not doc.body.strip():
        problems.append(Problem.of(doc.path, doc.body_line, NO_TEXT))
    if minutes is None:
        minutes = max(1, round(len(doc.body.split()) / WORDS_PER_MINUTE))
    return ParsedActivity(title=title, html=rendered.html, minutes=minutes, problems=problems,
                          data={"objectives": objectives} if objectives else {},
                          measures={"words": len(doc.body.split())})
