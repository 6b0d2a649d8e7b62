"""The reconciliation of a period: cash against orders, and producers' share against statements.

Two identities, each read from independent tables, for WIB dates [start, end):

* cash: money received by method (Stripe, Midtrans, bank transfer with its unique codes, cash and QRIS
  at the gallery, Pos COD remittances; `payments` paid in the period) − refunds made in the period
  (goods, and the rest: shipping, insurance, codes, COD fees, whole payments given back) = goods +
  shipping + insurance + codes + COD fees of the orders those payments paid − the same refunds. A
  payment whose amount does not match its order shows as a difference. Of the COD money, the agency
  kept its fees (`cod_fees_kept`: the bank receives the rest); a COD parcel returned to the sender in
  the period brought no money and its shipping and insurance stay the gallery's loss (`returned_loss`).
* producers: goods sold in the period (gallery.orders.sales: handed over in the period; a refunded unit
  leaves the sale unless it was already settled on a final statement, in which case it is a later
  statement's adjustment) = what this period's statements settled + what is not settled yet; and the
  producers' share of those statements is transferred, carried, or still awaiting approval or transfer.

Everything is dated by when it happened (payment, refund, hand-over, the statement's period), so a
month whose statements are final never changes: a refund in a later month is that month's cash and that
month's statement's "carried adjustment".
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select

from gallery.extensions import db
from gallery.orders.models import Order, OrderAllocation, OrderLine, OrderStatus
from gallery.orders.sales import is_sale, sold_at_column
from gallery.payments.models import CodRemittanceLine, Payment, PaymentStatus, Provider, Refund, RefundLine
from gallery.settlements.adjustments import pending_adjustments
from gallery.settlements.models import Statement, StatementAdjustment, StatementLine, StatementStatus
from gallery.settlements.payouts import excluded_units, payout, payout_sql, units_owed
from gallery.settlements.periods import Period

METHODS = ("stripe", "midtrans", "bank_transfer", "cash", "qris", "pos_cod")


@dataclass
class Reconciliation:
    period: Period
    # Cash
    received: dict[str, int] = field(default_factory=lambda: dict.fromkeys(METHODS, 0))
    payments: int = 0
    goods: int = 0
    shipping: int = 0
    insurance: int = 0
    codes: int = 0
    cod_fees: int = 0           # COD fees of the orders paid (the shopper paid them with the parcel)
    cod_fees_kept: int = 0      # what the Pos agency kept of its remittances in the period
    returned_parcels: int = 0   # COD parcels back to the sender in the period
    returned_loss: int = 0      # their shipping and insurance, paid to Pos and never paid by anyone
    refunded_goods: int = 0
    refunded_other: int = 0
    # Sales and producers
    sales_gross: int = 0
    sales_payout: int = 0
    settled_gross: int = 0
    settled_payout: int = 0
    unsettled_gross: int = 0
    unsettled_payout: int = 0
    adjustments: int = 0       # refunds of earlier months' settled units, carried onto this period's statements
    brought_forward: int = 0   # balances of carried statements taken into this period's statements
    transferred: int = 0       # this period's statements paid
    carried: int = 0           # this period's statements carried forward (small or negative)
    awaiting: int = 0          # drafts and approved statements not transferred yet

    @property
    def cash_in(self) -> int:
        return sum(self.received.values())

    @property
    def net_cash(self) -> int:
        return self.cash_in - self.refunded_goods - self.refunded_other

    @property
    def net_orders(self) -> int:
        return (self.goods + self.shipping + self.insurance + self.codes + self.cod_fees
                - self.refunded_goods - self.refunded_other)

    @property
    def cash_difference(self) -> int:
        return self.net_cash - self.net_orders

    @property
    def commission(self) -> int:
        return self.sales_gross - self.sales_payout

    @property
    def sales_difference(self) -> int:
        return (self.sales_gross - self.settled_gross - self.unsettled_gross) + \
            (self.sales_payout - self.settled_payout - self.unsettled_payout)

    @property
    def producers_due(self) -> int:
        return self.settled_payout + self.adjustments + self.brought_forward

    @property
    def producers_difference(self) -> int:
        return self.producers_due - self.transferred - self.carried - self.awaiting

    @property
    def balanced(self) -> bool:
        return self.cash_difference == 0 and self.sales_difference == 0 and self.producers_difference == 0


def _cash(result: Reconciliation, start, end) -> None:
    method = func.coalesce(Order.payment_method, "cash")
    for provider, paid_with, amount, subtotal, shipping, insurance, cod_fee, total in db.session.execute(
            select(Payment.provider, method, Payment.amount, Order.subtotal, Order.shipping_price, Order.insurance,
                   Order.cod_fee, Order.total)
            .join(Order, Order.id == Payment.order_id)
            .where(Payment.status.in_((PaymentStatus.PAID, PaymentStatus.REFUNDED)),
                   Payment.paid_at >= start, Payment.paid_at < end)):
        key = paid_with if provider == Provider.GALLERY else provider
        key = key if key in result.received else "cash"
        result.received[key] += amount
        result.payments += 1
        result.goods += subtotal
        result.shipping += shipping
        result.insurance += insurance
        result.cod_fees += cod_fee
        result.codes += amount - total
    goods = (select(func.coalesce(func.sum(RefundLine.amount), 0)).where(RefundLine.refund_id == Refund.id)
             .correlate(Refund).scalar_subquery())
    refunded, refunded_goods = db.session.execute(
        select(func.coalesce(func.sum(Refund.amount), 0), func.coalesce(func.sum(goods), 0))
        .where(Refund.created_at >= start, Refund.created_at < end)).one()
    result.refunded_goods = int(refunded_goods)
    result.refunded_other = int(refunded) - int(refunded_goods)


def _cash_on_delivery(result: Reconciliation, start, end) -> None:
    """What the agency kept of the COD money paid in the period, and the parcels that came back unpaid."""
    result.cod_fees_kept = int(db.session.scalar(
        select(func.coalesce(func.sum(CodRemittanceLine.fee), 0)).join(Order, Order.id == CodRemittanceLine.order_id)
        .where(Order.paid_at >= start, Order.paid_at < end)) or 0)
    count, loss = db.session.execute(
        select(func.count(Order.id), func.coalesce(func.sum(Order.shipping_price + Order.insurance), 0))
        .where(Order.status == OrderStatus.RETURNED, Order.returned_at >= start, Order.returned_at < end)).one()
    result.returned_parcels, result.returned_loss = int(count), int(loss)


def _sales(result: Reconciliation, start, end) -> None:
    sold_at = sold_at_column()
    rows = db.session.execute(
        select(OrderAllocation.id, OrderAllocation.line_id, OrderAllocation.quantity, OrderAllocation.unit_price,
               OrderAllocation.unit_payout, StatementLine.id.label("settled"))
        .join(OrderLine, OrderLine.id == OrderAllocation.line_id).join(Order, Order.id == OrderLine.order_id)
        .outerjoin(StatementLine, StatementLine.allocation_id == OrderAllocation.id)
        .where(is_sale(), sold_at >= start, sold_at < end)).all()
    lines = {row.line_id for row in rows}
    refunded: dict[int, int] = defaultdict(int)
    for line_id, quantity in db.session.execute(
            select(RefundLine.order_line_id, RefundLine.quantity).where(RefundLine.order_line_id.in_(lines))):
        refunded[line_id] += quantity
    # Refunded units already settled on a final statement are adjustments of a later statement, not exclusions.
    for line_id, quantity in db.session.execute(
            select(StatementAdjustment.order_line_id, StatementAdjustment.quantity)
            .where(StatementAdjustment.order_line_id.in_(lines))):
        refunded[line_id] -= quantity
    for item in pending_adjustments(None):
        if item["order_line_id"] in lines:
            refunded[item["order_line_id"]] -= item["quantity"]
    allocations: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for row in rows:
        allocations[row.line_id].append((row.id, row.quantity))
    excluded = excluded_units(allocations, refunded)
    for row in rows:
        quantity = units_owed(row.id, row.quantity, excluded)
        result.sales_gross += quantity * row.unit_price
        result.sales_payout += payout(quantity, row.unit_payout)
        if row.settled is None:
            result.unsettled_gross += quantity * row.unit_price
            result.unsettled_payout += payout(quantity, row.unit_payout)


def _statements(result: Reconciliation, period: Period) -> None:
    settled = db.session.execute(
        select(func.coalesce(func.sum(StatementLine.quantity * StatementLine.unit_price), 0),
               func.coalesce(func.sum(payout_sql(StatementLine.quantity, StatementLine.unit_payout)), 0))
        .where(StatementLine.sold_on >= period.start, StatementLine.sold_on < period.end)).one()
    result.settled_gross, result.settled_payout = int(settled[0]), int(settled[1])
    for status, adjustments, brought, due in db.session.execute(
            select(Statement.status, func.sum(Statement.adjustments_total), func.sum(Statement.brought_forward),
                   func.sum(Statement.amount_due))
            .where(Statement.period_start >= period.start, Statement.period_end <= period.end)
            .group_by(Statement.status)):
        result.adjustments += int(adjustments)
        result.brought_forward += int(brought)
        if status == StatementStatus.PAID:
            result.transferred += int(due)
        elif status == StatementStatus.CARRIED:
            result.carried += int(due)
        else:
            result.awaiting += int(due)


def reconcile(period: Period) -> Reconciliation:
    """Both identities of `period`, in a fixed number of statements whatever the number of orders."""
    result = Reconciliation(period)
    start, end = period.utc_bounds()
    _cash(result, start, end)
    _cash_on_delivery(result, start, end)
    _sales(result, start, end)
    _statements(result, period)
    return result
