"""SVG drawings in a course: only shapes and text, checked before they are stored or served.

An SVG file is an XML document that a browser would happily run script from, load other
files for, or expand entity by entity until memory runs out. A course SVG is untrusted
input like every course file, so :func:`svg_problems` accepts a drawing only when it is

- well-formed XML with ``<svg>`` (in the SVG namespace) as its root,
- without a DOCTYPE or entity declarations (no "billion laughs", no external entities;
  the parser is ``defusedxml``'s, which refuses them before they expand),
- without processing instructions (``<?xml-stylesheet?>``),
- made only of the elements in :data:`ALLOWED_ELEMENTS` (shapes, text, groups, gradients,
  markers, clip paths and masks; no ``<script>``, ``<foreignObject>``, ``<image>``, ``<a>``,
  animation or fonts),
- without event handler attributes (``onload=``...), and with every reference
  (``href``, ``xlink:href``, ``url(...)`` in an attribute or a ``<style>``) pointing inside the
  file (``#id``), and no ``@import``.

The learner's pages show a course SVG through ``<img>`` (which never runs its script or
loads anything) and serve it with ``Content-Security-Policy: default-src 'none';
style-src 'unsafe-inline'`` for the case someone opens its address directly.
Each problem names its line.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler, feature_namespaces
from xml.sax.xmlreader import Locator

from defusedxml import DefusedXmlException
from defusedxml.expatreader import create_parser

from .problems import define

SVG_NAMESPACE = "http://www.w3.org/2000/svg"
XLINK_NAMESPACE = "http://www.w3.org/1999/xlink"
XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace"

ALLOWED_ELEMENTS = frozenset({
    "svg", "g", "defs", "title", "desc", "metadata", "style", "symbol", "use",
    "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
    "text", "tspan", "textPath",
    "linearGradient", "radialGradient", "stop", "pattern", "marker", "clipPath", "mask",
    "filter", "feGaussianBlur", "feOffset", "feBlend", "feFlood", "feComposite", "feMerge", "feMergeNode",
    "feColorMatrix", "feDropShadow",
})
"""Elements of the SVG namespace a course drawing may use."""

SVG_MALFORMED = define("svg.malformed", "the SVG is not well-formed XML: %(reason)s")
SVG_NOT_SVG = define("svg.not-svg", "the file is not an SVG drawing: its root element must be <svg> "
                                    "in the namespace http://www.w3.org/2000/svg")
SVG_DOCTYPE = define("svg.doctype", "the SVG declares a DOCTYPE or entities, which a course SVG may not; "
                                    "remove the <!DOCTYPE ...> line (export as plain SVG)")
SVG_INSTRUCTION = define("svg.processing-instruction",
                         "the SVG holds a processing instruction <?%(target)s ...?>, which a course SVG may not")
SVG_SCRIPT = define("svg.script", "the SVG holds a <script>; a course SVG may hold shapes and text only")
SVG_FOREIGN = define("svg.foreign-object", "the SVG holds a <foreignObject> (HTML inside the drawing); "
                                           "a course SVG may hold shapes and text only")
SVG_ELEMENT = define("svg.element", "the SVG element <%(element)s> is not allowed in a course SVG "
                                    "(allowed: shapes, text, groups, gradients, markers, masks)")
SVG_HANDLER = define("svg.event-handler", "the SVG attribute '%(attribute)s' runs script; remove it")
SVG_EXTERNAL = define("svg.external-reference", "the SVG refers to '%(target)s' outside the file; a course SVG may "
                                                "only refer to its own parts (#id): draw or embed nothing else")

_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.I | re.S)
_IMPORT = re.compile(r"@import", re.I)
_NAMED = {"script": SVG_SCRIPT, "foreignObject": SVG_FOREIGN}


@dataclass(frozen=True)
class SvgProblem:
    """What is wrong with an SVG, and where (1-based line; 0 for the file as a whole)."""

    line: int
    code: str
    params: tuple[tuple[str, str], ...] = ()


def _outside(reference: str) -> bool:
    """A reference that leaves the file: anything but ``#id`` (and nothing at all)."""
    reference = reference.strip()
    return bool(reference) and not reference.startswith("#")


