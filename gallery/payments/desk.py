"""Money staff take themselves: a sale at the counter, or an order marked paid on its page.

Every rupiah that comes in is a `Payment` (DESIGN.md rule 7), so the reconciliation's cash side sees
the till and the transfers staff matched by hand as well as Stripe: the payment is written in the
same transaction as the order's change, and a counter sale sent twice (its till token) is one sale
with one payment.
"""
from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from sqlalchemy import select

from gallery import clock
from gallery.accounts.models import User
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.orders import services as orders
from gallery.orders.models import Order
from gallery.payments.models import Payment, PaymentStatus, Provider
from gallery.payments.services import _close_other_payments, _event, _lock_order

BANK_TRANSFER = "bank_transfer"


def provider_for(method: str) -> str:
    """The provider a staff-recorded payment belongs to: a matched transfer, or the gallery's till."""
    return Provider.BANK_TRANSFER if method == BANK_TRANSFER else Provider.GALLERY


def _record(order: Order, method: str, user: User | None, note: str = "") -> Payment:
    now = clock.utcnow()
    payment = Payment(order_id=order.id, provider=provider_for(method), status=PaymentStatus.PAID,
                      amount=order.total, currency="IDR", created_at=now, paid_at=now)
    db.session.add(payment)
    db.session.flush()
    _event(payment, order.id, "recorded", to_status=PaymentStatus.PAID, amount=payment.amount, user=user,
           note=note or _("Dicatat staf"))
    return payment


def pay_at_desk(order: Order, method: str, *, user: User | None, note: str = "") -> Order:
    """Staff took the order's money (cash or QRIS at the gallery, or a transfer matched by hand): record it."""
    order = _lock_order(order.id)
    try:
        payment = _record(order, method, user, note)
        _close_other_payments(order, payment, user)
        orders.mark_paid(order, method, user=user, note=note)  # commits everything above
    except DomainError:
        db.session.rollback()
        raise
    return order


def sell_at_counter(lines: Sequence[orders.CartLine], method: str, *, user: User, customer_name: str = "",
                    client_token: str | None = None) -> Order:
    """A walk-in sale and its money in one transaction (the till's token makes a double tap one sale)."""
    order = orders.counter_sale(lines, method, user=user, customer_name=customer_name, client_token=client_token,
                                commit=False)
    if db.session.scalar(select(Payment.id).where(Payment.order_id == order.id).limit(1)) is None:
        _record(order, method, user, _("Penjualan di kasir"))
    db.session.commit()
    return order
