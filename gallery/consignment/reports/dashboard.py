"""The dashboard's consignment figures: receipts of a WIB day, and sellable units with their payout value."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from gallery import clock
from gallery.catalog.models import Producer
from gallery.consignment.models import ConsignmentReceipt, Lot
from gallery.consignment.sellable import sellable_lot_condition
from gallery.extensions import db
from gallery.consignment.reports.common import (
    payout_value,
    wib_day_bounds,
)


# --- Dashboard -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceiptRow:
    number: str
    producer_name: str
    received_at: datetime
    lines: int
    units: int
    value: int


def receipts_on(day: date | None = None) -> list[ReceiptRow]:
    """Consignment receipts of one WIB calendar day (default today), newest first. One statement."""
    start, end = wib_day_bounds(day or clock.today_wib())
    rows = db.session.execute(
        select(
            ConsignmentReceipt.number,
            Producer.business_name,
            ConsignmentReceipt.received_at,
            func.count(Lot.id),
            func.coalesce(func.sum(Lot.quantity_received), 0),
            func.coalesce(func.sum(payout_value(Lot.quantity_received)), 0),
        )
        .join(Producer, Producer.id == ConsignmentReceipt.producer_id)
        .outerjoin(Lot, Lot.receipt_id == ConsignmentReceipt.id)
        .where(ConsignmentReceipt.received_at >= start, ConsignmentReceipt.received_at < end)
        .group_by(ConsignmentReceipt.id, ConsignmentReceipt.number, Producer.business_name,
                  ConsignmentReceipt.received_at)
        .order_by(ConsignmentReceipt.received_at.desc(), ConsignmentReceipt.id.desc())
    )
    return [ReceiptRow(number, name, at, int(lines), int(units), int(value))
            for number, name, at, lines, units, value in rows]


def sellable_units_and_value(today: date | None = None) -> tuple[int, int]:
    """Units on the shelf that may be sold (not expired) and their payout value. One statement."""
    units, value = db.session.execute(
        select(func.coalesce(func.sum(Lot.on_hand), 0), func.coalesce(func.sum(payout_value(Lot.on_hand)), 0))
        .where(sellable_lot_condition(today))
    ).one()
    return int(units), int(value)
