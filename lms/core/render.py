"""Markdown to safe HTML: python-markdown, then an allow-list sanitiser (nh3).

Links and image sources inside the Markdown are handed to a resolver so that
content can point at other lessons and at images of the course folder by
their file names; what the resolver cannot resolve is recorded, and the
checker reports it with its line.

Raw HTML written into the Markdown never reaches the output as HTML. A few
inline tags (:data:`AUTHOR_TAGS`: ``<kbd>``, ``<sub>``, ``<mark>``...) are kept
when they open and close within one paragraph, ``<br>`` is kept, comments and
``<script>``/``<style>`` with their content are dropped, and every other tag
is dropped while its text stays. A browser's HTML parser treats some tags as
swallowing everything after them (``<textarea>``, ``<title>``, ``<plaintext>``,
an unclosed ``<details>``), so passing raw HTML on, even to a sanitiser, could
hide the rest of a lesson; and a lesson holds no form controls.
"""
from __future__ import annotations

import re
import threading
import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import dataclass, field

import markdown
import nh3
from markdown.extensions import Extension
from markdown.inlinepatterns import HTML_RE, InlineProcessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

MARKDOWN_EXTENSIONS = ["tables", "fenced_code", "admonition", "attr_list", "sane_lists", "def_list"]

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt",
    "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "mark", "ol", "p",
    "pre", "s", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "u", "ul",
}
ALLOWED_ATTRIBUTES = {
    "*": {"class", "id", "title", "lang", "dir"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height", "loading"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "ol": {"start"},
}
#: Raw HTML tags an author may write in Markdown, each opened and closed within one paragraph.
AUTHOR_TAGS = {"abbr", "b", "del", "em", "i", "kbd", "mark", "s", "small", "strong", "sub", "sup", "u"}
#: Raw HTML elements dropped together with their content.
_DROPPED_WITH_CONTENT = {"script", "style"}
# attr_list lets authors set classes and ids; nothing that can run script.
_CLASS_OK = re.compile(r"^[A-Za-z0-9 _-]{0,80}$")

#: A resolver gets the raw link target and whether it is an image, and returns
#: the URL to use, or None when the target does not exist.
Resolver = Callable[[str, bool], "str | None"]

_EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//|#)", re.I)


@dataclass
class Rendered:
    html: str
    broken_links: list[tuple[str, int]] = field(default_factory=list)
    text_length: int = 0


class _LinkProcessor(Treeprocessor):
    def __init__(self, md, resolver: Resolver | None, broken: list[tuple[str, int]], source: str):
        super().__init__(md)
        self.resolver = resolver
        self.broken = broken
        self.source = source

    def _line_of(self, target: str) -> int:
        index = self.source.find(target)
        return self.source.count("\n", 0, index) if index >= 0 else 0

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            if element.tag == "a":
                attr, is_image = "href", False
            elif element.tag == "img":
                attr, is_image = "src", True
                element.set("loading", "lazy")
            else:
                continue
            target = element.get(attr, "")
            if not target or _EXTERNAL.match(target) or self.resolver is None:
                if element.tag == "a" and target.lower().startswith(("http://", "https://")):
                    element.set("rel", "noopener noreferrer")
                continue
            resolved = self.resolver(target, is_image)
            if resolved is None:
                self.broken.append((target, self._line_of(target)))
            else:
                element.set(attr, resolved)


_TAG_NAME = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)")
_TITLE = re.compile(r"""\stitle\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
_ANY_TAG = re.compile(HTML_RE, re.S)


class _AuthorHtml(InlineProcessor):
    """Raw HTML in a paragraph: keep the allowed inline pairs and ``<br>``, drop the rest (see the module)."""

    # python-markdown's InlineProcessor.handleMatch takes (m, data) where its base Pattern takes (m): the
    # library's own stubs silence the same override error
    def handleMatch(  # type: ignore[override]  # noqa: N802 (python-markdown API)
            self, m: re.Match[str], data: str) -> tuple[etree.Element | str | None, int | None, int | None]:
        name_match = _TAG_NAME.match(m.group(0))
        if name_match is None:  # a comment, a processing instruction, CDATA
            return "", m.start(0), m.end(0)
        closing, name = name_match.group(1), name_match.group(2).lower()
        if closing:
            return "", m.start(0), m.end(0)
        if name == "br":
            return etree.Element("br"), m.start(0), m.end(0)
        if name in AUTHOR_TAGS or name in _DROPPED_WITH_CONTENT:
            end = re.compile(rf"</{name}\s*>", re.I).search(data, m.end(0))
            if end is None:
                return "", m.start(0), m.end(0)
            if name in _DROPPED_WITH_CONTENT:
                return "", m.start(0), end.end(0)
            element = etree.Element(name)
            element.text = _ANY_TAG.sub("", data[m.end(0):end.start(0)])
            title = _TITLE.search(m.group(0)) if name == "abbr" else None
            if title:
                element.set("title", title.group(1) if title.group(1) is not None else title.group(2))
            return element, m.start(0), end.end(0)
        return "", m.start(0), m.end(0)


class _BlockComments(Preprocessor):
    """Drop ``<!-- ... -->`` comments that start a line (they may span paragraphs); lines keep their numbers."""

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        kept: list[str] = []
        position = 0
        while (start := text.find("<!--", position)) >= 0:
            if start > 0 and text[start - 1] != "\n":
                kept.append(text[position:start + 4])
                position = start + 4
                continue
            end = text.find("-->", start + 4)
            if end < 0:
                break  # no comment closes after here
            kept.append(text[position:start] + "\n" * text.count("\n", start, end))
            position = end + 3
        kept.append(text[position:])
        return "".join(kept).split("\n")


class _LinkExtension(Extension):
    def __init__(self, resolver, broken, source):
        super().__init__()
        self.resolver, self.broken, self.source = resolver, broken, source

    def extendMarkdown(self, md):  # noqa: N802 (python-markdown API)
        md.treeprocessors.register(_LinkProcessor(md, self.resolver, self.broken, self.source), "lms_links", 1)
        # A raw HTML block would pass an unclosed tag, and everything after it, through unrendered.
        md.preprocessors.deregister("html_block")
        md.preprocessors.register(_BlockComments(md), "lms_block_comments", 20)
        md.inlinePatterns.deregister("html")
        md.inlinePatterns.register(_AuthorHtml(HTML_RE, md), "lms_author_html", 90)


def _filter_attribute(tag: str, attr: str, value: str) -> str | None:
    if attr == "class" and not _CLASS_OK.match(value):
        return None
    return value


def sanitize(html: str) -> str:
    """Clean HTML with an allow-list: no script, no event handlers, no styles, no form controls."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


_TASK = re.compile(r"<li>\[( |x|X)\] ")
_TASK_BOX = {" ": "\u2610", "x": "\u2611", "X": "\u2611"}  # ☐ ☑
_EMPTY_PARAGRAPH = re.compile(r"<p>\s*</p>\n?")


_LOCAL = threading.local()


def _converter() -> tuple[markdown.Markdown, _LinkProcessor]:
    """One Markdown converter per thread, reused: building one costs more than converting."""
    cached = getattr(_LOCAL, "converter", None)
    if cached is None:
        extension = _LinkExtension(None, [], "")
        md = markdown.Markdown(extensions=[*MARKDOWN_EXTENSIONS, extension])
        links = md.treeprocessors["lms_links"]
        assert isinstance(links, _LinkProcessor)  # _LinkExtension registered it under this name
        cached = _LOCAL.converter = (md, links)
    return cached


def render_markdown(source: str, resolver: Resolver | None = None) -> Rendered:
    """Render trainer-written Markdown to sanitised HTML.

    ``broken_links`` lists ``(target, body_line_offset)`` for relative links the
    resolver did not know; the offset is 0-based within ``source``.
    """
    broken: list[tuple[str, int]] = []
    md, links = _converter()
    links.resolver, links.broken, links.source = resolver, broken, source
    try:
        html = md.reset().convert(source)
    finally:
        links.resolver, links.broken, links.source = None, [], ""
    # Checklists in lessons show a ticked or empty box: a picture of one, not a form control.
    html = _TASK.sub(
        lambda m: f'<li class="task{" task-done" if m.group(1) != " " else ""}">'
                  f'<span class="task-box">{_TASK_BOX[m.group(1)]}</span> ',
        html,
    )
    html = _EMPTY_PARAGRAPH.sub("", html)  # a line that held only a dropped tag
    clean = sanitize(html)
    text_length = len(re.sub(r"<[^>]+>", "", clean))
    return Rendered(clean, broken, text_length)


def render_inline(source: str) -> str:
    """Render a short Markdown fragment (a question, an option) without the outer <p>."""
    html = render_markdown(source).html.strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html
