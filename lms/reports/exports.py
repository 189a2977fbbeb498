"""Writing the completion report as CSV and XLSX, streamed.

No Flask here: the views and ``flask lms report`` both pass the rows (an
iterator over a server-side cursor), the translated headers and the status
labels.

- **CSV** opens in Excel whatever its locale: UTF-8 with a byte-order mark,
  ``,`` or ``;`` between fields (with ``;`` decimals use ``,``, as in the
  locales that use ``;``), dates in ISO 8601. It is produced in chunks of about
  16 KiB as the rows arrive, so memory stays flat however long the report.
- **XLSX** is written by XlsxWriter in ``constant_memory`` mode (each row is
  flushed to disk as it is written) into a temporary file: typed cells (dates
  with a date format, scores as numbers), a frozen header row, an autofilter and
  fixed column widths (constant-memory mode cannot measure the cells).
- Both are safe against formula injection (OWASP): text starting with ``=``,
  ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'``; XLSX text
  is always written as a string cell, never as a formula.
"""
from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence

import xlsxwriter

from ..core import reports as core

CHUNK_CHARS = 16 * 1024
BOM = "\ufeff"


def csv_chunks(rows: Iterable[core.ReportRow], headers: Sequence[str], status_label: Callable[[str], str],
               delimiter: str = ",") -> Iterator[bytes]:
    """The CSV file as UTF-8 byte chunks: BOM and header first, then the rows as they come."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    decimal = core.decimal_for(delimiter)
    buffer.write(BOM)
    writer.writerow([core.neutralise(h) for h in headers])
    for row in rows:
        writer.writerow(core.csv_values(row, status_label, decimal))
        if buffer.tell() >= CHUNK_CHARS:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def write_xlsx(target: str, rows: Iterable[core.ReportRow], headers: Sequence[str],
               status_label: Callable[[str], str], sheet_name: str = "Report") -> int:
    """Write the XLSX file at ``target`` row by row; return the number of data rows."""
    workbook = xlsxwriter.Workbook(target, {
        "constant_memory": True,
        "strings_to_formulas": False,
        "strings_to_numbers": False,
        "strings_to_urls": False,
        "tmpdir": os.path.dirname(os.path.abspath(target)),
    })
    try:
        sheet = workbook.add_worksheet(_sheet_name(sheet_name))
        header_format = workbook.add_format({"bold": True, "bottom": 1, "text_wrap": True, "valign": "top"})
        date_format = workbook.add_format({"num_format": "yyyy-mm-dd", "align": "left"})
        number_format = workbook.add_format({"num_format": "0.0"})
        for index, (column, header) in enumerate(zip(core.COLUMNS, headers, strict=True)):
            sheet.set_column(index, index, max(column.width, min(len(header) + 2, 40)))
        sheet.freeze_panes(1, 0)
        sheet.set_row(0, None, header_format)
        for index, header in enumerate(headers):
            sheet.write_string(0, index, core.neutralise(header), header_format)
        count = 0
        for count, row in enumerate(rows, start=1):
            for index, column in enumerate(core.COLUMNS):
                value = core.cell(row, column, status_label)
                if value is None:
                    continue
                if column.kind == "date":
                    sheet.write_datetime(count, index, value, date_format)
                elif column.kind == "number":
                    sheet.write_number(count, index, float(value), number_format)
                else:
                    sheet.write_string(count, index, core.neutralise(str(value)))
        sheet.autofilter(0, 0, max(count, 1), len(core.COLUMNS) - 1)
    finally:
        workbook.close()
    return count


def _sheet_name(name: str) -> str:
    cleaned = "".join(" " if c in "[]:*?/\\" else c for c in name).strip("' ")
    return (cleaned or "Report")[:31]


def xlsx_file(rows: Iterable[core.ReportRow], headers: Sequence[str], status_label: Callable[[str], str],
              sheet_name: str = "Report") -> io.BufferedReader:
    """The XLSX written to a temporary file, open for reading from the start.

    The file is unlinked at once (its data stays until the handle is closed), so
    nothing is left behind when a download is cut short.
    """
    directory = tempfile.mkdtemp(prefix="lms-report-")
    path = os.path.join(directory, "report.xlsx")
    try:
        write_xlsx(path, rows, headers, status_label, sheet_name)
        handle = open(path, "rb")  # closed by whoever streams it (send_file, or the caller)
    finally:
        if os.path.exists(path):
            os.unlink(path)
        for leftover in os.listdir(directory):
            os.unlink(os.path.join(directory, leftover))
        os.rmdir(directory)
    return handle
