"""Scanning a Markdown quiz body into raw questions: headings, options, answers, keys, lists.

The scanner only sorts lines into structures (``- [x]`` options, ``Answer:``
lines, ``- left -> right`` pairs, numbered items, ``Key:`` lines, feedback
quotes); what they mean for each question type is decided by the type's
strategy (:mod:`lms.core.quiz.types`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from ..accept import Acceptance, body_marker, take_marker
from ..problems import define
from .numbers import WEIGHT_OUT_OF_RANGE, weight_in_range, weight_to_fraction
from .registry import Report

__all__ = ["RawOption", "RawAnswer", "RawQuestion", "split_sections", "strip_blank_lines",
           "feedback_text", "weight_of", "KEYS", "take_markers"]

EMPTY_HEADING = define("quiz-empty-heading", "question heading is empty; write the question after '## '")
KEY_TWICE = define("quiz-key-twice",
                   "'%(key)s:' is given twice in this question (first on line %(first_line)s); keep one")
WEIGHT_NOT_NUMBER = define("quiz-weight-not-number", "weight '%(weight)s%%' is not a number")

_HEADING_RE = re.compile(r"^ {0,3}##(?:[ \t]+(.*?))?[ \t]*$")
_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_TASK_RE = re.compile(r"^ {0,3}[-*+][ \t]+\[([ xX])\](?:[ \t]+(.*?))?[ \t]*$")
_WEIGHT_RE = re.compile(r"^\(\s*([-+]?\d+(?:[.,]\d+)?)\s*%\s*\)\s*(.*)$", re.S)
_NUMBERED_RE = re.compile(r"^ {0,3}\d{1,9}[.)][ \t]+(.*?)[ \t]*$")
_PAIR_RE = re.compile(r"^ {0,3}[-*+][ \t]+(.*?)[ \t]*->[ \t]*(.*?)[ \t]*$")
_BULLET_RE = re.compile(r"^ {0,3}[-*+][ \t]+(?:\[[ xX]\][ \t]+)?(.*?)[ \t]*$")
_QUOTE_RE = re.compile(r"^[ \t]*>[ \t]?(.*?)[ \t]*$")
_CONTINUATION_RE = re.compile(r"^[ \t]{2,}\S")
#: the ``Key:`` lines of a question
KEYS = ("type", "points", "explanation", "lesson", "answer", "rubric", "category", "level")
_KEY_RE = re.compile(r"^ {0,3}(" + "|".join(KEYS) + r")[ \t]*:[ \t]*(.*?)[ \t]*$", re.I)
_EXPLICIT_ID_RE = re.compile(r"^(.*?)\s*\{#([^}]*)\}$")


@dataclass
class RawOption:
    """A ``- [x]`` / ``- [ ]`` line with its optional ``(50%)`` weight and ``>`` feedback."""

    line: int
    checked: bool
    weight: str | None
    text: str
    feedback: list[str] = field(default_factory=list)


@dataclass
class RawAnswer:
    """An ``Answer:`` line with its optional weight and ``>`` feedback."""

    line: int
    weight: str | None
    value: str
    feedback: list[str] = field(default_factory=list)


@dataclass
class RawQuestion:
    """A ``## `` section sorted into structures, before its type is known."""

    line: int
    title: str
    explicit_id: str | None
    parts: list[tuple[str, str]] = field(default_factory=list)  # (kind, raw line)
    options: list[RawOption] = field(default_factory=list)
    answers: list[RawAnswer] = field(default_factory=list)
    pairs: list[tuple[int, str, str]] = field(default_factory=list)
    numbered: list[tuple[int, str]] = field(default_factory=list)
    rubric: list[str] = field(default_factory=list)
    keys: dict[str, tuple[int, str]] = field(default_factory=dict)
    explanation: list[str] = field(default_factory=list)


def take_markers(lines: list[str], first_line: int) -> tuple[list[str], list[Acceptance]]:
    """The body without its ``<!-- accept: ... -->`` markers (a marker alone on its line leaves the line
    blank, so line numbers stay), and the acceptances they make: the marker's line when it ends a
    line with text, else its question (heading to the next heading), or the whole file before the first
    question (:mod:`lms.core.accept`). Markers inside code fences are text."""
    out: list[str] = []
    found: list[tuple[int, tuple[str, ...], str, int | None]] = []  # line, codes, rest, heading line
    headings: list[int] = []
    fence: str | None = None
    for offset, line in enumerate(lines):
        number = first_line + offset
        m_fence = _FENCE_RE.match(line)
        if fence is None:
            marked = take_marker(line)
            if _HEADING_RE.match(marked[0] if marked else line):
                headings.append(number)
                if marked:  # on the question's heading: the whole question
                    found.append((number, marked[1], "", number))
                    line = marked[0]
            elif m_fence:
                fence = m_fence.group(1)[0] * 3
            elif marked is not None:
                found.append((number, marked[1], marked[0], headings[-1] if headings else None))
                line = marked[0]
        elif m_fence and m_fence.group(1).startswith(fence):
            fence = None
        out.append(line)
    last_line = first_line + len(lines) - 1
    acceptances = []
    for number, codes, rest, heading in found:
        section = None
        if heading is not None:
            later = [h for h in headings if h > heading]
            section = (heading, later[0] - 1 if later else last_line)
        acceptances.append(body_marker(codes, number, rest, section))
    return out, acceptances


