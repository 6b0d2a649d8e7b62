"""`flask catalog seed`: the category tree and IKM classifications."""
import click
from flask.cli import with_appcontext

from gallery.catalog.reference import seed_reference_data
from gallery.extensions import db
from gallery.jobs import periodic
from gallery.planner_stats import refresh_planner_statistics


@click.group()
def catalog():
    """Catalog reference data."""


@catalog.command("seed")
@with_appcontext
def seed_command():
    """Create missing sectors, sub-categories and IKM classifications (safe to run again)."""
    categories, classifications = seed_reference_data()
    db.session.commit()
    click.echo(f"catalog: {categories} categories and {classifications} classifications added")


@catalog.command("analyze")
@with_appcontext
@periodic("catalog-analyze")
def analyze_command():
    """Refresh the query planner's statistics (nightly; SQLite never does it by itself)."""
    refresh_planner_statistics()
