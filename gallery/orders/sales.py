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

from gallery.catalog.models import Variant
from gallery.extensions import db
from gallery.orders.models import Fulfilment, Order, OrderAllocation, OrderLine, PaymentMethod


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


def refunded_units_per_line():
    """Subquery (line_id, quantity): the units refunded from each order line, for `net_quantity`."""
    from gallery.payments.models import RefundLine  # payments builds on orders, not the other way round

    return (select(RefundLine.order_line_id.label("line_id"), func.sum(RefundLine.quantity).label("quantity"))
            .group_by(RefundLine.order_line_id).subquery())


def units_sold_by_product(product_ids) -> dict[int, int]:
    """Units of each product that are sales (paid, handed over, net of refunds), for "Terjual N"; one statement."""
    ids = list(product_ids)
    if not ids:
        return {}
    refunded = refunded_units_per_line()
    rows = (select(Variant.product_id, func.sum(net_quantity(func.coalesce(refunded.c.quantity, 0))))
            .select_from(OrderAllocation)
            .join(OrderLine, OrderLine.id == OrderAllocation.line_id)
            .join(Order, Order.id == OrderLine.order_id)
            .join(Variant, Variant.id == OrderLine.variant_id)
            .outerjoin(refunded, refunded.c.line_id == OrderLine.id)
            .where(is_sale(), Variant.product_id.in_(ids))
            .group_by(Variant.product_id))
    return {product_id: int(units or 0) for product_id, units in db.session.execute(rows)}
