"""Consignment terms per producer, changes of a lot's term, and the notices sent as a term runs out."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gallery.dbtypes import UTCDateTime, now_utc
from gallery.extensions import db


class EndAction:
    """What happens to goods still at the gallery after the term and its grace days."""

    RETURN = "return"  # handed back to the producer (nota retur)
    DONATE = "donate"  # donated or written off, only with the producer's written consent
    ALL = (RETURN, DONATE)


class NoticeStage:
    """The moments a producer is told about a lot's term: before it ends, in grace, after grace."""

    ENDING = "ending"
    GRACE = "grace"
    PAST_GRACE = "past_grace"
    ALL = (ENDING, GRACE, PAST_GRACE)


class ConsignmentTerms(db.Model):
    """One producer's own consignment terms; a NULL column follows the gallery's setting.

    A consent is recorded as the date it was given (in writing): none means not given.
    """

    __tablename__ = "consignment_terms"
    __table_args__ = (
        CheckConstraint("term_days IS NULL OR (term_days >= 1 AND term_days <= 730)", name="term_in_range"),
        CheckConstraint("grace_days IS NULL OR (grace_days >= 0 AND grace_days <= 365)", name="grace_in_range"),
        CheckConstraint("end_action IS NULL OR end_action IN ('return', 'donate')", name="end_action_known"),
        CheckConstraint("end_action IS NULL OR end_action <> 'donate' OR donation_consent_on IS NOT NULL",
                        name="donation_needs_consent"),
    )

    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), primary_key=True)
    term_days: Mapped[int | None] = mapped_column(Integer)
    grace_days: Mapped[int | None] = mapped_column(Integer)
    end_action: Mapped[str | None] = mapped_column(String(10))
    donation_consent_on: Mapped[date | None] = mapped_column(Date)
    # The producer agreed to bear (part of) markdowns of its goods.
    markdown_consent_on: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    producer = relationship("Producer")
    updated_by = relationship("User")


class LotTermChange(db.Model):
    """A lot's term end moved (extended) by staff, with the reason; rows are only ever added."""

    __tablename__ = "lot_term_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), index=True)
    previous_end: Mapped[date] = mapped_column(Date)
    new_end: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    lot = relationship("Lot")
    created_by = relationship("User")


class ConsignmentNotice(db.Model):
    """A notice about one lot at one stage of one term end: the unique row is what makes it go out once,
    however many hosts run `flask consignment notices` at the same moment."""

    __tablename__ = "consignment_notices"
    __table_args__ = (
        UniqueConstraint("lot_id", "stage", "term_ends_on", name="uq_consignment_notices_lot_stage_term"),
        CheckConstraint("stage IN ('ending', 'grace', 'past_grace')", name="stage_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), index=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    stage: Mapped[str] = mapped_column(String(12))
    term_ends_on: Mapped[date] = mapped_column(Date)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    # Set once the message left; a claim whose sending failed is kept, unsent, for staff to see.
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_to: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
