"""Job aids: one-page sheets a learner prints and takes to work, written in Markdown in the course.

A course keeps its job aids in the top-level folder :data:`AIDS_FOLDER` (``aids/``), one
file per aid and language: ``aids/promise-log.md`` in the course's language,
``aids/promise-log.en.md`` and ``aids/promise-log.ar.md`` beside it. The folder name is
reserved, so it is never taken for a module. Each aid has a ``title:`` in its front matter
and a body short enough for one A4 page (:data:`MAX_CHARACTERS`, :data:`MAX_LINES`).

A lesson links to an aid like to any course file, ``[Promise log](../aids/promise-log.md)``;
the loader turns the link into the address of the aid's PDF, and the learner's pages draw
the PDF in the learner's language (:mod:`lms.learn.aids`).

This module is pure: it turns an aid's Markdown (through the course's own renderer,
:func:`lms.core.render.render_markdown`, so an aid allows what a lesson allows) into
:class:`Block` s a PDF writer lays out, and measures them against the one-page limit.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from .frontmatter import MISSING_TITLE, UNKNOWN_KEY, Document
from .problems import Problem, define
from .render import render_markdown

AIDS_FOLDER = "aids"
"""The top-level folder of a course that holds its job aids (a reserved name: never a module)."""
AID_KEYS = frozenset({"title"})
"""The front matter keys of a job aid."""

MAX_CHARACTERS = 2600
"""The most text a job aid may hold (letters, spaces and digits that are shown, headings included)."""
MAX_LINES = 52
"""The most printed lines a job aid may take, wrapped at :data:`LINE_CHARACTERS` (see :func:`measure`)."""
LINE_CHARACTERS = 95
"""Characters in a full-width line when an aid is measured; the PDF's smallest type fits more."""
WRITING_LINES = 2
"""The lines a table row with blank cells takes: a form to fill in by hand needs room to write."""

NOT_AN_AID = define("aid.not-an-aid", "the aids folder holds job aids only: one Markdown file per aid and language, "
                                      "such as aids/promise-log.md and aids/promise-log.en.md, with no sub-folders")
BAD_AID_NAME = define("aid.bad-name", "job aid file names must use a-z, 0-9 and '-' (for example aids/promise-log.md)")
AID_NO_ORIGINAL = define("aid.no-original",
                         "job aid translation without an original: add aids/%(name)s.md in the course's language")
AID_TOO_LONG = define("aid.too-long", "a job aid must fit on one printed page: this one has %(characters)s characters "
                                      "in %(lines)s lines (at most %(max_characters)s characters and %(max_lines)s "
                                      "lines); shorten it or split it into two aids")
AID_IMAGE = define("aid.image", "a job aid cannot show images (it is printed as text); describe the picture in words "
                                "or put the image in a lesson")
AID_EMPTY = define("aid.empty", "the job aid has no text")


@dataclass(frozen=True)
class Run:
    """A piece of text in one style."""

    text: str
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class Block:
    """One printed block of an aid.

    ``kind`` is ``heading`` (``level`` 2 or 3), ``paragraph``, ``item`` (a list item: ``marker``
    is ``•``, a number such as ``3.``, or ``box``/``done`` for a checklist; ``level`` counts nesting
    from 0), ``quote`` (a blockquote or a note), ``table`` (``rows``: each a tuple of cells,
    each cell a tuple of runs; ``header`` rows come first) or ``rule``.
    """

    kind: str
    runs: tuple[Run, ...] = ()
    level: int = 0
    marker: str = ""
    rows: tuple[tuple[tuple[Run, ...], ...], ...] = ()
    header: int = 0

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


@dataclass(frozen=True)
class Aid:
    """A parsed job aid: its title and its blocks."""

    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Size:
    """How much of a page an aid takes: shown characters and estimated printed lines."""

    characters: int
    lines: int

    @property
    def fits(self) -> bool:
        return self.characters <= MAX_CHARACTERS and self.lines <= MAX_LINES


_SPACES = re.compile(r"\s+")
_CONTAINERS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "th", "td", "dt", "dd", "pre"}


@dataclass
class _Cell:
    runs: list[Run] = field(default_factory=list)


