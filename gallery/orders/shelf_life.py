"""Food is good when it arrives (DESIGN.md rule 4): which lots an order may take, and the re-check at hand-over.

A lot's `expires_on` is its "baik digunakan sebelum" date. An order takes (and later hands over) only
lots whose date is after the order's *good-after* day:

* delivery: dispatch + the service's longest delivery estimate (the order's frozen quote) + the
  product's minimum shelf life (`Product.min_shelf_life_days`, NULL meaning DEFAULT_MIN_SHELF_LIFE_DAYS),
  so the shortest-dated lot never goes to the farthest destination;
* pick-up: the pick-up day itself (when ordering, the last day the order is held);
* counter sale: today, like every sale (gallery.consignment.services.sellable_lot_condition).

When an order is placed, dispatch is the last day it may still be paid (its payment deadline); paying,
packing, shipping and handing over re-check with today. An order whose units no longer pass is not
handed over: staff swap them to lots that do (`swap_lot`, FEFO) or refund the line.
"""
from __future__ import annotations

from datetime import date, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l

from gallery import clock
from gallery.accounts.models import User
from gallery.catalog.models import Product
from gallery.consignment.ledger import OutOfStock, allocate, release
from gallery.consignment.models import Lot
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.orders import pricing
from gallery.orders.models import Channel, Fulfilment, Order, OrderAllocation, OrderStatus

# Orders whose units have not been handed over yet, so may still be swapped.
SWAPPABLE = (OrderStatus.PENDING_PAYMENT, OrderStatus.PAID, OrderStatus.PACKED)


def min_shelf_life_days(product: Product) -> int:
    """Days of shelf life the product must still have when the shopper receives it."""
    if product.min_shelf_life_days is not None:
        return product.min_shelf_life_days
    return int(current_app.config["DEFAULT_MIN_SHELF_LIFE_DAYS"])


def placement_day(order: Order) -> date:
    """The hand-over day assumed while ordering: the last day the order may be paid (WIB)."""
    today = clock.today_wib()
    if order.payment_deadline is None:
        return today
    return max(today, clock.to_wib(order.payment_deadline).date())


def good_after(order: Order, product: Product, day: date | None = None) -> date | None:
    """The day a lot's date must be after for this order, handed over (or dispatched) on `day` (today).

    None for a counter sale: being sellable today is the whole rule there.
    """
    if order.channel == Channel.COUNTER:
        return None
    day = day or clock.today_wib()
    if order.fulfilment == Fulfilment.DELIVERY:
        return day + timedelta(days=(order.shipping_etd_max or 0) + min_shelf_life_days(product))
    return day


def stale_allocations(order: Order, day: date | None = None) -> list[OrderAllocation]:
    """The order's allocations whose lot would not be good at hand-over on `day` (today)."""
    if order.status not in SWAPPABLE:
        return []
    stale = []
    for line in order.lines:
        threshold = good_after(order, line.variant.product, day)
        if threshold is None:
            continue
        stale.extend(a for a in line.allocations if a.expires_on is not None and a.expires_on <= threshold)
    return stale


class NotGoodAtHandOver(DomainError):
    """Some units would reach the shopper too close to (or past) their date; nothing was changed."""

    def __init__(self, stale: list[OrderAllocation]):
        names = ", ".join(
            str(_l("%(name)s (lot #%(lot)s, baik digunakan sebelum %(date)s)", name=a.line.product_name, lot=a.lot_id,
                   date=a.expires_on.strftime("%d-%m-%Y")))
            for a in stale)
        super().__init__(
            _l("Barang ini tidak lagi cukup lama masa simpannya untuk diserahkan: %(names)s. Tukar ke lot lain "
               "atau kembalikan dana baris itu di halaman pesanan.", names=names), field="shelf_life")
        self.stale = stale


def check_hand_over(order: Order) -> None:
    """Refuse to pay, pack, ship or hand over an order with units no longer good enough for it."""
    stale = stale_allocations(order)
    if stale:
        raise NotGoodAtHandOver(stale)


def swap_lot(order: Order, allocation_id: int, *, user: User | None) -> list[OrderAllocation]:
    """Give the units of one short-dated allocation back and take as many from lots good for the order (FEFO).

    A packed parcel is unpacked (to be packed again with the new units). Raises DomainError when the
    good lots do not have enough units: then the line is refunded instead. Flushes; the caller commits.
    """
    from gallery.orders.transitions import lock, record_note, unpack

    lock(order)
    allocation = next((a for line in order.lines for a in line.allocations if a.id == allocation_id), None)
    if allocation is None or order.status not in SWAPPABLE:
        db.session.rollback()
        raise DomainError(_l("Lot ini tidak bisa ditukar untuk pesanan ini."), field="allocation")
    line = allocation.line
    threshold = good_after(order, line.variant.product)
    try:
        taken = allocate(line.variant_id, allocation.quantity, reference=order.number, good_after=threshold,
                         reason=str(_l("Tukar lot: masa simpan")), user_id=user.id if user else None)
    except OutOfStock as shortage:
        db.session.rollback()
        raise DomainError(_l("Lot lain yang masih layak hanya punya %(n)s unit; kembalikan dana baris ini.",
                             n=shortage.available), field="allocation") from None
    try:
        replaced = [pricing.retaken_allocation(line, t) for t in taken]
    except pricing.NotAtLinePrice as changed:
        db.session.rollback()
        raise DomainError(_l("%(reason)s Kembalikan dana baris ini.", reason=changed.message),
                          field="allocation") from None
    release(db.session.get(Lot, allocation.lot_id), allocation.quantity, reference=order.number,
            reason=str(_l("Tukar lot: masa simpan")), user_id=user.id if user else None)
    note = str(_l("Lot #%(old)s diganti lot %(new)s (%(n)s unit)", old=allocation.lot_id, n=allocation.quantity,
                  new=", ".join(f"#{t.lot_id}" for t in taken)))
    line.allocations.remove(allocation)
    line.allocations.extend(replaced)
    if order.status == OrderStatus.PACKED:
        unpack(order, user=user, note=note)
    else:
        record_note(order, user=user, note=note)
    db.session.flush()
    return replaced
