"""Midtrans (Snap, and a Core API QRIS charge at the till): the only module that imports `midtransclient`.

Each attempt is one Midtrans transaction whose `order_id` is the payment's own reference (unique per
attempt). `gross_amount` is whole Rupiah and equals the sum of `item_details` (goods, shipping,
insurance) exactly; Snap's expiry is never later than the order's payment deadline. The shopper goes
to Snap's `redirect_url`, which works without JavaScript.

A notification is believed only when its `signature_key` is SHA-512 of order_id + status_code +
gross_amount + the server key (compared in constant time), and even then the Status API is asked for
the truth before anything changes. Refunds go through `/refund`, or `/refund/online/direct` for the
e-wallets and QRIS; virtual accounts cannot be refunded through the API (staff transfer the money back).
The library's base URLs are class attributes of `ApiConfig`; they are overridden on each client's
`api_config` from configuration, so tests talk to a local fake of Midtrans.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from urllib.parse import quote

import midtransclient
import requests
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from gallery import clock
from gallery.extensions import db
from gallery.orders.models import Channel
from gallery.payments.gateways import Gateway, GatewayError, InvalidNotification, Notice, Outcome
from gallery.payments.models import Payment, Provider

# Methods whose money Midtrans can give back through the API, and those that need the direct refund.
REFUNDABLE = ("qris", "gopay", "shopeepay", "credit_card", "akulaku", "kredivo")
DIRECT_REFUND = ("qris", "gopay", "shopeepay")
MAX_NAME = 50      # Midtrans cuts item names longer than this
MAX_REFUND_KEY = 50
WIB_OFFSET = "+0700"
STATUS_OUTCOMES = {
    "settlement": Outcome.PAID,
    "pending": Outcome.WAITING,
    "deny": Outcome.FAILED,
    "cancel": Outcome.FAILED,
    "failure": Outcome.FAILED,
    "expire": Outcome.EXPIRED,
    "refund": Outcome.REFUNDED,
    "partial_refund": Outcome.REFUNDED,
}


class _TimeoutSession(requests.Session):
    """The library calls `requests` without a timeout; every request of ours has one."""

    def __init__(self, timeout: int):
        super().__init__()
        self.timeout = timeout

    def request(self, method, url, **kwargs):
        kwargs.setdefault("timeout", self.timeout)
        return super().request(method, url, **kwargs)


def _config(client):
    """Point a midtransclient client at the configured addresses and give it a timeout."""
    config = current_app.config
    api = client.api_config
    if config.get("MIDTRANS_SNAP_BASE_URL"):
        api.SNAP_SANDBOX_BASE_URL = api.SNAP_PRODUCTION_BASE_URL = config["MIDTRANS_SNAP_BASE_URL"].rstrip("/")
    if config.get("MIDTRANS_API_BASE_URL"):
        api.CORE_SANDBOX_BASE_URL = api.CORE_PRODUCTION_BASE_URL = config["MIDTRANS_API_BASE_URL"].rstrip("/")
    client.http_client.http_client = _TimeoutSession(config.get("MIDTRANS_TIMEOUT_SECONDS", 20))
    return client


def _keys() -> dict:
    config = current_app.config
    return {"is_production": bool(config.get("MIDTRANS_IS_PRODUCTION")),
            "server_key": config.get("MIDTRANS_SERVER_KEY") or "", "client_key": config.get("MIDTRANS_CLIENT_KEY") or ""}


def snap() -> midtransclient.Snap:
    """A Snap client for this app's keys and addresses."""
    return _config(midtransclient.Snap(**_keys()))


def core_api() -> midtransclient.CoreApi:
    """A Core API client (charge, status, refund) for this app's keys and addresses."""
    return _config(midtransclient.CoreApi(**_keys()))


