"""A gateway's news about a payment attempt, applied once, whatever the provider (DESIGN.md rules 7 and 8).

News arrives as a `Notice` (gallery.payments.gateways) from a verified notification or from asking the
gateway (`sync`). Its event id is stored (`ProviderEvent`, unique per provider) in the transaction of its
effect, so a replay, or two deliveries at the same moment, change nothing more. Money is checked against
the attempt and the order before it pays (gallery.payments.core.pay_order); a mismatch goes to staff.
Late money for an order that cannot take it any more is refunded through the gateway where the method
allows it, or listed for staff to give back by bank transfer. These functions flush; the webhook, the
shopper's return or the till's screen (the edge) commits once, event id and effect together.
"""
from __future__ import annotations

import json
import logging

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from gallery import clock
from gallery.extensions import db
from gallery.money import format_rupiah
from gallery.orders.transitions import cancel
from gallery.orders.models import Channel, OrderStatus, PaymentMethod
from gallery.payments import gateways
from gallery.payments.core import Late, lock_order, move, pay_order, record_event
from gallery.payments.gateways import Gateway, GatewayError, Notice, Outcome
from gallery.payments.models import Payment, PaymentStatus, ProviderEvent, Refund

log = logging.getLogger(__name__)


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
        db.session.flush()
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
        db.session.flush()
        return notice.outcome
    if notice.outcome == Outcome.FAILED:
        move(payment, PaymentStatus.FAILED, PaymentStatus.WAITING, kind="failed", provider_event_id=notice.event_id,
             note=notice.note or _("Pembayaran gagal"))
        db.session.flush()
        return "failed"
    if notice.outcome == Outcome.REFUNDED:
        record_event(payment, payment.order_id, "provider_refund", amount=notice.refunded,
                     provider_event_id=notice.event_id, note=notice.note)
        db.session.flush()
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
        db.session.flush()
        return "review"
    if not move(payment, PaymentStatus.PAID, PaymentStatus.SETTLEABLE, kind="paid", amount=payment.amount,
                provider_event_id=notice.event_id):
        db.session.flush()
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
        db.session.flush()
        return "review"
    if move(payment, PaymentStatus.REFUNDED, PaymentStatus.SETTLEABLE, kind="late_payment_refunded",
            amount=payment.amount, provider_event_id=notice.event_id,
            note=_("Pembayaran terlambat dikembalikan otomatis: %(reason)s", reason=reason)):
        payment.amount_refunded = payment.amount
        payment.paid_at = clock.utcnow()
        db.session.add(Refund(payment_id=payment.id, order_id=payment.order_id, amount=payment.amount,
                              reason=reason[:500], automatic=True, gateway_refund_id=refund_id,
                              created_at=clock.utcnow()))
    db.session.flush()
    return "refunded"


def _attempt_expired(payment: Payment, notice: Notice) -> str:
    """An attempt closed unpaid. The order stays payable until its deadline, unless the gateway's expiry
    ends it (Stripe) or it is a sale at the till: then its stock goes back, if no other attempt is open."""
    if not move(payment, PaymentStatus.EXPIRED, PaymentStatus.WAITING, kind="expired",
                provider_event_id=notice.event_id, note=notice.note):
        db.session.flush()
        return "ignored"
    order = lock_order(payment.order_id)
    others = db.session.scalar(select(Payment.id).where(
        Payment.order_id == order.id, Payment.id != payment.id, Payment.status.in_(PaymentStatus.WAITING)).limit(1))
    ends = notice.ends_order or order.channel == Channel.COUNTER
    if ends and order.status == OrderStatus.PENDING_PAYMENT and others is None:
        cancel(order, user=None, reason=notice.note)  # releases its stock, in the webhook's transaction
        return "released"
    db.session.flush()
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