class _BlockParser(HTMLParser):
    """Sanitised lesson HTML (from :func:`render_markdown`) as a flat list of :class:`Block` s."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.images = 0
        self._runs: list[Run] | None = None
        self._kind = "paragraph"
        self._level = 0
        self._marker = ""
        self._bold = 0
        self._italic = 0
        self._skip = 0  # inside the checklist's drawn box: the marker says it
        self._lists: list[list[int | str]] = []  # [tag, next number]
        self._quote = 0
        self._pre = 0
        self._rows: list[tuple[tuple[Run, ...], ...]] | None = None
        self._row: list[tuple[Run, ...]] | None = None
        self._header = 0
        self._in_head = False
        self._titled = False  # inside a note's title, shown in bold

    # -- text ----------------------------------------------------------------
    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._runs is None:
            if not data.strip():
                return
            self._open("quote" if self._quote else "paragraph")
        text = data if self._pre else _SPACES.sub(" ", data)
        assert self._runs is not None  # _open made it
        self._runs.append(Run(text, self._bold > 0, self._italic > 0))

    def _open(self, kind: str, level: int = 0, marker: str = "") -> None:
        self._flush()
        self._runs, self._kind, self._level, self._marker = [], kind, level, marker

    def _flush(self) -> None:
        runs, self._runs = self._runs, None
        if runs is None:
            return
        runs = _tidy(runs)
        if not runs:
            return
        if self._row is not None:
            self._row.append(tuple(runs))
            return
        self.blocks.append(Block(self._kind, tuple(runs), self._level, self._marker))

    # -- tags ----------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag in ("strong", "b"):
            self._bold += 1
        elif tag in ("em", "i"):
            self._italic += 1
        elif tag == "br" and self._runs is not None:
            self._runs.append(Run(" "))
        elif tag == "img":
            self.images += 1
        elif tag == "span" and "task-box" in (attributes.get("class") or ""):
            self._skip += 1
        elif tag in ("ul", "ol"):
            self._flush()
            start = attributes.get("start")
            self._lists.append([tag, int(start) if start and start.isdigit() else 1])
        elif tag == "li":
            classes = attributes.get("class") or ""
            if "task" in classes.split():
                marker = "done" if "task-done" in classes.split() else "box"
            elif self._lists and self._lists[-1][0] == "ol":
                number = int(self._lists[-1][1])
                self._lists[-1][1] = number + 1
                marker = f"{number}."
            else:
                marker = "•"
            self._open("item", max(len(self._lists) - 1, 0), marker)
        elif tag in ("blockquote",) or (tag == "div" and "admonition" in (attributes.get("class") or "")):
            self._flush()
            self._quote += 1
        elif tag == "table":
            self._flush()
            self._rows, self._header = [], 0
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr" and self._rows is not None:
            self._row = []
        elif tag in ("th", "td") and self._row is not None:
            self._runs = []
        elif tag == "hr":
            self._flush()
            self.blocks.append(Block("rule"))
        elif tag == "pre":
            self._pre += 1
            self._open("quote" if self._quote else "paragraph")
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._open("heading", 2 if tag in ("h1", "h2") else 3)
        elif tag in _CONTAINERS and not (self._runs is not None and self._kind == "item"):
            # a paragraph inside a list item continues the item
            self._open("quote" if self._quote else "paragraph")
            if tag == "p" and "admonition-title" in (attributes.get("class") or ""):
                self._bold += 1
                self._titled = True

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("strong", "b"):
            self._bold = max(self._bold - 1, 0)
        elif tag in ("em", "i"):
            self._italic = max(self._italic - 1, 0)
        elif tag == "span" and self._skip:
            self._skip -= 1
        elif tag in ("ul", "ol"):
            self._flush()
            if self._lists:
                self._lists.pop()
        elif tag == "li":
            self._flush()
        elif tag == "blockquote" or (tag == "div" and self._quote):
            self._flush()
            self._quote = max(self._quote - 1, 0)
        elif tag in ("th", "td") and self._row is not None:
            cell = _tidy(self._runs or [])
            self._runs = None
            self._row.append(tuple(cell))
        elif tag == "tr" and self._rows is not None and self._row is not None:
            if self._row:
                self._rows.append(tuple(self._row))
                if self._in_head:
                    self._header += 1
            self._row = None
        elif tag == "thead":
            self._in_head = False
        elif tag == "table" and self._rows is not None:
            if self._rows:
                self.blocks.append(Block("table", rows=tuple(self._rows), header=self._header))
            self._rows = None
        elif tag == "pre":
            self._pre = max(self._pre - 1, 0)
            self._flush()
        elif tag in _CONTAINERS and tag not in ("th", "td") and not (self._kind == "item" and tag in ("p", "dd", "dt")):
            self._flush()
            if tag == "p" and self._titled:
                self._bold, self._titled = max(self._bold - 1, 0), False


def _tidy(runs: list[Run]) -> list[Run]:
    """Merge neighbouring runs of one style, collapse doubled spaces, trim the ends."""
    merged: list[Run] = []
    for run in runs:
        if merged and (merged[-1].bold, merged[-1].italic) == (run.bold, run.italic):
            merged[-1] = Run(merged[-1].text + run.text, run.bold, run.italic)
        else:
            merged.append(run)
    tidied: list[Run] = []
    for run in merged:
        text = run.text
        if tidied and tidied[-1].text.endswith(" ") and text.startswith(" "):
            text = text.lstrip(" ")
        if text:
            tidied.append(Run(text, run.bold, run.italic))
    if tidied:
        tidied[0] = Run(tidied[0].text.lstrip(), tidied[0].bold, tidied[0].italic)
        tidied[-1] = Run(tidied[-1].text.rstrip(), tidied[-1].bold, tidied[-1].italic)
    return [run for run in tidied if run.text]


def blocks_of(markdown_text: str) -> tuple[tuple[Block, ...], int]:
    """The printed blocks of an aid's Markdown body, and how many images it tried to show."""
    parser = _BlockParser()
    parser.feed(render_markdown(markdown_text).html)
    parser.close()
    parser._flush()
    return tuple(parser.blocks), parser.images


