"""Variants on sale running low on sellable stock, and slow movers (no sale for a number of days)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select

from gallery import clock
from gallery.catalog.models import Producer, Product, Variant
from gallery.consignment.models import Lot, MovementKind, StockMovement
from gallery.consignment.sellable import on_sale_variant_condition, sellable_lot_condition
from gallery.extensions import db
from gallery.pagination import ListPage, clamp_page, offset_of
from gallery.consignment.reports.lots import Totals
from gallery.consignment.reports.common import (
    DEFAULT_SLOW_DAYS,
    expired_condition,
    payout_value,
    received_on,
)


# --- Variants: low stock and slow movers -----------------------------------------------------


@dataclass(frozen=True)
class LowStockRow:
    variant_id: int
    sku: str
    variant_label: str
    product_name: str
    producer_id: int
    producer_name: str
    whatsapp: str | None
    threshold: int
    sellable: int
    expired_units: int  # still on the shelf but not for sale

    @property
    def sold_out(self) -> bool:
        return self.sellable == 0

    @property
    def whatsapp_link(self) -> str | None:
        return f"https://wa.me/{self.whatsapp}" if self.whatsapp else None


def _low_stock_statement(today: date):
    stock = (
        select(
            Lot.variant_id.label("variant_id"),
            func.sum(Lot.on_hand).filter(sellable_lot_condition(today)).label("sellable"),
            func.sum(Lot.on_hand).filter(expired_condition(today)).label("expired"),
        )
        .where(Lot.on_hand > 0)
        .group_by(Lot.variant_id)
        .subquery()
    )
    sellable = func.coalesce(stock.c.sellable, 0)
    return (
        select(
            Variant.id, Variant.sku, Variant.label, Product.name, Producer.id, Producer.business_name,
            Producer.whatsapp, Variant.low_stock_threshold, sellable.label("sellable"),
            func.coalesce(stock.c.expired, 0).label("expired"),
        )
        .join(Product, Product.id == Variant.product_id)
        .join(Producer, Producer.id == Product.producer_id)
        .outerjoin(stock, stock.c.variant_id == Variant.id)
        .where(
            on_sale_variant_condition(),
            sellable < Variant.low_stock_threshold,
        )
    )


def _low_stock_rows(statement) -> list[LowStockRow]:
    return [
        LowStockRow(vid, sku, label, product, pid, producer, wa, int(threshold), int(units), int(expired))
        for vid, sku, label, product, pid, producer, wa, threshold, units, expired in db.session.execute(statement)
    ]


def _by_producer(statement):
    return statement.order_by(Producer.business_name, Producer.id, Product.name, Variant.position, Variant.id)


def low_stock(today: date | None = None) -> list[LowStockRow]:
    """Active variants of published products of active producers whose sellable units (non-expired
    lots) are below the variant's threshold, sold-out ones included; by producer. One statement."""
    return _low_stock_rows(_by_producer(_low_stock_statement(today or clock.today_wib())))


def low_stock_page(page: int = 1, per_page: int = 100, today: date | None = None) -> ListPage:
    """A page of `low_stock`, with how many there are and how many are sold out (figures["sold_out"]).

    Two statements whatever the size of the catalogue's list.
    """
    listed = _low_stock_statement(today or clock.today_wib())
    grouped = listed.subquery()
    total, sold_out = db.session.execute(
        select(func.count(), func.count().filter(grouped.c.sellable == 0)).select_from(grouped)).one()
    page = clamp_page(page, total, per_page)
    rows = _low_stock_rows(_by_producer(listed).limit(per_page).offset(offset_of(page, per_page)))
    return ListPage(rows, int(total), page, per_page, {"sold_out": int(sold_out or 0)})


def low_stock_count(today: date | None = None) -> int:
    """How many variants the low-stock list shows (one statement)."""
    today = today or clock.today_wib()
    subquery = _low_stock_statement(today).subquery()
    return int(db.session.scalar(select(func.count()).select_from(subquery)) or 0)


