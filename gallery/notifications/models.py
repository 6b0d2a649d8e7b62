"""The outbox of messages (e-mail, WhatsApp) and how each producer wants to be told."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gallery.dbtypes import UTCDateTime, now_utc
from gallery.extensions import db


class Channel:
    EMAIL = "email"
    WHATSAPP = "whatsapp"
    ALL = (EMAIL, WHATSAPP)


class MessageStatus:
    """pending (waiting for its next attempt) → sending (claimed by one worker) → sent, or failed.

    A failed message is never tried again by itself; staff resend it (it becomes pending again).
    """

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    ALL = (PENDING, SENDING, SENT, FAILED)


class OutboxMessage(db.Model):
    """One message to one recipient on one channel, written in the transaction of what caused it.

    E-mails are rendered when written (subject and body, in the language of the moment); WhatsApp
    messages name an approved template and its parameters. `dedupe_key`, when set, makes a message that
    must go once per cause (a payment reminder, an expiring lot) impossible to write twice.
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed')", name="status_known"),
        CheckConstraint("channel IN ('email', 'whatsapp')", name="channel_known"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        Index("ix_outbox_messages_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(10))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    template: Mapped[str | None] = mapped_column(String(60))
    language: Mapped[str] = mapped_column(String(5), default="id")
    parameters: Mapped[list] = mapped_column(JSON, default=list)
    # A body carrying a secret link (sign-up, password reset) is erased once the message left.
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(10), default=MessageStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    provider_message_id: Mapped[str | None] = mapped_column(String(160))
    dedupe_key: Mapped[str | None] = mapped_column(String(160), unique=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"), index=True)
    producer_id: Mapped[int | None] = mapped_column(ForeignKey("producers.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, index=True)
    resent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    order = relationship("Order")
    producer = relationship("Producer")
    resent_by = relationship("User")


class ProducerChannels(db.Model):
    """Where a producer is told about its sales, stock and statements (no row: by e-mail only)."""

    __tablename__ = "producer_channels"

    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id", ondelete="CASCADE"), primary_key=True)
    by_email: Mapped[bool] = mapped_column(Boolean, default=True)
    by_whatsapp: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
