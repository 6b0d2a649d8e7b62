"""`flask consignment notices`: tell producers their consignment terms are ending or over (run by cron)."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from gallery.consignment.notices import send_due_notices

consignment = AppGroup("consignment", help="Consignment terms.")


@consignment.command("notices")
def notices_command() -> None:
    """Send each due term notice once per lot and stage; safe to run on several hosts at once."""
    run = send_due_notices()
    click.echo(f"consignment notices: {run.sent} sent to {run.producers} producer(s)")
    if run.without_email:
        click.echo("no e-mail address (kept for a later run): " + ", ".join(run.without_email), err=True)
    if run.failed:
        click.echo("mail failed (left unsent): " + ", ".join(run.failed), err=True)
