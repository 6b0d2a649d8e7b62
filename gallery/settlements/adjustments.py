"""Refunds of units already settled: one negative adjustment per refund line on the producer's next statement.

Units refunded before settlement are left out of the statement (gallery.settlements.payouts.excluded_units).
Units refunded after they were settled on an approved or paid statement never change that statement: they
become one negative adjustment per refund line (`StatementAdjustment.refund_line_id` is UNIQUE) worth the
payout of the units it takes back, latest allocation first; the units a refund took that the statement had
already left out are not charged twice.
"""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import exists, select

from gallery.extensions import db
from gallery.orders.models import Order, OrderAllocation, OrderLine
from gallery.payments.models import Refund, RefundLine
from gallery.settlements.models import Statement, StatementAdjustment, StatementLine, StatementStatus
from gallery.settlements.payouts import payout


def sorted_refunds(rows) -> dict[int, list]:
    """(order_line_id, refund_line_id, quantity, ...) grouped per order line, oldest refund first."""
    grouped: dict[int, list] = defaultdict(list)
    for row in rows:
        grouped[row.order_line_id].append(row)
    for items in grouped.values():
        items.sort(key=lambda r: r.refund_line_id)
    return grouped


def _lines_with_unadjusted_refunds(producer_id: int | None):
    """Order lines settled on an approved/paid statement with a refund line that has no adjustment yet."""
    settled_lines = (
        select(StatementLine.order_line_id)
        .join(Statement, Statement.id == StatementLine.statement_id)
        .where(Statement.status.in_(StatementStatus.FINAL))
    )
    if producer_id is not None:
        settled_lines = settled_lines.where(Statement.producer_id == producer_id)
    return (
        select(RefundLine.order_line_id)
        .where(RefundLine.order_line_id.in_(settled_lines),
               ~exists().where(StatementAdjustment.refund_line_id == RefundLine.id))
    )


def _refunds_of(candidates) -> list:
    """ONE select: every refund line of the candidate order lines, with its adjustment if any."""
    return db.session.execute(
        select(RefundLine.order_line_id, RefundLine.id.label("refund_line_id"), RefundLine.quantity,
               Refund.created_at, StatementAdjustment.id.label("adjustment_id"))
        .join(Refund, Refund.id == RefundLine.refund_id)
        .outerjoin(StatementAdjustment, StatementAdjustment.refund_line_id == RefundLine.id)
        .where(RefundLine.order_line_id.in_(candidates))
    ).all()


def _allocations_of(candidates) -> dict[int, list]:
    """ONE select: the candidate lines' allocations with how much of each a statement settled, per line."""
    rows = db.session.execute(
        select(OrderAllocation.id, OrderAllocation.line_id, OrderAllocation.quantity, OrderAllocation.unit_price,
               OrderAllocation.unit_payout, StatementLine.quantity.label("settled"), StatementLine.sold_on,
               Statement.status, OrderLine.producer_id, OrderLine.product_name, OrderLine.variant_label,
               Order.number)
        .join(OrderLine, OrderLine.id == OrderAllocation.line_id)
        .join(Order, Order.id == OrderLine.order_id)
        .outerjoin(StatementLine, StatementLine.allocation_id == OrderAllocation.id)
        .outerjoin(Statement, Statement.id == StatementLine.statement_id)
        .where(OrderAllocation.line_id.in_(candidates))
    ).all()
    by_line: dict[int, list] = defaultdict(list)
    for row in rows:
        by_line[row.line_id].append(row)
    return by_line


def _charged(taken: list, excluded: dict[int, int]) -> list:
    """Of the units a refund took, those settled on a final statement (the first ones the statement had
    already left out are consumed from `excluded`, not charged)."""
    charged = []
    for alloc in taken:
        if alloc.settled is None or alloc.status not in StatementStatus.FINAL:
            continue
        if excluded.get(alloc.id, 0) > 0:
            excluded[alloc.id] -= 1
            continue
        charged.append(alloc)
    return charged


def _adjustment(line_id: int, refund, charged: list) -> dict:
    """The negative adjustment of one refund line: the price and the payout of the settled units it took."""
    first = charged[0]
    return dict(
        refund_line_id=refund.refund_line_id, order_line_id=line_id, order_number=first.number,
        product_name=first.product_name, variant_label=first.variant_label,
        refunded_at=refund.created_at, sold_on=first.sold_on, quantity=len(charged),
        gross_amount=-sum(a.unit_price for a in charged), amount=-sum(payout(1, a.unit_payout) for a in charged),
        producer_id=first.producer_id)


def _line_adjustments(line_id: int, allocations: list, refund_rows: list) -> list[dict]:
    """One line's pending adjustments: its units taken latest allocation first, refund by refund."""
    allocs = sorted(allocations, key=lambda a: a.id, reverse=True)
    # Units taken latest allocation first; the first ones were left out when the line was settled.
    units: list = []
    for alloc in allocs:
        units.extend([alloc] * alloc.quantity)
    excluded = {a.id: a.quantity - (a.settled or 0) for a in allocs if a.settled is not None}
    pending, cursor = [], 0
    for refund in refund_rows:
        taken = units[cursor:cursor + refund.quantity]
        cursor += refund.quantity
        charged = _charged(taken, excluded)
        if charged and refund.adjustment_id is None:
            pending.append(_adjustment(line_id, refund, charged))
    return pending


def pending_adjustments(producer_id: int | None) -> list[dict]:
    """Refund lines of units settled on approved/paid statements that have no adjustment yet (two selects)."""
    candidates = _lines_with_unadjusted_refunds(producer_id)
    refunds = _refunds_of(candidates)
    if not refunds:
        return []
    by_line = _allocations_of(candidates)
    pending = []
    for line_id, refund_rows in sorted_refunds(refunds).items():
        pending.extend(_line_adjustments(line_id, by_line[line_id], refund_rows))
    return pending
