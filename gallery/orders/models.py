"""Orders, their lines, the lots each line was taken from, and every change of state."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gallery.dbtypes import UTCDateTime, now_utc
from gallery.extensions import db


class OrderStatus:
    """DESIGN.md rule 7: pending_payment → paid → packed → shipped → completed, or cancelled/expired/refunded."""

    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    PACKED = "packed"
    SHIPPED = "shipped"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    REFUNDED = "refunded"
    RETURNED = "returned"  # a cash-on-delivery parcel came back undelivered (returned to sender)
    ALL = (PENDING_PAYMENT, PAID, PACKED, SHIPPED, COMPLETED, CANCELLED, EXPIRED, REFUNDED, RETURNED)
    # States whose units are no longer held for the order.
    RELEASED = (CANCELLED, EXPIRED)


class Channel:
    ONLINE = "online"
    COUNTER = "counter"
    ALL = (ONLINE, COUNTER)


class Fulfilment:
    DELIVERY = "delivery"
    PICKUP = "pickup"
    ALL = (DELIVERY, PICKUP)


class PaymentMethod:
    CASH = "cash"
    QRIS = "qris"
    COUNTER = (CASH, QRIS)
    # Paid to the Pos courier on delivery (bayar di tempat): set when the order is placed.
    COD = "cod"


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Order(db.Model):
    """One purchase, online or at the counter, with the prices and shipping quote frozen when placed."""

    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint(_in("status", OrderStatus.ALL), name="status_known"),
        CheckConstraint(_in("channel", Channel.ALL), name="channel_known"),
        CheckConstraint(_in("fulfilment", Fulfilment.ALL), name="fulfilment_known"),
        CheckConstraint("subtotal >= 0 AND shipping_price >= 0 AND insurance >= 0 AND total >= 0",
                        name="amounts_not_negative"),
        CheckConstraint("cod_fee >= 0", name="cod_fee_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    access_token: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default=OrderStatus.PENDING_PAYMENT, index=True)
    channel: Mapped[str] = mapped_column(String(10), default=Channel.ONLINE)
    fulfilment: Mapped[str] = mapped_column(String(10), default=Fulfilment.DELIVERY)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    contact_name: Mapped[str] = mapped_column(String(120), default="")
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_whatsapp: Mapped[str | None] = mapped_column(String(20))
    # The shopper asked at checkout to be told about the order on WhatsApp too (gallery.notifications).
    notify_whatsapp: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    province_code: Mapped[str | None] = mapped_column(ForeignKey("provinces.code"))
    regency_code: Mapped[str | None] = mapped_column(ForeignKey("regencies.code"))
    district_code: Mapped[str | None] = mapped_column(ForeignKey("districts.code"))
    street: Mapped[str | None] = mapped_column(String(300))
    postal_code: Mapped[str | None] = mapped_column(String(5))
    notes: Mapped[str] = mapped_column(Text, default="")

    # The shipping quote as it was when the order was placed (DESIGN.md: an order keeps its quote).
    shipping_service_code: Mapped[str | None] = mapped_column(String(20))
    shipping_service_name: Mapped[str | None] = mapped_column(String(80))
    shipping_etd_min: Mapped[int | None] = mapped_column(Integer)
    shipping_etd_max: Mapped[int | None] = mapped_column(Integer)
    shipping_parcels: Mapped[int] = mapped_column(Integer, default=0)
    shipping_chargeable_kg: Mapped[int] = mapped_column(Integer, default=0)
    shipping_public_price: Mapped[int] = mapped_column(Integer, default=0)
    shipping_discount: Mapped[int] = mapped_column(Integer, default=0)
    shipping_price: Mapped[int] = mapped_column(Integer, default=0)
    insurance: Mapped[int] = mapped_column(Integer, default=0)
    # The Pos agency's cash-on-delivery fee the shopper pays with the parcel (0 unless paid on delivery).
    cod_fee: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    tariff_version_id: Mapped[int | None] = mapped_column(Integer)

    subtotal: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    payment_method: Mapped[str | None] = mapped_column(String(20))
    payment_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    tracking_number: Mapped[str | None] = mapped_column(String(40), unique=True)
    # Set by the till per rendered form, so a double-submitted counter sale is recorded once.
    client_token: Mapped[str | None] = mapped_column(String(64), unique=True)

    placed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, index=True)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    packed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    shipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The parcel's tracking said it was delivered (gallery.orders.tracking); the order completes
    # ORDER_COMPLETE_AFTER_DAYS later unless the shopper reported a problem meanwhile.
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    problem_reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    customer = relationship("User")
    province = relationship("Province")
    regency = relationship("Regency")
    district = relationship("District")
    lines: Mapped[list["OrderLine"]] = relationship(
        back_populates="order", order_by="OrderLine.id", cascade="all, delete-orphan"
    )
    events: Mapped[list["OrderEvent"]] = relationship(
        back_populates="order", order_by="OrderEvent.id", cascade="all, delete-orphan"
    )
    parcel_events: Mapped[list["TrackingEvent"]] = relationship(
        back_populates="order", order_by="(TrackingEvent.occurred_at, TrackingEvent.id)",
        cascade="all, delete-orphan"
    )

    @property
    def units(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def shipping_total(self) -> int:
        return self.shipping_price + self.insurance

    @property
    def cash_on_delivery(self) -> bool:
        return self.payment_method == PaymentMethod.COD


class OrderLine(db.Model):
    """A variant bought, with its name and price as they were at the moment of ordering."""

    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price > 0", name="price_positive"),
        CheckConstraint("unit_price <= list_price", name="price_at_most_list"),
        CheckConstraint("markdown_bearer IS NULL OR markdown_bearer IN ('gallery', 'producer', 'shared')",
                        name="markdown_bearer_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("variants.id"), index=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    product_name: Mapped[str] = mapped_column(String(160))
    variant_label: Mapped[str] = mapped_column(String(60))
    sku: Mapped[str] = mapped_column(String(40))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[int] = mapped_column(Integer)
    line_total: Mapped[int] = mapped_column(Integer)
    # The shelf price before a markdown (equal to unit_price when there was none), and the markdown's terms
    # as they were: a line holds units of one price, so an order splits a variant's units by markdown.
    list_price: Mapped[int] = mapped_column(Integer)
    markdown_id: Mapped[int | None] = mapped_column(ForeignKey("markdowns.id"))
    markdown_bearer: Mapped[str | None] = mapped_column(String(10))
    markdown_bp: Mapped[int | None] = mapped_column(Integer)
    markdown_share_bp: Mapped[int | None] = mapped_column(Integer)
    # The weight of one unit in grams as the shipping quote read it when the order was placed: the address
    # label weighs the parcel from this, never from the variant's weight of today.
    unit_weight_grams: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    order: Mapped[Order] = relationship(back_populates="lines")
    variant = relationship("Variant")
    producer = relationship("Producer")
    allocations: Mapped[list["OrderAllocation"]] = relationship(
        back_populates="line", order_by="OrderAllocation.id", cascade="all, delete-orphan"
    )

    @property
    def marked_down(self) -> bool:
        return self.unit_price < self.list_price

    @property
    def best_before(self) -> date | None:
        """The earliest "baik digunakan sebelum" date among the units the shopper gets (None: no date)."""
        return min((a.expires_on for a in self.allocations if a.expires_on is not None), default=None)


class OrderAllocation(db.Model):
    """Units of a line taken from one lot (FEFO), with the lot's payout frozen for the producer."""

    __tablename__ = "order_allocations"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        # DESIGN.md rule 6: the gallery's commission (price less payout) never goes negative.
        CheckConstraint("unit_payout >= 0 AND unit_payout <= unit_price", name="commission_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id", ondelete="CASCADE"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[int] = mapped_column(Integer)
    unit_payout: Mapped[int] = mapped_column(Integer)
    expires_on: Mapped[date | None] = mapped_column(Date)

    line: Mapped[OrderLine] = relationship(back_populates="allocations")
    lot = relationship("Lot")


class OrderEvent(db.Model):
    """One transition of an order: from which state to which, when, by whom (append-only)."""

    __tablename__ = "order_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")

    order: Mapped[Order] = relationship(back_populates="events")
    user = relationship("User")


