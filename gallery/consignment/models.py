"""Lots of consigned goods and the append-only stock ledger."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gallery.dbtypes import UTCDateTime, now_utc
from gallery.extensions import db


class MovementKind:
    """What a stock movement records; the sign of its quantity follows from the kind."""

    INTAKE = "intake"          # + goods received on consignment
    RESERVE = "reserve"        # - taken for an order (sold once the order is paid)
    RELEASE = "release"        # + an unpaid or cancelled order gave its units back
    RETURN = "return"          # - handed back to the producer
    WRITE_OFF = "write_off"    # - damaged, lost, expired and destroyed
    CORRECTION = "correction"  # ± stock-take difference
    ALL = (INTAKE, RESERVE, RELEASE, RETURN, WRITE_OFF, CORRECTION)


class Lot(db.Model):
    """Units of one variant received together, with their agreed payout and expiry date."""

    __tablename__ = "lots"
    __table_args__ = (
        CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
        CheckConstraint("quantity_received > 0", name="received_positive"),
        CheckConstraint("unit_payout >= 0", name="payout_not_negative"),
        Index("ix_lots_variant_expiry", "variant_id", "expires_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("variants.id"))
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    quantity_received: Mapped[int] = mapped_column(Integer)
    on_hand: Mapped[int] = mapped_column(Integer)
    unit_payout: Mapped[int] = mapped_column(Integer)
    expires_on: Mapped[date | None] = mapped_column(Date)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    variant = relationship("Variant")
    movements: Mapped[list["StockMovement"]] = relationship(back_populates="lot", order_by="StockMovement.id")


class StockMovement(db.Model):
    """One change of a lot's stock; rows are only ever added (DESIGN.md rule 2)."""

    __tablename__ = "stock_movements"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('intake', 'reserve', 'release', 'return', 'write_off', 'correction')", name="kind_known"
        ),
        CheckConstraint("quantity <> 0", name="quantity_not_zero"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    quantity: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, default="")
    reference: Mapped[str | None] = mapped_column(String(40), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    lot: Mapped[Lot] = relationship(back_populates="movements")