@dataclass(frozen=True)
class SlowMoverRow:
    variant_id: int
    sku: str
    variant_label: str
    product_name: str
    producer_id: int
    producer_name: str
    units: int
    value: int
    lots: int
    oldest_received_at: datetime
    last_sale_at: datetime | None
    today: date

    @property
    def oldest_received_on(self) -> date:
        return received_on(self.oldest_received_at)

    @property
    def age_days(self) -> int:
        return (self.today - self.oldest_received_on).days

    @property
    def last_sale_on(self) -> date | None:
        return received_on(self.last_sale_at) if self.last_sale_at else None

    @property
    def days_since_sale(self) -> int | None:
        return (self.today - self.last_sale_on).days if self.last_sale_at else None


def _slow_mover_statement(days: int, now: datetime):
    cutoff = now - timedelta(days=days)
    stock = (
        select(
            Lot.variant_id.label("variant_id"),
            func.sum(Lot.on_hand).label("units"),
            func.sum(payout_value(Lot.on_hand)).label("value"),
            func.count(Lot.id).label("lots"),
            func.min(Lot.received_at).label("oldest"),
        )
        .where(Lot.on_hand > 0)
        .group_by(Lot.variant_id)
        .subquery()
    )
    sales = (
        select(Lot.variant_id.label("variant_id"), func.max(StockMovement.created_at).label("last_sale"))
        .join(StockMovement, StockMovement.lot_id == Lot.id)
        .where(StockMovement.kind == MovementKind.RESERVE)
        .group_by(Lot.variant_id)
        .subquery()
    )
    return (
        select(
            Variant.id, Variant.sku, Variant.label, Product.name, Producer.id, Producer.business_name,
            stock.c.units, stock.c.value, stock.c.lots, stock.c.oldest, sales.c.last_sale,
        )
        .join(stock, stock.c.variant_id == Variant.id)
        .join(Product, Product.id == Variant.product_id)
        .join(Producer, Producer.id == Product.producer_id)
        .outerjoin(sales, sales.c.variant_id == Variant.id)
        .where(stock.c.oldest < cutoff, or_(sales.c.last_sale.is_(None), sales.c.last_sale < cutoff))
        .order_by(stock.c.oldest, Producer.business_name, Product.name, Variant.id)
    )


def _slow_mover_rows(statement, now: datetime) -> list[SlowMoverRow]:
    today = clock.to_wib(now).date()
    return [
        SlowMoverRow(vid, sku, label, product, pid, producer, int(units), int(value), int(lots), oldest, last, today)
        for vid, sku, label, product, pid, producer, units, value, lots, oldest, last in db.session.execute(statement)
    ]


def slow_movers(days: int = DEFAULT_SLOW_DAYS, now: datetime | None = None) -> list[SlowMoverRow]:
    """Variants with units on hand, no sale (reserve movement) in the last `days` days or never, whose
    oldest lot on hand was received more than `days` days ago; oldest first. One statement."""
    now = now or clock.utcnow()
    return _slow_mover_rows(_slow_mover_statement(days, now), now)


def slow_movers_page(days: int = DEFAULT_SLOW_DAYS, page: int = 1, per_page: int = 100,
                     now: datetime | None = None) -> ListPage:
    """A page of `slow_movers`, with the totals over all of them (figures["totals"], a Totals).

    Two statements whatever the size of the catalogue's list.
    """
    now = now or clock.utcnow()
    listed = _slow_mover_statement(days, now)
    grouped = listed.order_by(None).subquery()
    total, lots, units, value = db.session.execute(select(
        func.count(), func.coalesce(func.sum(grouped.c.lots), 0), func.coalesce(func.sum(grouped.c.units), 0),
        func.coalesce(func.sum(grouped.c.value), 0)).select_from(grouped)).one()
    page = clamp_page(page, total, per_page)
    rows = _slow_mover_rows(listed.limit(per_page).offset(offset_of(page, per_page)), now)
    return ListPage(rows, int(total), page, per_page, {"totals": Totals(int(lots), int(units), int(value))})
