"""`flask producers import FILE`: import the regency's IKM registry from CSV (all rows or nothing)."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from gallery.extensions import db
from gallery.registry.services import RegistryFileError, after_import, import_registry

producers = AppGroup("producers", help="The regency's IKM registry.")


@producers.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(path: Path) -> None:
    """Import (add or update by registry number) the registry entries of a CSV file."""
    try:
        result = import_registry(path.read_bytes(), path.name)
    except RegistryFileError as error:
        for row in error.preview.errors:
            click.echo(f"line {row.line}: {row.message}", err=True)
        raise click.ClickException(f"{len(error.preview.errors)} error(s); nothing was saved.") from None
    db.session.commit()
    after_import()
    click.echo(f"{result.added} added, {result.changed} changed, {result.unchanged} unchanged, "
               f"{result.linked} linked to a producer of the gallery.")
