"""Accepted warnings: a marker in a content file says the author has seen a warning and means it (pure).

A warning points at something that works but probably teaches less than it should. When the
author decides it is right (a reply that costs a competency but may still pass, on purpose), a
marker accepts it: the checker still lists the warning, as *accepted*, and it never fails
``courses check --strict``. Errors cannot be accepted.

Where a marker is written decides what it covers (each marker names one or more warning codes,
separated by commas or spaces):

- ``<!-- accept: CODE -->`` at the end of a line (a reply, a route, an option): the warnings
  reported at that line;
- the same marker at the end of a section's heading (a scenario step, a quiz question) or on a
  line of its own inside it: every warning reported in that section, from its heading to the next;
- the same marker on a line of its own before the first section, or ``accept: [CODE, ...]`` in
  the front matter: the whole file;
- ``# accept: CODE`` at the end of a front matter line (a YAML comment): the warnings reported
  at that line (a declared variable, say).

A marker may leave out a code's ``scenario.`` prefix (``never-offered`` for
``scenario.never-offered``). The parsers take the markers out of the text, so a learner never
sees them; :func:`accept` marks the warnings they cover.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from .problems import WARNING, Problem, define

#: ``<!-- accept: code, code -->`` anywhere in a line of the body
MARKER_RE = re.compile(r"<!--\s*accept\s*:\s*(?P<codes>[^>]*?)\s*-->", re.IGNORECASE)
#: ``# accept: code`` at the end of a front matter line
YAML_MARKER_RE = re.compile(r"(?:^|\s)#\s*accept\s*:\s*(?P<codes>[\w.,\s-]*?)\s*$", re.IGNORECASE)
_SPLIT_RE = re.compile(r"[,\s]+")

UNKNOWN_CODE = define("accept.unknown-code", "the accept marker names '%(code)s', which is none of the warnings "
                                             "this file can have (%(known)s); errors cannot be accepted")
BAD_LIST = define("accept.bad-list", "'accept:' lists warning codes to accept in the whole file, e.g. "
                                     "'accept: [position-bias]'")
EMPTY_MARKER = define("accept.empty", "the accept marker names no warning; write e.g. "
                                      "'<!-- accept: condemned-reply-passes -->'")


@dataclass(frozen=True)
class Acceptance:
    """A marker: the codes it accepts, where it is written, and the lines it covers.

    ``first``/``last`` are the file lines covered (inclusive); ``whole_file`` covers every line.
    """

    codes: tuple[str, ...]
    line: int
    first: int = 0
    last: int = 0
    whole_file: bool = False

    def names(self, code: str) -> bool:
        return any(code == c or code.endswith("." + c) for c in self.codes)

    def covers(self, problem: Problem) -> bool:
        if not self.names(problem.code):
            return False
        return self.whole_file or self.first <= problem.line <= self.last

    def to_dict(self) -> dict[str, Any]:
        return {"codes": list(self.codes), "line": self.line, "first": self.first, "last": self.last,
                "whole_file": self.whole_file}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Acceptance:
        return cls(tuple(data.get("codes", ())), int(data.get("line", 0)), int(data.get("first", 0)),
                   int(data.get("last", 0)), bool(data.get("whole_file", False)))


def split_codes(text: str) -> tuple[str, ...]:
    return tuple(c for c in _SPLIT_RE.split(text.strip()) if c)


def take_marker(text: str) -> tuple[str, tuple[str, ...]] | None:
    """``text`` without its ``<!-- accept: ... -->`` markers, and the codes they name; None without one."""
    found = list(MARKER_RE.finditer(text))
    if not found:
        return None
    codes = tuple(c for m in found for c in split_codes(m.group("codes")))
    return MARKER_RE.sub("", text).rstrip(), codes


def body_marker(codes: tuple[str, ...], line: int, rest: str, section: tuple[int, int] | None) -> Acceptance:
    """The acceptance of a marker at ``line``: the line itself when ``rest`` (the line without the marker)
    has text, else the ``section`` (first, last line) it is in, or the whole file outside any section."""
    if rest.strip():
        return Acceptance(codes, line, line, line)
    if section is None:
        return Acceptance(codes, line, whole_file=True)
    return Acceptance(codes, line, section[0], section[1])


def front_matter_acceptances(value: Any, key_line: int, front_lines: Iterable[str]
                             ) -> tuple[list[Acceptance], bool]:
    """The acceptances of a front matter: its ``accept:`` key (``value``, at ``key_line``) and its
    ``# accept: ...`` comments (``front_lines`` are the file's lines up to the body). The flag says
    whether ``accept:`` was given but is not a list of codes (a problem of the front matter)."""
    found: list[Acceptance] = []
    bad = False
    if value is not None:
        items = [value] if isinstance(value, str) else value
        if isinstance(items, list) and all(isinstance(v, str) for v in items):
            codes = tuple(c for v in items for c in split_codes(v))
            if codes:
                found.append(Acceptance(codes, key_line, whole_file=True))
        else:
            bad = True
    for number, text in enumerate(front_lines, start=1):
        m = YAML_MARKER_RE.search(text)
        if m and split_codes(m.group("codes")):
            found.append(Acceptance(split_codes(m.group("codes")), number, number, number))
    return found, bad


def accept(problems: Iterable[Problem], acceptances: Iterable[Acceptance],
           whole_file_codes: frozenset[str] = frozenset()) -> list[Problem]:
    """``problems`` with every warning a marker covers marked ``accepted``.

    A code in ``whole_file_codes`` concerns the file as a whole (a quiz's position bias): only a
    whole-file marker accepts it, not one that happens to cover the line it is reported at.
    """
    markers = list(acceptances)
    out = []
    for problem in problems:
        if problem.severity == WARNING and not problem.accepted and any(
                m.covers(problem) and (m.whole_file or problem.code not in whole_file_codes) for m in markers):
            problem = replace(problem, accepted=True)
        out.append(problem)
    return out


def marker_problems(path: str, acceptances: Iterable[Acceptance], known: Iterable[str]) -> list[Problem]:
    """Warnings for markers that name no warning the file's checks give (a typo accepts nothing)."""
    known = sorted(set(known))
    found = []
    for marker in acceptances:
        if not marker.codes:
            found.append(Problem.warning(path, marker.line, EMPTY_MARKER))
        for code in marker.codes:
            if not any(k == code or k.endswith("." + code) for k in known):
                found.append(Problem.warning(path, marker.line, UNKNOWN_CODE, code=code, known=known))
    return found
