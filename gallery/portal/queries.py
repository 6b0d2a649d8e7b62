"""What the portal reads: one producer's sales, stock and documents, never anyone else's.

Every function takes the producer id and puts it into every statement (DESIGN.md rule 12); each runs a
fixed number of SQL statements whatever the number of rows (stated in its docstring). A *sale* is
gallery.orders.sales's, as on the statements: units of the producer's lots paid and handed over, online
or at the counter, dated when handed over (WIB), less the units refunded. Orders refunded in full are
listed, marked, and count nothing; units refunded from a line are shown beside it. No shopper's name,
e-mail, phone or street is ever selected: a delivery's destination is only its regency or city.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import BigInteger, and_, cast, func, select
from sqlalchemy.orm import joinedload, selectinload

from gallery import clock
from gallery.catalog.models import Product, Variant
from gallery.consignment import reports
from gallery.consignment.models import ConsignmentReceipt, Lot, MovementKind, ProducerReturn, StockMovement
from gallery.extensions import db
from gallery.orders.models import Fulfilment, Order, OrderAllocation, OrderLine, OrderStatus
from gallery.orders.sales import is_sale, net_quantity, sold_at_column
from gallery.pagination import PageNumbers, clamp_page
from gallery.payments.models import RefundLine
from gallery.settlements.payouts import payout, payout_sql
from gallery.shipping.models import Regency

EXPIRY_DAYS = reports.DEFAULT_EXPIRY_DAYS
BEST_SELLER_DAYS = 90
CHART_MONTHS = 12
PER_PAGE = 50


def _refunded_per_line():
    return (
        select(RefundLine.order_line_id.label("line_id"), func.sum(RefundLine.quantity).label("quantity"))
        .group_by(RefundLine.order_line_id)
        .subquery()
    )


_REFUNDED = _refunded_per_line()
# Units of an allocation still sold (net of its line's refunds) and what the producer earns on them.
_NET = net_quantity(func.coalesce(_REFUNDED.c.quantity, 0))
_SOLD_AT = sold_at_column()


def _earned(quantity=_NET):
    return payout_sql(quantity, OrderAllocation.unit_payout)


def _sold_by(producer_id: int):
    """Allocations of the producer's lots that are sales (joins the allocation's line, its refunds, order and lot)."""
    return (
        select()
        .select_from(OrderAllocation)
        .join(OrderLine, OrderLine.id == OrderAllocation.line_id)
        .join(Order, Order.id == OrderLine.order_id)
        .join(Lot, Lot.id == OrderAllocation.lot_id)
        .outerjoin(_REFUNDED, _REFUNDED.c.line_id == OrderLine.id)
        .where(Lot.producer_id == producer_id, is_sale())
    )


# --- Months in WIB ---------------------------------------------------------------------------


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def wib_instant(day: date) -> datetime:
    """The UTC instant at which a WIB calendar day begins."""
    return datetime.combine(day, time(0), tzinfo=clock.WIB).astimezone(timezone.utc)


# --- Dashboard -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthBar:
    month: date
    units: int
    earnings: int


@dataclass(frozen=True)
class BestSeller:
    product_name: str
    units: int
    earnings: int


@dataclass(frozen=True)
class Dashboard:
    today: date
    months: list[MonthBar]  # oldest first; the last is this month
    best_sellers: list[BestSeller]
    lots: list[reports.LotRow]
    expiring: list[reports.LotRow]
    expired: list[reports.LotRow]

    @property
    def this_month(self) -> MonthBar:
        return self.months[-1]

    @property
    def stock_units(self) -> int:
        return sum(lot.on_hand for lot in self.lots)

    @property
    def stock_value(self) -> int:
        return sum(lot.value for lot in self.lots)


def monthly_sales(producer_id: int, today: date, months: int = CHART_MONTHS) -> list[MonthBar]:
    """Units and earnings per WIB month for the last `months` months (this one last), of sales not refunded
    in full. One statement over those months only: one filtered sum per month."""
    first = add_months(month_start(today), -(months - 1))
    bounds = [wib_instant(add_months(first, i)) for i in range(months + 1)]
    columns = []
    for start, end in zip(bounds, bounds[1:]):
        inside = and_(_SOLD_AT >= start, _SOLD_AT < end)
        columns += [func.coalesce(func.sum(_NET).filter(inside), 0),
                    func.coalesce(func.sum(_earned()).filter(inside), 0)]
    row = db.session.execute(
        _sold_by(producer_id).add_columns(*columns).where(_SOLD_AT >= bounds[0], _SOLD_AT < bounds[-1])).one()
    return [MonthBar(add_months(first, i), int(row[2 * i]), int(row[2 * i + 1])) for i in range(months)]


def best_sellers(producer_id: int, today: date, days: int = BEST_SELLER_DAYS, limit: int = 5) -> list[BestSeller]:
    """The producer's products by units sold in the last `days` days (one statement)."""
    since = wib_instant(today - timedelta(days=days - 1))
    units = func.sum(_NET)
    rows = db.session.execute(
        _sold_by(producer_id)
        .add_columns(OrderLine.product_name, units, func.sum(_earned()))
        .where(_SOLD_AT >= since)
        .group_by(OrderLine.product_name)
        .having(units > 0)
        .order_by(units.desc(), OrderLine.product_name)
        .limit(limit)
    )
    return [BestSeller(name, int(u), int(e)) for name, u, e in rows]


