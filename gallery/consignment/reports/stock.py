"""Stock by producer: units on hand, their payout value, lots and the nearest expiry (the staff's stock list)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, exists, func, or_, select, true

from gallery import clock
from gallery.cache import memoize
from gallery.catalog.models import Producer
from gallery.consignment.models import Lot
from gallery.extensions import db
from gallery.pagination import PageNumbers, clamp_page
from gallery.consignment.reports.lots import Totals
from gallery.consignment.reports.common import (
    expired_condition,
    payout_value,
)


# --- Producers -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProducerStockRow:
    """One producer's consigned goods on the shelf (expired lots included: they are still there)."""

    producer_id: int
    name: str
    is_active: bool
    units: int
    value: int
    lots: int
    expired_units: int
    nearest_expiry: date | None
    today: date

    @property
    def nearest_expired(self) -> bool:
        return self.nearest_expiry is not None and self.nearest_expiry <= self.today


def _stock_columns(today: date) -> tuple:
    return (
        func.coalesce(func.sum(Lot.on_hand), 0),
        func.coalesce(func.sum(payout_value(Lot.on_hand)), 0),
        func.count(Lot.id),
        func.coalesce(func.sum(Lot.on_hand).filter(expired_condition(today)), 0),
        func.min(Lot.expires_on),
    )


def producer_stock_summary(today: date | None = None) -> list[ProducerStockRow]:
    """Active producers and any producer with units on hand: units, payout value, lots, nearest expiry.

    One statement (every producer: for the CSV file; the screen shows a page of them).
    """
    today = today or clock.today_wib()
    rows = db.session.execute(
        select(Producer.id, Producer.business_name, Producer.is_active, *_stock_columns(today))
        .outerjoin(Lot, and_(Lot.producer_id == Producer.id, Lot.on_hand > 0))
        .group_by(Producer.id, Producer.business_name, Producer.is_active)
        .having(or_(Producer.is_active.is_(True), func.count(Lot.id) > 0))
        .order_by(Producer.business_name, Producer.id)
    )
    return [
        ProducerStockRow(pid, name, bool(active), int(units), int(value), int(count), int(expired), nearest, today)
        for pid, name, active, units, value, count, expired, nearest in rows
    ]


@dataclass
class ProducerStockPage(PageNumbers):
    """One page of the stock-per-producer list, with the totals over every producer the search matched."""

    rows: list[ProducerStockRow]
    total: int
    page: int
    per_page: int
    totals: Totals


def _stock_totals(listed, q: str) -> dict[str, int]:
    lots, units, value = db.session.execute(
        select(func.count(Lot.id), func.coalesce(func.sum(Lot.on_hand), 0), func.coalesce(func.sum(payout_value(Lot.on_hand)), 0))
        .where(Lot.on_hand > 0, Lot.producer_id.in_(listed.with_only_columns(Producer.id)) if q else true())
    ).one()
    return {"lots": int(lots), "units": int(units), "value": int(value)}


def producer_stock_page(q: str = "", page: int = 1, per_page: int = 50,
                        today: date | None = None) -> ProducerStockPage:
    """A page of `producer_stock_summary`, searched by name, with the totals over all it matched.

    Three statements whatever the number of producers and lots: the count, the page of producers, and
    their lots summed; the totals over every match are kept under the catalogue version (gallery.cache).
    """
    today = today or clock.today_wib()
    has_stock = exists().where(Lot.producer_id == Producer.id, Lot.on_hand > 0)
    listed = select(Producer.id, Producer.business_name, Producer.is_active).where(
        or_(Producer.is_active.is_(True), has_stock))
    if q := q.strip()[:100]:
        listed = listed.where(Producer.business_name.icontains(q, autoescape=True))
    total = db.session.scalar(listed.with_only_columns(func.count(Producer.id))) or 0
    page = clamp_page(page, total, per_page)
    producers = db.session.execute(
        listed.order_by(Producer.business_name, Producer.id).limit(per_page).offset((page - 1) * per_page)).all()
    stock = {}
    if producers:
        stock = {row[0]: row[1:] for row in db.session.execute(
            select(Lot.producer_id, *_stock_columns(today))
            .where(Lot.on_hand > 0, Lot.producer_id.in_([producer.id for producer in producers]))
            .group_by(Lot.producer_id))}
    rows = []
    for pid, name, active in producers:
        units, value, count, expired, nearest = stock.get(pid, (0, 0, 0, 0, None))
        rows.append(ProducerStockRow(pid, name, bool(active), int(units), int(value), int(count), int(expired),
                                     nearest, today))
    totals = memoize("staff-stock-totals", "all", (q,), lambda: _stock_totals(listed, q))
    return ProducerStockPage(rows, total, page, per_page, Totals(**totals))
