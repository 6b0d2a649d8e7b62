"""A producer's request to change its profile (story, WhatsApp, bank account), waiting for staff, and
what the gallery lets each producer see in the portal."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gallery.dbtypes import UTCDateTime, now_utc
from gallery.extensions import db


class RequestStatus:
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    ALL = (PENDING, APPROVED, REJECTED)


# The fields a producer may ask to change; None in a request means "leave as it is".
REQUESTABLE = ("story", "whatsapp", "bank_name", "bank_account_number", "bank_account_holder")


class ProfileChangeRequest(db.Model):
    """New values a producer asked for; staff approve (the producer's profile changes) or reject with a reason."""

    __tablename__ = "profile_change_requests"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default=RequestStatus.PENDING, index=True)
    story: Mapped[str | None] = mapped_column(Text)
    whatsapp: Mapped[str | None] = mapped_column(String(20))
    bank_name: Mapped[str | None] = mapped_column(String(80))
    bank_account_number: Mapped[str | None] = mapped_column(String(40))
    bank_account_holder: Mapped[str | None] = mapped_column(String(120))
    note: Mapped[str] = mapped_column(Text, default="")
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text, default="")

    producer = relationship("Producer")
    requested_by = relationship("User", foreign_keys=[requested_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    def changes(self) -> dict[str, str]:
        """The fields this request changes and their new values."""
        return {name: getattr(self, name) for name in REQUESTABLE if getattr(self, name) is not None}


class PortalDetail:
    """How much of its business a producer sees: every sale line, stock, lot and document, or only its
    balance and statements."""

    DETAILED = "detailed"
    SUMMARY = "summary"
    ALL = (DETAILED, SUMMARY)


class PortalSettings(db.Model):
    """What the gallery chose for one producer's portal; a NULL column follows the gallery's setting."""

    __tablename__ = "portal_settings"
    __table_args__ = (
        CheckConstraint("detail IS NULL OR detail IN ('detailed', 'summary')", name="detail_known"),
    )

    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), primary_key=True)
    detail: Mapped[str | None] = mapped_column(String(10))
    # Whether the gallery's commission and the shelf price are shown, or only the producer's payout.
    shows_commission: Mapped[bool | None] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
