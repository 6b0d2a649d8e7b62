"""Emails to the shopper when an order is placed and when its parcel leaves with Pos."""
from __future__ import annotations

from urllib.parse import quote

from flask import current_app
from flask_babel import gettext as _

from gallery import mail
from gallery.orders.models import Order


def order_link(order: Order) -> str:
    """The shopper's private link to the order page; built without a request (cron sends mail too)."""
    return f"{current_app.config['SHOP_URL']}/orders/{order.number}?t={quote(order.access_token)}"


def order_placed(order: Order) -> bool:
    return mail.send(order.contact_email, _("Pesanan %(number)s diterima", number=order.number),
                     "order_placed", order=order, order_url=order_link(order))


def order_shipped(order: Order) -> bool:
    return mail.send(order.contact_email, _("Pesanan %(number)s sudah dikirim", number=order.number),
                     "order_shipped", order=order, order_url=order_link(order))
