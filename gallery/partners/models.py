"""Partner inquiries (reseller, custom orders, investment, collaboration) and business-matching events."""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gallery.dbtypes import UTCDateTime, now_utc
from gallery.extensions import db


class InquiryKind:
    RESELLER = "reseller"
    CUSTOM = "custom"
    INVESTMENT = "investment"
    COLLABORATION = "collaboration"
    ALL = (RESELLER, CUSTOM, INVESTMENT, COLLABORATION)
    LABELS = {
        RESELLER: _l("Reseller / grosir"),
        CUSTOM: _l("Pesanan khusus"),
        INVESTMENT: _l("Modal / investasi"),
        COLLABORATION: _l("Kolaborasi usaha"),
    }


class InquiryStatus:
    NEW = "new"
    FORWARDED = "forwarded"
    IN_TALKS = "in_talks"
    PARTNERSHIP = "partnership"
    CLOSED = "closed"
    ALL = (NEW, FORWARDED, IN_TALKS, PARTNERSHIP, CLOSED)
    LABELS = {
        NEW: _l("Baru"),
        FORWARDED: _l("Diteruskan"),
        IN_TALKS: _l("Dalam pembicaraan"),
        PARTNERSHIP: _l("Jadi kemitraan"),
        CLOSED: _l("Ditutup tanpa kemitraan"),
    }
    # Where each status may go next; partnership and closed are final.
    NEXT = {
        NEW: (FORWARDED, CLOSED),
        FORWARDED: (IN_TALKS, PARTNERSHIP, CLOSED),
        IN_TALKS: (PARTNERSHIP, CLOSED),
        PARTNERSHIP: (),
        CLOSED: (),
    }
    # What a producer may record as the outcome of an inquiry forwarded to it.
    OUTCOMES = (IN_TALKS, PARTNERSHIP, CLOSED)


class PartnerInquiry(db.Model):
    """A message from a would-be partner, about one producer (and product) or the programme in general."""

    __tablename__ = "partner_inquiries"
    __table_args__ = (
        CheckConstraint("kind IN ('reseller', 'custom', 'investment', 'collaboration')", name="kind_known"),
        CheckConstraint("status IN ('new', 'forwarded', 'in_talks', 'partnership', 'closed')", name="status_known"),
        CheckConstraint("quantity IS NULL OR quantity > 0", name="quantity_positive"),
        CheckConstraint("budget IS NULL OR budget > 0", name="budget_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    status: Mapped[str] = mapped_column(String(12), default=InquiryStatus.NEW, index=True)
    # The producer (and product) whose page the inquiry came from; none from the general page.
    producer_id: Mapped[int | None] = mapped_column(ForeignKey("producers.id"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    # The producer staff forwarded it to: the only producer who ever sees it.
    forwarded_to_id: Mapped[int | None] = mapped_column(ForeignKey("producers.id"), index=True)
    forwarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    name: Mapped[str] = mapped_column(String(120))
    organisation: Mapped[str] = mapped_column(String(160), default="")
    email: Mapped[str] = mapped_column(String(254))
    whatsapp: Mapped[str] = mapped_column(String(20))
    city: Mapped[str] = mapped_column(String(80))
    message: Mapped[str] = mapped_column(Text)
    quantity: Mapped[int | None] = mapped_column(Integer)
    budget: Mapped[int | None] = mapped_column(BigInteger)  # whole Rupiah
    partnership_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, index=True)

    producer = relationship("Producer", foreign_keys=[producer_id])
    product = relationship("Product")
    forwarded_to = relationship("Producer", foreign_keys=[forwarded_to_id])
    history: Mapped[list["InquiryHistory"]] = relationship(
        back_populates="inquiry", order_by="InquiryHistory.id", cascade="all, delete-orphan"
    )

    @property
    def kind_label(self) -> str:
        return str(InquiryKind.LABELS.get(self.kind, self.kind))

    @property
    def status_label(self) -> str:
        return str(InquiryStatus.LABELS.get(self.status, self.status))


class InquiryHistory(db.Model):
    """Append-only: one row per status change or note, with who and when."""

    __tablename__ = "partner_inquiry_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("partner_inquiries.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    inquiry: Mapped[PartnerInquiry] = relationship(back_populates="history")
    user = relationship("User")

    @property
    def is_change(self) -> bool:
        return self.from_status != self.to_status


class MatchingEvent(db.Model):
    """A business-matching meeting (temu bisnis) between producers and partners."""

    __tablename__ = "matching_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(160))
    held_on: Mapped[date] = mapped_column(Date, index=True)
    place: Mapped[str] = mapped_column(String(200))
    speakers: Mapped[str] = mapped_column(Text, default="")
    invited_partners: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    participants: Mapped[list["EventParticipant"]] = relationship(
        back_populates="event", order_by="EventParticipant.id", cascade="all, delete-orphan"
    )
    pairings: Mapped[list["Pairing"]] = relationship(
        back_populates="event", order_by="Pairing.id", cascade="all, delete-orphan"
    )


class EventParticipant(db.Model):
    """A producer taking part in an event: added by staff or registered from the portal."""

    __tablename__ = "matching_event_participants"
    __table_args__ = (UniqueConstraint("event_id", "producer_id", name="uq_matching_event_participants_event_producer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("matching_events.id", ondelete="CASCADE"), index=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    via_portal: Mapped[bool] = mapped_column(default=False)
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    event: Mapped[MatchingEvent] = relationship(back_populates="participants")
    producer = relationship("Producer")


class Pairing(db.Model):
    """One meeting at an event between a producer and a partner; marked when it became a partnership."""

    __tablename__ = "matching_pairings"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("matching_events.id", ondelete="CASCADE"), index=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    partner_name: Mapped[str] = mapped_column(String(120))
    partner_organisation: Mapped[str] = mapped_column(String(160), default="")
    partnership_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    event: Mapped[MatchingEvent] = relationship(back_populates="pairings")
    producer = relationship("Producer")
