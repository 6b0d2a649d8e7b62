"""The counter till: walk-in sales taken through the same ledger as online orders (DESIGN.md rules 3 and 5).

A sale counts for each producer exactly like an online one (its allocations carry the lots' payouts).
The till's token makes a form sent twice one sale. Its money is recorded by gallery.payments.desk.
"""
from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from gallery import clock
from gallery.accounts.models import User
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.orders import notifications
from gallery.orders.models import (
    Channel,
    Fulfilment,
    Order,
    OrderEvent,
    OrderStatus,
    PaymentMethod,
)
from gallery.orders.placing import CartLine, allocate_lines, new_order_number, sellable_variants


def _order_by_client_token(token: str | None) -> Order | None:
    if not token:
        return None
    return db.session.scalar(select(Order).where(Order.client_token == token))


def counter_sale(lines: Sequence[CartLine], method: str, *, user: User, customer_name: str = "",
                 client_token: str | None = None, commit: bool = True, hold_until: datetime | None = None) -> Order:
    """Sell to a walk-in customer: take stock through the same ledger, paid and handed over at once.

    The sale counts for each producer exactly like an online one (its allocations carry the lots' payouts).
    A sale is recorded once per `client_token`: the till's form sent twice returns the first sale.
    With `commit=False` the caller (gallery.payments.desk, which records the money) commits. With
    `hold_until` the sale waits for its money (a QRIS code on the till's screen) until then, holding its
    units like an unpaid order; it is paid and handed over when the money comes, or expires.
    """
    if (existing := _order_by_client_token(client_token)) is not None:
        return existing
    if method not in PaymentMethod.COUNTER:
        raise DomainError(_l("Pilih cara bayar: tunai atau QRIS."), field="method")
    variants = sellable_variants(lines)
    now = clock.utcnow()
    order = Order(
        number=new_order_number(now), access_token=secrets.token_urlsafe(24), status=OrderStatus.COMPLETED,
        channel=Channel.COUNTER, fulfilment=Fulfilment.PICKUP, contact_name=(customer_name or "").strip()[:120],
        payment_method=method, placed_at=now, paid_at=now, completed_at=now, client_token=client_token,
    )
    if hold_until is not None:
        order.status, order.payment_method, order.paid_at, order.completed_at = (
            OrderStatus.PENDING_PAYMENT, None, None, None)
        order.payment_deadline = hold_until
    order.events.append(OrderEvent(from_status=None, to_status=order.status, created_at=now,
                                   user_id=user.id, note=str(_l("Penjualan di kasir"))))
    db.session.add(order)
    try:
        db.session.flush()
        allocate_lines(order, variants, lines, user)
        order.total = order.subtotal
        if order.status == OrderStatus.COMPLETED:
            notifications.producers_sold(order)
        if commit:
            db.session.commit()
        else:
            db.session.flush()
    except DomainError:
        db.session.rollback()
        raise
    except IntegrityError:
        # The same form was sent twice at the same moment and the other request recorded the sale.
        db.session.rollback()
        if (existing := _order_by_client_token(client_token)) is not None:
            return existing
        raise
    return order
