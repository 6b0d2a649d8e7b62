"""Read functions for other domains (the producer portal, the staff dashboard). Fixed statement counts.

Nothing here returns a shopper's name, email, phone or street: only the destination regency's name.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from gallery import clock
from gallery.catalog.models import Producer
from gallery.extensions import db
from gallery.orders.models import Order, OrderAllocation, OrderLine
from gallery.pagination import ListPage, clamp_page, offset_of
from gallery.settlements.models import Statement, StatementLine, StatementStatus
from gallery.settlements.payouts import payout
from gallery.settlements.periods import Period, counts_for_settlement, sold_at_column
from gallery.shipping.models import Regency


def statements_of(producer_id: int) -> list[Statement]:
    """A producer's statements, newest period first (drafts included: the portal may choose to hide them)."""
    return list(db.session.scalars(
        select(Statement).where(Statement.producer_id == producer_id)
        .order_by(Statement.period_start.desc(), Statement.id.desc())))


def statements_page(period: Period, status: str | None = None, q: str = "", page: int = 1,
                    per_page: int = 100) -> ListPage:
    """A period's statements by number, searched by producer name, a page at a time; figures["total_due"]
    is the amount due over every statement matched. Three statements whatever the number of producers."""
    query = select(Statement).where(Statement.period_start == period.start)
    if status in StatementStatus.ALL:
        query = query.where(Statement.status == status)
    if q := q.strip()[:100]:
        query = query.join(Producer, Producer.id == Statement.producer_id).where(
            Producer.business_name.icontains(q, autoescape=True))
    total, due = db.session.execute(query.with_only_columns(
        func.count(Statement.id), func.coalesce(func.sum(Statement.amount_due), 0)).order_by(None)).one()
    page = clamp_page(page, total, per_page)
    rows = list(db.session.scalars(query.options(selectinload(Statement.producer)).order_by(Statement.number)
                                   .limit(per_page).offset(offset_of(page, per_page))))
    return ListPage(rows, int(total), page, per_page, {"total_due": int(due)})


def get_statement(number: str, producer_id: int | None = None) -> Statement | None:
    """One statement with its lines and adjustments; pass `producer_id` to scope it to that producer."""
    query = select(Statement).options(selectinload(Statement.lines), selectinload(Statement.adjustments),
                                      selectinload(Statement.producer)).where(Statement.number == number)
    if producer_id is not None:
        query = query.where(Statement.producer_id == producer_id)
    return db.session.scalar(query)


@dataclass(frozen=True)
class SoldRow:
    sold_at: datetime
    sold_on: date
    order_number: str
    product_name: str
    variant_label: str
    quantity: int
    unit_payout: int
    channel: str
    destination: str | None   # regency/city name; None for pick-up and counter sales
    statement_number: str | None

    @property
    def payout(self) -> int:
        return payout(self.quantity, self.unit_payout)


def sold_allocations(producer_id: int, start: date, end: date) -> list[SoldRow]:
    """Every sold allocation of the producer fulfilled in WIB dates [start, end), newest first (one select).

    Quantities are as sold; refunds are shown on statements (excluded units, adjustments).
    """
    lo, hi = Period(start, end).utc_bounds()
    sold_at = sold_at_column().label("sold_at")
    rows = db.session.execute(
        select(sold_at, Order.number, OrderLine.product_name, OrderLine.variant_label, OrderAllocation.quantity,
               OrderAllocation.unit_payout, Order.channel, Regency.name, Statement.number.label("statement_number"))
        .join(OrderLine, OrderLine.id == OrderAllocation.line_id)
        .join(Order, Order.id == OrderLine.order_id)
        .outerjoin(Regency, Regency.code == Order.regency_code)
        .outerjoin(StatementLine, StatementLine.allocation_id == OrderAllocation.id)
        .outerjoin(Statement, Statement.id == StatementLine.statement_id)
        .where(OrderLine.producer_id == producer_id, counts_for_settlement(), sold_at >= lo, sold_at < hi)
        .order_by(sold_at.desc(), OrderAllocation.id.desc())
    ).all()
    result = []
    for moment, number, product, variant, quantity, unit_payout, channel, regency, statement in rows:
        result.append(SoldRow(moment, clock.to_wib(moment).date(), number, product, variant, quantity, unit_payout,
                              channel, regency, statement))
    return result


def earnings_due(producer_id: int) -> int:
    """What the gallery owes the producer and has not transferred, in Rupiah: drafts and approved statements
    plus balances carried and not yet brought into one of them (negative: the producer owes the gallery)."""
    from gallery.settlements.carry import balance_of

    return int(db.session.scalar(
        select(func.coalesce(func.sum(Statement.amount_due), 0))
        .where(Statement.producer_id == producer_id,
               Statement.status.in_((StatementStatus.DRAFT, StatementStatus.APPROVED))))) + balance_of(producer_id)


def last_payout(producer_id: int) -> Statement | None:
    """The most recently paid statement (transfer_date, amount_due, bank_reference), or None."""
    return db.session.scalar(
        select(Statement).where(Statement.producer_id == producer_id, Statement.status == StatementStatus.PAID)
        .order_by(Statement.transfer_date.desc(), Statement.id.desc()).limit(1))
