"""Turning a placed order into a paid one: Stripe Checkout, bank transfer, pay at the gallery; refunds.

DESIGN.md "Paying" and rules 7, 8 and 10. Each public function owns its transaction. A payment's
state only moves through `_move`, a conditional UPDATE checked by its row count, so two deliveries of
the same news (a webhook replayed, a webhook racing the shopper's return, two staff clicks) settle a
payment once. Webhook events are stored by id in the transaction of their effect (`ProviderEvent`).
Every change of a payment's state appends a `PaymentEvent`. Refunds live in gallery.payments.refunds.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import stripe
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from gallery import clock, mail
from gallery.accounts.models import User
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.orders import services as orders
from gallery.orders.models import Channel, Fulfilment, Order, OrderLine, OrderStatus, PaymentMethod
from gallery.orders.notifications import order_link
from gallery.payments import stripe_api, transfers
from gallery.payments.models import (
    Payment,
    PaymentEvent,
    PaymentStatus,
    Provider,
    ProviderEvent,
    Refund,
)

log = logging.getLogger(__name__)

# How long a transfer's unique code stays reserved after its deadline, so a late transfer can still be matched.
TRANSFER_CODE_GRACE = timedelta(days=3)
CODE_ATTEMPTS = 20
PROOF_MAX_SIDE = 1600

METHOD_LABELS = {
    Provider.STRIPE: _l("Kartu / dompet digital (Stripe)"),
    Provider.BANK_TRANSFER: _l("Transfer bank"),
    Provider.GALLERY: _l("Bayar di galeri"),
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
STRIPE_HANDLED = (
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
)


def method_label(provider: str) -> str:
    return str(METHOD_LABELS.get(provider, provider))


def payment_status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


# ---------------------------------------------------------------- helpers


def _event(payment: Payment | None, order_id: int, kind: str, *, from_status: str | None = None,
           to_status: str | None = None, amount: int | None = None, note: str = "", user: User | None = None,
           provider_event_id: str | None = None) -> None:
    db.session.add(PaymentEvent(
        order_id=order_id, payment_id=payment.id if payment else None, kind=kind, from_status=from_status,
        to_status=to_status, amount=amount, note=note[:2000], user_id=user.id if user else None,
        provider_event_id=provider_event_id, created_at=clock.utcnow(),
    ))


def _move(payment: Payment, to_status: str, from_statuses, *, kind: str, note: str = "", user: User | None = None,
          provider_event_id: str | None = None, amount: int | None = None) -> bool:
    """Move a payment to `to_status` only if it is still in one of `from_statuses` (one guarded UPDATE)."""
    before = db.session.scalar(select(Payment.status).where(Payment.id == payment.id))
    result = db.session.execute(
        update(Payment).where(Payment.id == payment.id, Payment.status.in_(tuple(from_statuses)))
        .values(status=to_status).execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.expire(payment, ["status"])
        return False
    db.session.expire(payment, ["status"])
    _event(payment, payment.order_id, kind, from_status=before, to_status=to_status, note=note, user=user,
           provider_event_id=provider_event_id, amount=amount)
    return True


def _lock_order(order_id: int) -> Order:
    """The order, read afresh and locked for this transaction (PostgreSQL; SQLite serialises writers)."""
    return db.session.scalars(
        select(Order).options(selectinload(Order.lines).selectinload(OrderLine.allocations))
        .where(Order.id == order_id).with_for_update(of=Order).execution_options(populate_existing=True)
    ).one()


def payments_of(order: Order) -> list[Payment]:
    return list(db.session.scalars(select(Payment).where(Payment.order_id == order.id).order_by(Payment.id)))


def current_payment(order: Order) -> Payment | None:
    """The payment the shopper is following: the latest one that is not given up."""
    candidates = [p for p in payments_of(order)
                  if p.status not in (PaymentStatus.CANCELLED, PaymentStatus.EXPIRED, PaymentStatus.FAILED,
                                      PaymentStatus.REJECTED)]
    return candidates[-1] if candidates else None


def payment_events(order: Order) -> list[PaymentEvent]:
    return list(db.session.scalars(
        select(PaymentEvent).options(selectinload(PaymentEvent.user))
        .where(PaymentEvent.order_id == order.id).order_by(PaymentEvent.id)))


def available_methods(order: Order) -> list[str]:
    """The ways this order may be paid: Stripe when keys are set, transfer, the gallery for pick-up."""
    if order.channel != Channel.ONLINE or order.status != OrderStatus.PENDING_PAYMENT:
        return []
    methods = []
    if stripe_api.enabled() and order.total > 0:
        methods.append(Provider.STRIPE)
    methods.append(Provider.BANK_TRANSFER)
    if order.fulfilment == Fulfilment.PICKUP:
        methods.append(Provider.GALLERY)
    return methods


def _require_payable(order: Order, method: str) -> None:
    orders.expire_if_due(order)
    if order.status != OrderStatus.PENDING_PAYMENT:
        raise DomainError(_l("Pesanan ini tidak menunggu pembayaran lagi."), field="method")
    if method not in available_methods(order):
        raise DomainError(_l("Cara bayar ini tidak tersedia untuk pesanan ini."), field="method")


def _waiting(order: Order, provider: str) -> Payment | None:
    return db.session.scalar(
        select(Payment).where(Payment.order_id == order.id, Payment.provider == provider,
                              Payment.status.in_(PaymentStatus.WAITING)).order_by(Payment.id.desc()).limit(1))


def _close_other_payments(order: Order, paid: Payment, user: User | None) -> None:
    """Once one payment pays the order, the other open attempts are given up (a transfer frees its code)."""
    for other in list(db.session.scalars(select(Payment).where(
            Payment.order_id == order.id, Payment.id != paid.id, Payment.status == PaymentStatus.OPEN))):
        _move(other, PaymentStatus.CANCELLED, (PaymentStatus.OPEN,), kind="superseded", user=user,
              note=_("Pesanan dibayar dengan cara lain"))


def _send_paid_email(order: Order) -> None:
    mail.send(order.contact_email, _("Pembayaran pesanan %(number)s diterima", number=order.number),
              "payment_received", order=order, order_url=order_link(order))


# ---------------------------------------------------------------- starting a payment


def start_payment(order: Order, method: str) -> Payment:
    """Start paying `order` by `method` (what the shopper picked); an open attempt is reused."""
    _require_payable(order, method)
    if method == Provider.STRIPE:
        return start_stripe(order)
    if method == Provider.BANK_TRANSFER:
        return start_bank_transfer(order)
    return start_at_gallery(order)


def _success_url(order: Order) -> str:
    base = current_app.config["SHOP_URL"].rstrip("/")
    return (f"{base}/orders/{order.number}/payment?t={quote(order.access_token)}"
            "&session_id={CHECKOUT_SESSION_ID}")


def _cancel_url(order: Order) -> str:
    return f"{current_app.config['SHOP_URL'].rstrip('/')}/orders/{order.number}/pay?t={quote(order.access_token)}"


def checkout_params(order: Order, payment: Payment, expires_at) -> dict:
    """The Checkout Session for an order: its lines, shipping as a line, all in IDR hundredths."""
    items = [{
        "price_data": {"currency": stripe_api.CURRENCY, "unit_amount": stripe_api.to_stripe_amount(line.unit_price),
                       "product_data": {"name": f"{line.product_name} ({line.variant_label})"[:250]}},
        "quantity": line.quantity,
    } for line in order.lines]
    if order.shipping_total:
        name = _("Ongkos kirim %(service)s", service=order.shipping_service_name or "Pos")
        if order.insurance:
            name += " + " + _("asuransi")
        items.append({"price_data": {"currency": stripe_api.CURRENCY,
                                     "unit_amount": stripe_api.to_stripe_amount(order.shipping_total),
                                     "product_data": {"name": name}}, "quantity": 1})
    params = {
        "mode": "payment",
        "line_items": items,
        "payment_method_types": stripe_api.payment_method_types(),
        "client_reference_id": order.number,
        "metadata": {"order_number": order.number, "payment_id": str(payment.id)},
        "payment_intent_data": {"metadata": {"order_number": order.number, "payment_id": str(payment.id)}},
        "expires_at": int(expires_at.timestamp()),
        "success_url": _success_url(order),
        "cancel_url": _cancel_url(order),
        "locale": "auto",
    }
    if order.contact_email:
        params["customer_email"] = order.contact_email
    return params


def start_stripe(order: Order) -> Payment:
    """One Checkout Session per attempt; while the last one is still open the shopper goes back to it."""
    existing = _waiting(order, Provider.STRIPE)
    now = clock.utcnow()
    if existing is not None and existing.checkout_url and existing.deadline and existing.deadline > now:
        return existing
    expires_at = stripe_api.session_expiry(order.payment_deadline)
    payment = Payment(order_id=order.id, provider=Provider.STRIPE, status=PaymentStatus.OPEN, amount=order.total,
                      currency="IDR", deadline=expires_at, created_at=now)
    db.session.add(payment)
    db.session.flush()
    payment.idempotency_key = f"checkout-{order.number}-{payment.id}"
    _event(payment, order.id, "started", to_status=PaymentStatus.OPEN, amount=payment.amount)
    db.session.commit()
    try:
        session = stripe_api.as_dict(stripe_api.client().v1.checkout.sessions.create(
            checkout_params(order, payment, expires_at), options={"idempotency_key": payment.idempotency_key}))
    except stripe.StripeError as error:
        log.warning("Stripe refused the session for %s: %s", order.number, error)
        _move(payment, PaymentStatus.FAILED, (PaymentStatus.OPEN,), kind="session_failed", note=str(error)[:500])
        db.session.commit()
        raise DomainError(_l("Pembayaran online sedang tidak bisa dibuka. Coba lagi atau pilih transfer bank."),
                          field="method") from None
    payment.stripe_session_id = session.get("id")
    payment.checkout_url = session.get("url")
    _event(payment, order.id, "session_created", note=str(session.get("id")))
    db.session.commit()
    return payment


def _close_stale_transfers() -> None:
    """Transfers long past their deadline give their unique code back."""
    cutoff = clock.utcnow() - TRANSFER_CODE_GRACE
    stale = list(db.session.scalars(select(Payment).where(
        Payment.provider == Provider.BANK_TRANSFER, Payment.status == PaymentStatus.OPEN, Payment.deadline < cutoff)))
    for payment in stale:
        _move(payment, PaymentStatus.EXPIRED, (PaymentStatus.OPEN,), kind="expired",
              note=_("Batas waktu transfer lewat"))
    if stale:
        db.session.commit()


def start_bank_transfer(order: Order) -> Payment:
    """A transfer of the order total plus a code (1-999) making an amount no other open transfer has.

    The code is picked at random among the free ones (gallery.payments.transfers); the partial unique
    index on open transfers' amounts refuses one another order took at the same moment, and another
    code is tried.
    """
    existing = _waiting(order, Provider.BANK_TRANSFER)
    if existing is not None:
        return existing
    _close_stale_transfers()
    order_id, total = order.id, order.total
    deadline = clock.utcnow() + timedelta(hours=current_app.config["BANK_TRANSFER_HOURS"])
    if order.payment_deadline is not None:
        deadline = min(deadline, order.payment_deadline)
    for _attempt in range(CODE_ATTEMPTS):
        # A second click waits on the order's lock (PostgreSQL) or loses on the one-open-transfer
        # index (both databases) and then finds the first click's transfer here.
        _lock_order(order_id)
        existing = _waiting(order, Provider.BANK_TRANSFER)
        if existing is not None:
            db.session.commit()
            return existing
        code = transfers.free_code(total)
        if code is None:
            break
        payment = Payment(order_id=order_id, provider=Provider.BANK_TRANSFER, status=PaymentStatus.OPEN,
                          amount=total + code, unique_code=code, currency="IDR", deadline=deadline,
                          created_at=clock.utcnow())
        db.session.add(payment)
        try:
            db.session.flush()
            _event(payment, order_id, "started", to_status=PaymentStatus.OPEN, amount=payment.amount,
                   note=_("Kode unik %(code)s", code=code))
            db.session.commit()
            return payment
        except IntegrityError:
            db.session.rollback()  # the code (or this order's open transfer) was taken a moment ago: look again
    raise DomainError(_l("Transfer bank sedang penuh. Coba lagi sebentar lagi atau pilih cara bayar lain."),
                      field="method")


def start_at_gallery(order: Order) -> Payment:
    """Pay at the gallery's counter on pick-up (cash or QRIS); the order stays held until its deadline."""
    existing = _waiting(order, Provider.GALLERY)
    if existing is not None:
        return existing
    payment = Payment(order_id=order.id, provider=Provider.GALLERY, status=PaymentStatus.OPEN, amount=order.total,
                      currency="IDR", deadline=order.payment_deadline, created_at=clock.utcnow())
    db.session.add(payment)
    db.session.flush()
    _event(payment, order.id, "started", to_status=PaymentStatus.OPEN, amount=payment.amount)
    db.session.commit()
    return payment


