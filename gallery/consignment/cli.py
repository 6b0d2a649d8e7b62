"""`flask consignment notices`: tell producers their consignment terms are ending or over, and that food lots
near their date (run by cron)."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from gallery.consignment.notices import send_due_notices
from gallery.extensions import db

consignment = AppGroup("consignment", help="Consignment terms.")


@consignment.command("notices")
def notices_command() -> None:
    """Queue each due term notice once per lot and stage, and each expiring food lot once; safe to run on
    several hosts at once."""
    run = send_due_notices()
    db.session.commit()
    click.echo(f"consignment notices: {run.sent} queued for {run.producers} producer(s), "
               f"{run.expiring} expiring lot(s)")
    if run.without_email:
        click.echo("no e-mail address or WhatsApp (kept for a later run): " + ", ".join(run.without_email), err=True)
