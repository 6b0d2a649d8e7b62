"""Markdowns: price reductions as stock ages (steps) or for a period (a sale), and who bears them."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gallery import clock
from gallery.dbtypes import UTCDateTime, now_utc
from gallery.extensions import db
from gallery.money import BASIS_POINTS

# The deepest markdown the shop allows (90 %): a unit always keeps a price.
MAX_DISCOUNT_BP = 9000


class MarkdownBearer:
    """Who gives up the discount: the gallery (its commission shrinks), the producer (its payout shrinks),
    or both (the producer's part in basis points of the discount)."""

    GALLERY = "gallery"
    PRODUCER = "producer"
    SHARED = "shared"
    ALL = (GALLERY, PRODUCER, SHARED)

    @staticmethod
    def producer_share_bp(bearer: str, shared_bp: int | None = None) -> int:
        """The producer's part of the discount for `bearer` (the split of a shared one is `shared_bp`)."""
        if bearer == MarkdownBearer.GALLERY:
            return 0
        if bearer == MarkdownBearer.PRODUCER:
            return BASIS_POINTS
        return int(shared_bp or 0)


class MarkdownKind:
    AGEING = "ageing"  # steps by days on the shelf, per producer or sub-category
    SALE = "sale"  # one discount on one variant for a period, put on by hand
    ALL = (AGEING, SALE)


class Markdown(db.Model):
    """A markdown rule and the terms it is sold under; it applies to a lot from its `starts_on` (WIB) to its
    `ends_on` (inclusive) unless stopped, and, for producer-borne parts, only while the producer agrees."""

    __tablename__ = "markdowns"
    __table_args__ = (
        CheckConstraint("kind IN ('ageing', 'sale')", name="kind_known"),
        CheckConstraint("bearer IN ('gallery', 'producer', 'shared')", name="bearer_known"),
        CheckConstraint(
            "(bearer = 'gallery' AND producer_share_bp = 0) OR (bearer = 'producer' AND producer_share_bp = 10000)"
            " OR (bearer = 'shared' AND producer_share_bp > 0 AND producer_share_bp < 10000)",
            name="share_matches_bearer"),
        CheckConstraint(
            "(CASE WHEN producer_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN category_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN variant_id IS NULL THEN 0 ELSE 1 END) = 1", name="one_scope"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(120))
    producer_id: Mapped[int | None] = mapped_column(ForeignKey("producers.id"), index=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), index=True)
    variant_id: Mapped[int | None] = mapped_column(ForeignKey("variants.id"), index=True)
    bearer: Mapped[str] = mapped_column(String(10))
    producer_share_bp: Mapped[int] = mapped_column(Integer)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stopped_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    producer = relationship("Producer")
    category = relationship("Category")
    variant = relationship("Variant")
    created_by = relationship("User", foreign_keys=[created_by_id])
    steps: Mapped[list["MarkdownStep"]] = relationship(
        back_populates="markdown", order_by="MarkdownStep.after_days", cascade="all, delete-orphan")

    def is_running(self, day: date | None = None) -> bool:
        """Applies on `day` (today, WIB): started, not past its end, not stopped."""
        day = day or clock.today_wib()
        return (self.stopped_at is None and self.starts_on <= day
                and (self.ends_on is None or day <= self.ends_on))


class MarkdownStep(db.Model):
    """From `after_days` on the shelf, `discount_bp` off the shelf price."""

    __tablename__ = "markdown_steps"
    __table_args__ = (
        UniqueConstraint("markdown_id", "after_days", name="uq_markdown_steps_markdown_days"),
        CheckConstraint("after_days >= 0 AND after_days <= 3650", name="days_in_range"),
        CheckConstraint(f"discount_bp > 0 AND discount_bp <= {MAX_DISCOUNT_BP}", name="discount_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    markdown_id: Mapped[int] = mapped_column(ForeignKey("markdowns.id", ondelete="CASCADE"), index=True)
    after_days: Mapped[int] = mapped_column(Integer)
    discount_bp: Mapped[int] = mapped_column(Integer)

    markdown: Mapped[Markdown] = relationship(back_populates="steps")
