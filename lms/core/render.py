"""Markdown to safe HTML: python-markdown, then an allow-list sanitiser (nh3).

Links and image sources inside the Markdown are handed to a resolver so that
content can point at other lessons and at images of the course folder by
their file names; what the resolver cannot resolve is recorded, and the
checker reports it with its line.
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
from markdown.treeprocessors import Treeprocessor

MARKDOWN_EXTENSIONS = ["tables", "fenced_code", "admonition", "attr_list", "sane_lists", "def_list"]

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt",
    "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "mark", "ol", "p",
    "pre", "s", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "u", "ul", "input",
}
ALLOWED_ATTRIBUTES = {
    "*": {"class", "id", "title", "lang", "dir"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height", "loading"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "ol": {"start"},
    "input": {"type", "checked", "disabled"},
}
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


class _LinkExtension(Extension):
    def __init__(self, resolver, broken, source):
        super().__init__()
        self.resolver, self.broken, self.source = resolver, broken, source

    def extendMarkdown(self, md):  # noqa: N802 (python-markdown API)
        md.treeprocessors.register(_LinkProcessor(md, self.resolver, self.broken, self.source), "lms_links", 1)


def _filter_attribute(tag: str, attr: str, value: str) -> str | None:
    if attr == "class" and not _CLASS_OK.match(value):
        return None
    if tag == "input" and attr == "type" and value != "checkbox":
        return None
    return value


def sanitize(html: str) -> str:
    """Clean HTML with an allow-list: no script, no event handlers, no styles."""
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


_LOCAL = threading.local()


def _converter() -> tuple[markdown.Markdown, _LinkProcessor]:
    """One Markdown converter per thread, reused: building one costs more than converting."""
    cached = getattr(_LOCAL, "converter", None)
    if cached is None:
        extension = _LinkExtension(None, [], "")
        md = markdown.Markdown(extensions=[*MARKDOWN_EXTENSIONS, extension])
        cached = _LOCAL.converter = (md, md.treeprocessors["lms_links"])
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
    # Checklists in lessons render as (disabled) check boxes.
    html = _TASK.sub(
        lambda m: '<li class="task"><input type="checkbox" disabled%s> '
        % (" checked" if m.group(1) != " " else ""),
        html,
    )
    clean = sanitize(html)
    text_length = len(re.sub(r"<[^>]+>", "", clean))
    return Rendered(clean, broken, text_length)


def render_inline(source: str) -> str:
    """Render a short Markdown fragment (a question, an option) without the outer <p>."""
    html = render_markdown(source).html.strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html
