"""Registers each domain's `flask` command group."""
from flask import Flask


def register(app: Flask) -> None:
    from gallery.accounts.cli import users
    from gallery.cache import cache_commands
    from gallery.catalog.cli import catalog
    from gallery.consignment.cli import consignment
    from gallery.devtools.demo import demo
    from gallery.notifications.cli import notifications, worker_command
    from gallery.orders.cli import orders
    from gallery.registry.cli import producers
    from gallery.shipping.cli import regions, tariff
    from gallery.translations_cli import translations

    for group in (users, regions, tariff, catalog, consignment, demo, translations, orders, producers, notifications,
                  worker_command, cache_commands):
        app.cli.add_command(group)
