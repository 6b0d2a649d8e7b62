"""The payments core: payment states and their events, the one way an order becomes paid, and provider news.

DESIGN.md "Paying" and rules 7, 8 and 10. A payment's state only moves through `move`, a conditional
UPDATE checked by its row count, so two deliveries of the same news (a notification replayed, one
racing the shopper's return, two staff clicks) settle a payment once. Every change appends a
`PaymentEvent`. Money from every method pays its order through `pay_order`, which also takes the stock
again for an order that ran out of time (a late payment) or refuses (`Late`) when it cannot.

News from a gateway arrives as a `Notice` (gallery.payments.gateways) and is applied by `apply_notice`,
which never knows the provider: its event id is stored (`ProviderEvent`, unique per provider) in the
transaction of its effect, the amount is checked against the attempt and the order, and late money for
an order that cannot take it is refunded through the gateway where the method allows, or listed for
staff to give back. Transfers live in gallery.payments.transfers, the till in gallery.payments.desk,
refunds in gallery.payments.refunds.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from gallery import clock, mail
from gallery.accounts.models import User
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.money import format_rupiah
from gallery.orders import services as orders
from gallery.orders.models import Channel, Fulfilment, Order, OrderLine, OrderStatus, PaymentMethod
from gallery.orders.notifications import order_link
from gallery.payments import gateways
from gallery.payments.gateways import Gateway, GatewayError, Notice, Outcome
from gallery.payments.models import Payment, PaymentEvent, PaymentStatus, Provider, ProviderEvent, Refund

log = logging.getLogger(__name__)

METHOD_LABELS = {
    Provider.STRIPE: _l("Kartu / dompet digital (Stripe)"),
    Provider.MIDTRANS: _l("QRIS, e-wallet, virtual account (Midtrans)"),
    Provider.BANK_TRANSFER: _l("Transfer bank"),
    Provider.GALLERY: _l("Bayar di galeri"),
    Provider.POS_COD: _l("Bayar di tempat (COD Pos)"),
}
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
GIVEN_UP = (PaymentStatus.CANCELLED, PaymentStatus.EXPIRED, PaymentStatus.FAILED, PaymentStatus.REJECTED)


def method_label(provider: str) -> str:
    """A provider in the user's language ("bank_transfer" → "Transfer bank")."""
    return str(METHOD_LABELS.get(provider, provider))


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
    return list(db.session.scalars(select(Payment).where(Payment.order_id == order.id).order_by(Payment.id)))


def current_payment(order: Order) -> Payment | None:
    """The payment the shopper is following: the latest one that is not given up."""
    candidates = [p for p in payments_of(order) if p.status not in GIVEN_UP]
    return candidates[-1] if candidates else None


def payment_events(order: Order) -> list[PaymentEvent]:
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
    orders.expire_if_due(order)
    if order.status != OrderStatus.PENDING_PAYMENT:
        raise DomainError(_l("Pesanan ini tidak menunggu pembayaran lagi."), field="method")
    if method not in available_methods(order):
        raise DomainError(_l("Cara bayar ini tidak tersedia untuk pesanan ini."), field="method")


def start_payment(order: Order, method: str) -> Payment:
    """Start paying `order` by `method` (what the shopper picked); an open attempt is reused."""
    from gallery.payments import desk, transfers

    require_payable(order, method)
    if method == Provider.BANK_TRANSFER:
        return transfers.start_bank_transfer(order)
    if method == Provider.GALLERY:
        return desk.start_at_gallery(order)
    return start_with_gateway(gateways.get(method), order)