def _call(action, *args):
    """Run one library call; turn Midtrans's refusals and network errors into a GatewayError."""
    try:
        return action(*args)
    except midtransclient.MidtransAPIError as error:
        raise GatewayError(str(getattr(error, "message", error))[:500]) from None
    except (requests.RequestException, midtransclient.JSONDecodeError) as error:
        raise GatewayError(str(error)[:500]) from None


def enabled_payments() -> list[str]:
    """Snap channels enabled on the account (MIDTRANS_ENABLED_PAYMENTS)."""
    raw = current_app.config.get("MIDTRANS_ENABLED_PAYMENTS") or ""
    return [part.strip() for part in raw.split(",") if part.strip()]


def signature(order_id: str, status_code: str, gross_amount: str, server_key: str) -> str:
    """Midtrans's signature_key: SHA-512 (hex) of order_id + status_code + gross_amount + server key."""
    return hashlib.sha512(f"{order_id}{status_code}{gross_amount}{server_key}".encode()).hexdigest()


def rupiah_of(gross_amount) -> int | None:
    """Midtrans's "65000.00" → 65000; None when it is not a whole number of Rupiah."""
    try:
        value = Decimal(str(gross_amount))
    except (InvalidOperation, ValueError):
        return None
    return int(value) if value == value.to_integral_value() and value >= 0 else None


def _wib(moment: datetime) -> str:
    return f"{clock.to_wib(moment):%Y-%m-%d %H:%M:%S} {WIB_OFFSET}"


