"""Rendered HTML as the plain text a reader reads, paragraph by paragraph (pure).

Comparing two versions of a lesson "as learners see it" compares these paragraphs
(:mod:`lms.core.text_diff`): Markdown syntax, attributes and tags are gone, a list item
starts with "•", table cells are separated by "|" and an image shows its alternative text.
"""
from __future__ import annotations

import posixpath
import re
from html.parser import HTMLParser

#: elements that start a paragraph of their own
_BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "div", "dl", "dt", "figcaption",
    "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "ol", "p", "pre", "section",
    "summary", "table", "tbody", "thead", "tfoot", "tr", "ul",
})
_CELLS = frozenset({"td", "th"})
_HIDDEN = frozenset({"script", "style", "template"})
_SPACES = re.compile(r"\s+")


class _Paragraphs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.current: list[str] = []
        self.hidden = 0
        self.pre = 0
        self.cells = 0

    def flush(self) -> None:
        text = "".join(self.current)
        self.current = []
        if self.pre:
            self.paragraphs.extend(line.rstrip() for line in text.split("\n") if line.strip())
            return
        text = _SPACES.sub(" ", text).strip()
        if text and text != "•":
            self.paragraphs.append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
            return
        if tag in _BLOCKS:
            self.flush()
            if tag == "tr":
                self.cells = 0
            if tag == "li":
                self.current.append("• ")
            if tag == "pre":
                self.pre += 1
        elif tag in _CELLS:
            if self.cells:
                self.current.append(" | ")
            self.cells += 1
        elif tag == "img":
            values = dict(attrs)
            name = values.get("alt") or posixpath.basename(values.get("src") or "")
            if name:
                self.current.append(f" [{name}] ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
            return
        if tag in _BLOCKS:
            self.flush()
            if tag == "pre":
                self.pre = max(0, self.pre - 1)

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.current.append(data)


def paragraphs(html: str) -> list[str]:
    """The text of ``html``, one string per paragraph, list item, heading or table row."""
    if not html:
        return []
    parser = _Paragraphs()
    parser.feed(html)
    parser.close()
    parser.flush()
    return parser.paragraphs
