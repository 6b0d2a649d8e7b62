"""`flask regions load`: the Kemendagri region tables from data/regions."""
import click
from flask.cli import with_appcontext

from gallery.shipping.regions import load_regions


@click.group()
def regions():
    """Indonesian provinces, regencies and districts."""


@regions.command("load")
@with_appcontext
def load_command():
    """Insert or update the region tables (safe to run again)."""
    result = load_regions()
    click.echo(
        f"regions: {result.provinces} provinces, {result.regencies} regencies, {result.districts} districts"
    )
