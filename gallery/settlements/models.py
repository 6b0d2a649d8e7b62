"""Producer statements (what the gallery owes each producer for a period), their lines and refund adjustments.

Each sold allocation is settled exactly once: `statement_lines.allocation_id` is UNIQUE. A refund of units
already on an approved or paid statement becomes one negative `StatementAdjustment` on a later statement
(`refund_line_id` UNIQUE), never an edit of the settled one. A statement below the minimum payout, or
negative, is `carried`: never transferred, its amount is brought forward once (`SettlementCarry`,
`carried_statement_id` UNIQUE) into the producer's next statement.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gallery.dbtypes import UTCDateTime, now_utc
from gallery.extensions import db
from gallery.settlements.payouts import payout


class StatementStatus:
    DRAFT = "draft"
    APPROVED = "approved"  # to be transferred
    PAID = "paid"
    CARRIED = "carried"    # below the minimum payout or negative: brought forward, never transferred
    ALL = (DRAFT, APPROVED, PAID, CARRIED)
    FINAL = (APPROVED, PAID, CARRIED)


STATUS_LABELS = {StatementStatus.DRAFT: _l("Draf"), StatementStatus.APPROVED: _l("Disetujui"),
                 StatementStatus.PAID: _l("Dibayar"), StatementStatus.CARRIED: _l("Dibawa ke periode berikutnya")}


def status_label(status: str) -> str:
    """A statement's status in the reader's language (screens, CSV and PDF alike)."""
    return str(STATUS_LABELS.get(status, status))


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Statement(db.Model):
    """One producer's statement for one period [period_start, period_end) of WIB dates."""

    __tablename__ = "settlement_statements"
    __table_args__ = (
        CheckConstraint(_in("status", StatementStatus.ALL), name="status_known"),
        CheckConstraint("period_end > period_start", name="period_valid"),
        CheckConstraint("gross_sales >= 0 AND payout_total >= 0 AND adjustments_total <= 0", name="amounts_valid"),
        CheckConstraint("commission = gross_sales - payout_total", name="commission_balanced"),
        CheckConstraint("amount_due = payout_total + adjustments_total + brought_forward", name="amount_due_balanced"),
        CheckConstraint("status <> 'approved' AND status <> 'paid' OR amount_due > 0", name="transfers_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    period_start: Mapped[date] = mapped_column(Date, index=True)
    period_end: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default=StatementStatus.DRAFT, index=True)

    units: Mapped[int] = mapped_column(Integer, default=0)
    gross_sales: Mapped[int] = mapped_column(Integer, default=0)
    payout_total: Mapped[int] = mapped_column(Integer, default=0)
    commission: Mapped[int] = mapped_column(Integer, default=0)
    adjustments_total: Mapped[int] = mapped_column(Integer, default=0)
    # Balances of earlier carried statements taken into this one ("saldo dari periode sebelumnya"), either sign.
    brought_forward: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    amount_due: Mapped[int] = mapped_column(Integer, default=0)

    generated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    generated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    transfer_date: Mapped[date | None] = mapped_column(Date)
    bank_reference: Mapped[str | None] = mapped_column(String(80))
    # The account it was paid to, as it was at that moment.
    paid_to: Mapped[str] = mapped_column(Text, default="")
    # The transfer slip kept when it was marked paid (gallery.settlements.proofs): key and "jpg"/"pdf".
    proof_key: Mapped[str | None] = mapped_column(String(64))
    proof_ext: Mapped[str | None] = mapped_column(String(4))

    producer = relationship("Producer")
    generated_by = relationship("User", foreign_keys=[generated_by_id])
    approved_by = relationship("User", foreign_keys=[approved_by_id])
    paid_by = relationship("User", foreign_keys=[paid_by_id])
    lines: Mapped[list["StatementLine"]] = relationship(
        back_populates="statement", order_by="(StatementLine.sold_at, StatementLine.id)", cascade="all, delete-orphan")
    adjustments: Mapped[list["StatementAdjustment"]] = relationship(
        back_populates="statement", order_by="StatementAdjustment.id", cascade="all, delete-orphan")
    carries: Mapped[list["SettlementCarry"]] = relationship(
        foreign_keys="SettlementCarry.statement_id", order_by="SettlementCarry.id", cascade="all, delete-orphan")

    @property
    def last_day(self) -> date:
        return date.fromordinal(self.period_end.toordinal() - 1)

    @property
    def period_key(self) -> str:
        return f"{self.period_start.year}-{self.period_start.month:02d}"

    @property
    def regular_lines(self) -> list["StatementLine"]:
        """Sales at the shelf price."""
        return [line for line in self.lines if not line.is_markdown]

    @property
    def markdown_lines(self) -> list["StatementLine"]:
        """Markdown sales, shown apart (DESIGN.md rule 6)."""
        return [line for line in self.lines if line.is_markdown]

    @property
    def markdown_totals(self) -> "MarkdownTotals":
        """What the markdown sales brought, and who gave up how much of their discount."""
        lines = self.markdown_lines
        return MarkdownTotals(
            units=sum(line.quantity for line in lines), gross=sum(line.gross for line in lines),
            payout=sum(line.payout for line in lines), discount=sum(line.discount for line in lines),
            producer_part=sum(line.producer_part for line in lines),
            gallery_part=sum(line.gallery_part for line in lines))


@dataclass(frozen=True)
class MarkdownTotals:
    units: int
    gross: int
    payout: int
    discount: int  # list price less price, all units
    producer_part: int  # of the discount, from the producer's payout
    gallery_part: int  # of the discount, from the gallery's commission

    @property
    def commission(self) -> int:
        return self.gross - self.payout


class StatementLine(db.Model):
    """One sold allocation settled on a statement (quantity net of units refunded before settlement)."""

    __tablename__ = "settlement_lines"
    __table_args__ = (
        UniqueConstraint("allocation_id", name="uq_settlement_lines_allocation"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("settlement_statements.id", ondelete="CASCADE"), index=True)
    allocation_id: Mapped[int] = mapped_column(ForeignKey("order_allocations.id"))
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    order_number: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(10))
    sold_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sold_on: Mapped[date] = mapped_column(Date, index=True)
    product_name: Mapped[str] = mapped_column(String(160))
    variant_label: Mapped[str] = mapped_column(String(60))
    sku: Mapped[str] = mapped_column(String(40))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[int] = mapped_column(Integer)
    unit_payout: Mapped[int] = mapped_column(Integer)
    # A markdown sale (else all three NULL): the shelf price before it, the lot's payout before it, and who
    # bore it; the producer bore base_payout - unit_payout of the discount, the gallery the rest.
    list_price: Mapped[int | None] = mapped_column(Integer)
    base_payout: Mapped[int | None] = mapped_column(Integer)
    markdown_bearer: Mapped[str | None] = mapped_column(String(10))

    statement: Mapped[Statement] = relationship(back_populates="lines")

    @property
    def gross(self) -> int:
        return self.quantity * self.unit_price

    @property
    def payout(self) -> int:
        return payout(self.quantity, self.unit_payout)

    @property
    def is_markdown(self) -> bool:
        return self.list_price is not None

    @property
    def discount(self) -> int:
        """Rupiah off the shelf price for all the line's units (0 for a sale at the shelf price)."""
        return self.quantity * (self.list_price - self.unit_price) if self.is_markdown else 0

    @property
    def producer_part(self) -> int:
        """Of the discount, what the producer gave up (its payout shrank by it)."""
        return self.quantity * (self.base_payout - self.unit_payout) if self.is_markdown else 0

    @property
    def gallery_part(self) -> int:
        """Of the discount, what the gallery gave up (its commission shrank by it)."""
        return self.discount - self.producer_part


class StatementAdjustment(db.Model):
    """Units refunded after they were settled on an approved/paid statement: a negative amount, once per refund line."""

    __tablename__ = "settlement_adjustments"
    __table_args__ = (
        UniqueConstraint("refund_line_id", name="uq_settlement_adjustments_refund_line"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("amount < 0 AND gross_amount < 0", name="amounts_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("settlement_statements.id", ondelete="CASCADE"), index=True)
    refund_line_id: Mapped[int] = mapped_column(ForeignKey("refund_lines.id"))
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    order_number: Mapped[str] = mapped_column(String(20))
    product_name: Mapped[str] = mapped_column(String(160))
    variant_label: Mapped[str] = mapped_column(String(60))
    refunded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sold_on: Mapped[date] = mapped_column(Date)
    quantity: Mapped[int] = mapped_column(Integer)
    # What the units were sold for and what the producer had been paid for them, both negative.
    gross_amount: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(Integer)

    statement: Mapped[Statement] = relationship(back_populates="adjustments")


class SettlementCarry(db.Model):
    """A carried statement's amount brought forward into a later statement of its producer, once."""

    __tablename__ = "settlement_carries"
    __table_args__ = (UniqueConstraint("carried_statement_id", name="uq_settlement_carries_carried_statement"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("settlement_statements.id", ondelete="CASCADE"), index=True)
    carried_statement_id: Mapped[int] = mapped_column(ForeignKey("settlement_statements.id"))
    amount: Mapped[int] = mapped_column(Integer)

    carried: Mapped[Statement] = relationship(foreign_keys=[carried_statement_id])
