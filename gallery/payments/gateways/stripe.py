"""Stripe Checkout: the only module that imports `stripe`.

One `StripeClient` per app from config (its key and `STRIPE_API_BASE`, which tests point at a local
fake of the API), kept on the app. Rupiah are whole numbers in the shop; Stripe counts IDR in
hundredths, converted here only. Webhooks are verified with Stripe's signature scheme (5-minute
tolerance); `checkout.session.completed` pays only with `payment_status == "paid"`, the async events
pay or fail, and `checkout.session.expired` gives the order's stock back (DESIGN.md "Paying").
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from urllib.parse import quote

import stripe
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from gallery import clock
from gallery.extensions import db
from gallery.payments.gateways import Gateway, GatewayError, InvalidNotification, Notice, Outcome
from gallery.payments.models import Payment, Provider

CURRENCY = "idr"
# Stripe accepts a Checkout Session's expires_at from 30 minutes to 24 hours ahead; keep a margin.
SESSION_MIN = timedelta(minutes=31)
SESSION_MAX = timedelta(hours=23, minutes=59)
WEBHOOK_TOLERANCE_SECONDS = 300
HANDLED = (
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
)


def to_stripe_amount(rupiah: int) -> int:
    """Rupiah → Stripe's IDR amount in hundredths (Rp 55.000 → 5500000). The only conversion there is."""
    if not isinstance(rupiah, int) or isinstance(rupiah, bool) or rupiah < 0:
        raise ValueError("a Rupiah amount is a whole number, 0 or more")
    return rupiah * 100


def from_stripe_amount(hundredths: int) -> int | None:
    """Stripe's IDR hundredths → whole Rupiah; None when it is not a whole number of Rupiah."""
    if not isinstance(hundredths, int) or isinstance(hundredths, bool) or hundredths % 100:
        return None
    return hundredths // 100


def client() -> stripe.StripeClient:
    """The app's StripeClient, built once per app and per key/base address from config."""
    key = current_app.config["STRIPE_SECRET_KEY"]
    base = current_app.config.get("STRIPE_API_BASE") or "https://api.stripe.com"
    cache = current_app.extensions.setdefault("gallery_stripe_clients", {})
    built = cache.get((key, base))
    if built is None:
        built = stripe.StripeClient(key, base_addresses={"api": base}, max_network_retries=2)
        cache[(key, base)] = built
    return built


def payment_method_types() -> list[str]:
    """The Checkout payment methods enabled on the account (STRIPE_PAYMENT_METHOD_TYPES)."""
    raw = current_app.config.get("STRIPE_PAYMENT_METHOD_TYPES") or "card"
    return [part.strip() for part in raw.split(",") if part.strip()] or ["card"]


def session_expiry(deadline: datetime | None) -> datetime:
    """When a new session closes: the order's deadline or STRIPE_SESSION_MINUTES, within Stripe's window."""
    now = clock.utcnow()
    wanted = now + timedelta(minutes=current_app.config.get("STRIPE_SESSION_MINUTES", 30))
    if deadline is not None:
        wanted = min(wanted, deadline)
    return min(max(wanted, now + SESSION_MIN), now + SESSION_MAX)


def as_dict(obj) -> dict:
    """A StripeObject (or a dict) as plain JSON data."""
    if isinstance(obj, dict):
        return obj
    return json.loads(str(obj)) if obj is not None else {}


def _shop_url(path: str) -> str:
    return current_app.config["SHOP_URL"].rstrip("/") + path


def checkout_params(order, payment: Payment, expires_at: datetime) -> dict:
    """The Checkout Session for an order: its lines, shipping as a line, all in IDR hundredths."""
    items = [{
        "price_data": {"currency": CURRENCY, "unit_amount": to_stripe_amount(line.unit_price),
                       "product_data": {"name": f"{line.product_name} ({line.variant_label})"[:250]}},
        "quantity": line.quantity,
    } for line in order.lines]
    if order.shipping_total:
        name = _("Ongkos kirim %(service)s", service=order.shipping_service_name or "Pos")
        if order.insurance:
            name += " + " + _("asuransi")
        items.append({"price_data": {"currency": CURRENCY, "unit_amount": to_stripe_amount(order.shipping_total),
                                     "product_data": {"name": name}}, "quantity": 1})
    token = quote(order.access_token)
    params = {
        "mode": "payment",
        "line_items": items,
        "payment_method_types": payment_method_types(),
        "client_reference_id": order.number,
        "metadata": {"order_number": order.number, "payment_id": str(payment.id)},
        "payment_intent_data": {"metadata": {"order_number": order.number, "payment_id": str(payment.id)}},
        "expires_at": int(expires_at.timestamp()),
        "success_url": _shop_url(f"/orders/{order.number}/payment?t={token}") + "&session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": _shop_url(f"/orders/{order.number}/pay?t={token}"),
        "locale": "auto",
    }
    if order.contact_email:
        params["customer_email"] = order.contact_email
    return params


def _intent_id(session: dict) -> str | None:
    intent = session.get("payment_intent")
    if isinstance(intent, dict):
        intent = intent.get("id")
    return intent if isinstance(intent, str) else None


