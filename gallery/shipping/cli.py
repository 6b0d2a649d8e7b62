"""`flask regions load` (the Kemendagri region tables) and `flask tariff …` (the Pos tariff tables)."""
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from gallery.errors import DomainError
from gallery.extensions import db
from gallery.shipping.regions import load_regions, regions_loaded
from gallery.shipping.tariff_csv import TariffFileError, export_csv
from gallery.shipping.tariffs import import_tariff, load_sample


@click.group()
def regions():
    """Indonesian provinces, regencies and districts."""


@regions.command("load")
@with_appcontext
def load_command():
    """Insert or update the region tables (safe to run again)."""
    result = load_regions()
    db.session.commit()
    click.echo(
        f"regions: {result.provinces} provinces, {result.regencies} regencies, {result.districts} districts"
    )


@click.group()
def tariff():
    """The Pos agency's tariff tables (versioned by effective date)."""


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


@tariff.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--effective", "effective", required=True, type=click.DateTime(formats=["%Y-%m-%d"]),
              help="first day (WIB) the table is in force, YYYY-MM-DD, today or later")
@click.option("--note", default="", help="a note kept with the version")
@click.option("--replace-all", is_flag=True, help="save it even if it drops services or regencies of the table in force")
@with_appcontext
def import_command(file: Path, effective, note: str, replace_all: bool):
    """Check FILE (CSV) and save it as a new tariff version; nothing is saved if any row is wrong."""
    try:
        version = import_tariff(file.read_bytes(), file.name, effective.date(), note=note, replace_all=replace_all)
    except TariffFileError as error:
        for row in error.preview.errors:
            where = f"line {row.line}" if row.line else "file"
            click.echo(f"{where}: {row.message}", err=True)
        _fail(str(error.message))
    except DomainError as error:
        _fail(str(error.message))
    db.session.commit()
    click.echo(f"tariff: version {version.id} with {version.row_count} rates, effective {version.effective_on}")


@tariff.command("export")
@click.option("--version", "version_id", type=int, default=None, help="a version id (default: the active one)")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="write to this file instead of standard output")
@with_appcontext
def export_command(version_id: int | None, output: Path | None):
    """Write the active tariff table (or --version) as CSV in the import format."""
    try:
        text = export_csv(version_id)
    except DomainError as error:
        _fail(str(error.message))
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"tariff: written to {output}", err=True)


@tariff.command("load-sample")
@with_appcontext
def load_sample_command():
    """Create the three sample Pos services if missing and load data/tariff-sample.csv, effective today,
    only when no tariff version exists yet (safe to run again)."""
    if not regions_loaded():
        _fail("load the regions first: flask regions load")
    version = load_sample()
    db.session.commit()
    if version is None:
        click.echo("tariff: a tariff table exists already; sample not loaded")
    else:
        click.echo(f"tariff: SAMPLE table loaded as version {version.id} ({version.row_count} rates)")
