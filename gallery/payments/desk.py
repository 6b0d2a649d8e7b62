"""Money taken at the gallery: a sale at the till (cash, or QRIS through a gateway), a pick-up order paid
at the counter, or an order marked paid on its page.

Every rupiah that comes in is a `Payment` (DESIGN.md rule 7), so the reconciliation's cash side sees
the till and the transfers staff matched by hand as well as the gateways: the payment is written in the
same transaction as the order's change, and a counter sale sent twice (its till token) is one sale
with one payment. A QRIS sale through a gateway holds its units while the QR code is on the screen;
it is paid (and handed over) only when the gateway says so, and gives its units back when the code
expires or the cashier gives up.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from flask import current_app

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from gallery import clock
from gallery.accounts.models import User
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.orders.expiry import expire_if_due
from gallery.orders.placing import CartLine
from gallery.orders.till import check_cash_received, counter_sale
from gallery.orders.transitions import cancel, mark_paid
from gallery.orders.models import Channel, Order, OrderStatus, PaymentMethod
from gallery.payments import gateways
from gallery.payments.core import close_other_payments, confirm_by_staff, lock_order, move, open_attempt, \
    record_event, start_at_provider, waiting
from gallery.payments.gateways import Gateway
from gallery.payments.models import Payment, PaymentStatus, Provider
from gallery.payments.notices import sync


def provider_for(method: str) -> str:
    """The provider a staff-recorded payment belongs to: a matched transfer, or the gallery's till."""
    return Provider.BANK_TRANSFER if method == Provider.BANK_TRANSFER else Provider.GALLERY


def _record(order: Order, method: str, user: User | None, note: str = "") -> Payment:
    now = clock.utcnow()
    payment = Payment(order_id=order.id, provider=provider_for(method), status=PaymentStatus.PAID,
                      amount=order.total, currency="IDR", created_at=now, paid_at=now)
    db.session.add(payment)
    db.session.flush()
    record_event(payment, order.id, "recorded", to_status=PaymentStatus.PAID, amount=payment.amount, user=user,
           note=note or _("Dicatat staf"))
    return payment


def pay_at_desk(order: Order, method: str, *, user: User | None, note: str = "") -> Order:
    """Staff took the order's money (cash or QRIS at the gallery, or a transfer matched by hand): record it."""
    order = lock_order(order.id)
    try:
        payment = _record(order, method, user, note)
        close_other_payments(order, payment, user)
        mark_paid(order, method, user=user, note=note)  # the view commits all of it at once
    except DomainError:
        db.session.rollback()
        raise
    return order


def sell_at_counter(lines: Sequence[CartLine], method: str, *, user: User, customer_name: str = "",
                    client_token: str | None = None, cash_received: int | None = None) -> Order:
    """A walk-in sale and its money in one transaction (the till's token makes a double tap one sale); the till's
    view commits.

    The cash handed over (`cash_received`, when the cashier typed it) is kept with the payment; it must
    cover the total (gallery.orders.till.check_cash_received).
    """
    order = counter_sale(lines, method, user=user, customer_name=customer_name, client_token=client_token)
    if db.session.scalar(select(Payment.id).where(Payment.order_id == order.id).limit(1)) is None:
        check_cash_received(method, cash_received, order.total)
        payment = _record(order, method, user, _("Penjualan di kasir"))
        payment.cash_received = cash_received if method == PaymentMethod.CASH else None
    db.session.flush()
    return order


# ---------------------------------------------------------------- pick-up orders paid at the counter


def start_at_gallery(order: Order) -> Payment:
    """Pay at the gallery's counter on pick-up (cash or QRIS); the order stays held until its deadline.

    Flushes; the payment view commits.
    """
    existing = waiting(order, Provider.GALLERY)
    if existing is not None:
        return existing
    payment = Payment(order_id=order.id, provider=Provider.GALLERY, status=PaymentStatus.OPEN, amount=order.total,
                      currency="IDR", deadline=order.payment_deadline, created_at=clock.utcnow())
    db.session.add(payment)
    db.session.flush()
    record_event(payment, order.id, "started", to_status=PaymentStatus.OPEN, amount=payment.amount)
    db.session.flush()
    return payment


