"""What "a sale" is (DESIGN.md rule 6), written once for the portal, the statements and /statistics.

A sale is an order line's units that were paid and handed over, and not refunded:

* paid: the order has a `paid_at`;
* handed over: a delivery when it was shipped (`shipped_at`), a pick-up or counter sale when the
  shopper took it (`completed_at`); that moment, in WIB, is the sale's date;
* cash on delivery (Pos COD): only when the agency remitted the money (`paid_at`, set by the
  remittance), which is then the sale's date: a parcel shipped but not remitted, or returned to the
  sender, is no sale;
* not refunded: units refunded from a line leave it, taken from its allocations latest first (the
  order a refund puts units back on the shelf, gallery.payments.refunds), so an order refunded in
  full sells nothing.

Statements settle these units (gallery.settlements); the portal and the statistics sum them with the
same SQL expressions below.
"""
from __future__ import annotations

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import aliased

from gallery.orders.models import Fulfilment, Order, OrderAllocation, PaymentMethod


def sold_at_column():
    """When an order became a sale: remitted (COD), shipped (delivery), or collected / sold at the counter."""
    return case((Order.payment_method == PaymentMethod.COD, Order.paid_at),
                (Order.fulfilment == Fulfilment.DELIVERY, Order.shipped_at), else_=Order.completed_at)


def is_sale():
    """SQL condition on Order: paid and handed over (refunded units are taken out by `net_quantity`)."""
    return and_(Order.paid_at.is_not(None), sold_at_column().is_not(None))


def refunded_per_allocation(allocations: list[tuple[int, int]], refunded: int) -> dict[int, int]:
    """Spread `refunded` units of one line over its allocations [(id, quantity)], latest allocation first."""
    spread: dict[int, int] = {}
    for allocation_id, quantity in sorted(allocations, key=lambda a: a[0], reverse=True):
        portion = min(quantity, refunded)
        spread[allocation_id] = portion
        refunded -= portion
    return spread


def net_quantity(refunded_units):
    """SQL: an allocation's units less those of its line's `refunded_units` that fall on it (latest first).

    `refunded_units` is a column of the line's refunded units (0 when none), e.g. from a subquery of
    refund lines grouped by order line; the spreading is `refunded_per_allocation`'s.
    """
    later = aliased(OrderAllocation)
    after = (select(func.coalesce(func.sum(later.quantity), 0))
             .where(later.line_id == OrderAllocation.line_id, later.id > OrderAllocation.id)
             .correlate(OrderAllocation).scalar_subquery())
    falls_here = refunded_units - after
    return OrderAllocation.quantity - case(
        (falls_here <= 0, 0), (falls_here >= OrderAllocation.quantity, OrderAllocation.quantity), else_=falls_here)