# ---------------------------------------------------------------- paying the order


@dataclass
class _Late(Exception):
    """The money arrived but the order cannot take it (stock gone, cancelled, already paid)."""

    reason: str


def _pay_order(payment: Payment, order: Order, method: str, user: User | None, note: str = "") -> None:
    """Pay the order in the current transaction (mark_paid commits it); raise _Late if it cannot be paid.

    An order whose deadline passed, or that already expired, takes its stock again if it is there.
    """
    now = clock.utcnow()
    overdue = order.status == OrderStatus.PENDING_PAYMENT and order.payment_deadline and order.payment_deadline <= now
    if order.status == OrderStatus.EXPIRED or overdue:
        try:
            orders.reinstate_expired(order, user=user)
        except orders.SoldOut as sold_out:
            raise _Late(str(sold_out.message)) from None
        _event(payment, order.id, "reinstated", note=_("Pembayaran terlambat; stok diambil lagi"), user=user)
    elif order.status != OrderStatus.PENDING_PAYMENT:
        raise _Late(_("Pesanan berstatus %(status)s", status=orders.status_label(order.status)))
    _close_other_payments(order, payment, user)
    payment.paid_at = now
    # Staff confirming money re-check the units' dates; a provider's notification cannot be refused.
    orders.mark_paid(order, method, user=user, note=note, check_shelf=user is not None)  # commits all above
    _send_paid_email(order)


