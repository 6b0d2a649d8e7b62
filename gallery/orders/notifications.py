"""What an order tells its shopper and its producers, queued in the transaction of the change that causes it.

Shopper: placed, paid (or, for a pick-up, ready to collect), shipped with its resi, and a reminder before
an unpaid order's deadline. Producers: a new sale of their goods (when the units become "a sale",
gallery.orders.sales: shipped, collected, sold at the counter, or COD remitted) and a variant falling
below its low-stock threshold. Each function joins the caller's transaction (gallery.notifications).
"""
from __future__ import annotations

from collections import defaultdict
from urllib.parse import quote

from flask import current_app
from flask_babel import gettext as _

from gallery.money import format_rupiah
from gallery.notifications.compose import Message, to_order_contact, to_producers
from gallery.orders.models import Fulfilment, Order
from gallery.templating import wib_datetime


def order_link(order: Order) -> str:
    """The shopper's private link to the order page; built without a request (cron sends mail too)."""
    return f"{current_app.config['SHOP_URL'].rstrip('/')}/orders/{order.number}?t={quote(order.access_token)}"


def order_placed(order: Order) -> None:
    """The order and what to pay by when (or that it is paid to the courier)."""
    to_order_contact(order, Message(
        "order_placed", _("Pesanan %(number)s diterima", number=order.number), "order_placed",
        {"order": order, "order_url": order_link(order)},
        ("galeri_order_placed", [order.contact_name, order.number, format_rupiah(order.total), order_link(order)])))


def order_paid(order: Order) -> None:
    """The money arrived; a pick-up order is then ready to collect at the gallery."""
    ready = order.fulfilment == Fulfilment.PICKUP
    to_order_contact(order, Message(
        "order_ready_for_pickup" if ready else "order_paid",
        _("Pesanan %(number)s siap diambil di galeri", number=order.number) if ready
        else _("Pembayaran pesanan %(number)s diterima", number=order.number),
        "payment_received", {"order": order, "order_url": order_link(order)},
        ("galeri_order_ready" if ready else "galeri_payment_received",
         [order.contact_name, order.number, order_link(order)])))


def order_shipped(order: Order) -> None:
    """The parcel left with Pos, with its resi."""
    to_order_contact(order, Message(
        "order_shipped", _("Pesanan %(number)s sudah dikirim", number=order.number), "order_shipped",
        {"order": order, "order_url": order_link(order)},
        ("galeri_order_shipped", [order.contact_name, order.number, order.tracking_number or "",
                                  order_link(order)])))


def payment_reminder(order: Order) -> None:
    """An unpaid order's deadline is near: once per order (its dedupe key)."""
    to_order_contact(order, Message(
        "payment_reminder", _("Pesanan %(number)s menunggu pembayaran", number=order.number), "payment_reminder",
        {"order": order, "order_url": order_link(order)},
        ("galeri_payment_reminder", [order.contact_name, order.number, format_rupiah(order.total),
                                     wib_datetime(order.payment_deadline, "short"), order_link(order)])),
        dedupe_key=f"payment_reminder:{order.id}")


def producers_sold(order: Order) -> None:
    """Tell each producer whose goods the order sold what went and what it earns them."""
    lines = defaultdict(list)
    for line in order.lines:
        lines[line.producer_id].append(line)

    # Imported here: settlements reads orders' models, and orders' modules load this one.
    from gallery.settlements.payouts import total_payout

    def build(producer) -> Message:
        sold = lines[producer.id]
        payout = total_payout((a.quantity, a.unit_payout) for line in sold for a in line.allocations)
        summary = ", ".join(f"{line.quantity} × {line.product_name} ({line.variant_label})" for line in sold)
        return Message("producer_sale", _("Terjual di galeri: pesanan %(number)s", number=order.number),
                       "producer_sale", {"order": order, "lines": sold, "payout": payout},
                       ("galeri_producer_sale", [producer.business_name, summary, format_rupiah(payout)]))

    to_producers(lines, build, dedupe_key=lambda producer: f"producer_sale:{order.id}:{producer.id}",
                 order_id=order.id)
