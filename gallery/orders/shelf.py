"""What is physically on the shelf: a lot's units on hand plus those reserved for orders still waiting there.

The ledger takes a unit off `on_hand` the moment an order reserves it, but the unit stays on the shelf
until the order's goods leave it: a pick-up order until it is collected, a delivery until its parcel is
packed (a packed parcel waits at the packing desk for the courier, off the shelf). Stock-takes count
the shelf, so they expect on hand + these held units; otherwise every unpicked order reads as surplus.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select

from gallery.consignment.models import MovementKind, StockMovement
from gallery.extensions import db
from gallery.orders.models import Order, OrderStatus

# Orders whose reserved units are still on the shelf.
ON_SHELF = (OrderStatus.PENDING_PAYMENT, OrderStatus.PAID)


def held_on_shelf(lot_ids: Iterable[int] | None = None) -> dict[int, int]:
    """Per lot id, units reserved (net of releases) by orders whose goods are still on the shelf.

    One statement; lots without such units are left out.
    """
    statement = (
        select(StockMovement.lot_id, -func.sum(StockMovement.quantity))
        .join(Order, Order.number == StockMovement.reference)
        .where(StockMovement.kind.in_((MovementKind.RESERVE, MovementKind.RELEASE)), Order.status.in_(ON_SHELF))
        .group_by(StockMovement.lot_id)
    )
    if lot_ids is not None:
        statement = statement.where(StockMovement.lot_id.in_(list(lot_ids)))
    return {lot_id: int(held) for lot_id, held in db.session.execute(statement) if held}
