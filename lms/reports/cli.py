"""``flask lms report ...``: the HR reports from the command line, for cron.

    flask --app wsgi lms report completions --format xlsx -o completions.xlsx --group "Store 12" --status overdue

The same rows, filters and order as ``/reports/completions`` seen by HR (every
employee), streamed into the file; headers in ``--language``.
"""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale

from ..core import reports as core
from ..i18n import LANGUAGES
from ..models import utcnow
from ..services import reports as service
from ..state import db_session
from . import exports, labels

report_cli = AppGroup("report", help="Export the HR reports.")


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


@report_cli.command("completions")
@click.option("--format", "file_format", type=click.Choice(["csv", "xlsx"]),
              help="File format (default: from the extension of -o, else csv).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The file to write.")
@click.option("--group", help="Only members of this group (its name or id).")
@click.option("--course", help="Only this course (its slug).")
@click.option("--status", type=click.Choice(core.STATUSES), help="Only rows with this status.")
@click.option("--date-field", type=click.Choice(core.DATE_FIELDS), default="assigned", show_default=True,
              help="The date --from and --to apply to.")
@click.option("--from", "date_from", help="From this date, YYYY-MM-DD (inclusive).")
@click.option("--to", "date_to", help="To this date, YYYY-MM-DD (inclusive).")
@click.option("--expiring-within", type=click.IntRange(0, core.MAX_EXPIRING_DAYS), metavar="DAYS",
              help="Only rows whose certificate expires within DAYS days.")
@click.option("--sort", type=click.Choice(core.SORT_KEYS), default="employee", show_default=True)
@click.option("--desc", is_flag=True, help="Sort in descending order.")
@click.option("--delimiter", type=click.Choice(sorted(core.DELIMITERS)), default="comma", show_default=True,
              help="CSV field separator (semicolon for Excel in locales with a decimal comma).")
@click.option("--language", type=click.Choice(sorted(LANGUAGES)),
              help="Language of the headers and statuses (default: LMS_DEFAULT_LOCALE).")
def completions_command(file_format: str | None, output: Path, group: str | None, course: str | None,
                        status: str | None, date_field: str, date_from: str | None, date_to: str | None,
                        expiring_within: int | None, sort: str, desc: bool, delimiter: str,
                        language: str | None) -> None:
    """Write the completion report (every row the filters keep) to a CSV or XLSX file."""
    session = db_session()
    file_format = file_format or ("xlsx" if output.suffix.lower() == ".xlsx" else "csv")
    group_id = None
    if group:
        group_id = service.find_group_id(session, group)
        if group_id is None:
            _fail(f"no group '{group}'; give a group's exact name or its id")
    parsed = core.parse_filters({
        "group": str(group_id) if group_id else None, "course": course, "status": status,
        "date_field": date_field, "from": date_from, "to": date_to,
        "expiring": None if expiring_within is None else str(expiring_within),
        "sort": sort, "order": "desc" if desc else "asc",
    })
    if parsed.invalid:
        names = ", ".join(f"--{name}" for name in parsed.invalid)
        _fail(f"not understood: {names} (dates are YYYY-MM-DD)")
    language = language or current_app.config.get("LMS_DEFAULT_LOCALE", "ru")
    with force_locale(language):
        courses = service.course_options(session, language)
        if course and course not in {c.slug for c in courses}:
            _fail(f"no course '{course}'; give its slug, as in 'flask lms courses import'")
        titles = {c.id: c.title for c in courses}
        rows = service.stream_rows(session, service.EVERYONE, parsed.filters, titles, dt.date.today(), utcnow())
        headers, status_label = labels.header_list(), labels.status_label_function()
        if file_format == "csv":
            count = 0

            def counted():
                nonlocal count
                for row in rows:
                    count += 1
                    yield row

            with output.open("wb") as handle:
                for chunk in exports.csv_chunks(counted(), headers, status_label, core.DELIMITERS[delimiter]):
                    handle.write(chunk)
        else:
            count = exports.write_xlsx(str(output), rows, headers, status_label, labels.sheet_name())
    session.rollback()
    click.echo(f"Wrote {count} row(s) to {output}")
