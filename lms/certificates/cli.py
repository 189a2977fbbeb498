"""``flask lms certificates ...``: certificate jobs for cron."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from ..services import certificates as service
from ..state import db_session

certificates_cli = AppGroup("certificates", help="Certificates: expiry and recertification.")


@certificates_cli.command("expire")
def expire_command() -> None:
    """Assign the course again to every holder of a certificate that has expired (run daily)."""
    session = db_session()
    renewed = service.renew_expired(session)
    session.commit()
    for certificate in renewed:
        click.echo(f"{certificate.serial}: expired; course assigned again to user {certificate.user_id} "
                   f"({certificate.holder_name}) for cycle {certificate.cycle + 1}")
    click.echo(f"{len(renewed)} certificate(s) expired and renewed.")
