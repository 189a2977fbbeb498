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

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.events import AliasEvent, NodeEvent

from .problems import Problem

MAX_FRONT_MATTER_BYTES = 64 * 1024
"""Front matter is a title and a few settings; 64 KB leaves room for long lists."""
MAX_YAML_DEPTH = 32
"""Nesting of lists and mappings; course settings go three or four levels deep."""
ALIASES_REFUSED = "YAML anchors and aliases (& and *) are not allowed in course files; write the value out in full"


class RefusedYaml(yaml.composer.ComposerError):
    """Well-formed YAML that course files may not use."""


class CourseYamlLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` without anchors, aliases or deep nesting."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):  # noqa: ANN001, ANN201 (PyYAML's API)
        event = self.peek_event()
        if isinstance(event, AliasEvent) or (isinstance(event, NodeEvent) and event.anchor is not None):
            raise RefusedYaml(None, None, ALIASES_REFUSED, event.start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                raise RefusedYaml(
                    None, None, f"lists and mappings are nested more than {MAX_YAML_DEPTH} levels deep",
                    event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


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
            [Problem(path, 1, "front matter starts with '---' but has no closing '---' line")],
        )
    raw = "\n".join(lines[1:end])
    body = "\n".join(lines[end + 1:])
    body_line = end + 2
    size = len(raw.encode("utf-8", "surrogatepass"))
    if size > MAX_FRONT_MATTER_BYTES:
        return Document(
            path, {}, body, body_line,
            [Problem(path, 1, f"front matter is {size // 1024} KB, over the limit of "
                              f"{MAX_FRONT_MATTER_BYTES // 1024} KB; move long text into the body")],
        )
    try:
        meta = load_yaml(raw) if raw.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = (mark.line + 2) if mark is not None else 1
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        message = f"front matter: {reason}" if isinstance(exc, RefusedYaml) else \
            f"front matter is not valid YAML: {reason}"
        return Document(path, {}, body, body_line, [Problem(path, line, message)])
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        return Document(
            path, {}, body, body_line,
            [Problem(path, 2, "front matter must be a set of 'key: value' lines")],
        )
    return Document(path, meta, body, body_line)
