"""Read-only stock reports for the back office: stock by producer, expiry, low stock, slow movers,
stock-takes and the dashboard's consignment figures.

Nothing here writes. Every function runs a fixed number of SQL statements whatever the number of
rows (stated in its docstring), selects plain columns rather than entities, and returns frozen
dataclass rows the views and the CSV export share. Rupiah values are summed as BIGINT so a large
lot (100,000 units × a songket's price) cannot overflow PostgreSQL's INTEGER.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import BigInteger, and_, cast, exists, func, or_, select, true
from sqlalchemy.orm import aliased, joinedload

from gallery import clock
from gallery.cache import memoize
from gallery.accounts.models import User
from gallery.catalog.models import Producer, Product, Variant
from gallery.consignment.models import ConsignmentReceipt, Lot, MovementKind, StockMovement, StockTake, StockTakeLine
from gallery.consignment.sellable import on_sale_variant_condition, sellable_lot_condition
from gallery.extensions import db
from gallery.pagination import ListPage, PageNumbers, clamp_page, offset_of

DEFAULT_EXPIRY_DAYS = 14
DEFAULT_SLOW_DAYS = 60
MAX_DAYS = 365


def _value(quantity_column, payout_column=Lot.unit_payout):
    """quantity × payout as BIGINT (INTEGER × INTEGER overflows above Rp 2.1 billion on PostgreSQL)."""
    return cast(quantity_column, BigInteger) * payout_column


def _expired_condition(today: date):
    """A lot past its "baik digunakan sebelum" date: it may not be sold from that day on."""
    return and_(Lot.expires_on.is_not(None), Lot.expires_on <= today)


def received_on(moment: datetime) -> date:
    """The WIB calendar day of a stored UTC time."""
    return clock.to_wib(moment).date()


def wib_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants where a WIB calendar day starts and the next one starts."""
    start = datetime.combine(day, time(0), tzinfo=clock.WIB)
    return start.astimezone(timezone.utc), (start + timedelta(days=1)).astimezone(timezone.utc)


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
        func.coalesce(func.sum(_value(Lot.on_hand)), 0),
        func.count(Lot.id),
        func.coalesce(func.sum(Lot.on_hand).filter(_expired_condition(today)), 0),
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
        select(func.count(Lot.id), func.coalesce(func.sum(Lot.on_hand), 0), func.coalesce(func.sum(_value(Lot.on_hand)), 0))
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


def _lot_rows(*conditions, order_by, today: date, limit: int | None = None, offset: int = 0) -> list[LotRow]:
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
    return _lot_rows(
        Lot.producer_id == producer_id,
        order_by=(Product.name, Variant.position, Variant.id, Lot.expires_on.asc().nulls_last(), Lot.id),
        today=today,
    )


@dataclass(frozen=True)
class ExpiryReport:
    days: int
    until: date
    expiring: list[LotRow]  # still sellable, expiring within `days`
    expired: list[LotRow]  # past their date but still on the shelf: return or write off


def _expiry_conditions(days: int, today: date) -> tuple:
    return Lot.expires_on.is_not(None), Lot.expires_on <= today + timedelta(days=days)


_EXPIRY_ORDER = (Lot.expires_on, Producer.business_name, Product.name, Lot.id)


def expiry_report(days: int = DEFAULT_EXPIRY_DAYS, today: date | None = None) -> ExpiryReport:
    """Lots on hand that expire within `days` days, and lots already expired (one statement)."""
    today = today or clock.today_wib()
    rows = _lot_rows(*_expiry_conditions(days, today), order_by=_EXPIRY_ORDER, today=today)
    return ExpiryReport(days, today + timedelta(days=days), [r for r in rows if not r.expired],
                        [r for r in rows if r.expired])


@dataclass
class ExpiryPage(PageNumbers):
    """A page of the expiry report (expired lots come first: they expire earliest), with totals over all."""

    report: ExpiryReport
    total: int
    page: int
    per_page: int
    expired_totals: Totals
    expiring_totals: Totals


def expiry_report_page(days: int = DEFAULT_EXPIRY_DAYS, page: int = 1, per_page: int = 100,
                       today: date | None = None) -> ExpiryPage:
    """`expiry_report` a page at a time: two statements whatever the number of lots."""
    today = today or clock.today_wib()
    conditions = _expiry_conditions(days, today)
    expired = _expired_condition(today)
    figures = db.session.execute(
        select(
            func.count(Lot.id).filter(expired), func.coalesce(func.sum(Lot.on_hand).filter(expired), 0),
            func.coalesce(func.sum(_value(Lot.on_hand)).filter(expired), 0),
            func.count(Lot.id).filter(~expired), func.coalesce(func.sum(Lot.on_hand).filter(~expired), 0),
            func.coalesce(func.sum(_value(Lot.on_hand)).filter(~expired), 0),
        ).where(Lot.on_hand > 0, *conditions)
    ).one()
    expired_totals, expiring_totals = Totals(*map(int, figures[:3])), Totals(*map(int, figures[3:]))
    total = expired_totals.lots + expiring_totals.lots
    page = clamp_page(page, total, per_page)
    rows = _lot_rows(*conditions, order_by=_EXPIRY_ORDER, today=today, limit=per_page,
                     offset=offset_of(page, per_page))
    report = ExpiryReport(days, today + timedelta(days=days), [r for r in rows if not r.expired],
                          [r for r in rows if r.expired])
    return ExpiryPage(report, total, page, per_page, expired_totals, expiring_totals)


@dataclass(frozen=True)
class ExpiryOverview:
    expiring_count: int
    expired_count: int
    expiring_units: int
    soonest: list[LotRow]


def expiry_counts(days: int = DEFAULT_EXPIRY_DAYS, today: date | None = None) -> tuple[int, int, int]:
    """How many lots expire within `days`, how many are already expired, and the units expiring. One statement."""
    today = today or clock.today_wib()
    until = today + timedelta(days=days)
    expiring = and_(Lot.expires_on > today, Lot.expires_on <= until)
    expiring_count, expired_count, expiring_units = db.session.execute(
        select(
            func.count(Lot.id).filter(expiring),
            func.count(Lot.id).filter(_expired_condition(today)),
            func.coalesce(func.sum(Lot.on_hand).filter(expiring), 0),
        ).where(Lot.on_hand > 0, Lot.expires_on.is_not(None))
    ).one()
    return int(expiring_count or 0), int(expired_count or 0), int(expiring_units or 0)


def soonest_expiring(days: int = DEFAULT_EXPIRY_DAYS, limit: int = 5, today: date | None = None,
                     among: list[int] | None = None) -> list[LotRow]:
    """The first `limit` lots to expire within `days` (only `among` these lot ids, when given: a few rows
    read by their keys instead of a search of every lot). One statement, none for an empty `among`."""
    today = today or clock.today_wib()
    conditions = [Lot.expires_on > today, Lot.expires_on <= today + timedelta(days=days)]
    if among is not None:
        if not among:
            return []
        conditions.append(Lot.id.in_(among))
    return _lot_rows(*conditions, order_by=(Lot.expires_on, Producer.business_name, Lot.id), today=today,
                     limit=limit)


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
            func.sum(Lot.on_hand).filter(_expired_condition(today)).label("expired"),
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
            func.sum(_value(Lot.on_hand)).label("value"),
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
            func.coalesce(func.sum(_value(Lot.quantity_received)), 0),
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
        select(func.coalesce(func.sum(Lot.on_hand), 0), func.coalesce(func.sum(_value(Lot.on_hand)), 0))
        .where(sellable_lot_condition(today))
    ).one()
    return int(units), int(value)


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