def start_with_gateway(gateway: Gateway, order: Order, *, user: User | None = None) -> Payment:
    """One attempt at the gateway per try; while the last one is still open the shopper goes back to it.

    The attempt is saved (committed) before the provider is called, so a notification that arrives
    before the provider's answer finds it.
    """
    existing = waiting(order, gateway.provider)
    now = clock.utcnow()
    if existing is not None and (existing.checkout_url or existing.instructions) and existing.deadline \
            and existing.deadline > now:
        return existing
    payment = Payment(order_id=order.id, provider=gateway.provider, status=PaymentStatus.OPEN, amount=order.total,
                      currency="IDR", deadline=gateway.attempt_deadline(order), created_at=now)
    db.session.add(payment)
    db.session.flush()
    payment.idempotency_key = f"checkout-{order.number}-{payment.id}"
    record_event(payment, order.id, "started", to_status=PaymentStatus.OPEN, amount=payment.amount, user=user)
    db.session.commit()
    try:
        note = gateway.start(order, payment)
    except GatewayError as error:
        log.warning("%s refused the attempt for %s: %s", gateway.provider, order.number, error.message)
        db.session.rollback()
        move(payment, PaymentStatus.FAILED, (PaymentStatus.OPEN,), kind="session_failed", note=error.message[:500])
        db.session.commit()
        raise DomainError(_l("Pembayaran online sedang tidak bisa dibuka. Coba lagi atau pilih transfer bank."),
                          field="method") from None
    record_event(payment, order.id, "session_created", note=note)
    db.session.commit()
    return payment


# ---------------------------------------------------------------- paying the order


@dataclass
class Late(Exception):
    """The money arrived but the order cannot take it (stock gone, cancelled, already paid)."""

    reason: str


def send_paid_email(order: Order) -> None:
    """Tell the shopper the money arrived (after the commit that recorded it)."""
    if order.contact_email:
        mail.send(order.contact_email, _("Pembayaran pesanan %(number)s diterima", number=order.number),
                  "payment_received", order=order, order_url=order_link(order))


def pay_order(payment: Payment, order: Order, method: str, user: User | None, note: str = "") -> None:
    """Pay the order in the current transaction (mark_paid commits it); raise Late if it cannot be paid.

    An order whose deadline passed, or that already expired, takes its stock again if it is there. A
    sale at the till is handed over the moment it is paid.
    """
    now = clock.utcnow()
    overdue = order.status == OrderStatus.PENDING_PAYMENT and order.payment_deadline and order.payment_deadline <= now
    if order.status == OrderStatus.EXPIRED or overdue:
        try:
            orders.reinstate_expired(order, user=user)
        except orders.SoldOut as sold_out:
            raise Late(str(sold_out.message)) from None
        record_event(payment, order.id, "reinstated", note=_("Pembayaran terlambat; stok diambil lagi"), user=user)
    elif order.status != OrderStatus.PENDING_PAYMENT:
        raise Late(_("Pesanan berstatus %(status)s", status=orders.status_label(order.status)))
    close_other_payments(order, payment, user)
    payment.paid_at = now
    # Staff confirming money re-check the units' dates; a provider's notification cannot be refused.
    orders.mark_paid(order, method, user=user, note=note, check_shelf=user is not None)  # commits all above
    if order.channel == Channel.COUNTER:
        orders.mark_picked_up(order, user=user)
    else:
        send_paid_email(order)


def confirm_by_staff(payment: Payment, method: str, user: User) -> str:
    """Staff saw the money of a transfer or a gallery payment: the order is paid ("paid"), or, when it
    expired and its stock is gone, the payment is flagged for review ("review") to be given back."""
    payment_id = payment.id
    order = lock_order(payment.order_id)
    if not move(payment, PaymentStatus.PAID, (PaymentStatus.OPEN, PaymentStatus.REVIEW), kind="confirmed",
                 user=user, amount=payment.amount):
        db.session.rollback()
        raise DomainError(_l("Pembayaran ini sudah diproses."), field="payment")
    try:
        pay_order(payment, order, method, user, note=_("Dikonfirmasi staf"))
    except orders.shelf_life.NotGoodAtHandOver:
        db.session.rollback()  # the transfer stays open until staff swap the lot or refund the line
        raise
    except Late as late:
        db.session.rollback()
        payment = db.session.get(Payment, payment_id)
        if move(payment, PaymentStatus.REVIEW, (PaymentStatus.OPEN, PaymentStatus.REVIEW), kind="review", user=user,
                 note=_("Uang diterima tetapi pesanan tidak bisa dibayar: %(reason)s. Kembalikan dananya.",
                        reason=late.reason)):
            payment.review_reason = late.reason
        db.session.commit()
        return "review"
    return "paid"