def _minutes_until(deadline: datetime) -> int:
    return max(1, int((deadline - clock.utcnow()).total_seconds() // 60))


def item_details(order) -> list[dict]:
    """Goods, shipping and insurance as Midtrans items; their sum is the order total exactly."""
    items = [{"id": line.sku[:50], "price": line.unit_price, "quantity": line.quantity,
              "name": f"{line.product_name} ({line.variant_label})"[:MAX_NAME]} for line in order.lines]
    if order.shipping_price:
        items.append({"id": "ONGKIR", "price": order.shipping_price, "quantity": 1,
                      "name": _("Ongkos kirim %(service)s", service=order.shipping_service_name or "Pos")[:MAX_NAME]})
    if order.insurance:
        items.append({"id": "ASURANSI", "price": order.insurance, "quantity": 1, "name": _("Asuransi kiriman")[:MAX_NAME]})
    return items


def _customer(order) -> dict:
    details = {"first_name": (order.contact_name or "")[:50]}
    if order.contact_email:
        details["email"] = order.contact_email
    if order.contact_whatsapp:
        details["phone"] = order.contact_whatsapp
    if order.street:
        details["shipping_address"] = {"first_name": details["first_name"], "phone": order.contact_whatsapp or "",
                                       "address": order.street[:200], "postal_code": order.postal_code or "",
                                       "country_code": "IDN"}
    return details


def snap_params(order, payment: Payment) -> dict:
    """The Snap transaction of one attempt (DESIGN.md "Paying")."""
    token = quote(order.access_token)
    finish = current_app.config["SHOP_URL"].rstrip("/") + f"/orders/{order.number}/payment?t={token}"
    return {
        "transaction_details": {"order_id": payment.reference, "gross_amount": payment.amount},
        "item_details": item_details(order),
        "customer_details": _customer(order),
        "enabled_payments": enabled_payments(),
        "expiry": {"start_time": _wib(clock.utcnow()), "unit": "minute", "duration": _minutes_until(payment.deadline)},
        "callbacks": {"finish": finish},
    }


def qris_params(order, payment: Payment) -> dict:
    """A Core API QRIS charge for a sale at the till."""
    return {
        "payment_type": "qris",
        "transaction_details": {"order_id": payment.reference, "gross_amount": payment.amount},
        "item_details": item_details(order),
        "qris": {"acquirer": "gopay"},
        "custom_expiry": {"order_time": _wib(clock.utcnow()), "expiry_duration": _minutes_until(payment.deadline),
                          "unit": "minute"},
    }


def method_of(data: dict) -> str | None:
    """The channel the shopper used: qris, gopay, bca_va, permata_va, echannel (Mandiri bill)…"""
    payment_type = data.get("payment_type")
    if payment_type == "bank_transfer":
        if data.get("permata_va_number"):
            return "permata_va"
        numbers = data.get("va_numbers") or []
        if numbers and isinstance(numbers[0], dict) and numbers[0].get("bank"):
            return f"{numbers[0]['bank']}_va"
        return "other_va"
    return payment_type if isinstance(payment_type, str) else None


def instructions_of(data: dict) -> dict:
    """What the shopper needs to finish paying: the VA number, the Mandiri bill, the QR string, the deeplink."""
    found = {}
    numbers = data.get("va_numbers") or []
    if numbers and isinstance(numbers[0], dict):
        found.update(bank=str(numbers[0].get("bank", "")).upper(), va_number=str(numbers[0].get("va_number", "")))
    if data.get("permata_va_number"):
        found.update(bank="PERMATA", va_number=str(data["permata_va_number"]))
    if data.get("bill_key"):
        found.update(bank="MANDIRI", bill_key=str(data["bill_key"]), biller_code=str(data.get("biller_code", "")))
    if data.get("qr_string"):
        found["qr_string"] = str(data["qr_string"])
    for action in data.get("actions") or []:
        if isinstance(action, dict) and action.get("name") == "deeplink-redirect":
            found["deeplink"] = str(action.get("url", ""))
        if isinstance(action, dict) and action.get("name") == "generate-qr-code":
            found["qr_url"] = str(action.get("url", ""))
    if data.get("expiry_time"):
        found["expiry_time"] = str(data["expiry_time"])
    return found


def notice_of(data: dict) -> Notice:
    """What a Status API answer means for its attempt; idempotent per (transaction, status)."""
    status = str(data.get("transaction_status") or "")
    outcome = STATUS_OUTCOMES.get(status, Outcome.IGNORED)
    if status == "capture":
        # Cards: captured money counts once the fraud check accepts it; "challenge" waits for review.
        outcome = Outcome.PAID if data.get("fraud_status") == "accept" else Outcome.PROCESSING
    transaction = str(data.get("transaction_id") or data.get("order_id") or "")
    event_id = f"{transaction}:{status}"
    refunded = None
    if outcome == Outcome.REFUNDED:
        refunds = [rupiah_of(r.get("refund_amount")) or 0 for r in data.get("refunds") or [] if isinstance(r, dict)]
        refunded = sum(refunds) if refunds else rupiah_of(data.get("refund_amount"))
        event_id += f":{refunded}"
    notes = {
        Outcome.FAILED: _("Pembayaran Midtrans %(status)s; pesanan masih bisa dibayar sampai batas waktunya",
                          status=status),
        Outcome.EXPIRED: _("Transaksi Midtrans kedaluwarsa"),
        Outcome.PROCESSING: _("Menunggu pemeriksaan Midtrans"),
        Outcome.REFUNDED: _("Midtrans mencatat pengembalian dana %(amount)s", amount=refunded),
    }
    return Notice(outcome, event_id=event_id, event_type=status, amount=rupiah_of(data.get("gross_amount")),
                  raw_amount=str(data.get("gross_amount")), currency=str(data.get("currency") or "IDR"),
                  transaction_id=transaction or None, method=method_of(data), instructions=instructions_of(data),
                  refunded=refunded, note=str(notes.get(outcome, "")))


class MidtransGateway(Gateway):
    """Midtrans behind the gateway interface (methods documented on Gateway)."""
    provider = Provider.MIDTRANS
    name = "Midtrans"
    qris_at_till = True

    def enabled(self) -> bool:
        return bool(current_app.config.get("MIDTRANS_SERVER_KEY"))

    def attempt_deadline(self, order) -> datetime:
        # Never later than the order's deadline (a sale at the till: as long as its units are held).
        return order.payment_deadline or clock.utcnow() + timedelta(hours=24)

    def start(self, order, payment: Payment) -> str:
        payment.reference = f"{order.number}-{payment.id}"
        if order.channel == Channel.COUNTER:
            answer = _call(core_api().charge, qris_params(order, payment))
            payment.gateway_transaction_id = answer.get("transaction_id")
            payment.gateway_method = "qris"
            payment.instructions = json.dumps(instructions_of(answer), sort_keys=True)
            return str(answer.get("transaction_id") or payment.reference)
        answer = _call(snap().create_transaction, snap_params(order, payment))
        payment.checkout_url = answer.get("redirect_url")
        return str(answer.get("token") or payment.reference)

    def verify(self, body: bytes, headers=None) -> dict:
        """The notification's JSON, if its signature_key is Midtrans's; else InvalidNotification."""
        try:
            data = json.loads(body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            raise InvalidNotification("not JSON") from None
        if not isinstance(data, dict):
            raise InvalidNotification("not a notification")
        parts = [data.get(key) for key in ("order_id", "status_code", "gross_amount", "signature_key")]
        if not all(isinstance(part, str) and part for part in parts):
            raise InvalidNotification("fields missing")
        expected = signature(*parts[:3], current_app.config.get("MIDTRANS_SERVER_KEY") or "")
        if not hmac.compare_digest(expected.encode(), parts[3].lower().encode()):
            raise InvalidNotification("bad signature_key")
        return data

    def payment_for(self, notice: Notice | None, data: dict) -> Payment | None:
        reference = data.get("order_id")
        if not isinstance(reference, str) or not re.fullmatch(r"[A-Za-z0-9._~-]{1,64}", reference):
            return None
        return db.session.scalar(select(Payment).where(Payment.provider == self.provider,
                                                       Payment.reference == reference))

    def status(self, reference: str) -> dict | None:
        """The Status API's answer for one attempt; None when Midtrans has no transaction for it yet."""
        try:
            return core_api().transactions.status(reference)
        except midtransclient.MidtransAPIError as error:
            if str(getattr(error, "http_status_code", "")) == "404" or \
                    str((getattr(error, "api_response_dict", None) or {}).get("status_code")) == "404":
                return None  # the shopper has not picked a channel in Snap yet
            raise GatewayError(str(getattr(error, "message", error))[:500]) from None
        except (requests.RequestException, midtransclient.JSONDecodeError) as error:
            raise GatewayError(str(error)[:500]) from None

    def fetch_status(self, payment: Payment) -> Notice | None:
        data = self.status(payment.reference) if payment.reference else None
        return notice_of(data) if data else None

    def refundable(self, payment: Payment) -> bool:
        return payment.gateway_method in REFUNDABLE

    def refund(self, payment: Payment, amount: int, key: str, reason: str = "") -> str:
        if len(key) > MAX_REFUND_KEY:
            key = hashlib.sha256(key.encode()).hexdigest()[:MAX_REFUND_KEY]
        params = {"refund_key": key, "amount": amount, "reason": (reason or _("Pengembalian dana"))[:255]}
        api = core_api().transactions
        action = api.refundDirect if payment.gateway_method in DIRECT_REFUND else api.refund
        answer = _call(action, payment.reference, params)
        return str(answer.get("refund_chargeback_id") or answer.get("refund_key") or key)


GATEWAY = MidtransGateway()


def handle_notification(body: bytes) -> str:
    """A notification Midtrans POSTed: verified (InvalidNotification otherwise), then the Status API is
    asked for the truth, and that is applied once per (transaction, status)."""
    from gallery.payments import notices

    data = GATEWAY.verify(body)
    payment = GATEWAY.payment_for(None, data)
    if payment is None:
        return "unknown"
    truth = GATEWAY.status(payment.reference)
    if truth is None or truth.get("order_id") != payment.reference:
        return "unknown"
    return notices.apply_notice(GATEWAY, notice_of(truth), truth, payment=payment)
