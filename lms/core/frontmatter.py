"""YAML front matter: ``---`` / YAML / ``---`` at the top of a Markdown file.

Course files come from trainers' folders and zips, so their YAML is untrusted:
:func:`load_yaml` is the one way course content is parsed. It refuses anchors
and aliases (``&name``/``*name``: a few hundred bytes of nested aliases expand
into gigabytes once the data is walked, and course files never need them),
refuses nesting deeper than :data:`MAX_YAML_DEPTH`, and builds plain values
only (``yaml.SafeLoader``). Front matter longer than :data:`MAX_FRONT_MATTER_BYTES`
is refused before it is parsed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, cast

import yaml
from yaml.events import AliasEvent, Event, NodeEvent

from .problems import Problem, define

MAX_FRONT_MATTER_BYTES = 64 * 1024
"""Front matter is a title and a few settings; 64 KB leaves room for long lists."""
MAX_YAML_DEPTH = 32
"""Nesting of lists and mappings; course settings go three or four levels deep."""

UNCLOSED = define("front-matter.unclosed", "front matter starts with '---' but has no closing '---' line")
TOO_LARGE = define("front-matter.too-large",
                   "front matter is %(size)s KB, over the limit of %(limit)s KB; move long text into the body")
ALIASES_REFUSED = define("front-matter.aliases", "front matter: YAML anchors and aliases (& and *) are not allowed "
                                                 "in course files; write the value out in full")
TOO_DEEP = define("front-matter.too-deep", "front matter: lists and mappings are nested more than %(depth)s levels deep")
INVALID_YAML = define("front-matter.invalid", "front matter is not valid YAML: %(reason)s")
NOT_A_MAPPING = define("front-matter.not-a-mapping", "front matter must be a set of 'key: value' lines")
#: for the checks of each kind of file (course.md, module.md, lessons, quizzes, scenarios)
UNKNOWN_KEY = define("front-matter.unknown-key", "unknown front matter key '%(key)s' (known: %(known)s)")
MISSING_TITLE = define("front-matter.missing-title", "missing 'title:' in the front matter")


class RefusedYaml(yaml.composer.ComposerError):
    """Well-formed YAML that course files may not use; ``code`` and ``params`` say why."""

    def __init__(self, code: str, mark: yaml.Mark | None, **params: Any) -> None:
        super().__init__(None, None, code, mark)
        self.code, self.params = code, params


class CourseYamlLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` without anchors, aliases or deep nesting."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):  # noqa: ANN001, ANN201 (PyYAML's API)
        event = self.peek_event()
        if isinstance(event, AliasEvent) or (isinstance(event, NodeEvent) and event.anchor is not None):
            raise RefusedYaml(ALIASES_REFUSED, _mark(event))
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                raise RefusedYaml(TOO_DEEP, _mark(event), depth=MAX_YAML_DEPTH)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _mark(event: Event) -> yaml.Mark | None:
    """Where ``event`` starts. The stubs also allow libyaml's mark type; SafeLoader, a pure-Python
    loader, always makes a ``yaml.Mark``."""
    return cast("yaml.Mark | None", event.start_mark)


def load_yaml(text: str) -> Any:
    """Parse untrusted YAML from a course file into plain values.

    Raises ``yaml.YAMLError`` (with ``problem_mark`` set where known) for
    malformed YAML, anchors, aliases and deep nesting.
    """
    loader = CourseYamlLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


@dataclass
class Document:
    """A Markdown file split into its front matter and its body.

    ``body_line`` is the 1-based line number of the body's first line in the
    file, so parsers of the body can report problems at file lines.
    """

    path: str
    meta: dict
    body: str
    body_line: int
    problems: list[Problem] = field(default_factory=list)
    source: str = ""

    def file_line(self, body_offset: int) -> int:
        """File line of the body's ``body_offset``-th line (0-based)."""
        return self.body_line + body_offset


def split_front_matter(text: str, path: str) -> Document:
    """Split ``text`` into front matter and body, collecting problems.

    A file without front matter has empty ``meta``. Malformed YAML, YAML
    anchors and aliases, oversized front matter, or front matter that is not
    a mapping, is reported with the file line.
    """
    text = text.lstrip("\ufeff")
    document = _split(text, path)
    document.source = text
    return document


def _split(text: str, path: str) -> Document:
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return Document(path, {}, text, 1)
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            break
    else:
        return Document(
            path, {}, text, 1,
            [Problem.of(path, 1, UNCLOSED)],
        )
    raw = "\n".join(lines[1:end])
    body = "\n".join(lines[end + 1:])
    body_line = end + 2
    size = len(raw.encode("utf-8", "surrogatepass"))
    if size > MAX_FRONT_MATTER_BYTES:
        return Document(
            path, {}, body, body_line,
            [Problem.of(path, 1, TOO_LARGE, size=size // 1024, limit=MAX_FRONT_MATTER_BYTES // 1024)],
        )
    try:
        meta = load_yaml(raw) if raw.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = (mark.line + 2) if mark is not None else 1
        if isinstance(exc, RefusedYaml):
            problem = Problem.of(path, line, exc.code, **exc.params)
        else:
            problem = Problem.of(path, line, INVALID_YAML,
                                 reason=getattr(exc, "problem", None) or str(exc).splitlines()[0])
        return Document(path, {}, body, body_line, [problem])
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        return Document(
            path, {}, body, body_line,
            [Problem.of(path, 2, NOT_A_MAPPING)],
        )
    return Document(path, meta, body, body_line)


def front_matter_line(source: str, key: str, subkey: str | None = None) -> int:
    """The line of ``key:`` (and of ``subkey:`` under it) in a file's front matter; 1 if not found."""
    lines = source.split("\n")
    found = 1
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() in ("---", "..."):
            break
        if found == 1 and re.match(rf"{re.escape(key)}\s*:", line):
            found = number
            if subkey is None or re.search(rf"[{{,]\s*{re.escape(subkey)}\s*:", line):
                return number
        elif found > 1 and subkey is not None:
            if line and not line[0].isspace():
                break
            if re.match(rf"\s+{re.escape(subkey)}\s*:", line):
                return number
    return found
