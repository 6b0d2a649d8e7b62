"""Payments of orders: each attempt, every change of its state, refunds and the provider events seen.

A `Payment` is one attempt to pay an order through one provider (a Stripe Checkout Session, a Midtrans
Snap transaction or QRIS charge, a bank transfer with its unique code, paying at the gallery, or the
Pos agency remitting a cash-on-delivery parcel). `PaymentEvent` rows are append-only: every
change of a payment's state adds one. `ProviderEvent` holds each webhook event id once (a unique
constraint), written in the same transaction as the event's effect (DESIGN.md rule 8).
"""
from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gallery.dbtypes import UTCDateTime, now_utc
from gallery.extensions import db


class Provider:
    STRIPE = "stripe"
    MIDTRANS = "midtrans"
    BANK_TRANSFER = "bank_transfer"
    GALLERY = "gallery"
    POS_COD = "pos_cod"  # the Pos agency collected the money on delivery and remitted it
    ALL = (STRIPE, MIDTRANS, BANK_TRANSFER, GALLERY, POS_COD)
    # Reached through a module of gallery.payments.gateways.
    GATEWAYS = (STRIPE, MIDTRANS)


class PaymentStatus:
    OPEN = "open"              # started, waiting for the shopper (or for staff to see the money)
    PROCESSING = "processing"  # Stripe: completed, the money is still on its way (async methods)
    PAID = "paid"
    FAILED = "failed"
    EXPIRED = "expired"
    REJECTED = "rejected"      # staff did not find the transfer
    CANCELLED = "cancelled"    # the order was paid another way, or given up
    REVIEW = "review"          # amount or currency did not match, or money arrived for an order gone
    REFUNDED = "refunded"      # every rupiah given back
    ALL = (OPEN, PROCESSING, PAID, FAILED, EXPIRED, REJECTED, CANCELLED, REVIEW, REFUNDED)
    # A late or unexpected payment may still settle from these.
    SETTLEABLE = (OPEN, PROCESSING, FAILED, EXPIRED, CANCELLED)
    WAITING = (OPEN, PROCESSING)


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


# Staff match a transfer by its exact amount (order total + unique code): among open transfers an
# amount is taken once, which the partial unique index makes impossible to repeat.
OPEN_TRANSFER = f"status = 'open' AND provider = '{Provider.BANK_TRANSFER}'"


