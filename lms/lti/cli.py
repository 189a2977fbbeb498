"""``flask lms lti ...``: register platforms, list them, send the scores waiting in the outbox."""
from __future__ import annotations

import json
from typing import Any

import click
from flask.cli import AppGroup

from ..links import absolute_url
from ..state import db_session
from . import scores, service

lti_cli = AppGroup("lti", help="The LTI 1.3 tool: platforms that launch our courses, and their scores.")


@lti_cli.command("add-platform")
@click.option("--name", default="", help="A name for people (defaults to the issuer's host).")
@click.option("--issuer", required=True, help="The platform's issuer (Moodle: its address; Canvas: "
                                              "https://canvas.instructure.com).")
@click.option("--client-id", required=True, help="The client ID the platform gave the tool.")
@click.option("--deployment-id", "deployment_ids", multiple=True, required=True,
              help="A deployment ID the platform launches with (repeat for several).")
@click.option("--auth-login-url", required=True, help="The platform's authentication request URL.")
@click.option("--auth-token-url", required=True, help="The platform's access token URL.")
@click.option("--key-set-url", required=True, help="The platform's public keyset URL.")
@click.option("--auth-audience", default="", help="The token request's audience, if the platform wants one.")
@click.option("--link-by-email", is_flag=True, help="Link launching people to existing accounts by e-mail.")
def add_platform(**values: object) -> None:
    """Register a platform (or update the one with the same issuer and client ID)."""
    session = db_session()
    existing = next((p for p in service.platforms(session)
                     if p.issuer == values["issuer"] and p.client_id == values["client_id"]), None)
    try:
        platform = service.save_platform(session, values, existing)
    except service.PlatformError as exc:
        messages = {"required": "give the issuer, the client ID, the deployment IDs and the three URLs",
                    "url": "the URLs must start with https:// (or http:// for a test platform)",
                    "deployment": "give at least one --deployment-id",
                    "duplicate": "a platform with this issuer and client ID is registered already"}
        raise click.ClickException(messages[exc.code]) from None
    session.commit()
    click.echo(f"{'Updated' if existing else 'Registered'} platform {platform.id}: {platform.name} "
               f"({platform.issuer}, client {platform.client_id}, deployments {', '.join(platform.deployment_ids)})")
    click.echo(f"Tool: login {absolute_url('lms.lti.login')}, launch {absolute_url('lms.lti.launch')}, "
               f"key set {absolute_url('lms.lti.jwks')}")


@lti_cli.command("platforms")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_platforms(as_json: bool) -> None:
    """List the registered platforms."""
    rows: list[dict[str, Any]] = [{"id": p.id, "name": p.name, "issuer": p.issuer, "client_id": p.client_id,
             "deployment_ids": p.deployment_ids, "auth_login_url": p.auth_login_url,
             "auth_token_url": p.auth_token_url, "key_set_url": p.key_set_url}
            for p in service.platforms(db_session())]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        click.echo(f"{row['id']}: {row['name']} {row['issuer']} client {row['client_id']} "
                   f"deployments {', '.join(row['deployment_ids'])}")
    if not rows:
        click.echo("No platforms registered.")


@lti_cli.command("send")
def send() -> None:
    """Send the scores waiting in the outbox to the platforms' gradebooks (for cron)."""
    report = scores.send_due(db_session())
    click.echo(f"Sent {report.sent} scores, {report.failed} failed (to be tried again), {report.dropped} dropped.")
