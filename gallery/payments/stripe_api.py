"""The shop's side of the Stripe API: one client per app from config, amounts converted in one place.

Nothing here keeps global state: the official library's `StripeClient` is built from the app's
config (its key and `STRIPE_API_BASE`, which tests point at a local fake of the API) and kept on
the app. Rupiah are whole numbers in the shop; Stripe counts IDR in hundredths.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta

import stripe
from flask import current_app

from gallery import clock

CURRENCY = "idr"
# Stripe accepts a Checkout Session's expires_at from 30 minutes to 24 hours ahead; keep a margin.
SESSION_MIN = timedelta(minutes=31)
SESSION_MAX = timedelta(hours=23, minutes=59)
WEBHOOK_TOLERANCE_SECONDS = 300


def to_stripe_amount(rupiah: int) -> int:
    """Rupiah → Stripe's IDR amount in hundredths (Rp 55.000 → 5500000). The only conversion there is."""
    if not isinstance(rupiah, int) or isinstance(rupiah, bool) or rupiah < 0:
        raise ValueError("a Rupiah amount is a whole number, 0 or more")
    return rupiah * 100


def from_stripe_amount(hundredths: int) -> int | None:
    """Stripe's IDR hundredths → whole Rupiah; None when it is not a whole number of Rupiah."""
    if not isinstance(hundredths, int) or hundredths % 100:
        return None
    return hundredths // 100


def enabled() -> bool:
    """Stripe is offered only when the shop has its keys."""
    return bool(current_app.config.get("STRIPE_SECRET_KEY"))


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


def verify_webhook(payload: bytes, signature: str | None) -> dict:
    """Check the Stripe-Signature header (5-minute tolerance) and return the event as plain data.

    Raises stripe.SignatureVerificationError or ValueError for anything not signed by Stripe.
    """
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret:
        raise ValueError("STRIPE_WEBHOOK_SECRET is not set")
    text = payload.decode("utf-8")
    stripe.Webhook.construct_event(text, signature, secret, tolerance=WEBHOOK_TOLERANCE_SECONDS,
                                   api_key=current_app.config.get("STRIPE_SECRET_KEY") or "unused")
    event = json.loads(text)
    if not isinstance(event, dict) or not isinstance(event.get("id"), str) or not isinstance(event.get("type"), str):
        raise ValueError("not a Stripe event")
    return event