class Payment(db.Model):
    """One attempt to pay one order through one provider."""

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint(_in("provider", Provider.ALL), name="provider_known"),
        CheckConstraint(_in("status", PaymentStatus.ALL), name="status_known"),
        CheckConstraint("amount >= 0 AND amount_refunded >= 0 AND amount_refunded <= amount",
                        name="amounts_valid"),
        CheckConstraint("unique_code IS NULL OR (unique_code BETWEEN 1 AND 999)", name="unique_code_range"),
        Index("uq_payments_open_transfer_amount", "amount", unique=True,
              sqlite_where=text(OPEN_TRANSFER), postgresql_where=text(OPEN_TRANSFER)),
        # One open transfer per order: a double click cannot leave two codes waiting for one order.
        Index("uq_payments_open_transfer_order", "order_id", unique=True,
              sqlite_where=text(OPEN_TRANSFER), postgresql_where=text(OPEN_TRANSFER)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default=PaymentStatus.OPEN, index=True)
    # What the shopper must pay, in Rupiah: the order total, plus the unique code for a transfer.
    amount: Mapped[int] = mapped_column(Integer)
    amount_refunded: Mapped[int] = mapped_column(Integer, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="IDR")
    unique_code: Mapped[int | None] = mapped_column(Integer)
    # The cash the shopper handed over at the till, when the cashier typed it (the receipt's change is
    # computed from it by gallery.orders.till.cash_and_change).
    cash_received: Mapped[int | None] = mapped_column(Integer)
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    idempotency_key: Mapped[str | None] = mapped_column(String(80))
    # The gateway's name for this attempt (Stripe: the Checkout Session id; Midtrans: the `order_id`
    # sent, unique per attempt), its transaction (Stripe: the PaymentIntent; Midtrans: transaction_id)
    # and the method the shopper used there (qris, gopay, bca_va…).
    reference: Mapped[str | None] = mapped_column(String(255), unique=True)
    gateway_transaction_id: Mapped[str | None] = mapped_column(String(255))
    gateway_method: Mapped[str | None] = mapped_column(String(40))
    # What the shopper needs to finish a waiting payment (VA number, QR string, deeplink), as JSON.
    instructions: Mapped[str] = mapped_column(Text, default="")
    checkout_url: Mapped[str | None] = mapped_column(Text)
    proof_key: Mapped[str | None] = mapped_column(String(64))
    proof_uploaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    order = relationship("Order")
    events: Mapped[list["PaymentEvent"]] = relationship(back_populates="payment", order_by="PaymentEvent.id")
    refunds: Mapped[list["Refund"]] = relationship(back_populates="payment", order_by="Refund.id")

    @property
    def waiting(self) -> bool:
        return self.status in PaymentStatus.WAITING

    @property
    def instructions_data(self) -> dict:
        """The stored instructions (VA number, QR string, deeplink…) as a dict; {} when there are none."""
        try:
            data = json.loads(self.instructions or "{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}


class PaymentEvent(db.Model):
    """One change of a payment's state (append-only): what, how much, when, by whom or which provider event."""

    __tablename__ = "payment_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    amount: Mapped[int | None] = mapped_column(Integer)
    provider_event_id: Mapped[str | None] = mapped_column(String(255))
    note: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    payment: Mapped[Payment | None] = relationship(back_populates="events")
    user = relationship("User")


class ProviderEvent(db.Model):
    """A webhook event already processed: its id is stored once, with its effect, so a replay does nothing."""

    __tablename__ = "payment_provider_events"
    __table_args__ = (UniqueConstraint("provider", "event_id", name="uq_payment_provider_events_event"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[str] = mapped_column(String(255))
    event_type: Mapped[str] = mapped_column(String(80))
    outcome: Mapped[str] = mapped_column(String(40), default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)


class Refund(db.Model):
    """Money given back on a payment: through its gateway, or recorded for a transfer, cash or COD."""

    __tablename__ = "refunds"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id", ondelete="CASCADE"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    amount: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, default="")
    automatic: Mapped[bool] = mapped_column(Boolean, default=False)
    restocked: Mapped[bool] = mapped_column(Boolean, default=False)
    # The gateway's id of the refund (Stripe: re_…, Midtrans: refund_chargeback_id), when it went through one.
    gateway_refund_id: Mapped[str | None] = mapped_column(String(255))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The staff form's token: the same form sent twice records one refund (and Stripe sees it as the key).
    client_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    payment: Mapped[Payment] = relationship(back_populates="refunds")
    lines: Mapped[list["RefundLine"]] = relationship(back_populates="refund", order_by="RefundLine.id",
                                                     cascade="all, delete-orphan")
    user = relationship("User")


class RefundLine(db.Model):
    """Units of one order line refunded."""

    __tablename__ = "refund_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    refund_id: Mapped[int] = mapped_column(ForeignKey("refunds.id", ondelete="CASCADE"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id", ondelete="CASCADE"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(Integer)

    refund: Mapped[Refund] = relationship(back_populates="lines")
    order_line = relationship("OrderLine")


class CodRemittance(db.Model):
    """One transfer from the Pos agency paying the cash it collected on delivery for many parcels (resi)."""

    __tablename__ = "cod_remittances"
    __table_args__ = (CheckConstraint("collected >= 0 AND fees >= 0", name="amounts_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(60), unique=True)
    remitted_on: Mapped[date] = mapped_column(Date)
    collected: Mapped[int] = mapped_column(Integer, default=0)
    fees: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    lines: Mapped[list["CodRemittanceLine"]] = relationship(back_populates="remittance",
                                                            order_by="CodRemittanceLine.id")
    user = relationship("User")


class CodRemittanceLine(db.Model):
    """One parcel in a remittance: what the courier collected for it and the COD fee the agency kept."""

    __tablename__ = "cod_remittance_lines"
    __table_args__ = (CheckConstraint("collected > 0 AND fee >= 0", name="amounts_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    remittance_id: Mapped[int] = mapped_column(ForeignKey("cod_remittances.id", ondelete="CASCADE"), index=True)
    # An order is remitted once, whatever the files say.
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), unique=True)
    tracking_number: Mapped[str] = mapped_column(String(40))
    collected: Mapped[int] = mapped_column(Integer)
    fee: Mapped[int] = mapped_column(Integer)

    remittance: Mapped[CodRemittance] = relationship(back_populates="lines")
    order = relationship("Order")
