"""``flask lms notify ...``: plan and send the notifications (for cron), and see the queue."""
from __future__ import annotations

import datetime as dt

import click
from flask import current_app
from flask.cli import AppGroup

from ..models import utcnow
from ..services import certificates
from ..state import db_session
from . import outbox, planner

notify_cli = AppGroup("notify", help="Plan and send notifications by e-mail (run `notify send` from cron).")


def _moment(value: str | None) -> dt.datetime:
    if not value:
        return utcnow()
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("use an ISO date and time such as 2026-12-10T09:00") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


@notify_cli.command("send")
@click.option("--at", "at", help="Act as if it were this moment (ISO, UTC unless it says): for catching up and tests.")
@click.option("--batch", default=outbox.BATCH, show_default=True, help="Messages claimed at a time.")
def send_command(at: str | None, batch: int) -> None:
    """Plan what is due (reminders, digests...), then send every due e-mail. Expired certificates
    are renewed first (as `certificates expire` does), so their reassignment is announced.

    Safe every minute and from several hosts at once: a notification is planned once and
    e-mailed by one run only. Without LMS_SMTP_URL the messages stay queued.
    """
    now = _moment(at)
    try:
        config = outbox.settings()
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    session = db_session()
    renewed = certificates.renew_expired(session, now)  # an expired certificate's course is assigned again
    if renewed:
        click.echo(f"renewed {len(renewed)} expired certificates")
    pruned = outbox.prune(session, now, int(current_app.config.get("LMS_NOTIFICATION_DAYS") or 0))
    if pruned:
        click.echo(f"forgot {pruned} notifications older than LMS_NOTIFICATION_DAYS")
    planned = planner.plan(session, config, now)
    session.commit()
    for name, count in sorted(planned.items()):
        if count:
            click.echo(f"planned {count} {name}")
    if not config.configured:
        waiting = outbox.queue_counts(session).get("pending", 0)
        click.echo(f"LMS_SMTP_URL is not set: {waiting} e-mails stay queued.")
        return
    report = outbox.send_due(session, config, now, batch)
    click.echo(f"sent {report.sent}, retrying {report.retrying}, failed {report.failed}, "
               f"folded into a digest {report.folded}, deferred for quiet hours {report.deferred}, "
               f"not e-mailed {report.skipped}")
    for error in report.errors[:10]:
        click.echo(f"  {error}", err=True)


@notify_cli.command("status")
def status_command() -> None:
    """How many notifications are in each state."""
    counts = outbox.queue_counts(db_session())
    for state_, count in sorted(counts.items()):
        click.echo(f"{state_}: {count}")
