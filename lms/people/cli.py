"""``flask lms users import`` and ``flask lms xapi ...``: people and learning records from the command line."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from ..core.staff_import import StaffFileError
from ..notify.invitations import deliver_import_invitations, email_configured
from ..services import people as service
from ..services import xapi
from ..state import db_session, state
from .links import activity_base, verify_url

xapi_cli = AppGroup("xapi", help="Learning records as xAPI statements: export them, or send them to an LRS.")


def fail(message: str) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


@click.command("import")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def users_import(file: Path) -> None:
    """Create and update people from a staff CSV (name,email,department[,manager_email][,employee_id]).

    Prints one line per row. New people get their invitation by e-mail when LMS_SMTP_URL is set;
    else their links are printed (once). One transaction: a file that cannot be read changes nothing.
    """
    session = db_session()
    days = current_app.config["LMS_INVITATION_DAYS"]
    try:
        result = service.import_staff(session, file.read_bytes(), None, state().user_store, days)
        delivery = deliver_import_invitations(session, result.invitations, days)
    except StaffFileError as exc:
        session.rollback()
        where = f"{file}:{exc.line}: " if exc.line else f"{file}: "
        fail(where + {"not_utf8": "not UTF-8 text; save it as CSV UTF-8",
                      "not_csv": f"not a CSV table ({exc.detail})",
                      "empty": "the file is empty",
                      "wrong_header": f"the header must name name, email, department[, manager_email, employee_id] "
                                      f"({exc.detail}: - missing, + unknown)",
                      "too_many_rows": f"more than {exc.detail} rows; split the file"}.get(exc.code, exc.code)
             + "; nothing was imported")
    except Exception:
        session.rollback()
        raise
    session.commit()
    for row in result.rows:
        detail = ", ".join(row.problems or row.changes)
        click.echo(f"{file}:{row.line}: {row.action} {row.email}" + (f" ({detail})" if detail else ""))
    counts = result.counts
    click.echo(f"{counts['created']} created, {counts['updated']} updated, {counts['unchanged']} unchanged, "
               f"{counts['rejected']} rejected.")
    if delivery.mailed:
        click.echo(f"Invitations queued for e-mail: {len(delivery.mailed)} (`flask lms notify send` sends them).")
    if delivery.links:
        if not email_configured():
            click.echo("E-mail is not configured (LMS_SMTP_URL): send each person their link.")
        click.echo(f"Invitation links (each works once, for {days} days):")
        for row in result.invitations:
            if row.line in delivery.links:
                click.echo(f"  {row.email} {delivery.links[row.line]}")


@xapi_cli.command("export")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The JSON-lines file to write ('-' for standard output).")
def xapi_export(output: Path) -> None:
    """Write every learning record as an xAPI statement, one JSON object a line."""
    lines = xapi.export_lines(db_session(), activity_base(), verify_url)
    if str(output) == "-":
        count = 0
        for line in lines:
            click.echo(line, nl=False)
            count += 1
        return
    count = 0
    with output.open("w", encoding="utf-8") as handle:
        for line in lines:
            handle.write(line)
            count += 1
    click.echo(f"Wrote {count} statements to {output}")


@xapi_cli.command("send")
@click.option("--batch", "batch_size", type=click.IntRange(1, 500), default=50, show_default=True,
              help="Statements per request.")
def xapi_send(batch_size: int) -> None:
    """Queue new statements and send the due ones to LMS_XAPI_ENDPOINT (for cron).

    Exits 1 when the learning record store could not take them; they stay queued
    and are tried again on a later run, waiting longer after each failure. Each batch
    the store accepts is recorded at once: a run killed half-way does not send it again.
    """
    endpoint = current_app.config.get("LMS_XAPI_ENDPOINT")
    if not endpoint:
        fail("LMS_XAPI_ENDPOINT is not set; set it to your learning record store's xAPI endpoint")
    report = send_statements(batch_size)
    click.echo(f"Sent {report.sent} statements; {report.waiting} waiting.")
    if report.errors:
        fail(f"the learning record store did not take {report.failed} statements: {report.errors[-1]}")


def send_statements(batch_size: int = 50) -> xapi.SendReport:
    """Fill the outbox and send what is due (callable from code, e.g. a scheduler).

    The queue is committed first, then the outcome of each batch as soon as the learning
    record store answers: the LRS and the outbox disagree at most about the batch in flight.
    """
    config = current_app.config
    session = db_session()
    try:
        xapi.fill_outbox(session, activity_base(), verify_url)
        session.commit()
        report = xapi.send_pending(session, config["LMS_XAPI_ENDPOINT"], config.get("LMS_XAPI_AUTH"), batch_size,
                                   checkpoint=session.commit)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return report