def _seen(event_id: str | None, event_type: str, outcome: str = "") -> ProviderEvent | None:
    """Record a webhook event id in this transaction; IntegrityError (raised on flush) means seen before."""
    if event_id is None:
        return None
    seen = ProviderEvent(provider=Provider.STRIPE, event_id=event_id[:255], event_type=event_type[:80],
                         outcome=outcome, received_at=clock.utcnow())
    db.session.add(seen)
    db.session.flush()
    return seen


def _stripe_payment(session: dict) -> Payment | None:
    session_id = session.get("id")
    payment = None
    if isinstance(session_id, str):
        payment = db.session.scalar(select(Payment).where(Payment.stripe_session_id == session_id))
    if payment is None:
        # The session may be answered before its id was saved: the metadata names the attempt.
        metadata = session.get("metadata") or {}
        raw_id, number = str(metadata.get("payment_id", "")), metadata.get("order_number")
        if raw_id.isdigit():
            candidate = db.session.get(Payment, int(raw_id))
            if candidate is not None and candidate.provider == Provider.STRIPE and candidate.order.number == number:
                payment = candidate
                if isinstance(session_id, str) and payment.stripe_session_id is None:
                    payment.stripe_session_id = session_id
    return payment


def _intent_id(session: dict) -> str | None:
    intent = session.get("payment_intent")
    if isinstance(intent, dict):
        intent = intent.get("id")
    return intent if isinstance(intent, str) else None


