"""Moodle GIFT import.

:func:`parse_gift` reads a GIFT file into the same :class:`~lms.core.quiz.Quiz`
model as the Markdown parser; :func:`~lms.core.quiz.writer.quiz_to_markdown`
(re-exported here) writes it in the Markdown quiz format, so an imported file
can be saved, edited and re-parsed.

Conversion rules (also in ``docs/quiz-format.md``):

* Questions are separated by blank lines; ``//`` comment lines are ignored.
* ``::Title::`` becomes the question heading and the rest its text. Without
  a title, the first line of the text becomes the heading.
* ``$CATEGORY: path`` sets ``category`` on the questions that follow.
* Text formats: ``[html]`` is converted to Markdown (paragraphs, line breaks,
  bold/italic, code, links, images, lists; other tags are dropped and their
  text kept). ``[markdown]`` is kept, with level 1-2 headings demoted to
  level 3. ``[plain]`` / ``[moodle]`` / no marker: kept as literal text, with
  Markdown characters escaped -- except that text with no marker that
  contains HTML tags is converted like ``[html]`` (Moodle shows it as HTML).
* Anything the quiz format cannot carry is reported as a warning (a
  :class:`~lms.core.problems.Problem` with ``severity="warning"``: the import
  still happens), or as an error when the question cannot be imported.
  Nothing is dropped silently. Every problem is a code with parameters.
"""
from __future__ import annotations

import html
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from html.parser import HTMLParser
from pathlib import PurePath
from typing import Any, TypedDict

from .problems import ERROR, WARNING, Problem, define
from .quiz.model import (
    MatchPair,
    NumericAnswer,
    Option,
    Question,
    Quiz,
    QuizSettings,
    TextAnswer,
    letter_id,
    matching_pairs,
)
from .quiz.numbers import WEIGHT_OUT_OF_RANGE, round_fraction, weight_in_range
from .quiz.parse import validate_question
from .quiz.writer import quiz_to_markdown

__all__ = ["parse_gift", "quiz_to_markdown", "html_to_markdown"]

NOT_UTF8 = define(
    "gift-not-utf8",
    "file is not UTF-8 (the first bad byte is on this line); save it as UTF-8 and import it again")
UNKNOWN_COMMAND = define(
    "gift-unknown-command",
    "unknown GIFT command '%(command)s'; only $CATEGORY: is supported, this block was not imported")
NO_QUESTIONS = define(
    "gift-no-questions", "no questions found; GIFT questions look like 'Question text {=right ~wrong}'")
UNCLOSED_TITLE = define("gift-unclosed-title", "question title starts with '::' but has no closing '::'")
UNCLOSED_BRACE = define(
    "gift-unclosed-brace",
    "'{' opened here is never closed with '}'; close the answers with '}' (write \\{ for a literal brace)")
TWO_ANSWER_BLOCKS = define(
    "gift-two-answer-blocks", "a question can have only one answer block {...}; split it into several questions")
MISSING_WORD = define(
    "gift-missing-word",
    "text after the answers: imported as a missing-word question with '_____' marking the gap")
STRAY_BRACE = define("gift-stray-brace", "'}' without an opening '{'; write \\} for a literal brace")
NO_TEXT = define("gift-no-text", "question has no text")
EXTRA_FEEDBACK = define(
    "gift-extra-feedback", "true/false answer has more than two '#' feedbacks; the extra ones were left out")
PAIR_NO_ARROW = define("gift-pair-no-arrow", "matching answer '%(answer)s' has no '->'; write '=left -> right'")
EXTRA_RIGHT = define(
    "gift-extra-right",
    "extra right-hand answer '%(right)s' without a left side is not supported and was left out")
UNKNOWN_ANSWERS = define(
    "gift-unknown-answers",
    "cannot tell the question type from '%(answers)s': answers must start with '=' (right) or '~' (wrong)")