def parse_aid(document: Document) -> Aid:
    """The aid in a split Markdown file (its problems are :func:`check_aid`'s business)."""
    title = document.meta.get("title")
    blocks, _images = blocks_of(document.body)
    return Aid(str(title).strip() if title is not None else "", blocks)


def _lines(text: str, width: int) -> int:
    return max(1, math.ceil(len(text) / max(width, 1)))


def measure(aid: Aid) -> Size:
    """The characters an aid shows and the lines it takes when wrapped at :data:`LINE_CHARACTERS`.

    The title counts two lines, a heading one more than its text (the space above it),
    a list item's line is a little shorter (its marker's indent), and a table row takes
    as many lines as its longest cell wrapped in its share of the width.
    """
    characters = len(aid.title)
    lines = 2 * _lines(aid.title, LINE_CHARACTERS // 2)
    for block in aid.blocks:
        if block.kind == "table":
            columns = max(len(row) for row in block.rows)
            width = LINE_CHARACTERS // columns - 2
            for number, row in enumerate(block.rows):
                texts = ["".join(run.text for run in cell) for cell in row]
                characters += sum(len(text) for text in texts)
                blank = number >= block.header and any(not text for text in texts)
                lines += max(*(_lines(text, width) for text in texts), WRITING_LINES if blank else 1)
            lines += 1
            continue
        text = block.text
        characters += len(text)
        if block.kind == "heading":
            lines += _lines(text, LINE_CHARACTERS) + 1
        elif block.kind == "item":
            lines += _lines(text, LINE_CHARACTERS - 5 * (block.level + 1))
        elif block.kind == "quote":
            lines += _lines(text, LINE_CHARACTERS - 8) + 1
        elif block.kind == "rule":
            lines += 1
        else:
            lines += _lines(text, LINE_CHARACTERS)
    return Size(characters, lines)


def check_aid(document: Document, path: str) -> list[Problem]:
    """What is wrong with one aid file (front matter problems are the loader's): ``path`` is shown."""
    problems: list[Problem] = []
    for key in sorted(set(document.meta) - AID_KEYS):
        problems.append(Problem.of(path, 1, UNKNOWN_KEY, key=key, known=sorted(AID_KEYS)))
    title = document.meta.get("title")
    if not isinstance(title, str) or not title.strip():
        problems.append(Problem.of(path, 1, MISSING_TITLE))
        title = ""
    blocks, images = blocks_of(document.body)
    if images:
        line = next((number for number, text in enumerate(document.body.split("\n")) if "![" in text), 0)
        problems.append(Problem.of(path, document.file_line(line), AID_IMAGE))
    if not blocks:
        problems.append(Problem.of(path, document.body_line, AID_EMPTY))
    size = measure(Aid(title.strip(), blocks))
    if not size.fits:
        problems.append(Problem.of(path, 0, AID_TOO_LONG, characters=size.characters, lines=size.lines,
                                   max_characters=MAX_CHARACTERS, max_lines=MAX_LINES))
    return problems
