"""Product history: who changed what and when (fields, status, variants, photos) and every price change.

History is written, never overwritten (STYLE.md habit 6): rows are only ever added, by the catalog
services in the transaction of the change itself. Prices have their own table (old → new, who,
when, reason) so they stay numbers; everything else is an event holding the changed fields.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from gallery.dbtypes import UTCDateTime, now_utc
from gallery.extensions import db


class EventKind:
    """What a product event records."""

    CREATED = "created"
    UPDATED = "updated"
    STATUS = "status"
    VARIANT_ADDED = "variant_added"
    VARIANT_UPDATED = "variant_updated"
    VARIANT_REMOVED = "variant_removed"
    PHOTOS_ADDED = "photos_added"
    PHOTO_REMOVED = "photo_removed"
    PHOTOS_ARRANGED = "photos_arranged"
    PROPOSAL_APPROVED = "proposal_approved"
    IMPORTED = "imported"


class PriceChange(db.Model):
    """A variant's price set or changed: old (None when first set) → new, by whom, when and why."""

    __tablename__ = "price_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    # None once a never-sold variant was deleted; `sku` keeps what it was.
    variant_id: Mapped[int | None] = mapped_column(ForeignKey("variants.id", ondelete="SET NULL"), index=True)
    sku: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(60))
    old_price: Mapped[int | None] = mapped_column(Integer)
    new_price: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, default="")
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    changed_by = relationship("User")


class ProductEvent(db.Model):
    """One change of a product other than a price: `changes` maps each field to [old, new]."""

    __tablename__ = "product_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    user = relationship("User")


def _user_id(user) -> int | None:
    return getattr(user, "id", None)


def record_event(product_id: int, kind: str, changes: dict | None = None, *, user=None) -> ProductEvent:
    """Add one event to a product's history (flushes only)."""
    event = ProductEvent(product_id=product_id, kind=kind, changes=changes or {}, user_id=_user_id(user))
    db.session.add(event)
    db.session.flush()
    return event


def record_price(variant, old_price: int | None, *, reason: str, user=None) -> PriceChange:
    """Add a variant's price change (or first price, old None) to the history (flushes only)."""
    change = PriceChange(
        product_id=variant.product_id, variant_id=variant.id, sku=variant.sku, label=variant.label,
        old_price=old_price, new_price=variant.price, reason=(reason or "").strip()[:500], changed_by_id=_user_id(user),
    )
    db.session.add(change)
    db.session.flush()
    return change


def field_changes(before: dict, after: dict) -> dict:
    """The fields whose value differs, as {name: [old, new]} (JSON-ready: dates and such as text)."""
    def plain(value):
        return value if value is None or isinstance(value, (str, int, float, bool)) else str(value)

    return {name: [plain(before.get(name)), plain(value)] for name, value in after.items() if before.get(name) != value}


def price_history(product_id: int, limit: int | None = None) -> list[PriceChange]:
    """A product's price changes, newest first, with who made them (one statement)."""
    statement = (
        select(PriceChange).options(joinedload(PriceChange.changed_by))
        .where(PriceChange.product_id == product_id)
        .order_by(PriceChange.changed_at.desc(), PriceChange.id.desc())
    )
    return list(db.session.scalars(statement.limit(limit) if limit else statement))


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a product's history: an event or a price change."""

    at: datetime
    user_name: str | None
    event: ProductEvent | None = None
    price: PriceChange | None = None


def product_history(product_id: int) -> list[HistoryEntry]:
    """Everything that happened to a product, newest first (two statements)."""
    events = db.session.scalars(
        select(ProductEvent).options(joinedload(ProductEvent.user)).where(ProductEvent.product_id == product_id)
    )
    entries = [HistoryEntry(event.created_at, event.user.name if event.user else None, event=event) for event in events]
    entries += [
        HistoryEntry(change.changed_at, change.changed_by.name if change.changed_by else None, price=change)
        for change in price_history(product_id)
    ]
    return sorted(entries, key=lambda entry: entry.at, reverse=True)
