"""The payments core: payment states and their events, the one way an order becomes paid, and provider news.

DESIGN.md "Paying" and rules 7, 8 and 10. A payment's state only moves through `move`, a conditional
UPDATE checked by its row count, so two deliveries of the same news (a notification replayed, one
racing the shopper's return, two staff clicks) settle a payment once. Every change appends a
`PaymentEvent`. Money from every method pays its order through `pay_order`, which also takes the stock
again for an order that ran out of time (a late payment) or refuses (`Late`) when it cannot.

News from a gateway is applied in gallery.payments.notices, transfers live in gallery.payments.transfers,
the till in gallery.payments.desk, COD remittances in gallery.payments.cod, refunds in gallery.payments.refunds.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from gallery import clock
from gallery.accounts.models import User
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.orders import shelf_life
from gallery.orders.expiry import expire_if_due, reinstate_expired
from gallery.orders.placing import SoldOut
from gallery.orders.transitions import mark_paid, mark_picked_up, status_label
from gallery.orders.models import Channel, Fulfilment, Order, OrderLine, OrderStatus
from gallery.payments import gateways
from gallery.payments.gateways import Gateway, GatewayError
from gallery.payments.labels import long_label
from gallery.payments.models import Payment, PaymentEvent, PaymentStatus, Provider

log = logging.getLogger(__name__)

STATUS_LABELS = {
    PaymentStatus.OPEN: _l("Menunggu pembayaran"),
    PaymentStatus.PROCESSING: _l("Menunggu konfirmasi"),
    PaymentStatus.PAID: _l("Lunas"),
    PaymentStatus.FAILED: _l("Gagal"),
    PaymentStatus.EXPIRED: _l("Kedaluwarsa"),
    PaymentStatus.REJECTED: _l("Ditolak"),
    PaymentStatus.CANCELLED: _l("Dibatalkan"),
    PaymentStatus.REVIEW: _l("Diperiksa staf"),
    PaymentStatus.REFUNDED: _l("Dana dikembalikan"),
}
# The payment history's events as staff read them (PaymentEvent.kind).
EVENT_LABELS = {
    "started": _l("Pembayaran dibuka"),
    "session_created": _l("Halaman bayar dibuat"),
    "session_failed": _l("Halaman bayar gagal dibuat"),
    "waiting": _l("Menunggu pembayar"),
    "processing": _l("Sedang diproses"),
    "proof_uploaded": _l("Bukti transfer diunggah"),
    "confirmed": _l("Dikonfirmasi staf"),
    "recorded": _l("Dicatat staf"),
    "paid": _l("Lunas"),
    "reinstated": _l("Pesanan diaktifkan lagi"),
    "review": _l("Perlu diperiksa staf"),
    "rejected": _l("Ditolak"),
    "failed": _l("Gagal"),
    "expired": _l("Kedaluwarsa"),
    "cancelled": _l("Dibatalkan"),
    "superseded": _l("Diganti pembayaran lain"),
    "remitted": _l("Setoran COD Pos"),
    "refunded": _l("Dana dikembalikan"),
    "partially_refunded": _l("Sebagian dana dikembalikan"),
    "provider_refund": _l("Pengembalian lewat penyedia"),
    "late_payment_refunded": _l("Pembayaran terlambat dikembalikan"),
}
GIVEN_UP = (PaymentStatus.CANCELLED, PaymentStatus.EXPIRED, PaymentStatus.FAILED, PaymentStatus.REJECTED)


def method_label(provider: str) -> str:
    """A provider in the user's language ("bank_transfer" → "Transfer bank"; gallery.payments.labels)."""
    return long_label(provider)


def event_label(kind: str) -> str:
    """A payment history event in the user's language ("session_created" → "Halaman bayar dibuat")."""
    return str(EVENT_LABELS.get(kind, kind))


def payment_status_label(status: str) -> str:
    """A payment status in the user's language."""
    return str(STATUS_LABELS.get(status, status))


# ---------------------------------------------------------------- states and events


def record_event(payment: Payment | None, order_id: int, kind: str, *, from_status: str | None = None,
                 to_status: str | None = None, amount: int | None = None, note: str = "",
                 user: User | None = None, provider_event_id: str | None = None) -> None:
    """Append one line to the payment history (joins the caller's transaction)."""
    db.session.add(PaymentEvent(
        order_id=order_id, payment_id=payment.id if payment else None, kind=kind, from_status=from_status,
        to_status=to_status, amount=amount, note=str(note)[:2000], user_id=user.id if user else None,
        provider_event_id=provider_event_id, created_at=clock.utcnow(),
    ))


