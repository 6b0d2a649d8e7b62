"""Lots of consigned goods and the append-only stock ledger."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
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


class ReturnReason:
    """Why goods go back to their producer (nota retur)."""

    UNSOLD = "unsold"
    EXPIRED = "expired"
    DAMAGED = "damaged"
    RECALLED = "recalled"
    ALL = (UNSOLD, EXPIRED, DAMAGED, RECALLED)


class WriteOffCause:
    """Why units leave the shelf without a sale or a return."""

    DAMAGED = "damaged"
    LOST = "lost"
    EXPIRED_DESTROYED = "expired_destroyed"
    ALL = (DAMAGED, LOST, EXPIRED_DESTROYED)


class ConsignmentReceipt(db.Model):
    """A tanda terima titipan: goods one producer handed over at once, signed by both sides."""

    __tablename__ = "consignment_receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    notes: Mapped[str] = mapped_column(Text, default="")

    producer = relationship("Producer")
    created_by = relationship("User")
    lots: Mapped[list["Lot"]] = relationship(back_populates="receipt", order_by="Lot.id")


class ProducerReturn(db.Model):
    """A nota retur: lots (or part of them) handed back to their producer."""

    __tablename__ = "producer_returns"
    __table_args__ = (
        CheckConstraint("reason IN ('unsold', 'expired', 'damaged', 'recalled')", name="reason_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    reason: Mapped[str] = mapped_column(String(16))
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    producer = relationship("Producer")
    created_by = relationship("User")
    movements: Mapped[list["StockMovement"]] = relationship(
        primaryjoin="and_(foreign(StockMovement.reference) == ProducerReturn.number, StockMovement.kind == 'return')",
        order_by="StockMovement.id",
        viewonly=True,
    )


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
    receipt_id: Mapped[int | None] = mapped_column(ForeignKey("consignment_receipts.id"), index=True)
    shelf: Mapped[str | None] = mapped_column(String(20), index=True)
    notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The last day (WIB) of the consignment term, counted from the receipt day (gallery.consignment.terms).
    term_ends_on: Mapped[date] = mapped_column(Date, index=True)

    variant = relationship("Variant")
    producer = relationship("Producer")
    receipt: Mapped[ConsignmentReceipt | None] = relationship(back_populates="lots")
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
    # The kind of reason (return reason, write-off cause, "stock_take"); `reason` says it in words.
    cause: Mapped[str | None] = mapped_column(String(24))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    lot: Mapped[Lot] = relationship(back_populates="movements")
    created_by = relationship("User")


class StockTake(db.Model):
    """A stock count (stok opname) of one producer's lots or one shelf; confirmed by an admin."""

    __tablename__ = "stock_takes"
    __table_args__ = (CheckConstraint("status IN ('counting', 'confirmed', 'cancelled')", name="status_known"),)

    COUNTING = "counting"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    producer_id: Mapped[int | None] = mapped_column(ForeignKey("producers.id"))
    shelf: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12), default=COUNTING)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    producer = relationship("Producer")
    created_by = relationship("User", foreign_keys=[created_by_id])
    confirmed_by = relationship("User", foreign_keys=[confirmed_by_id])
    lines: Mapped[list["StockTakeLine"]] = relationship(
        back_populates="stock_take", order_by="StockTakeLine.id", cascade="all, delete-orphan"
    )


class StockTakeLine(db.Model):
    """One lot in a stock count: what the books said when counting began, and what was counted."""

    __tablename__ = "stock_take_lines"
    __table_args__ = (
        UniqueConstraint("stock_take_id", "lot_id", name="one_line_per_lot"),
        CheckConstraint("counted IS NULL OR counted >= 0", name="counted_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    stock_take_id: Mapped[int] = mapped_column(ForeignKey("stock_takes.id", ondelete="CASCADE"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"))
    expected: Mapped[int] = mapped_column(Integer)
    counted: Mapped[int | None] = mapped_column(Integer)

    stock_take: Mapped[StockTake] = relationship(back_populates="lines")
    lot: Mapped[Lot] = relationship()

    @property
    def difference(self) -> int | None:
        return None if self.counted is None else self.counted - self.expected
