"""The payment gateways: one module per provider behind one small interface (Saleor's payment plugins).

A gateway starts a payment attempt at its provider, verifies a notification the provider sends, asks
the provider for an attempt's status and refunds through it. It answers in the shop's terms (a
`Notice`: paid, waiting, failed…, the amount in whole Rupiah); gallery.payments.core decides what the
news does to the payment and the order, never knowing which provider it talks to. Only the module of a
provider imports that provider's library (tests/payments/test_gateway_boundary.py checks it). A third
gateway (Xendit, the partner bank's VA) joins by adding one module and naming it in `GATEWAYS`.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from importlib import import_module

from gallery.errors import DomainError


class Outcome:
    """What a provider's news means for one attempt."""

    PAID = "paid"              # the money is there
    WAITING = "waiting"        # the shopper still has to pay (VA number, QR…)
    PROCESSING = "processing"  # the shopper finished; the money is on its way
    FAILED = "failed"          # the attempt failed or was cancelled; the order may be paid another way
    EXPIRED = "expired"        # the attempt ran out of time
    REFUNDED = "refunded"      # the provider gave (some of) the money back
    IGNORED = "ignored"        # nothing the shop acts on


@dataclass
class Notice:
    """One piece of news about one payment attempt, in the shop's terms.

    `event_id` makes the news idempotent (stored once with its effect); `amount` is whole Rupiah, or
    None when the provider's figure is not a whole number of Rupiah; `ends_order` says an expiry gives
    the order's stock back at once (Stripe's rule) rather than leaving it payable until its deadline.
    """

    outcome: str
    event_id: str | None = None
    event_type: str = ""
    amount: int | None = None
    currency: str = "IDR"
    transaction_id: str | None = None
    method: str | None = None
    instructions: dict = field(default_factory=dict)
    ends_order: bool = False
    refunded: int | None = None  # Rupiah given back so far, for a refund notice
    raw_amount: str = ""  # the provider's own figure, shown to staff when it does not match
    note: str = ""


class GatewayError(DomainError):
    """The provider refused or could not be reached; `message` is fit for the user."""


class InvalidNotification(Exception):
    """A notification not signed by the provider (or not one at all): refused, nothing written."""


class Gateway(ABC):
    """What every gateway module provides (the core calls nothing else); a gateway missing one cannot be made."""

    provider: str = ""
    name: str = ""  # the provider as staff know it ("Stripe", "Midtrans")
    # Whether `start` on a sale at the till shows a QRIS code on the till's screen.
    qris_at_till: bool = False

    @abstractmethod
    def enabled(self) -> bool:
        """Whether the shop has this provider's keys (a method whose keys are missing is hidden)."""

    @abstractmethod
    def attempt_deadline(self, order):
        """When a new attempt for `order` closes at the provider (never after the order's deadline)."""

    @abstractmethod
    def start(self, order, payment) -> str:
        """Open the attempt at the provider; set `payment.checkout_url` and the provider's ids; return a note."""

    @abstractmethod
    def verify(self, body: bytes, headers) -> dict:
        """The notification's data if the provider signed it; else InvalidNotification (nothing is written)."""

    @abstractmethod
    def payment_for(self, notice: Notice | None, data: dict):
        """The Payment a verified notification is about, or None."""

    @abstractmethod
    def fetch_status(self, payment) -> Notice | None:
        """Ask the provider what became of the attempt (None when it cannot say)."""

    @abstractmethod
    def refundable(self, payment) -> bool:
        """Whether money of this attempt can be given back through the provider's API."""

    @abstractmethod
    def refund(self, payment, amount: int, key: str, reason: str = "") -> str:
        """Give `amount` Rupiah back through the provider, once per `key`; return the provider's refund id."""


# Provider → module of gallery.payments.gateways; the module exposes `GATEWAY`.
GATEWAYS = {"stripe": "stripe", "midtrans": "midtrans"}


def get(provider: str) -> Gateway:
    """The gateway of `provider` (a KeyError for one that is not a gateway)."""
    return import_module(f"{__name__}.{GATEWAYS[provider]}").GATEWAY


def is_gateway(provider: str) -> bool:
    """Whether `provider` is reached through a gateway module."""
    return provider in GATEWAYS


def enabled() -> list[Gateway]:
    """The gateways whose keys are set, in the order they are offered."""
    return [gateway for gateway in (get(provider) for provider in GATEWAYS) if gateway.enabled()]
