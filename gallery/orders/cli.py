"""`flask orders expire`, `remind` and `track` (cron): unpaid orders past their deadline give their stock back,
those whose deadline is near are reminded once, parcels are followed and delivered orders completed."""
import logging

import click
from flask.cli import with_appcontext

from gallery.errors import DomainError
from gallery.extensions import db

from gallery.jobs import periodic
from gallery.orders import tracking
from gallery.shipping import pos_tracking
from gallery.orders.reminders import remind_due_payments
from gallery.orders.expiry import due_orders, expire_if_due
from gallery.orders.transitions import complete

log = logging.getLogger(__name__)


@click.group()
def orders():
    """Orders."""


def expire_due_orders() -> list[str]:
    """Expire every unpaid order past its deadline and give its stock back; each order commits on its own."""
    numbers = []
    for order in due_orders():
        if expire_if_due(order):
            numbers.append(order.number)
        db.session.commit()  # one order at a time (and its lock released), as when a view looks at it
    return numbers


def complete_delivered() -> list[str]:
    """Complete each order delivered long enough ago (gallery.orders.tracking.delivered_due); each commits on
    its own, and one that cannot be completed is logged and left for staff."""
    numbers = []
    for order in tracking.delivered_due():
        try:
            complete(order, user=None)
        except DomainError as error:
            db.session.rollback()
            log.warning("could not complete delivered order %s: %s", order.number, error.message)
            continue
        db.session.commit()
        numbers.append(order.number)
    return numbers


@orders.command("expire")
@with_appcontext
@periodic("orders-expire")
def expire_command():
    """Expire every unpaid order whose payment deadline has passed and release its stock."""
    numbers = expire_due_orders()
    click.echo(f"orders: {len(numbers)} expired" + (": " + ", ".join(numbers) if numbers else ""))


@orders.command("remind")
@with_appcontext
@periodic("orders-remind")
def remind_command():
    """Remind the shopper of each unpaid order whose deadline is within PAYMENT_REMINDER_HOURS (once each)."""
    numbers = remind_due_payments()
    db.session.commit()
    click.echo(f"orders: {len(numbers)} reminded" + (": " + ", ".join(numbers) if numbers else ""))


@orders.command("track")
@with_appcontext
@periodic("orders-track")
def track_command():
    """Ask the Pos tracker about parcels on their way, then complete orders delivered long enough ago."""
    run = tracking.TrackRun()
    if pos_tracking.configured():
        for order in tracking.in_transit():
            tracking.poll_one(order, run)
            db.session.commit()  # each parcel stands alone: a tracker failing later keeps what was learnt
    run.completed = complete_delivered()
    click.echo(f"orders: {run.polled} parcel(s) polled, {run.added} new event(s), {len(run.completed)} completed"
               + (": " + ", ".join(run.completed) if run.completed else ""))
    if run.unavailable:
        click.echo("tracker could not answer for: " + ", ".join(run.unavailable), err=True)