WEIGHT_NOT_NUMBER = define("gift-weight-not-number", "weight '%(weight)s' is not a number; write e.g. '%(example)s'")
NUMERIC_OTHER_FEEDBACK = define(
    "gift-numeric-other-feedback",
    "feedback for any other (wrong) numeric answer ('~...') is not supported and was left out")
NUMERIC_NOT_EQUALS = define(
    "gift-numeric-not-equals", "numeric answers must all start with '=' when there is more than one: %(example)s")
NUMERIC_NOT_NUMBER = define(
    "gift-numeric-not-number",
    "numeric answer '%(spec)s' is not a number; write %(examples)s")
HTML_REMOVED = define("gift-html-removed", "<%(tag)s> content was removed")
MOODLE_IMAGE = define(
    "gift-moodle-image",
    "image '%(src)s' is a Moodle file that is not in the GIFT export; add the image to the course and fix the link")

# Escaped special characters are swapped for private-use characters while the
# structure is parsed, then turned back into the literal characters.
_ESCAPES = {
    "\\\\": "\ue000", "\\~": "\ue001", "\\=": "\ue002", "\\#": "\ue003",
    "\\{": "\ue004", "\\}": "\ue005", "\\:": "\ue006", "\\n": "\ue007",
}
_UNESCAPE = str.maketrans({
    "\ue000": "\\", "\ue001": "~", "\ue002": "=", "\ue003": "#",
    "\ue004": "{", "\ue005": "}", "\ue006": ":", "\ue007": "\n",
})
_ESCAPE_RE = re.compile(r"\\[\\~=#{}:n]")
_FORMAT_RE = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]", re.I)
_WEIGHT_RE = re.compile(r"^\s*%\s*([^%]*?)\s*%")
_HTML_TAG_RE = re.compile(
    r"</?(p|br|b|i|u|em|strong|ul|ol|li|a|img|sub|sup|span|div|code|pre|h[1-6]|table|tr|td|th|font)\b",
    re.I)
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}

#: ``report(line, code, **params)``; ``severity=WARNING`` for a conversion that lost something
Report = Callable[..., None]
#: ``warn(code, **params)``: the HTML converter's warnings, reported at the question's line
Warn = Callable[..., None]


class _Common(TypedDict, total=False):
    """The :class:`Question` fields every GIFT question type shares."""

    id: str
    title: str
    text: str
    category: str | None
    line: int
    explanation: str


# --------------------------------------------------------------------------
# Text conversion
# --------------------------------------------------------------------------

_KEY_LINE_RE = re.compile(
    r"^(\s*)(type|points|explanation|lesson|answer|rubric|category)(\s*):", re.I | re.M)


def _protect_lines(text: str, *, plain: bool, markdown: bool = False) -> str:
    """Escape line starts that the quiz format would read as structure."""
    text = _KEY_LINE_RE.sub(lambda m: f"{m.group(1)}{m.group(2)}{m.group(3)}\\:", text)
    out = []
    for line in text.split("\n"):
        if markdown:
            line = re.sub(r"^(\s{0,3})#{1,2}(?=\s|$)", r"\1###", line)
        else:
            line = re.sub(r"^(\s*)#", r"\1\\#", line)
        line = re.sub(r"^(\s{0,3}[-*+]\s+)\[", r"\1\\[", line)
        if re.match(r"^\s{0,3}[-*+]\s", line):
            line = line.replace("->", "-\\>")
        if plain:
            line = re.sub(r"^(\s*)([>+*-])(?=\s|$)", r"\1\\\2", line)
            line = re.sub(r"^(\s*\d+)([.)])(?=\s)", r"\1\\\2", line)
            line = re.sub(r"^(\s*)>", r"\1\\>", line)
        out.append(line)
    return "\n".join(out)


def _escape_inline(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<])", r"\\\1", text)