def dashboard(producer_id: int, today: date | None = None) -> Dashboard:
    """Everything the dashboard shows but settlements: three statements."""
    today = today or clock.today_wib()
    months = monthly_sales(producer_id, today)
    lots = reports.producer_lots(producer_id, today=today)
    until = today + timedelta(days=EXPIRY_DAYS)
    expiring = sorted((lot for lot in lots if lot.expires_on and today < lot.expires_on <= until),
                      key=lambda lot: (lot.expires_on, lot.lot_id))
    expired = [lot for lot in lots if lot.expired]
    return Dashboard(today, months, best_sellers(producer_id, today), lots, expiring, expired)


# --- Sales -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SaleRow:
    allocation_id: int
    sold_at: datetime
    product_name: str
    variant_label: str
    quantity: int
    unit_payout: int
    channel: str
    fulfilment: str
    regency_name: str | None
    status: str
    line_quantity: int
    line_refunded: int

    @property
    def subtotal(self) -> int:
        return payout(self.quantity, self.unit_payout)

    @property
    def refunded(self) -> bool:
        """The whole order was refunded: this sale does not count."""
        return self.status == OrderStatus.REFUNDED

    @property
    def partly_refunded(self) -> bool:
        return not self.refunded and self.line_refunded > 0

    @property
    def delivered(self) -> bool:
        return self.fulfilment == Fulfilment.DELIVERY

    @property
    def sold_on(self) -> date:
        return clock.to_wib(self.sold_at).date()


@dataclass(frozen=True)
class SaleFilter:
    start: date | None = None  # WIB days, inclusive
    end: date | None = None
    product_id: int | None = None

    def conditions(self):
        conditions = []
        if self.start:
            conditions.append(_SOLD_AT >= wib_instant(self.start))
        if self.end:
            conditions.append(_SOLD_AT < wib_instant(self.end + timedelta(days=1)))
        if self.product_id:
            conditions.append(OrderLine.variant_id.in_(select(Variant.id).where(Variant.product_id == self.product_id)))
        return conditions


@dataclass
class SalePage(PageNumbers):
    rows: list[SaleRow]
    total: int
    page: int
    per_page: int
    units: int
    earnings: int


def _sale_rows_statement(producer_id: int, filters: SaleFilter):
    return (
        _sold_by(producer_id)
        .add_columns(
            OrderAllocation.id, _SOLD_AT, OrderLine.product_name, OrderLine.variant_label,
            OrderAllocation.quantity, OrderAllocation.unit_payout, Order.channel, Order.fulfilment, Regency.name,
            Order.status, OrderLine.quantity, func.coalesce(_REFUNDED.c.quantity, 0),
        )
        .outerjoin(Regency, Regency.code == Order.regency_code)
        .where(*filters.conditions())
        .order_by(_SOLD_AT.desc(), OrderAllocation.id.desc())
    )


def _sale_row(row) -> SaleRow:
    (aid, sold_at, product, variant, quantity, payout, channel, fulfilment, regency, status, line_qty,
     line_refunded) = row
    return SaleRow(aid, sold_at, product, variant, int(quantity), int(payout), channel, fulfilment, regency,
                   status, int(line_qty), int(line_refunded))


