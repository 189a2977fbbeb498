"""A lesson's file: a Markdown page the learner reads (pure)."""
from __future__ import annotations

from collections.abc import Callable

from ...core.activities import ParsedActivity, minutes_of, title_of
from ...core.frontmatter import UNKNOWN_KEY, Document
from ...core.problems import Problem, define
from ...core.render import Rendered

KNOWN_KEYS = frozenset({"title", "type", "minutes", "summary"})
NO_TEXT = define("lesson-no-text", "the lesson has no text")
#: about 180 words a minute; a lesson always takes at least one
WORDS_PER_MINUTE = 180


def parse_lesson(doc: Document, render: Callable[[str], Rendered]) -> ParsedActivity:
    problems: list[Problem] = []
    title = title_of(doc, problems)
    minutes = minutes_of(doc, problems)
    for key in sorted(set(doc.meta) - KNOWN_KEYS):
        problems.append(Problem.of(doc.path, 1, UNKNOWN_KEY, key=key, known=sorted(KNOWN_KEYS)))
    rendered = render(doc.body)
    if not doc.body.strip():
        problems.append(Problem.of(doc.path, doc.body_line, NO_TEXT))
    if minutes is None:
        minutes = max(1, round(len(doc.body.split()) / WORDS_PER_MINUTE))
    return ParsedActivity(title=title, html=rendered.html, minutes=minutes, problems=problems,
                          measures={"words": len(doc.body.split())})