class ParcelStatus:
    """What a tracking event says of the parcel, whatever words the courier used."""

    POSTED = "posted"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    FAILED_ATTEMPT = "failed_attempt"
    DELIVERED = "delivered"
    RETURNED = "returned"
    ALL = (POSTED, IN_TRANSIT, OUT_FOR_DELIVERY, FAILED_ATTEMPT, DELIVERED, RETURNED)


class TrackingSource:
    POS_API = "pos_api"
    STAFF = "staff"
    IMPORT = "import"
    ALL = (POS_API, STAFF, IMPORT)


class TrackingEvent(db.Model):
    """One step of a parcel's journey by its resi: from the Pos tracking API, typed or imported by staff.

    An event is recorded once (UNIQUE per order, moment and status), so polling the tracker again or
    importing the same file twice adds nothing.
    """

    __tablename__ = "tracking_events"
    __table_args__ = (
        CheckConstraint(_in("status", ParcelStatus.ALL), name="status_known"),
        CheckConstraint(_in("source", TrackingSource.ALL), name="source_known"),
        UniqueConstraint("order_id", "occurred_at", "status", name="uq_tracking_events_once"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20))
    location: Mapped[str] = mapped_column(String(120), default="")
    description: Mapped[str] = mapped_column(String(300), default="")
    source: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    order: Mapped[Order] = relationship(back_populates="parcel_events")