# ---------------------------------------------------------------- news from a gateway


def _seen(provider: str, event_id: str | None, event_type: str, outcome: str = "") -> ProviderEvent | None:
    """Record a provider event id in this transaction; IntegrityError (raised on flush) means seen before."""
    if event_id is None:
        return None
    seen = ProviderEvent(provider=provider, event_id=event_id[:255], event_type=event_type[:80],
                         outcome=outcome, received_at=clock.utcnow())
    db.session.add(seen)
    db.session.flush()
    return seen


def apply_notice(gateway: Gateway, notice: Notice, data: dict | None = None, payment: Payment | None = None) -> str:
    """Apply one piece of verified news from a gateway, once: its event id is stored with its effect (rule 8).

    Returns what happened: paid, already_settled, review, refunded, processing, waiting, failed,
    expired, released, recorded, unknown, ignored, or duplicate (the event was applied before).
    """
    if notice.outcome == Outcome.IGNORED:
        return "ignored"
    try:
        return _apply(gateway, notice, data or {}, payment)
    except IntegrityError:
        db.session.rollback()
        return "duplicate"


def _apply(gateway: Gateway, notice: Notice, data: dict, payment: Payment | None) -> str:
    seen = _seen(gateway.provider, notice.event_id, notice.event_type)
    payment = payment or gateway.payment_for(notice, data)
    if payment is None:
        log.warning("%s event %s (%s) for an unknown attempt", gateway.provider, notice.event_id, notice.event_type)
        if seen is not None:
            seen.outcome = "unknown"
        db.session.commit()
        return "unknown"
    _remember(payment, notice)
    if notice.outcome == Outcome.PAID:
        return _settle(gateway, payment, notice)
    if notice.outcome in (Outcome.WAITING, Outcome.PROCESSING):
        to_status = PaymentStatus.PROCESSING if notice.outcome == Outcome.PROCESSING else PaymentStatus.OPEN
        if to_status == PaymentStatus.OPEN:
            record_event(payment, payment.order_id, "waiting", provider_event_id=notice.event_id, note=notice.note)
        else:
            move(payment, to_status, (PaymentStatus.OPEN,), kind="processing", provider_event_id=notice.event_id,
                 note=notice.note)
        db.session.commit()
        return notice.outcome
    if notice.outcome == Outcome.FAILED:
        move(payment, PaymentStatus.FAILED, PaymentStatus.WAITING, kind="failed", provider_event_id=notice.event_id,
             note=notice.note or _("Pembayaran gagal"))
        db.session.commit()
        return "failed"
    if notice.outcome == Outcome.REFUNDED:
        record_event(payment, payment.order_id, "provider_refund", amount=notice.refunded,
                     provider_event_id=notice.event_id, note=notice.note)
        db.session.commit()
        return "recorded"
    return _attempt_expired(payment, notice)


def _remember(payment: Payment, notice: Notice) -> None:
    """Keep what the provider says about the attempt: its transaction id, method and the shopper's instructions."""
    if notice.transaction_id and not payment.gateway_transaction_id:
        payment.gateway_transaction_id = notice.transaction_id[:80]
    if notice.method:
        payment.gateway_method = notice.method[:40]
    if notice.instructions:
        payment.instructions = json.dumps(notice.instructions, sort_keys=True)


def _settle(gateway: Gateway, payment: Payment, notice: Notice) -> str:
    """Money arrived for an attempt: check it, then pay the order, once."""
    order = lock_order(payment.order_id)
    if notice.currency.upper() != "IDR" or notice.amount != payment.amount or notice.amount != order.total:
        reason = _("Jumlah atau mata uang tidak cocok: diterima %(got)s %(currency)s, seharusnya %(want)s",
                   got=notice.raw_amount or notice.amount, currency=notice.currency.upper() or "?",
                   want=format_rupiah(payment.amount))
        if move(payment, PaymentStatus.REVIEW, PaymentStatus.SETTLEABLE, kind="review", note=reason,
                provider_event_id=notice.event_id):
            payment.review_reason = reason
            log.warning("payment %s for %s needs review: %s", payment.id, order.number, reason)
        db.session.commit()
        return "review"
    if not move(payment, PaymentStatus.PAID, PaymentStatus.SETTLEABLE, kind="paid", amount=payment.amount,
                provider_event_id=notice.event_id):
        db.session.commit()
        return "already_settled"
    # At the till the receipt names the method (QRIS); online the order names the gateway.
    method = PaymentMethod.QRIS if order.channel == Channel.COUNTER else payment.provider
    try:
        pay_order(payment, order, method, None, note=_("Dibayar lewat %(provider)s", provider=gateway.name))
    except Late as late:
        db.session.rollback()
        return _refund_late(gateway, payment.id, notice, late.reason)
    return "paid"