def notice_of(event_id: str | None, event_type: str, session: dict) -> Notice:
    """What a Checkout Session event (or the session itself, `event_id` None) means for its attempt."""
    amount = session.get("amount_total")
    notice = Notice(Outcome.IGNORED, event_id=event_id, event_type=event_type,
                    amount=from_stripe_amount(amount), raw_amount=str(amount),
                    currency=str(session.get("currency") or ""), transaction_id=_intent_id(session))
    if event_type == "checkout.session.completed" and session.get("payment_status") != "paid":
        # Paid later by an asynchronous method (some e-wallets, transfers): wait for async_payment_*.
        notice.outcome, notice.note = Outcome.PROCESSING, _("Menunggu konfirmasi pembayaran dari Stripe")
    elif event_type in ("checkout.session.completed", "checkout.session.async_payment_succeeded"):
        notice.outcome = Outcome.PAID
    elif event_type == "checkout.session.async_payment_failed":
        notice.outcome, notice.note = Outcome.FAILED, _("Pembayaran gagal")
    elif event_type == "checkout.session.expired":
        notice.outcome, notice.ends_order = Outcome.EXPIRED, True
        notice.note = _("Sesi Stripe kedaluwarsa")
    return notice


class StripeGateway(Gateway):
    """Stripe Checkout behind the gateway interface (methods documented on Gateway)."""
    provider = Provider.STRIPE
    name = "Stripe"

    def enabled(self) -> bool:
        return bool(current_app.config.get("STRIPE_SECRET_KEY"))

    def attempt_deadline(self, order) -> datetime:
        return session_expiry(order.payment_deadline)

    def start(self, order, payment: Payment) -> str:
        try:
            session = as_dict(client().v1.checkout.sessions.create(
                checkout_params(order, payment, payment.deadline),
                options={"idempotency_key": payment.idempotency_key}))
        except stripe.StripeError as error:
            raise GatewayError(str(error)[:500]) from None
        payment.reference = session.get("id")
        payment.checkout_url = session.get("url")
        return str(session.get("id"))

    def verify(self, payload: bytes, headers) -> dict:
        """Check the Stripe-Signature header (5-minute tolerance) and return the event as plain data."""
        signature = headers.get("Stripe-Signature")
        secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
        if not secret:
            raise InvalidNotification("STRIPE_WEBHOOK_SECRET is not set")
        try:
            text = payload.decode("utf-8")
            stripe.Webhook.construct_event(text, signature, secret, tolerance=WEBHOOK_TOLERANCE_SECONDS,
                                           api_key=current_app.config.get("STRIPE_SECRET_KEY") or "unused")
            event = json.loads(text)
        except (stripe.SignatureVerificationError, ValueError, UnicodeDecodeError) as error:
            raise InvalidNotification(str(error)) from None
        if not isinstance(event, dict) or not isinstance(event.get("id"), str) or not isinstance(event.get("type"), str):
            raise InvalidNotification("not a Stripe event")
        return event

    def payment_for(self, notice: Notice | None, session: dict) -> Payment | None:
        session_id = session.get("id")
        payment = None
        if isinstance(session_id, str):
            payment = db.session.scalar(select(Payment).where(Payment.provider == self.provider,
                                                              Payment.reference == session_id))
        if payment is None:
            # The session may be answered before its id was saved: the metadata names the attempt.
            metadata = session.get("metadata") or {}
            raw_id, number = str(metadata.get("payment_id", "")), metadata.get("order_number")
            if raw_id.isdigit():
                candidate = db.session.get(Payment, int(raw_id))
                if candidate is not None and candidate.provider == self.provider and candidate.order.number == number:
                    payment = candidate
                    if isinstance(session_id, str) and payment.reference is None:
                        payment.reference = session_id
        return payment

    def fetch_status(self, payment: Payment) -> Notice | None:
        if not payment.reference:
            return None
        try:
            session = as_dict(client().v1.checkout.sessions.retrieve(payment.reference))
        except stripe.StripeError as error:
            raise GatewayError(str(error)[:500]) from None
        if session.get("status") == "complete" and session.get("payment_status") == "paid":
            return notice_of(None, "checkout.session.completed", session)
        if session.get("status") == "expired":
            return notice_of(None, "checkout.session.expired", session)
        return None

    def refundable(self, payment: Payment) -> bool:
        return True  # cards and wallets taken through Checkout can all be refunded at Stripe

    def refund(self, payment: Payment, amount: int, key: str, reason: str = "") -> str:
        if not payment.gateway_transaction_id:
            raise GatewayError(_("Pembayaran Stripe ini tidak punya PaymentIntent; kembalikan dari dasbor Stripe."))
        try:
            created = as_dict(client().v1.refunds.create(
                {"payment_intent": payment.gateway_transaction_id, "amount": to_stripe_amount(amount),
                 "reason": "requested_by_customer",
                 "metadata": {"order_number": payment.order.number, "payment_id": str(payment.id)}},
                options={"idempotency_key": key}))
        except stripe.StripeError as error:
            raise GatewayError(_("Stripe menolak pengembalian dana: %(error)s",
                                 error=getattr(error, "user_message", None) or str(error))) from None
        return str(created.get("id"))


GATEWAY = StripeGateway()


def handle_event(event: dict) -> str:
    """Process one verified Stripe event, once (its id is stored with its effect, DESIGN.md rule 8)."""
    from gallery.payments import notices

    session = (event.get("data") or {}).get("object") or {}
    if event.get("type") not in HANDLED or not isinstance(session, dict):
        return "ignored"
    return notices.apply_notice(GATEWAY, notice_of(event["id"], event["type"], session), session)