def move(payment: Payment, to_status: str, from_statuses, *, kind: str, note: str = "", user: User | None = None,
         provider_event_id: str | None = None, amount: int | None = None) -> bool:
    """Move a payment to `to_status` only if it is still in one of `from_statuses` (one guarded UPDATE)."""
    before = db.session.scalar(select(Payment.status).where(Payment.id == payment.id))
    result = db.session.execute(
        update(Payment).where(Payment.id == payment.id, Payment.status.in_(tuple(from_statuses)))
        .values(status=to_status).execution_options(synchronize_session=False)
    )
    db.session.expire(payment, ["status"])
    if result.rowcount != 1:
        return False
    record_event(payment, payment.order_id, kind, from_status=before, to_status=to_status, note=note, user=user,
                 provider_event_id=provider_event_id, amount=amount)
    return True


def lock_order(order_id: int) -> Order:
    """The order, read afresh and locked for this transaction (PostgreSQL; SQLite serialises writers)."""
    return db.session.scalars(
        select(Order).options(selectinload(Order.lines).selectinload(OrderLine.allocations))
        .where(Order.id == order_id).with_for_update(of=Order).execution_options(populate_existing=True)
    ).one()


def payments_of(order: Order) -> list[Payment]:
    """Every payment attempt of an order, oldest first."""
    return list(db.session.scalars(select(Payment).where(Payment.order_id == order.id).order_by(Payment.id)))


def current_payment(order: Order) -> Payment | None:
    """The payment the shopper is following: the latest one that is not given up."""
    candidates = [p for p in payments_of(order) if p.status not in GIVEN_UP]
    return candidates[-1] if candidates else None


def payment_events(order: Order) -> list[PaymentEvent]:
    """The order's payment history with who did what."""
    return list(db.session.scalars(
        select(PaymentEvent).options(selectinload(PaymentEvent.user))
        .where(PaymentEvent.order_id == order.id).order_by(PaymentEvent.id)))


def waiting(order: Order, provider: str) -> Payment | None:
    """The order's latest attempt through `provider` still waiting for money."""
    return db.session.scalar(
        select(Payment).where(Payment.order_id == order.id, Payment.provider == provider,
                              Payment.status.in_(PaymentStatus.WAITING)).order_by(Payment.id.desc()).limit(1))


def close_other_payments(order: Order, paid: Payment, user: User | None) -> None:
    """Once one payment pays the order, the other open attempts are given up (a transfer frees its code)."""
    for other in list(db.session.scalars(select(Payment).where(
            Payment.order_id == order.id, Payment.id != paid.id, Payment.status == PaymentStatus.OPEN))):
        move(other, PaymentStatus.CANCELLED, (PaymentStatus.OPEN,), kind="superseded", user=user,
             note=_("Pesanan dibayar dengan cara lain"))


def in_review() -> list[Payment]:
    """Payments staff must look at: amounts that did not match, money for an order that could not take it."""
    return list(db.session.scalars(select(Payment).options(selectinload(Payment.order))
                                   .where(Payment.status == PaymentStatus.REVIEW).order_by(Payment.id)))


# ---------------------------------------------------------------- choosing and starting


def available_methods(order: Order) -> list[str]:
    """The ways this order may be paid: the gateways whose keys are set, transfer, the gallery for pick-up."""
    if order.channel != Channel.ONLINE or order.status != OrderStatus.PENDING_PAYMENT or order.cash_on_delivery:
        return []
    methods = [gateway.provider for gateway in gateways.enabled()] if order.total > 0 else []
    methods.append(Provider.BANK_TRANSFER)
    if order.fulfilment == Fulfilment.PICKUP:
        methods.append(Provider.GALLERY)
    return methods


def require_payable(order: Order, method: str) -> None:
    """Refuse a method the order cannot be paid by now (it expired, was paid, or the method is hidden)."""
    expire_if_due(order)
    if order.status != OrderStatus.PENDING_PAYMENT:
        raise DomainError(_l("Pesanan ini tidak menunggu pembayaran lagi."), field="method")
    if method not in available_methods(order):
        raise DomainError(_l("Cara bayar ini tidak tersedia untuk pesanan ini."), field="method")


def start_payment(order: Order, method: str) -> Payment:
    """Start paying `order` by `method` (what the shopper picked); an open attempt is reused.

    Flushes. A gateway's attempt is only opened here: the edge commits it, then calls `start_at_provider`
    (and commits again), so a notification that arrives before the provider's answer finds the attempt.
    """
    from gallery.payments import desk, transfers

    require_payable(order, method)
    if method == Provider.BANK_TRANSFER:
        return transfers.start_bank_transfer(order)
    if method == Provider.GALLERY:
        return desk.start_at_gallery(order)
    return open_attempt(gateways.get(method), order)