def _refund_late(gateway: Gateway, payment_id: int, notice: Notice, reason: str) -> str:
    """Give back money that arrived for an order that cannot take it: through the gateway where the method
    allows it (idempotent at the provider), else the payment is listed for staff to return by transfer."""
    payment = db.session.get(Payment, payment_id)
    _remember(payment, notice)
    refund_id = None
    if gateway.refundable(payment):
        try:
            refund_id = gateway.refund(payment, payment.amount, f"late-refund-{payment.id}", reason)
        except GatewayError as error:
            log.error("automatic refund of payment %s failed: %s", payment.id, error.message)
    try:
        _seen(gateway.provider, notice.event_id, notice.event_type, "late_payment")
    except IntegrityError:
        db.session.rollback()
        return "duplicate"
    if refund_id is None:
        note = _("Pembayaran terlambat, kembalikan dananya lewat transfer bank: %(reason)s", reason=reason)
        if move(payment, PaymentStatus.REVIEW, PaymentStatus.SETTLEABLE, kind="review",
                provider_event_id=notice.event_id, note=note):
            payment.review_reason = note
        db.session.commit()
        return "review"
    if move(payment, PaymentStatus.REFUNDED, PaymentStatus.SETTLEABLE, kind="late_payment_refunded",
            amount=payment.amount, provider_event_id=notice.event_id,
            note=_("Pembayaran terlambat dikembalikan otomatis: %(reason)s", reason=reason)):
        payment.amount_refunded = payment.amount
        payment.paid_at = clock.utcnow()
        db.session.add(Refund(payment_id=payment.id, order_id=payment.order_id, amount=payment.amount,
                              reason=reason[:500], automatic=True, gateway_refund_id=refund_id,
                              created_at=clock.utcnow()))
    db.session.commit()
    return "refunded"


def _attempt_expired(payment: Payment, notice: Notice) -> str:
    """An attempt closed unpaid. The order stays payable until its deadline, unless the gateway's expiry
    ends it (Stripe) or it is a sale at the till: then its stock goes back, if no other attempt is open."""
    if not move(payment, PaymentStatus.EXPIRED, PaymentStatus.WAITING, kind="expired",
                provider_event_id=notice.event_id, note=notice.note):
        db.session.commit()
        return "ignored"
    order = lock_order(payment.order_id)
    others = db.session.scalar(select(Payment.id).where(
        Payment.order_id == order.id, Payment.id != payment.id, Payment.status.in_(PaymentStatus.WAITING)).limit(1))
    ends = notice.ends_order or order.channel == Channel.COUNTER
    if ends and order.status == OrderStatus.PENDING_PAYMENT and others is None:
        orders.cancel(order, user=None, reason=notice.note)  # commits, releases stock
        return "released"
    db.session.commit()
    return "expired"


def sync(payment: Payment) -> str:
    """Ask the payment's gateway what became of a waiting attempt and apply it (the shopper came back, or
    the till's screen refreshed). Only what the provider says pays the order; the visit itself never does."""
    if not gateways.is_gateway(payment.provider) or not payment.waiting:
        return "ignored"
    gateway = gateways.get(payment.provider)
    if not gateway.enabled():
        return "ignored"
    try:
        notice = gateway.fetch_status(payment)
    except GatewayError as error:
        log.warning("could not ask %s about payment %s: %s", gateway.provider, payment.id, error.message)
        return "error"
    if notice is None:
        return "waiting"
    return apply_notice(gateway, notice, payment=payment)

