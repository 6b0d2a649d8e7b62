"""Stock-takes (stok opname): the shelves to count, the list of counts, one count's sheet and its summary."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import aliased, joinedload

from gallery.accounts.models import User
from gallery.catalog.models import Producer, Product, Variant
from gallery.consignment.models import Lot, StockTake, StockTakeLine
from gallery.extensions import db
from gallery.pagination import PageNumbers, clamp_page


# --- Stock-takes -----------------------------------------------------------------------------


def shelves_with_stock() -> list[str]:
    """Shelf codes that hold units now, for the stock-take form (one statement)."""
    return list(
        db.session.scalars(
            select(Lot.shelf).where(Lot.on_hand > 0, Lot.shelf.is_not(None), Lot.shelf != "")
            .group_by(Lot.shelf).order_by(Lot.shelf)
        )
    )


@dataclass(frozen=True)
class StockTakeRow:
    number: str
    status: str
    producer_name: str | None
    shelf: str | None
    created_at: datetime
    created_by: str | None
    confirmed_at: datetime | None
    lines: int
    counted: int
    differences: int


@dataclass
class StockTakePage(PageNumbers):
    rows: list[StockTakeRow]
    total: int
    page: int
    per_page: int


def stocktake_page(page: int = 1, per_page: int = 30) -> StockTakePage:
    """Stock-takes, newest first, with their line counts. Two statements (count, page)."""
    total = int(db.session.scalar(select(func.count(StockTake.id))) or 0)
    page = clamp_page(page, total, per_page)
    creator = aliased(User)
    rows = db.session.execute(
        select(
            StockTake.number, StockTake.status, Producer.business_name, StockTake.shelf, StockTake.created_at,
            creator.name, StockTake.confirmed_at,
            func.count(StockTakeLine.id),
            func.count(StockTakeLine.counted),
            func.count(StockTakeLine.id).filter(StockTakeLine.counted != StockTakeLine.expected),
        )
        .outerjoin(Producer, Producer.id == StockTake.producer_id)
        .outerjoin(creator, creator.id == StockTake.created_by_id)
        .outerjoin(StockTakeLine, StockTakeLine.stock_take_id == StockTake.id)
        .group_by(StockTake.id, StockTake.number, StockTake.status, Producer.business_name, StockTake.shelf,
                  StockTake.created_at, creator.name, StockTake.confirmed_at)
        .order_by(StockTake.created_at.desc(), StockTake.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return StockTakePage(
        [StockTakeRow(n, s, p, sh, c, by, conf, int(lines), int(counted), int(diff))
         for n, s, p, sh, c, by, conf, lines, counted, diff in rows],
        total, page, per_page,
    )


def get_stocktake(number: str) -> StockTake | None:
    """A stock-take with its producer and the people on it (one statement); lines are not loaded."""
    return db.session.scalar(
        select(StockTake)
        .options(
            joinedload(StockTake.producer),
            joinedload(StockTake.created_by),
            joinedload(StockTake.confirmed_by),
        )
        .where(StockTake.number == number)
    )


@dataclass(frozen=True)
class SheetLine:
    """One line of a counting sheet or stock-take report."""

    line_id: int
    lot_id: int
    producer_name: str
    product_name: str
    variant_label: str
    sku: str
    shelf: str | None
    expires_on: date | None
    expected: int
    counted: int | None
    unit_payout: int
    on_hand_now: int

    @property
    def difference(self) -> int | None:
        return None if self.counted is None else self.counted - self.expected

    @property
    def difference_value(self) -> int | None:
        """The difference at harga titip (what the gallery owes the producer for missing units)."""
        return None if self.counted is None else (self.counted - self.expected) * self.unit_payout


@dataclass(frozen=True)
class SheetSummary:
    lines: int
    counted: int
    expected_units: int
    counted_units: int
    lines_with_difference: int
    units_short: int  # positive number of units fewer than the books
    units_over: int
    value_short: int  # positive Rupiah
    value_over: int

    @property
    def complete(self) -> bool:
        return self.counted == self.lines

    @property
    def net_units(self) -> int:
        return self.units_over - self.units_short

    @property
    def net_value(self) -> int:
        return self.value_over - self.value_short


def stocktake_sheet(stock_take_id: int) -> list[SheetLine]:
    """A stock-take's lines with their lot, product and variant, in counting order (one statement)."""
    rows = db.session.execute(
        select(
            StockTakeLine.id, Lot.id, Producer.business_name, Product.name, Variant.label, Variant.sku, Lot.shelf,
            Lot.expires_on, StockTakeLine.expected, StockTakeLine.counted, Lot.unit_payout, Lot.on_hand,
        )
        .join(Lot, Lot.id == StockTakeLine.lot_id)
        .join(Variant, Variant.id == Lot.variant_id)
        .join(Product, Product.id == Variant.product_id)
        .join(Producer, Producer.id == Lot.producer_id)
        .where(StockTakeLine.stock_take_id == stock_take_id)
        .order_by(StockTakeLine.id)
    )
    return [SheetLine(*row) for row in rows]


def summarize(lines: list[SheetLine]) -> SheetSummary:
    counted = [line for line in lines if line.counted is not None]
    short = [line for line in counted if line.difference < 0]
    over = [line for line in counted if line.difference > 0]
    return SheetSummary(
        lines=len(lines),
        counted=len(counted),
        expected_units=sum(line.expected for line in lines),
        counted_units=sum(line.counted for line in counted),
        lines_with_difference=len(short) + len(over),
        units_short=-sum(line.difference for line in short),
        units_over=sum(line.difference for line in over),
        value_short=-sum(line.difference_value for line in short),
        value_over=sum(line.difference_value for line in over),
    )