def open_attempt(gateway: Gateway, order: Order, *, user: User | None = None) -> Payment:
    """One attempt at the gateway per try; while the last one is still open the shopper goes back to it.

    Flushes the new attempt. The edge must commit it before `start_at_provider` calls the provider.
    """
    existing = waiting(order, gateway.provider)
    now = clock.utcnow()
    if existing is not None and at_provider(existing) and existing.deadline and existing.deadline > now:
        return existing
    payment = Payment(order_id=order.id, provider=gateway.provider, status=PaymentStatus.OPEN, amount=order.total,
                      currency="IDR", deadline=gateway.attempt_deadline(order), created_at=now)
    db.session.add(payment)
    db.session.flush()
    payment.idempotency_key = f"checkout-{order.number}-{payment.id}"
    record_event(payment, order.id, "started", to_status=PaymentStatus.OPEN, amount=payment.amount, user=user)
    db.session.flush()
    return payment


def at_provider(payment: Payment) -> bool:
    """Whether the provider already opened this attempt (its checkout page or payment instructions)."""
    return bool(payment.checkout_url or payment.instructions)


def start_at_provider(payment: Payment) -> Payment:
    """Open a saved attempt at its gateway (a reused attempt is left as it is). Flushes; the edge commits.

    When the gateway refuses, the attempt is marked failed (flushed, for the edge to commit) and a
    DomainError tells the shopper to try again or pick another way.
    """
    if not gateways.is_gateway(payment.provider) or payment.status != PaymentStatus.OPEN or at_provider(payment):
        return payment
    gateway = gateways.get(payment.provider)
    order = payment.order
    try:
        with db.session.begin_nested():  # whatever the gateway half-set on the attempt goes with a refusal
            note = gateway.start(order, payment)
    except GatewayError as error:
        log.warning("%s refused the attempt for %s: %s", gateway.provider, order.number, error.message)
        move(payment, PaymentStatus.FAILED, (PaymentStatus.OPEN,), kind="session_failed", note=error.message[:500])
        db.session.flush()
        raise DomainError(_l("Pembayaran online sedang tidak bisa dibuka. Coba lagi atau pilih transfer bank."),
                          field="method") from None
    record_event(payment, payment.order_id, "session_created", note=note)
    db.session.flush()
    return payment


# ---------------------------------------------------------------- paying the order


@dataclass
class Late(Exception):
    """The money arrived but the order cannot take it (stock gone, cancelled, already paid)."""

    reason: str


def pay_order(payment: Payment, order: Order, method: str, user: User | None, note: str = "") -> None:
    """Pay the order in the current transaction (the edge commits it); raise Late if it cannot be paid.

    An order whose deadline passed, or that already expired, takes its stock again if it is there. A
    sale at the till is handed over the moment it is paid.
    """
    now = clock.utcnow()
    overdue = order.status == OrderStatus.PENDING_PAYMENT and order.payment_deadline and order.payment_deadline <= now
    if order.status == OrderStatus.EXPIRED or overdue:
        try:
            reinstate_expired(order, user=user)
        except SoldOut as sold_out:
            raise Late(str(sold_out.message)) from None
        record_event(payment, order.id, "reinstated", note=_("Pembayaran terlambat; stok diambil lagi"), user=user)
    elif order.status != OrderStatus.PENDING_PAYMENT:
        raise Late(_("Pesanan berstatus %(status)s", status=status_label(order.status)))
    close_other_payments(order, payment, user)
    payment.paid_at = now
    # Staff confirming money re-check the units' dates; a provider's notification cannot be refused.
    # With the shopper's "paid" message (gallery.orders.notifications), in the same transaction.
    mark_paid(order, method, user=user, note=note, check_shelf=user is not None)
    if order.channel == Channel.COUNTER:
        mark_picked_up(order, user=user)


def confirm_by_staff(payment: Payment, method: str, user: User) -> str:
    """Staff saw the money of a transfer or a gallery payment: the order is paid ("paid"), or, when it
    expired and its stock is gone, the payment is flagged for review ("review") to be given back.

    Flushes; the staff view commits either outcome (a refusal is rolled back here: nothing is written).
    """
    payment_id = payment.id
    order = lock_order(payment.order_id)
    if not move(payment, PaymentStatus.PAID, (PaymentStatus.OPEN, PaymentStatus.REVIEW), kind="confirmed",
                 user=user, amount=payment.amount):
        db.session.rollback()
        raise DomainError(_l("Pembayaran ini sudah diproses."), field="payment")
    try:
        pay_order(payment, order, method, user, note=_("Dikonfirmasi staf"))
    except shelf_life.NotGoodAtHandOver:
        db.session.rollback()  # the transfer stays open until staff swap the lot or refund the line
        raise
    except Late as late:
        db.session.rollback()
        payment = db.session.get(Payment, payment_id)
        if move(payment, PaymentStatus.REVIEW, (PaymentStatus.OPEN, PaymentStatus.REVIEW), kind="review", user=user,
                 note=_("Uang diterima tetapi pesanan tidak bisa dibayar: %(reason)s. Kembalikan dananya.",
                        reason=late.reason)):
            payment.review_reason = late.reason
        db.session.flush()
        return "review"
    return "paid"