def _settle_stripe(payment: Payment, session: dict, event_id: str | None, event_type: str) -> str:
    """Money arrived on a Checkout Session: check it, then pay the order, once."""
    order = _lock_order(payment.order_id)
    intent = _intent_id(session)
    if intent and not payment.stripe_payment_intent:
        payment.stripe_payment_intent = intent
    amount = stripe_api.from_stripe_amount(session.get("amount_total"))
    currency = str(session.get("currency") or "").lower()
    if currency != stripe_api.CURRENCY or amount != payment.amount or amount != order.total:
        reason = _("Jumlah atau mata uang tidak cocok: diterima %(got)s %(currency)s, seharusnya %(want)s IDR",
                   got=session.get("amount_total"), currency=currency.upper() or "?",
                   want=stripe_api.to_stripe_amount(payment.amount))
        if _move(payment, PaymentStatus.REVIEW, PaymentStatus.SETTLEABLE, kind="review", note=reason,
                 provider_event_id=event_id):
            payment.review_reason = reason
            log.warning("payment %s for %s needs review: %s", payment.id, order.number, reason)
        db.session.commit()
        return "review"
    if not _move(payment, PaymentStatus.PAID, PaymentStatus.SETTLEABLE, kind="paid", amount=payment.amount,
                 provider_event_id=event_id):
        db.session.commit()
        return "already_settled"
    try:
        _pay_order(payment, order, Provider.STRIPE, None, note=_("Dibayar lewat Stripe"))
    except _Late as late:
        db.session.rollback()
        return _refund_late_stripe(payment.id, intent, late.reason, event_id, event_type)
    return "paid"


