"""A review of one order line: the rating, words and photo of the shopper, staff's decision, the producer's reply."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gallery.dbtypes import UTCDateTime, now_utc
from gallery.extensions import db


class ReviewStatus:
    """pending (waiting for staff) → published (on the product page) or hidden (with staff's reason)."""

    PENDING = "pending"
    PUBLISHED = "published"
    HIDDEN = "hidden"
    ALL = (PENDING, PUBLISHED, HIDDEN)


class Review(db.Model):
    """One shopper's rating (1–5) of a product bought on one line of a completed order; one per line."""

    __tablename__ = "reviews"
    __table_args__ = (
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_in_range"),
        CheckConstraint("status IN ('pending', 'published', 'hidden')", name="status_known"),
        Index("ix_reviews_product_shown", "product_id", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id", ondelete="CASCADE"), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # How the shopper is named on the product page: first name and initial ("Siti R.").
    author_name: Mapped[str] = mapped_column(String(60))
    rating: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text, default="")
    photo_key: Mapped[str | None] = mapped_column(String(32))
    photo_width: Mapped[int | None] = mapped_column(Integer)
    photo_height: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default=ReviewStatus.PENDING, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    moderated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    moderated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    moderation_reason: Mapped[str] = mapped_column(String(300), default="")
    reply: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    replied_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    line = relationship("OrderLine")
    order = relationship("Order")
    product = relationship("Product")
    producer = relationship("Producer")
    moderated_by = relationship("User", foreign_keys=[moderated_by_id])

    @property
    def photo(self):
        """The photo as the image helpers want it (key, width, height, alt), or None."""
        if not self.photo_key:
            return None
        from gallery.catalog.images import StoredImage

        return StoredImage(self.photo_key, self.photo_width or 0, self.photo_height or 0)
