"""`flask translations compile`: build the .mo catalogues (the Makefile does this too)."""
import click

from gallery.i18n import compile_catalogs


@click.group()
def translations():
    """Translation catalogues."""


@translations.command("compile")
def compile_command():
    """Compile gallery/translations/*/LC_MESSAGES/messages.po into .mo files."""
    written = compile_catalogs()
    click.echo(f"compiled {len(written)} catalogue(s)")