def _refund_late_stripe(payment_id: int, intent: str | None, reason: str, event_id: str | None,
                        event_type: str) -> str:
    """Give back money that arrived for an order that cannot take it (automatic, idempotent at Stripe)."""
    payment = db.session.get(Payment, payment_id)
    if intent and not payment.stripe_payment_intent:
        payment.stripe_payment_intent = intent
    refund_id = None
    if payment.stripe_payment_intent:
        try:
            refund = stripe_api.as_dict(stripe_api.client().v1.refunds.create(
                {"payment_intent": payment.stripe_payment_intent, "reason": "requested_by_customer",
                 "metadata": {"order_number": payment.order.number, "payment_id": str(payment.id)}},
                options={"idempotency_key": f"late-refund-{payment.id}"}))
            refund_id = refund.get("id")
        except stripe.StripeError as error:
            log.error("automatic refund of payment %s failed: %s", payment.id, error)
    try:
        _seen(event_id, event_type, "late_payment")
    except IntegrityError:
        db.session.rollback()
        return "duplicate"
    if refund_id is None:
        if _move(payment, PaymentStatus.REVIEW, PaymentStatus.SETTLEABLE, kind="review", provider_event_id=event_id,
                 note=_("Pembayaran terlambat, pengembalian otomatis gagal: %(reason)s", reason=reason)):
            payment.review_reason = reason
        db.session.commit()
        return "review"
    if _move(payment, PaymentStatus.REFUNDED, PaymentStatus.SETTLEABLE, kind="late_payment_refunded",
             amount=payment.amount, provider_event_id=event_id,
             note=_("Pembayaran terlambat dikembalikan otomatis: %(reason)s", reason=reason)):
        payment.amount_refunded = payment.amount
        payment.paid_at = clock.utcnow()
        db.session.add(Refund(payment_id=payment.id, order_id=payment.order_id, amount=payment.amount,
                              reason=reason[:500], automatic=True, stripe_refund_id=refund_id,
                              created_at=clock.utcnow()))
    db.session.commit()
    return "refunded"


def _session_expired(payment: Payment, event_id: str | None) -> str:
    """A Checkout Session closed unpaid: the order gives its stock back unless another attempt is open."""
    if not _move(payment, PaymentStatus.EXPIRED, PaymentStatus.WAITING, kind="expired", provider_event_id=event_id,
                 note=_("Sesi Stripe kedaluwarsa")):
        db.session.commit()
        return "ignored"
    order = _lock_order(payment.order_id)
    others = db.session.scalar(select(Payment.id).where(
        Payment.order_id == order.id, Payment.id != payment.id, Payment.status.in_(PaymentStatus.WAITING)).limit(1))
    if order.status == OrderStatus.PENDING_PAYMENT and others is None:
        orders.cancel(order, user=None, reason=_("Sesi pembayaran Stripe kedaluwarsa"))  # commits, releases stock
        return "released"
    db.session.commit()
    return "expired"