class _HtmlToMarkdown(HTMLParser):
    def __init__(self, warn: Warn):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.lists: list[list[Any]] = []     # stack of [kind, counter]
        self.links: list[str | None] = []
        self.pre = 0
        self.skip = 0
        self.warn = warn

    def _block(self) -> None:
        self.parts.append("\n\n")

    def handle_starttag(self, tag: str, attrs) -> None:
        a = dict(attrs)
        if tag in ("script", "style"):
            self.skip += 1
            self.warn(HTML_REMOVED, tag=tag)
        elif tag in ("p", "div", "table", "tr", "blockquote") or tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._block()
            if tag.startswith("h"):
                self.parts.append("**")
        elif tag == "br":
            self.parts.append("\n")
        elif tag in ("b", "strong"):
            self.parts.append("**")
        elif tag in ("i", "em"):
            self.parts.append("*")
        elif tag in ("code", "tt") and not self.pre:
            self.parts.append("`")
        elif tag == "pre":
            self._block()
            self.parts.append("```\n")
            self.pre += 1
        elif tag in ("ul", "ol"):
            self.lists.append([tag, 0])
            self._block()
        elif tag == "li":
            depth = max(len(self.lists) - 1, 0)
            kind: list[Any] = self.lists[-1] if self.lists else ["ul", 0]
            kind[1] += 1
            marker = f"{kind[1]}. " if kind[0] == "ol" else "- "
            self.parts.append("\n" + "  " * depth + marker)
        elif tag == "a":
            self.links.append(a.get("href"))
            self.parts.append("[")
        elif tag == "img":
            src = a.get("src") or ""
            if "@@PLUGINFILE@@" in src:
                self.warn(MOODLE_IMAGE, src=src)
            self.parts.append(f"![{_escape_inline(a.get('alt') or '')}]({src})")
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag in ("p", "div", "table", "tr", "blockquote"):
            self._block()
        elif tag.startswith("h") and tag[1:].isdigit():
            self.parts.append("**")
            self._block()
        elif tag in ("b", "strong"):
            self.parts.append("**")
        elif tag in ("i", "em"):
            self.parts.append("*")
        elif tag in ("code", "tt") and not self.pre:
            self.parts.append("`")
        elif tag == "pre":
            self.parts.append("\n```")
            self.pre = max(0, self.pre - 1)
            self._block()
        elif tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self._block()
        elif tag == "a":
            href = self.links.pop() if self.links else None
            self.parts.append(f"]({href})" if href else "]")

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.pre:
            self.parts.append(data)
            return
        self.parts.append(_escape_inline(re.sub(r"\s+", " ", data)).replace("->", "-\\>"))

    def result(self) -> str:
        text = "".join(self.parts)
        lines = [line.strip() if not line.startswith("  ") else line.rstrip()
                 for line in text.split("\n")]
        text = "\n".join(lines)
        text = re.sub(r"\n{3,}", "\n\n", text)
        text = re.sub(r"\*\*\s*\*\*", "", text)
        return text.strip()


def html_to_markdown(source: str, warn: Warn | None = None) -> str:
    """Convert Moodle question HTML to Markdown (see the module docstring).

    ``warn(code, **params)`` hears about what was lost (scripts, Moodle-only images).
    """
    parser = _HtmlToMarkdown(warn or (lambda code, **params: None))
    parser.feed(source)
    parser.close()
    return _protect_lines(parser.result(), plain=False)


def _convert(text: str, fmt: str, warn: Warn, *, one_line: bool = False) -> str:
    """Convert GIFT text (placeholders already turned back) to quiz Markdown."""
    if fmt == "html" or (fmt == "auto" and _HTML_TAG_RE.search(text)):
        result = html_to_markdown(text, warn)
    elif fmt == "markdown":
        result = _protect_lines(_dedent(text), plain=False, markdown=True)
    else:
        result = _protect_lines(_escape_inline(_dedent(text)), plain=True)
    if one_line:
        result = re.sub(r"\s+", " ", result).strip()
    return result.strip()