def confirm_at_gallery(payment: Payment, method: str, *, user: User) -> str:
    """Staff took the money at the counter (cash or QRIS) for a pick-up order."""
    if payment.provider != Provider.GALLERY:
        raise DomainError(_l("Ini bukan pembayaran di galeri."), field="payment")
    if method not in PaymentMethod.COUNTER:
        raise DomainError(_l("Pilih cara bayar: tunai atau QRIS."), field="method")
    return confirm_by_staff(payment, method, user)


# ---------------------------------------------------------------- QRIS at the till through a gateway


def till_gateway() -> Gateway | None:
    """The gateway that draws a QRIS code on the till's screen, when one is set up."""
    return next((gateway for gateway in gateways.enabled() if gateway.qris_at_till), None)


def hold_till_qris(lines: Sequence[CartLine], *, user: User, customer_name: str = "",
                   client_token: str | None = None) -> Payment:
    """A walk-in sale to be paid by QRIS: its units are held and a QRIS attempt for its total is opened.

    Flushes. The till's view commits the held sale and its attempt, then asks the gateway for the code
    (`show_till_qris`), so the gateway's notification always finds the attempt. The till's token makes a
    double tap one sale with one charge.
    """
    gateway = till_gateway()
    if gateway is None:
        raise DomainError(_l("QRIS otomatis belum disiapkan; catat QRIS dari stiker galeri."), field="method")
    hold_until = clock.utcnow() + timedelta(minutes=current_app.config["TILL_QRIS_MINUTES"])
    order = counter_sale(lines, PaymentMethod.QRIS, user=user, customer_name=customer_name,
                         client_token=client_token, hold_until=hold_until)
    if order.status != OrderStatus.PENDING_PAYMENT:
        return db.session.scalar(select(Payment).where(Payment.order_id == order.id).order_by(Payment.id.desc()))
    return open_attempt(gateway, order, user=user)


def show_till_qris(payment: Payment, *, user: User) -> Payment:
    """Ask the gateway for the saved attempt's QRIS code. If it refuses, the sale is given up at once (its
    units go back; flushed for the view to commit) and the cashier is told."""
    try:
        return start_at_provider(payment)
    except DomainError:
        order = lock_order(payment.order_id)
        if order.status == OrderStatus.PENDING_PAYMENT:
            cancel(order, user=user, reason=_("QRIS tidak bisa dibuat"))
        raise DomainError(_l("QRIS tidak bisa dibuat sekarang. Coba lagi atau terima tunai."), field="method") \
            from None


def cash_received(order: Order) -> int | None:
    """The cash recorded as handed over for a sale at the till (None: not cash, or not typed)."""
    if order.channel != Channel.COUNTER:
        return None
    return db.session.scalar(select(Payment.cash_received).where(
        Payment.order_id == order.id, Payment.status == PaymentStatus.PAID).order_by(Payment.id.desc()).limit(1))


def till_payment(order: Order) -> Payment | None:
    """The QRIS charge of a sale at the till (the latest attempt)."""
    if order.channel != Channel.COUNTER:
        return None
    return db.session.scalar(select(Payment).where(Payment.order_id == order.id).order_by(Payment.id.desc()).limit(1))


def give_up_till_qris(order: Order, *, user: User) -> Order:
    """The shopper will not pay the code (pays cash instead, or leaves): the held units go back."""
    if order.channel != Channel.COUNTER or order.status != OrderStatus.PENDING_PAYMENT:
        raise DomainError(_l("Penjualan ini tidak menunggu QRIS lagi."), field="status")
    payment = till_payment(order)
    if payment is not None:
        move(payment, PaymentStatus.CANCELLED, PaymentStatus.WAITING, kind="cancelled", user=user,
             note=_("QRIS dibatalkan kasir"))
    return cancel(order, user=user, reason=_("QRIS dibatalkan kasir"))  # the view commits both


def refresh_till_qris(order: Order) -> Payment | None:
    """The till's screen looked again: ask the gateway about the QRIS charge (paying the sale when it says
    so) and give the units back if the code's time ran out. Returns the charge as it is now."""
    payment = till_payment(order)
    if payment is not None and payment.waiting and order.status == OrderStatus.PENDING_PAYMENT:
        sync(payment)
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    expire_if_due(order)
    return till_payment(order)