def handle_stripe_event(event: dict) -> str:
    """Process one verified Stripe event, once: its id is stored with its effect (rule 8)."""
    event_id, event_type = event["id"], event["type"]
    session = (event.get("data") or {}).get("object") or {}
    if event_type not in STRIPE_HANDLED or not isinstance(session, dict):
        return "ignored"
    try:
        return _handle(event_id, event_type, session)
    except IntegrityError:
        db.session.rollback()
        return "duplicate"


def _handle(event_id: str, event_type: str, session: dict) -> str:
    seen = _seen(event_id, event_type)
    payment = _stripe_payment(session)
    if payment is None:
        log.warning("Stripe event %s (%s) for an unknown session %s / order %s", event_id, event_type,
                    session.get("id"), session.get("client_reference_id"))
        seen.outcome = "unknown"
        db.session.commit()
        return "unknown"
    if event_type == "checkout.session.completed" and session.get("payment_status") != "paid":
        # Paid later by an asynchronous method (some e-wallets, transfers): wait for async_payment_*.
        _move(payment, PaymentStatus.PROCESSING, (PaymentStatus.OPEN,), kind="processing",
              provider_event_id=event_id, note=_("Menunggu konfirmasi pembayaran dari Stripe"))
        db.session.commit()
        return "processing"
    if event_type in ("checkout.session.completed", "checkout.session.async_payment_succeeded"):
        return _settle_stripe(payment, session, event_id, event_type)
    if event_type == "checkout.session.async_payment_failed":
        _move(payment, PaymentStatus.FAILED, PaymentStatus.WAITING, kind="failed", provider_event_id=event_id,
              note=_("Pembayaran gagal"))
        db.session.commit()
        return "failed"
    return _session_expired(payment, event_id)


def sync_stripe_session(payment: Payment) -> str:
    """Fallback when the shopper comes back before the webhook: ask Stripe about the session directly.

    Only what Stripe says pays the order; the visit itself never does.
    """
    if payment.provider != Provider.STRIPE or not payment.waiting or not payment.stripe_session_id \
            or not stripe_api.enabled():
        return "ignored"
    try:
        session = stripe_api.as_dict(stripe_api.client().v1.checkout.sessions.retrieve(payment.stripe_session_id))
    except stripe.StripeError as error:
        log.warning("could not retrieve session %s: %s", payment.stripe_session_id, error)
        return "error"
    if session.get("status") == "complete" and session.get("payment_status") == "paid":
        return _settle_stripe(payment, session, None, "retrieve")
    if session.get("status") == "expired":
        return _session_expired(payment, None)
    return "waiting"


# ---------------------------------------------------------------- staff: transfers and the counter


def confirm_transfer(payment: Payment, *, user: User) -> str:
    """Staff found the transfer on the gallery's account: the order is paid ("paid"), or, when it
    expired and its stock is gone, the payment is flagged for review ("review") to be given back."""
    if payment.provider != Provider.BANK_TRANSFER:
        raise DomainError(_l("Ini bukan pembayaran transfer bank."), field="payment")
    return _confirm(payment, Provider.BANK_TRANSFER, user)


def confirm_at_gallery(payment: Payment, method: str, *, user: User) -> str:
    """Staff took the money at the counter (cash or QRIS) for a pick-up order."""
    if payment.provider != Provider.GALLERY:
        raise DomainError(_l("Ini bukan pembayaran di galeri."), field="payment")
    if method not in PaymentMethod.COUNTER:
        raise DomainError(_l("Pilih cara bayar: tunai atau QRIS."), field="method")
    return _confirm(payment, method, user)


