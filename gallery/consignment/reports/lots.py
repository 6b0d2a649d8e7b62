"""A producer's lots on hand with their age, expiry and payout value, and their totals (staff and portal)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from gallery import clock
from gallery.catalog.models import Producer, Product, Variant
from gallery.consignment.models import ConsignmentReceipt, Lot
from gallery.extensions import db
from gallery.consignment.reports.common import (
    received_on,
)


# --- Lots ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LotRow:
    """A lot on the shelf as the stock lists show it."""

    lot_id: int
    producer_id: int
    producer_name: str
    product_name: str
    variant_label: str
    sku: str
    receipt_number: str | None
    received_at: datetime
    expires_on: date | None
    shelf: str | None
    on_hand: int
    unit_payout: int
    term_ends_on: date
    today: date

    @property
    def value(self) -> int:
        return self.on_hand * self.unit_payout

    @property
    def received_on(self) -> date:
        return received_on(self.received_at)

    @property
    def age_days(self) -> int:
        return (self.today - self.received_on).days

    @property
    def expired(self) -> bool:
        return self.expires_on is not None and self.expires_on <= self.today

    @property
    def days_to_expiry(self) -> int | None:
        """Days left to sell (0 or less: expired)."""
        return None if self.expires_on is None else (self.expires_on - self.today).days


@dataclass(frozen=True)
class Totals:
    lots: int
    units: int
    value: int


def lot_totals(rows: Iterable[LotRow]) -> Totals:
    """Lots, units on hand and their payout value."""
    rows = list(rows)
    return Totals(lots=len(rows), units=sum(row.on_hand for row in rows), value=sum(row.value for row in rows))


def lot_rows(*conditions, order_by, today: date, limit: int | None = None, offset: int = 0) -> list[LotRow]:
    statement = (
        select(
            Lot.id, Lot.producer_id, Producer.business_name, Product.name, Variant.label, Variant.sku,
            ConsignmentReceipt.number, Lot.received_at, Lot.expires_on, Lot.shelf, Lot.on_hand, Lot.unit_payout,
            Lot.term_ends_on,
        )
        .join(Variant, Variant.id == Lot.variant_id)
        .join(Product, Product.id == Variant.product_id)
        .join(Producer, Producer.id == Lot.producer_id)
        .outerjoin(ConsignmentReceipt, ConsignmentReceipt.id == Lot.receipt_id)
        .where(Lot.on_hand > 0, *conditions)
        .order_by(*order_by)
    )
    if limit is not None:
        statement = statement.limit(limit).offset(offset)
    return [LotRow(*row, today=today) for row in db.session.execute(statement)]


def producer_lots(producer_id: int, today: date | None = None) -> list[LotRow]:
    """One producer's lots with units on hand, by product, variant and expiry (one statement)."""
    today = today or clock.today_wib()
    return lot_rows(
        Lot.producer_id == producer_id,
        order_by=(Product.name, Variant.position, Variant.id, Lot.expires_on.asc().nulls_last(), Lot.id),
        today=today,
    )
