"""Registers each domain's `flask` command group."""
from flask import Flask


def register(app: Flask) -> None:
    from gallery.accounts.cli import users
    from gallery.catalog.cli import catalog
    from gallery.demo import demo
    from gallery.shipping.cli import regions
    from gallery.translations_cli import translations

    for group in (users, regions, catalog, demo, translations):
        app.cli.add_command(group)
