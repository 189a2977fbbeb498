"""A job aid as a one-page A4 PDF, drawn with fpdf2 like the certificate (:mod:`lms.certificates.pdf`).

The page has the course's name, the aid's title under an accent rule, then the aid's
blocks (:mod:`lms.core.job_aids`): headings, paragraphs, lists and checklists, notes and
tables (a table with blank rows is a form, given room to write), with bold runs. Noto Sans and Noto Sans Arabic are embedded (the
fonts in ``lms/fonts/``); HarfBuzz (``set_text_shaping``) joins Arabic letters and the
Unicode bidirectional algorithm orders each paragraph, which runs right to left in an
Arabic aid, with lists, notes and tables mirrored.

An aid is measured at import (:func:`lms.core.job_aids.measure`); the page here starts
at a comfortable type size and steps down until everything fits on one page.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import TableBordersLayout
from fpdf.fonts import FontFace

from ..core.job_aids import WRITING_LINES, Aid, Block, Run

FONTS = Path(__file__).resolve().parent.parent / "fonts"

ACCENT = (31, 78, 121)
MUTED = (90, 98, 110)
TEXT = (28, 32, 38)
NOTE_FILL = (238, 243, 248)
HEADER_FILL = (225, 234, 243)
RULE = (200, 208, 218)

SIZES = (11.0, 10.5, 10.0, 9.5, 9.0, 8.5, 8.0, 7.5, 7.0)
"""Body type sizes in points, tried from the first until the aid fits on one page."""
MARGIN = 15.0
CELL_PADDING = 1.2  # mm, left and right of a table cell's text
POINT = 0.3528  # mm

# Emphasis markers for fpdf2's inline styling: characters no aid uses (they are removed from its
# text), neutral for the bidirectional algorithm and never mirrored, so that bold and italic runs
# cannot be confused with an author's own asterisks, underscores, hyphens or brackets.
_BOLD, _ITALIC, _STRIKE, _UNDERLINE, _ESCAPE = "\u203b\u203b", "\u2051\u2051", "\u2055\u2055", "\u2056\u2056", "\u2042"
_RESERVED = re.compile("[\u203b\u2051\u2055\u2056\u2042]")
#: characters the embedded fonts lack, drawn as their nearest neighbour
_SUBSTITUTES = str.maketrans({"\u2212": "\u2013", "\u2192": "\u203a", "\u2190": "\u2039", "\u2610": "", "\u2611": ""})


class _Sheet(FPDF):
    MARKDOWN_BOLD_MARKER = _BOLD
    MARKDOWN_ITALICS_MARKER = _ITALIC
    MARKDOWN_STRIKETHROUGH_MARKER = _STRIKE
    MARKDOWN_UNDERLINE_MARKER = _UNDERLINE
    MARKDOWN_MARKERS = (_BOLD, _ITALIC, _STRIKE, _UNDERLINE)
    MARKDOWN_ESCAPE_CHARACTER = _ESCAPE
    MARKDOWN_LINK_REGEX = re.compile(r"(?!)")  # an aid's links are printed as their text


_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")


def _texts(aid: Aid) -> list[str]:
    return [block.text for block in aid.blocks] + [
        run.text for block in aid.blocks for row in block.rows for cell in row for run in cell]


def styled(runs: Sequence[Run]) -> str:
    """Runs as one string with fpdf2's (private) emphasis markers around bold text.

    Italic is printed upright: the embedded fonts have no italic face, and Arabic has none.
    """
    parts = []
    for run in runs:
        text = _RESERVED.sub("", run.text).translate(_SUBSTITUTES)
        if run.bold:
            text = f"{_BOLD}{text}{_BOLD}"
        parts.append(text)
    return "".join(parts)


@dataclass(frozen=True)
class Page:
    """What the page says around the aid: the course's name (in the aid's language) and its direction."""

    course: str
    rtl: bool


class _Layout:
    def __init__(self, aid: Aid, page: Page, size: float, writing_room: float = 0.0) -> None:
        self.aid, self.page, self.size = aid, page, size
        self.writing_room = writing_room  # extra height (mm) of each row to fill in, to use the whole page
        self.blank_rows = 0
        pdf = _Sheet(orientation="portrait", unit="mm", format="A4")
        pdf.set_creator("Service Academy LMS")
        pdf.set_title(aid.title)
        pdf.set_subject(page.course)
        pdf.set_margins(MARGIN, MARGIN, MARGIN)
        pdf.set_auto_page_break(True, margin=MARGIN + 6)
        # Arabic text is set in Noto Sans Arabic with Noto Sans for Latin and digits; other text in
        # Noto Sans, with the Arabic face added only when an Arabic letter needs it (a font costs time).
        self.family = "NotoSansArabic" if page.rtl else "NotoSans"
        families = ["NotoSansArabic", "NotoSans"] if page.rtl else ["NotoSans"]
        if not page.rtl and _ARABIC.search(aid.title + " ".join(_texts(aid))):
            families.append("NotoSansArabic")
        for family in families:
            pdf.add_font(family, "", FONTS / f"{family}-Regular.ttf")
            pdf.add_font(family, "B", FONTS / f"{family}-Bold.ttf")
        pdf.set_fallback_fonts(families[1:], exact_match=False)
        pdf.set_text_shaping(True, direction="rtl" if page.rtl else "ltr")
        pdf.add_page()
        self.pdf = pdf
        self.align = "R" if page.rtl else "L"
        self.width = pdf.w - 2 * MARGIN

    # -- helpers ----------------------------------------------------------------
    def line_height(self, size: float) -> float:
        return size * POINT * 1.42

    def font(self, size: float, style: str = "", colour: tuple[int, int, int] = TEXT) -> None:
        self.pdf.set_font(self.family, style, size)
        self.pdf.set_text_color(*colour)

    def text(self, runs_or_text: Sequence[Run] | str, x: float, width: float, size: float,
             style: str = "", colour: tuple[int, int, int] = TEXT) -> None:
        """A wrapped paragraph from ``x`` (the left edge, whatever the direction) across ``width``."""
        self.font(size, style, colour)
        text = runs_or_text if isinstance(runs_or_text, str) else styled(runs_or_text)
        self.pdf.set_x(x)
        self.pdf.multi_cell(width, self.line_height(size), text, align=self.align, markdown=True,
                            new_x="LMARGIN", new_y="NEXT")

    def start_x(self, indent: float, width: float) -> float:
        """The left edge of a box ``width`` wide that starts ``indent`` in from the reading side."""
        return MARGIN + self.width - indent - width if self.page.rtl else MARGIN + indent

    def gap(self, lines: float) -> None:
        self.pdf.set_y(self.pdf.get_y() + self.line_height(self.size) * lines)

    # -- the page ---------------------------------------------------------------
    def draw(self) -> _Sheet:
        pdf = self.pdf
        pdf.set_fill_color(*ACCENT)
        pdf.rect(0, 0, pdf.w, 4, style="F")
        pdf.set_y(MARGIN - 4)
        if self.page.course:
            self.text(self.page.course, MARGIN, self.width, 8.5, colour=MUTED)
        self.text(self.aid.title, MARGIN, self.width, self.size * 1.75, "B", ACCENT)
        pdf.set_draw_color(*ACCENT)
        pdf.set_line_width(0.6)
        y = pdf.get_y() + 1.2
        pdf.line(MARGIN, y, MARGIN + self.width, y)
        pdf.set_y(y + 2.5)
        previous = ""
        for block in self.aid.blocks:
            if previous and (block.kind != previous or block.kind not in ("item",)):
                self.gap(0.35)
            getattr(self, f"draw_{block.kind}", self.draw_paragraph)(block)
            previous = block.kind
        return pdf

    def draw_heading(self, block: Block) -> None:
        self.gap(0.35)
        factor = 1.25 if block.level <= 2 else 1.1
        self.text(block.runs, MARGIN, self.width, self.size * factor, "B", ACCENT)
        self.gap(0.1)

    def draw_paragraph(self, block: Block) -> None:
        self.text(block.runs, MARGIN, self.width, self.size)

    def draw_item(self, block: Block) -> None:
        pdf = self.pdf
        step = self.size * 0.62
        indent = step * block.level
        marker_width = step * (1.6 if block.marker[:1].isdigit() and len(block.marker) > 2 else 1.2)
        top = pdf.get_y()
        box = self.size * POINT * 0.85
        marker_x = self.start_x(indent, marker_width)
        if block.marker in ("box", "done"):
            left = marker_x + (marker_width - box) / 2
            y = top + (self.line_height(self.size) - box) / 2
            pdf.set_draw_color(*TEXT)
            pdf.set_line_width(0.25)
            pdf.rect(left, y, box, box)
            if block.marker == "done":
                pdf.line(left + box * 0.2, y + box * 0.55, left + box * 0.42, y + box * 0.8)
                pdf.line(left + box * 0.42, y + box * 0.8, left + box * 0.85, y + box * 0.2)
        elif block.marker == "•":
            # drawn, not set: a glyph from the fallback font would leave it selected for the text after it
            radius = self.size * POINT * 0.16
            centre_x = marker_x + radius * 1.5 if not self.page.rtl else marker_x + marker_width - radius * 1.5
            pdf.set_fill_color(*ACCENT)
            pdf.circle(centre_x, top + self.line_height(self.size) / 2, radius, style="F")
        else:
            self.font(self.size, "B", ACCENT)
            pdf.set_xy(marker_x, top)
            pdf.cell(marker_width, self.line_height(self.size), block.marker,
                     align="L" if not self.page.rtl else "R")
        pdf.set_y(top)
        width = self.width - indent - marker_width
        self.text(block.runs, self.start_x(indent + marker_width, width), width, self.size)

    def draw_quote(self, block: Block) -> None:
        pdf = self.pdf
        top = pdf.get_y()
        pad = 2.0
        width = self.width - 2 * pad - 1.2
        # draw the text once to learn its height, then the box under it
        with pdf.offset_rendering() as dry:
            dry.set_y(top + pad)
            self.font(self.size)
            lines = dry.multi_cell(width, self.line_height(self.size), styled(block.runs), markdown=True,
                                   dry_run=True, output="LINES")
        height = len(lines) * self.line_height(self.size) + 2 * pad
        pdf.set_fill_color(*NOTE_FILL)
        pdf.rect(MARGIN, top, self.width, height, style="F")
        pdf.set_fill_color(*ACCENT)
        bar_x = MARGIN + self.width - 1.2 if self.page.rtl else MARGIN
        pdf.rect(bar_x, top, 1.2, height, style="F")
        pdf.set_y(top + pad)
        self.text(block.runs, self.start_x(1.2 + pad, width), width, self.size)
        pdf.set_y(top + height)

    def draw_rule(self, block: Block) -> None:
        pdf = self.pdf
        pdf.set_draw_color(*RULE)
        pdf.set_line_width(0.3)
        y = pdf.get_y() + 1
        pdf.line(MARGIN, y, MARGIN + self.width, y)
        pdf.set_y(y + 1)

    def draw_table(self, block: Block) -> None:
        pdf = self.pdf
        self.font(self.size)
        pdf.set_draw_color(*RULE)
        pdf.set_line_width(0.2)
        columns = max(len(row) for row in block.rows)
        rows = [list(row) + [()] * (columns - len(row)) for row in block.rows]

        def word_width(word: str, bold: bool) -> float:
            pdf.set_font(self.family, "B" if bold else "", self.size)
            return pdf.get_string_width(word)

        widths = _column_widths(rows, block.header, self.width, word_width)
        self.font(self.size)
        if self.page.rtl:
            rows = [list(reversed(row)) for row in rows]
            widths = list(reversed(widths))
        pdf.set_fill_color(255, 255, 255)
        heading = FontFace(family=self.family, emphasis="BOLD", color=ACCENT, fill_color=HEADER_FILL, size_pt=self.size)
        with pdf.table(
            width=self.width, col_widths=widths, line_height=self.line_height(self.size), text_align=self.align,
            markdown=True, first_row_as_headings=block.header > 0, num_heading_rows=max(block.header, 1),
            headings_style=heading, borders_layout=TableBordersLayout.ALL, padding=(0.8, CELL_PADDING), v_align="TOP",
        ) as table:
            for number, row in enumerate(rows):
                # a row with blanks is a form to fill in by hand: room to write (measure() counts it so)
                blank = number >= block.header and any(not cell for cell in row)
                self.blank_rows += blank
                height = self.line_height(self.size) * WRITING_LINES + self.writing_room
                cells = table.row(min_height=height if blank else None)
                for cell in row:
                    cells.cell(styled(cell))


def _column_widths(rows: list[list[tuple[Run, ...]]], header: int, width: float,
                   word_width: Callable[[str, bool], float]) -> list[float]:
    """The columns' widths in mm: each at least as wide as its longest word (``word_width(word, bold)``),
    the rest of ``width`` shared by the length of each column's longest text (capped), with room
    to write in a column that has blanks to fill in."""
    least, weights = [], []
    for column in range(len(rows[0])):
        cells = [row[column] for row in rows]
        texts = ["".join(run.text for run in cell) for cell in cells]
        least.append(max((word_width(word, run.bold) for cell in cells for run in cell for word in run.text.split()),
                         default=0.0) + 2 * CELL_PADDING + 1)
        weight = float(min(max(len(text) for text in texts), 40))
        if any(not text for text in texts[header:]):
            weight = max(weight, 28.0)
        weights.append(max(weight, 3.0))
    spare = max(width - sum(least), 0.0)
    return [minimum + spare * weight / sum(weights) for minimum, weight in zip(least, weights, strict=True)]


def render_aid(aid: Aid, page: Page) -> bytes:
    """The aid's PDF: one A4 page at the largest of :data:`SIZES` that fits (the smallest if none does).

    A form to fill in (a table with blank rows) gets the rest of the page shared among its blank rows.
    """
    layout: _Layout | None = None
    for size in SIZES:
        layout = _Layout(aid, page, size)
        layout.draw()
        if layout.pdf.pages_count == 1:
            break
    assert layout is not None  # SIZES is not empty
    left = layout.pdf.h - MARGIN - 8 - layout.pdf.get_y()
    if layout.blank_rows and layout.pdf.pages_count == 1 and left > 5:
        roomier = _Layout(aid, page, layout.size, min(left / layout.blank_rows, 12.0))
        roomier.draw()
        if roomier.pdf.pages_count == 1:
            layout = roomier
    return bytes(layout.pdf.output())
