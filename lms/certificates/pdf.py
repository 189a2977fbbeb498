"""The certificate as a PDF: A4 landscape, Noto fonts embedded, a QR code to the verification page.

fpdf2 lays the page out; HarfBuzz (``set_text_shaping``) joins Arabic letters and
orders right-to-left text; segno makes the QR code. Noto Sans covers Latin and
Cyrillic, Noto Sans Arabic is its fallback for Arabic (fonts in ``lms/fonts/``,
SIL Open Font License, see ``OFL.txt``).
"""
from __future__ import annotations

import io
from pathlib import Path

import segno
from fpdf import FPDF

from ..core.certificates import Sheet

FONTS = Path(__file__).resolve().parent.parent / "fonts"
ACCENT = (31, 78, 121)
MUTED = (90, 98, 110)


def qr_svg(url: str) -> io.BytesIO:
    """The verification URL as a QR code (SVG, error correction M)."""
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind="svg", border=0, dark="#000", omitsize=True)
    buffer.seek(0)
    return buffer


REVOKED = (180, 20, 20)


def render(sheet: Sheet) -> bytes:
    """The certificate's PDF bytes."""
    pdf = FPDF(orientation="landscape", unit="mm", format="A4")
    pdf.set_creator("Service Academy LMS")
    pdf.set_title(f"{sheet.heading} {sheet.serial}")
    pdf.set_author(sheet.organisation or sheet.heading)
    pdf.set_auto_page_break(False)
    pdf.set_margins(20, 20, 20)
    pdf.add_font("NotoSans", "", FONTS / "NotoSans-Regular.ttf")
    pdf.add_font("NotoSans", "B", FONTS / "NotoSans-Bold.ttf")
    pdf.add_font("NotoSansArabic", "", FONTS / "NotoSansArabic-Regular.ttf")
    pdf.add_font("NotoSansArabic", "B", FONTS / "NotoSansArabic-Bold.ttf")
    pdf.set_fallback_fonts(["NotoSansArabic"], exact_match=False)
    pdf.set_text_shaping(True)
    pdf.add_page()
    width, height = pdf.w, pdf.h

    # frame
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, width - 20, height - 20)
    pdf.set_line_width(0.3)
    pdf.rect(13, 13, width - 26, height - 26)

    def line(text: str, size: float, y: float, style: str = "", colour=(0, 0, 0)) -> None:
        if not text:
            return
        pdf.set_font("NotoSans", style, size)
        pdf.set_text_color(*colour)
        pdf.set_xy(25, y)
        pdf.cell(width - 50, size * 0.5, text, align="C")

    line(sheet.organisation, 14, 24, "B", ACCENT)
    line(sheet.heading, 34, 40, "B", ACCENT)
    line(sheet.intro, 13, 66, "", MUTED)
    line(sheet.holder, 30, 76, "B")
    pdf.set_draw_color(*MUTED)
    pdf.line(70, 95, width - 70, 95)
    line(sheet.completed_line, 13, 101, "", MUTED)
    line(sheet.course, 20, 110, "B", ACCENT)

    # details at the bottom, on the side where the reader starts; the QR on the other
    qr_size = 34
    details = [(sheet.date_label, sheet.date)]
    if sheet.expires:
        details.append((sheet.expires_label, sheet.expires))
    if sheet.trainer:
        details.append((sheet.trainer_label, sheet.trainer))
    details.append((sheet.serial_label, sheet.serial))
    text_x = 25 if not sheet.rtl else 25 + qr_size + 10
    qr_x = width - 25 - qr_size if not sheet.rtl else 25
    text_width = width - 50 - qr_size - 10
    y = height - 25 - 8 * len(details)
    for label, value in details:
        pdf.set_xy(text_x, y)
        pdf.set_font("NotoSans", "", 11)
        pdf.set_text_color(*MUTED)
        pdf.cell(text_width, 7, f"{label}: {value}", align="R" if sheet.rtl else "L")
        y += 8
    qr_y = height - 25 - qr_size - 6
    pdf.image(qr_svg(sheet.verify_url), x=qr_x, y=qr_y, w=qr_size, h=qr_size)
    pdf.set_font("NotoSans", "", 8)
    pdf.set_text_color(*MUTED)
    pdf.set_xy(qr_x - 5, qr_y + qr_size + 1)
    pdf.cell(qr_size + 10, 4, sheet.verify_label, align="C")
    pdf.set_font("NotoSans", "", 7)
    pdf.set_xy(25, height - 19)
    pdf.cell(width - 50, 4, sheet.verify_url, align="C")
    if sheet.revoked:  # across the middle, in red, so a printed copy cannot pass as valid
        pdf.set_fill_color(255, 255, 255)
        pdf.set_draw_color(*REVOKED)
        pdf.set_line_width(1.5)
        pdf.rect(40, 118, width - 80, 22, style="DF")
        pdf.set_font("NotoSans", "B", 22)
        pdf.set_text_color(*REVOKED)
        pdf.set_xy(40, 123)
        pdf.cell(width - 80, 12, sheet.revoked, align="C")
    return bytes(pdf.output())
