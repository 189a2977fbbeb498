"""YAML front matter: ``---`` / YAML / ``---`` at the top of a Markdown file."""
from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from .problems import Problem


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

    A file without front matter has empty ``meta``. Malformed YAML, or front
    matter that is not a mapping, is reported with the file line.
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
    try:
        meta = yaml.safe_load(raw) if raw.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = (mark.line + 2) if mark is not None else 1
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return Document(
            path, {}, body, body_line,
            [Problem(path, line, f"front matter is not valid YAML: {reason}")],
        )
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        return Document(
            path, {}, body, body_line,
            [Problem(path, 2, "front matter must be a set of 'key: value' lines")],
        )
    return Document(path, meta, body, body_line)
