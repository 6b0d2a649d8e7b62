"""`flask catalog seed`: the category tree and IKM classifications."""
import click
from flask.cli import with_appcontext

from gallery.catalog.reference import seed_reference_data


@click.group()
def catalog():
    """Catalog reference data."""


@catalog.command("seed")
@with_appcontext
def seed_command():
    """Create missing sectors, sub-categories and IKM classifications (safe to run again)."""
    categories, classifications = seed_reference_data()
    click.echo(f"catalog: {categories} categories and {classifications} classifications added")
