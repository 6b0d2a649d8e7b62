"""A producer's proposal of a new product or of a change to one of its own, waiting for staff."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gallery.dbtypes import UTCDateTime, now_utc
from gallery.extensions import db


class ProposalStatus:
    """Pending until staff approve (the change is applied and published), ask for changes, or reject."""

    PENDING = "pending"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    ALL = (PENDING, CHANGES_REQUESTED, APPROVED, REJECTED)
    OPEN = (PENDING, CHANGES_REQUESTED)


class ProductProposal(db.Model):
    """What a producer asks for; nothing of it reaches the shop until staff approve it.

    `product_id` None proposes a new product. `payload` holds the proposed text, certificates,
    new variants ({label, price, weight_grams, net_content}) and asked prices ({variant id: price}).
    """

    __tablename__ = "product_proposals"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'changes_requested', 'approved', 'rejected')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=ProposalStatus.PENDING, index=True)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    note: Mapped[str] = mapped_column(Text, default="")
    staff_comment: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    producer = relationship("Producer")
    product = relationship("Product")
    created_by = relationship("User", foreign_keys=[created_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    images: Mapped[list["ProposalImage"]] = relationship(
        back_populates="proposal", order_by="ProposalImage.position, ProposalImage.id", cascade="all, delete-orphan"
    )

    @property
    def is_open(self) -> bool:
        return self.status in ProposalStatus.OPEN

    @property
    def is_new_product(self) -> bool:
        """Proposes a new product (it keeps saying so once approval has created the product)."""
        return bool(self.payload.get("new_product"))


class ProposalImage(db.Model):
    """A photo sent with a proposal, already re-encoded like every product photo."""

    __tablename__ = "proposal_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("product_proposals.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    alt: Mapped[str] = mapped_column(String(200), default="")
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)

    proposal: Mapped[ProductProposal] = relationship(back_populates="images")