def sales_page(producer_id: int, filters: SaleFilter, page: int = 1, per_page: int = PER_PAGE) -> SalePage:
    """One page of the producer's sales, newest first, with the filtered totals: two statements."""
    total, units, earnings = db.session.execute(
        _sold_by(producer_id).add_columns(
            func.count(OrderAllocation.id), func.coalesce(func.sum(_NET), 0), func.coalesce(func.sum(_earned()), 0),
        ).where(*filters.conditions())
    ).one()
    page = clamp_page(page, int(total), per_page)
    rows = db.session.execute(_sale_rows_statement(producer_id, filters).limit(per_page)
                              .offset((page - 1) * per_page))
    return SalePage([_sale_row(row) for row in rows], int(total), page, per_page, int(units), int(earnings))


def all_sales(producer_id: int, filters: SaleFilter) -> list[SaleRow]:
    """Every sale matching the filter, newest first, for the CSV export (one statement)."""
    return [_sale_row(row) for row in db.session.execute(_sale_rows_statement(producer_id, filters))]


def product_choices(producer_id: int) -> list[tuple[int, str]]:
    """The producer's own products, for the sales filter (one statement)."""
    return [(pid, name) for pid, name in db.session.execute(
        select(Product.id, Product.name).where(Product.producer_id == producer_id).order_by(Product.name, Product.id)
    )]


# --- Documents -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentRow:
    number: str
    at: datetime
    lines: int
    units: int
    value: int
    reason: str | None = None


def receipts_of(producer_id: int) -> list[DocumentRow]:
    """The producer's consignment receipts, newest first, with lines, units and payout value (one statement)."""
    rows = db.session.execute(
        select(ConsignmentReceipt.number, ConsignmentReceipt.received_at, func.count(Lot.id),
               func.coalesce(func.sum(Lot.quantity_received), 0),
               func.coalesce(func.sum(cast(Lot.quantity_received, BigInteger) * Lot.unit_payout), 0))
        .outerjoin(Lot, Lot.receipt_id == ConsignmentReceipt.id)
        .where(ConsignmentReceipt.producer_id == producer_id)
        .group_by(ConsignmentReceipt.id, ConsignmentReceipt.number, ConsignmentReceipt.received_at)
        .order_by(ConsignmentReceipt.received_at.desc(), ConsignmentReceipt.id.desc())
    )
    return [DocumentRow(n, at, int(lines), int(units), int(value)) for n, at, lines, units, value in rows]


def returns_of(producer_id: int) -> list[DocumentRow]:
    """The producer's returns (nota retur), newest first, with lines, units and value (one statement)."""
    rows = db.session.execute(
        select(ProducerReturn.number, ProducerReturn.created_at, ProducerReturn.reason, func.count(StockMovement.id),
               func.coalesce(-func.sum(StockMovement.quantity), 0),
               func.coalesce(-func.sum(cast(StockMovement.quantity, BigInteger) * Lot.unit_payout), 0))
        .outerjoin(StockMovement, and_(StockMovement.reference == ProducerReturn.number,
                                       StockMovement.kind == MovementKind.RETURN))
        .outerjoin(Lot, Lot.id == StockMovement.lot_id)
        .where(ProducerReturn.producer_id == producer_id)
        .group_by(ProducerReturn.id, ProducerReturn.number, ProducerReturn.created_at, ProducerReturn.reason)
        .order_by(ProducerReturn.created_at.desc(), ProducerReturn.id.desc())
    )
    return [DocumentRow(n, at, int(lines), int(units), int(value), reason)
            for n, at, reason, lines, units, value in rows]


def receipt_of(producer_id: int, number: str) -> ConsignmentReceipt | None:
    """One of the producer's receipts with its lots; None when it is not this producer's."""
    return db.session.scalar(
        select(ConsignmentReceipt)
        .where(ConsignmentReceipt.number == number[:20], ConsignmentReceipt.producer_id == producer_id)
        .options(joinedload(ConsignmentReceipt.producer), joinedload(ConsignmentReceipt.created_by),
                 selectinload(ConsignmentReceipt.lots).joinedload(Lot.variant).joinedload(Variant.product))
    )


def return_of(producer_id: int, number: str) -> ProducerReturn | None:
    """One of the producer's returns with its movements; None when it is not this producer's."""
    return db.session.scalar(
        select(ProducerReturn)
        .where(ProducerReturn.number == number[:20], ProducerReturn.producer_id == producer_id)
        .options(joinedload(ProducerReturn.producer), joinedload(ProducerReturn.created_by),
                 selectinload(ProducerReturn.movements).joinedload(StockMovement.lot).joinedload(Lot.variant)
                 .joinedload(Variant.product))
    )