def _confirm(payment: Payment, method: str, user: User) -> str:
    payment_id = payment.id
    order = _lock_order(payment.order_id)
    if not _move(payment, PaymentStatus.PAID, (PaymentStatus.OPEN, PaymentStatus.REVIEW), kind="confirmed",
                 user=user, amount=payment.amount):
        db.session.rollback()
        raise DomainError(_l("Pembayaran ini sudah diproses."), field="payment")
    try:
        _pay_order(payment, order, method, user, note=_("Dikonfirmasi staf"))
    except orders.shelf_life.NotGoodAtHandOver:
        db.session.rollback()  # the transfer stays open until staff swap the lot or refund the line
        raise
    except _Late as late:
        db.session.rollback()
        payment = db.session.get(Payment, payment_id)
        if _move(payment, PaymentStatus.REVIEW, (PaymentStatus.OPEN, PaymentStatus.REVIEW), kind="review", user=user,
                 note=_("Uang diterima tetapi pesanan tidak bisa dibayar: %(reason)s. Kembalikan dananya.",
                        reason=late.reason)):
            payment.review_reason = late.reason
        db.session.commit()
        return "review"
    return "paid"


def reject_transfer(payment: Payment, *, user: User, reason: str = "") -> Payment:
    """Staff did not find the money (or the proof is not a transfer): the attempt closes, the code is free."""
    if payment.provider != Provider.BANK_TRANSFER:
        raise DomainError(_l("Ini bukan pembayaran transfer bank."), field="payment")
    if not _move(payment, PaymentStatus.REJECTED, (PaymentStatus.OPEN,), kind="rejected", user=user,
                 note=(reason or "").strip()[:500]):
        db.session.rollback()
        raise DomainError(_l("Pembayaran ini sudah diproses."), field="payment")
    db.session.commit()
    return payment


def waiting_for_staff() -> list[Payment]:
    """Transfers and gallery payments staff still have to confirm, those with a proof first."""
    payments = list(db.session.scalars(
        select(Payment).options(selectinload(Payment.order))
        .where(Payment.provider.in_((Provider.BANK_TRANSFER, Provider.GALLERY)),
               Payment.status.in_((PaymentStatus.OPEN, PaymentStatus.REVIEW)))
        .order_by(Payment.id)
    ))
    payments.sort(key=lambda p: (p.status != PaymentStatus.REVIEW, p.proof_key is None, p.id))
    return payments


def in_review() -> list[Payment]:
    return list(db.session.scalars(select(Payment).options(selectinload(Payment.order))
                                   .where(Payment.status == PaymentStatus.REVIEW).order_by(Payment.id)))


# ---------------------------------------------------------------- proof of transfer


def proof_directory() -> Path:
    path = Path(current_app.config["UPLOAD_FOLDER"]) / "payments"
    path.mkdir(parents=True, exist_ok=True)
    return path


def proof_path(key: str) -> Path:
    if not key or len(key) != 32 or any(c not in "0123456789abcdef" for c in key):
        raise ValueError("not a proof key")
    return proof_directory() / f"{key}.jpg"


def attach_proof(payment: Payment, data: bytes) -> Payment:
    """Keep a re-encoded copy of the shopper's transfer receipt (the upload itself is never kept)."""
    from gallery.catalog.images import reencoded_jpeg

    if payment.provider != Provider.BANK_TRANSFER or payment.status != PaymentStatus.OPEN:
        raise DomainError(_l("Bukti transfer hanya untuk transfer yang menunggu konfirmasi."), field="proof")
    if not data:
        raise DomainError(_l("Pilih berkas gambar."), field="proof")
    encoded = reencoded_jpeg(data, PROOF_MAX_SIDE, field="proof")
    key = hashlib.sha256(encoded).hexdigest()[:32]
    path = proof_path(key)
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(encoded)
        tmp.replace(path)
    payment.proof_key = key
    payment.proof_uploaded_at = clock.utcnow()
    _event(payment, payment.order_id, "proof_uploaded", note=_("Bukti transfer diunggah"))
    db.session.commit()
    return payment
