"""Unpaid orders past their deadline give their stock back; a late payment may take it again.

DESIGN.md rule 7: an unpaid order holds its stock only until its deadline. Expiry happens whenever an
order is looked at (`expire_if_due`) and in bulk from cron (`flask orders expire`: `due_orders`, each
expired and committed on its own by gallery.orders.cli.expire_due_orders); a payment that arrives
late reinstates the order if its units can be taken again at the price the shopper was shown.
"""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gallery import clock
from gallery.accounts.models import User
from gallery.consignment.ledger import OutOfStock, allocate
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.orders import pricing, shelf_life
from gallery.orders.models import (
    Order,
    OrderLine,
    OrderStatus,
)
from gallery.orders.placing import SoldOut
from gallery.orders.transitions import (
    ChangedMeanwhile,
    is_overdue,
    lock,
    release_stock,
    set_status,
    transition,
)


def _expire(order: Order) -> None:
    """Move an overdue order to expired and give its units back to their lots."""
    transition(order, OrderStatus.EXPIRED, None, str(_l("Batas waktu pembayaran lewat")))
    release_stock(order, None, str(_l("Pesanan kedaluwarsa")))
    order.cancelled_at = clock.utcnow()


def expire_if_due(order: Order) -> bool:
    """Expire one unpaid order whose deadline has passed (called whenever an order is looked at).

    Many people may look at once: the order is read again under its lock, and whoever finds it
    already expired (or loses the conditional update) simply sees it expired. Flushes: the caller (the view
    that looked, or `flask orders expire` per order) commits, which also releases the lock when someone
    else expired (or paid) it meanwhile.
    """
    if not is_overdue(order):
        return False
    lock(order)
    if not is_overdue(order):
        return False
    try:
        _expire(order)
    except ChangedMeanwhile:
        return False
    db.session.flush()
    return True


def reinstate_expired(order: Order, *, user: User | None = None, note: str = "") -> Order:
    """Take the stock of an order that ran out of time again, because its payment arrived late.

    An unpaid order past its deadline is expired first (its units go back), then every line is
    allocated afresh (FEFO, the lots' payouts frozen anew; the line prices stay as ordered) and the
    order waits for payment again with a new deadline. It joins the caller's transaction and does
    not commit: the payment that arrived late pays it in the same transaction. Raises SoldOut when a
    line cannot be taken again; the caller must then roll back.
    """
    if is_overdue(order):
        _expire(order)
    if order.status != OrderStatus.EXPIRED:
        raise DomainError(_l("Hanya pesanan kedaluwarsa yang bisa diaktifkan lagi."), field="status")
    for line in order.lines:
        line.allocations.clear()
        try:
            taken = allocate(line.variant_id, line.quantity, reference=order.number,
                             reason=str(_l("Pembayaran terlambat diterima")), user_id=user.id if user else None,
                             good_after=shelf_life.good_after(order, line.variant.product))
            line.allocations.extend(pricing.retaken_allocation(line, allocation) for allocation in taken)
        except OutOfStock as shortage:
            raise SoldOut(f"{line.product_name} ({line.variant_label})", shortage.wanted, shortage.available) from None
        except pricing.NotAtLinePrice as changed:
            # The units are there, but not at the price the shopper paid: unavailable all the same.
            raise SoldOut(f"{line.product_name} ({line.variant_label})", line.quantity, 0, changed.message) from None
    # Not a transition of TRANSITIONS: only a payment that arrived for this order may bring it back.
    set_status(order, OrderStatus.PENDING_PAYMENT, user, note or str(_l("Pembayaran terlambat diterima")))
    order.cancelled_at = None
    order.payment_deadline = clock.utcnow() + timedelta(hours=current_app.config["PAYMENT_DEADLINE_HOURS"])
    db.session.flush()
    return order


def due_orders() -> list[Order]:
    """Every unpaid order past its deadline (`flask orders expire` expires each with expire_if_due)."""
    return list(db.session.scalars(
        select(Order)
        .options(selectinload(Order.lines).selectinload(OrderLine.allocations))
        .where(Order.status == OrderStatus.PENDING_PAYMENT, Order.payment_deadline <= clock.utcnow())
        .order_by(Order.id)
    ))