def _dedent(text: str) -> str:
    lines = [line.strip() for line in text.strip().split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


# --------------------------------------------------------------------------
# GIFT parsing
# --------------------------------------------------------------------------

class _Block:
    """A blank-line separated chunk of the file with its file line numbers."""

    def __init__(self, lines: list[tuple[int, str]]):
        self.numbers = [n for n, _ in lines]
        self.text = "\n".join(t for _, t in lines)

    def line_at(self, offset: int) -> int:
        return self.numbers[min(self.text.count("\n", 0, max(offset, 0)), len(self.numbers) - 1)]


def parse_gift(text: str | bytes, path: str) -> tuple[Quiz, list[Problem]]:
    """Parse a Moodle GIFT file into a quiz.

    Bytes must be UTF-8 (a BOM is allowed). The quiz title is the file name
    and the settings are the defaults. Problems are returned with file
    lines; warnings (``problem.severity == "warning"``) mark conversions that
    lost something but still produced a question.
    """
    problems: list[Problem] = []
    title = PurePath(path).stem.replace("_", " ").replace("-", " ").strip() or "Imported quiz"
    if isinstance(text, bytes):
        raw = text
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad_line = raw.count(b"\n", 0, exc.start) + 1
            problems.append(Problem.of(path, bad_line, NOT_UTF8))
            return Quiz(title=title, questions=(), path=path), problems
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    text = _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group(0)], text)

    blocks: list[_Block] = []
    current: list[tuple[int, str]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if re.match(r"^\s*//", line):
            continue
        if line.strip():
            current.append((number, line))
        elif current:
            blocks.append(_Block(current))
            current = []
    if current:
        blocks.append(_Block(current))

    questions: list[Question] = []
    category: str | None = None
    for block in blocks:
        def report(line: int, code: str, /, severity: str = ERROR, **params: object) -> None:
            plain: dict[str, Any] = {k: v.translate(_UNESCAPE) if isinstance(v, str) else v
                                     for k, v in params.items()}
            problems.append(Problem.of(path, line, code, severity=severity, **plain))

        body = block.text
        while True:
            m = re.match(r"^\s*\$CATEGORY:[ \t]*(.*)$", body, re.M)
            if m and body[:m.start()].strip() == "":
                category = m.group(1).strip().translate(_UNESCAPE) or None
                newline = body.find("\n", m.start())
                if newline < 0:
                    body = ""
                    break
                # keep offsets: blank out the consumed line
                body = " " * (newline) + body[newline:]
                continue
            break
        if not body.strip():
            continue
        stripped = body.lstrip()
        if stripped.startswith("$"):
            report(block.line_at(len(body) - len(stripped)), UNKNOWN_COMMAND, command=stripped.split()[0])
            continue
        q = _parse_question(block, body, len(questions) + 1, category, report)
        if q is not None:
            problems.extend(validate_question(q, path))
            questions.append(q)

    if not questions and not problems:
        problems.append(Problem.of(path, 1, NO_QUESTIONS))
    problems.sort()
    return Quiz(title=title, questions=tuple(questions), settings=QuizSettings(),
                path=path), problems


def _parse_question(block: _Block, body: str, position: int, category: str | None,
                    report: Report) -> Question | None:
    start = len(body) - len(body.lstrip())
    line = block.line_at(start)
    qid = f"q{position}"

    def warn(code: str, /, at: int = line, **params: object) -> None:
        report(at, code, severity=WARNING, **params)

    rest = body[start:]
    offset = start
    title = ""
    if rest.startswith("::"):
        end = rest.find("::", 2)
        if end < 0:
            report(line, UNCLOSED_TITLE)
            return None
        title = rest[2:end]
        offset += end + 2
        rest = rest[end + 2:]
    fmt = "auto"
    m = _FORMAT_RE.match(rest)
    if m:
        fmt = m.group(1).lower()
        fmt = "plain" if fmt == "moodle" else fmt
        offset += m.end()
        rest = rest[m.end():]

    open_at = rest.find("{")
    if open_at < 0:
        text = rest
        answer_block = None
        tail = ""
    else:
        close_at = rest.find("}", open_at)
        if close_at < 0:
            report(block.line_at(offset + open_at), UNCLOSED_BRACE)
            return None
        text = rest[:open_at]
        answer_block = rest[open_at + 1:close_at]
        tail = rest[close_at + 1:]
        if "{" in tail:
            report(block.line_at(offset + close_at + 1 + tail.find("{")), TWO_ANSWER_BLOCKS)
            return None
        if tail.strip():
            warn(MISSING_WORD, block.line_at(offset + close_at))
            text = text.rstrip() + " \ue008 " + tail.lstrip()

    block_line = block.line_at(offset + open_at) if open_at >= 0 else line

    def conv(value: str, *, one_line: bool = False) -> str:
        converted = _convert(value.translate(_UNESCAPE), fmt, warn, one_line=one_line)
        return converted.replace("\ue008", "_____")

    def literal(value: str) -> str:
        """Accepted answers are compared with what learners type: no Markdown."""
        value = value.translate(_UNESCAPE)
        if fmt == "html" or (fmt == "auto" and _HTML_TAG_RE.search(value)):
            value = html.unescape(re.sub(r"<[^>]*>", " ", value))
        return re.sub(r"\s+", " ", value).strip()

    title_md = conv(title, one_line=True) if title.strip() else ""
    text_md = conv(text)
    if "}" in text:
        report(block.line_at(offset + text.find("}")), STRAY_BRACE)
    if not title_md:
        first, _, remainder = text_md.partition("\n")
        title_md, text_md = first.strip(), remainder.strip()
        if not title_md:
            report(line, NO_TEXT)
            return None

    common = _Common(id=qid, title=title_md, text=text_md, category=category, line=line)
    if answer_block is None:
        return Question(type="description", points=Decimal(0), **common)

    explanation = ""
    general = answer_block.find("####")
    if general >= 0:
        explanation = conv(answer_block[general + 4:])
        answer_block = answer_block[:general]
    common["explanation"] = explanation
    inner = answer_block.strip()
    inner_at = offset + open_at + 1 + (len(answer_block) - len(answer_block.lstrip()))

    if not inner:
        return Question(type="open", **common)
    if inner.startswith("#"):
        return _numeric(inner[1:], inner_at + 1, block, common, report, warn, conv)
    head, *branches = inner.split("#")
    if head.strip().upper() in _TRUE_FALSE:
        is_true = _TRUE_FALSE[head.strip().upper()]
        wrong = conv(branches[0], one_line=True) if branches else ""
        right = conv(branches[1], one_line=True) if len(branches) > 1 else ""
        if len(branches) > 2:
            warn(EXTRA_FEEDBACK, block_line)
        options = (
            Option("true", "True", Decimal(1) if is_true else Decimal(0), right if is_true else wrong),
            Option("false", "False", Decimal(0) if is_true else Decimal(1), wrong if is_true else right),
        )
        return Question(type="true_false", options=options, **common)

    tokens = _answer_tokens(inner, inner_at, block, report)
    if tokens is None:
        return None
    if any(marker == "~" for marker, _, _ in tokens):
        single = any(marker == "=" for marker, _, _ in tokens)
        choices: list[Option] = []
        for index, (marker, body_text, at) in enumerate(tokens):
            weight, rest_text = _split_weight(body_text, block.line_at(at), report)
            text_part, feedback = _split_feedback(rest_text)
            fraction = weight if weight is not None else (Decimal(1) if marker == "=" else Decimal(0))
            choices.append(Option(letter_id(index), conv(text_part, one_line=True), fraction,
                                  conv(feedback) if feedback is not None else ""))
        return Question(type="single" if single else "multiple", options=tuple(choices), **common)
    if any("->" in body_text for _, body_text, _ in tokens):
        rows: list[tuple[str, str]] = []
        for _, body_text, at in tokens:
            left, arrow, right = body_text.partition("->")
            if not arrow:
                report(block.line_at(at), PAIR_NO_ARROW, answer=body_text.strip())
                continue
            left_md, right_md = conv(left, one_line=True), conv(right, one_line=True)
            if not left_md:
                warn(EXTRA_RIGHT, block.line_at(at), right=right_md)
                continue
            rows.append((left_md, right_md))
        pairs: tuple[MatchPair, ...] = matching_pairs(rows)
        return Question(type="matching", pairs=pairs, **common)
    answers = []
    for _, body_text, at in tokens:
        weight, rest_text = _split_weight(body_text, block.line_at(at), report, lo=0)
        text_part, feedback = _split_feedback(rest_text)
        answers.append(TextAnswer(literal(text_part),
                                  weight if weight is not None else Decimal(1),
                                  conv(feedback) if feedback is not None else ""))
    return Question(type="short", answers=tuple(answers), **common)


def _answer_tokens(inner: str, inner_at: int, block: _Block, report: Report
                   ) -> list[tuple[str, str, int]] | None:
    """Split ``=a ~b`` into (marker, text, offset) tokens."""
    tokens: list[tuple[str, str, int]] = []
    starts = [i for i, ch in enumerate(inner) if ch in "=~"]
    if not starts or inner[:starts[0]].strip():
        report(block.line_at(inner_at), UNKNOWN_ANSWERS, answers="{" + inner.strip() + "}")
        return None
    for n, s in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(inner)
        tokens.append((inner[s], inner[s + 1:end], inner_at + s))
    return tokens


def _split_weight(text: str, line: int, report: Report, lo: int = -100
                  ) -> tuple[Decimal | None, str]:
    m = _WEIGHT_RE.match(text)
    if not m:
        return None, text
    raw = m.group(1)
    try:
        fraction = round_fraction(Decimal(raw.replace(",", ".")) / 100)
    except InvalidOperation:
        report(line, WEIGHT_NOT_NUMBER, weight=f"%{raw}%", example="%50%")
        return Decimal(0), text[m.end():]
    if not weight_in_range(fraction, lo):
        report(line, WEIGHT_OUT_OF_RANGE, weight=raw, low=lo)
    return fraction, text[m.end():]


def _split_feedback(text: str) -> tuple[str, str | None]:
    if "#" in text:
        answer, feedback = text.split("#", 1)
        return answer, feedback
    return text, None


def _numeric(inner: str, at: int, block: _Block, common: _Common, report: Report,
             warn: Callable[..., None], conv: Callable[[str], str]) -> Question | None:
    tilde = inner.find("~")
    if tilde >= 0:
        warn(NUMERIC_OTHER_FEEDBACK, block.line_at(at + tilde))
        inner = inner[:tilde]
    if "=" in inner:
        if inner[:inner.find("=")].strip():
            report(block.line_at(at), NUMERIC_NOT_EQUALS, example="{#=3:0 =%50%3:1}")
            return None
        pieces = [(m.start() + 1, m.group(1)) for m in re.finditer(r"=([^=]*)", inner)]
    else:
        pieces = [(0, inner)]
    answers = []
    for start, piece in pieces:
        line = block.line_at(at + start)
        weight, rest = _split_weight(piece, line, report, lo=0)
        spec, feedback = _split_feedback(rest)
        spec = spec.translate(_UNESCAPE).strip()
        compact = re.sub(r"\s+", "", spec)
        try:
            if ".." in compact:
                lo_text, hi_text = compact.split("..", 1)
                low, high = Decimal(lo_text), Decimal(hi_text)
                if low > high:
                    raise ValueError
                value = tol = None
            elif ":" in compact:
                value_text, tol_text = compact.split(":", 1)
                value, tol = Decimal(value_text), abs(Decimal(tol_text))
                low, high = value - tol, value + tol
            else:
                value, tol = Decimal(compact), Decimal(0)
                low = high = value
            if not (low.is_finite() and high.is_finite()):
                raise ValueError
        except (InvalidOperation, ValueError):
            report(line, NUMERIC_NOT_NUMBER, spec=spec,
                   examples="{#3.14:0.01} (value:tolerance), {#1..5} (range) or {#42}")
            continue
        answers.append(NumericAnswer(low, high, weight if weight is not None else Decimal(1),
                                     conv(feedback) if feedback is not None else "", value, tol))
    if not answers:
        return None
    return Question(type="numeric", numeric=tuple(answers), **common)
