"""`flask orders expire`: give back the stock of unpaid orders past their deadline (run by cron)."""
import click
from flask.cli import with_appcontext

from gallery.jobs import periodic
from gallery.orders.services import expire_due_orders


@click.group()
def orders():
    """Orders."""


@orders.command("expire")
@with_appcontext
@periodic("orders-expire")
def expire_command():
    """Expire every unpaid order whose payment deadline has passed and release its stock."""
    numbers = expire_due_orders()
    click.echo(f"orders: {len(numbers)} expired" + (": " + ", ".join(numbers) if numbers else ""))