def _css_references(css: str) -> list[str]:
    found = [match.group(2) for match in _URL.finditer(css) if _outside(match.group(2))]
    if _IMPORT.search(css):
        found.append("@import")
    return found


class _NotSvg(Exception):
    """The root element is not ``<svg>``: nothing else in the file is worth reporting."""


class _Checker(ContentHandler):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[SvgProblem] = []
        self.locator: Locator | None = None
        self.depth = 0
        self.style_text: list[str] | None = None
        self.style_line = 0
        self.refused = 0  # the depth inside a refused element
        self.metadata = 0  # inside <metadata>: an editor's notes (RDF) in its own namespaces, never drawn

    def setDocumentLocator(self, locator: Locator) -> None:  # noqa: N802 (SAX API)
        self.locator = locator

    def line(self) -> int:
        return (self.locator.getLineNumber() or 0) if self.locator is not None else 0

    def add(self, code: str, **params: str) -> None:
        self.problems.append(SvgProblem(self.line(), code, tuple(sorted(params.items()))))

    def startElementNS(self, name: tuple[str | None, str], qname: str | None, attrs) -> None:  # noqa: N802 (SAX API)
        namespace, local = name
        if self.depth == 0 and (namespace, local) != (SVG_NAMESPACE, "svg"):
            self.add(SVG_NOT_SVG)
            raise _NotSvg
        self.depth += 1
        if self.refused:  # inside an element already refused: one problem is enough
            self.refused += 1
            return
        if self.metadata:
            self.metadata += 1
        elif (namespace, local) == (SVG_NAMESPACE, "metadata"):
            self.metadata = 1
        elif namespace != SVG_NAMESPACE or local not in ALLOWED_ELEMENTS:
            if local in _NAMED:
                self.add(_NAMED[local])
            else:
                self.add(SVG_ELEMENT, element=qname or local)
            self.refused = 1
            return
        elif local == "style":
            self.style_text, self.style_line = [], self.line()
        for (attribute_namespace, attribute), value in attrs.items():
            shown = attrs.getQNameByName((attribute_namespace, attribute)) or attribute
            if attribute.lower().startswith("on"):
                self.add(SVG_HANDLER, attribute=shown)
            elif attribute == "href" and attribute_namespace in (None, XLINK_NAMESPACE) and _outside(value):
                self.add(SVG_EXTERNAL, target=value[:80])
            else:
                for target in _css_references(value):
                    self.add(SVG_EXTERNAL, target=target[:80])

    def characters(self, content: str) -> None:
        if self.style_text is not None:
            self.style_text.append(content)

    def endElementNS(self, name: tuple[str | None, str], qname: str | None) -> None:  # noqa: N802 (SAX API)
        self.depth -= 1
        self.metadata = max(self.metadata - 1, 0)
        self.refused = max(self.refused - 1, 0)
        if self.style_text is not None and name == (SVG_NAMESPACE, "style"):
            for target in _css_references("".join(self.style_text)):
                self.problems.append(SvgProblem(self.style_line, SVG_EXTERNAL, (("target", target[:80]),)))
            self.style_text = None

    def processingInstruction(self, target: str, data: str) -> None:  # noqa: N802 (SAX API)
        self.add(SVG_INSTRUCTION, target=target[:40])


def svg_problems(data: bytes) -> list[SvgProblem]:
    """Everything that keeps ``data`` from being a safe course SVG (empty: it is one). See the module."""
    checker = _Checker()
    parser = create_parser(forbid_dtd=True, forbid_entities=True, forbid_external=True)
    parser.setFeature(feature_namespaces, True)
    parser.setContentHandler(checker)
    try:
        parser.parse(io.BytesIO(data))
    except _NotSvg:
        pass
    except DefusedXmlException:
        checker.add(SVG_DOCTYPE)
    except SAXParseException as exc:
        reason = str(exc.getMessage())
        checker.problems.append(SvgProblem(exc.getLineNumber() or 0, SVG_MALFORMED, (("reason", reason),)))
    return checker.problems


def is_safe_svg(data: bytes) -> bool:
    """Whether ``data`` is a course SVG (:func:`svg_problems` finds nothing)."""
    return not svg_problems(data)