def split_sections(lines: list[str], first_line: int, report: Report) -> tuple[str, list[RawQuestion]]:
    """Split the body into intro text and raw questions (``## `` inside code fences is text)."""
    intro: list[str] = []
    sections: list[tuple[int, str, list[tuple[int, str]]]] = []
    fence: str | None = None
    for offset, line in enumerate(lines):
        number = first_line + offset
        m_fence = _FENCE_RE.match(line)
        if fence is None:
            m = _HEADING_RE.match(line)
            if m:
                sections.append((number, m.group(1) or "", []))
                continue
            if m_fence:
                fence = m_fence.group(1)[0] * 3
        elif m_fence and m_fence.group(1).startswith(fence):
            fence = None
        if sections:
            sections[-1][2].append((number, line))
        else:
            intro.append(line)
    return "\n".join(intro), [_scan_section(n, h, body, report) for n, h, body in sections]


def _scan_section(line: int, heading: str, body: list[tuple[int, str]], report: Report) -> RawQuestion:
    heading = re.sub(r"[ \t]+#+$", "", heading.strip())
    explicit_id = None
    m = _EXPLICIT_ID_RE.match(heading)
    if m:
        heading, explicit_id = m.group(1).strip(), m.group(2)
    raw = RawQuestion(line, heading, explicit_id)
    if not heading:
        report(line, EMPTY_HEADING)
    i = 0
    fence: str | None = None
    last: RawOption | RawAnswer | None = None
    while i < len(body):
        number, text = body[i]
        i += 1
        m_fence = _FENCE_RE.match(text)
        if fence is not None:
            if m_fence and m_fence.group(1).startswith(fence):
                fence = None
            raw.parts.append(("text", text))
            continue
        if m_fence:
            fence = m_fence.group(1)[0] * 3
            raw.parts.append(("text", text))
            last = None
            continue
        if last is not None:
            m = _QUOTE_RE.match(text)
            if m:
                last.feedback.append(m.group(1))
                continue
            if isinstance(last, RawOption) and not last.feedback and _CONTINUATION_RE.match(text):
                last.text += "\n" + text.strip()
                continue
        last = None
        m = _KEY_RE.match(text)
        if m:
            key, value = m.group(1).lower(), m.group(2)
            raw.parts.append(("break", ""))
            if key == "answer":
                weight, value = _split_weight(value)
                last = RawAnswer(number, weight, value)
                raw.answers.append(last)
                continue
            if key in raw.keys:
                report(number, KEY_TWICE, key=key.capitalize(), first_line=raw.keys[key][0])
                continue
            raw.keys[key] = (number, value)
            if key == "explanation":
                raw.explanation = [value]
                i = _scan_explanation(body, i, raw.explanation)
            elif key == "rubric":
                if value:
                    raw.rubric.append(value)
                i = _scan_rubric(body, i, raw.rubric)
            continue
        m = _TASK_RE.match(text)
        if m:
            weight, option_text = _split_weight(m.group(2) or "")
            last = RawOption(number, m.group(1) != " ", weight, option_text)
            raw.options.append(last)
            raw.parts.append(("break", ""))
            continue
        m = _PAIR_RE.match(text)
        if m:
            raw.pairs.append((number, m.group(1), m.group(2)))
            raw.parts.append(("pair", text))
            continue
        m = _NUMBERED_RE.match(text)
        if m:
            raw.numbered.append((number, m.group(1)))
            raw.parts.append(("numbered", text))
            continue
        raw.parts.append(("text", text))
    return raw


def _scan_explanation(body: list[tuple[int, str]], i: int, out: list[str]) -> int:
    fence: str | None = None
    while i < len(body):
        text = body[i][1]
        m_fence = _FENCE_RE.match(text)
        if fence is None:
            if _KEY_RE.match(text):
                break
            if m_fence:
                fence = m_fence.group(1)[0] * 3
        elif m_fence and m_fence.group(1).startswith(fence):
            fence = None
        out.append(text)
        i += 1
    return i


def _scan_rubric(body: list[tuple[int, str]], i: int, out: list[str]) -> int:
    while i < len(body):
        text = body[i][1]
        if not text.strip():
            i += 1
            continue
        m = _BULLET_RE.match(text)
        if not m:
            break
        out.append(m.group(1))
        i += 1
    return i


def _split_weight(text: str) -> tuple[str | None, str]:
    m = _WEIGHT_RE.match(text.strip())
    if m:
        return m.group(1), m.group(2).strip()
    return None, text.strip()


def strip_blank_lines(text: str) -> str:
    """``text`` without blank lines at either end and without trailing spaces."""
    lines = text.split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(line.rstrip() for line in lines)


def feedback_text(lines: list[str]) -> str:
    """The ``>`` feedback lines of an option or answer as one Markdown text."""
    return strip_blank_lines("\n".join(lines))


def weight_of(raw_weight: str, line: int, report: Report, lo: int = -100) -> Decimal | None:
    """The fraction of a written ``(50%)`` weight, or ``None`` (reported) when it is not usable."""
    try:
        fraction = weight_to_fraction(raw_weight)
    except (InvalidOperation, ValueError):
        report(line, WEIGHT_NOT_NUMBER, weight=raw_weight)
        return None
    if not weight_in_range(fraction, lo):
        report(line, WEIGHT_OUT_OF_RANGE, weight=raw_weight, low=lo)
        return None
    return fraction
