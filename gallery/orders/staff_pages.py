"""What every staff page about one order shares: reading the order for a page, the labels, who took the money.

Used by the fulfilment views (gallery.orders.staff_views), the printed documents
(gallery.orders.documents_views) and the counter till (gallery.orders.till_views).
"""
from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from gallery.accounts.models import User
from gallery.extensions import db
from gallery.orders.models import Channel, Fulfilment, Order, OrderAllocation, OrderEvent, OrderLine, OrderStatus, \
    ParcelStatus
from gallery.orders.staff_forms import payment_method_label
from gallery.orders.tracking import parcel_status_label
from gallery.orders.transitions import CHANNEL_LABELS, status_label


def current_staff() -> User:
    return current_user._get_current_object()


def common(**context) -> dict:
    context.update(status_label=status_label, payment_method_label=payment_method_label,
                   channel_labels=CHANNEL_LABELS, Fulfilment=Fulfilment, OrderStatus=OrderStatus,
                   parcel_status_label=parcel_status_label, parcel_statuses=ParcelStatus.ALL)
    return context



def order_or_404(number: str) -> Order:
    line_options = selectinload(Order.lines)
    options = [
        line_options.selectinload(OrderLine.allocations).joinedload(OrderAllocation.lot),
        selectinload(Order.events).joinedload(OrderEvent.user),
        joinedload(Order.province), joinedload(Order.regency), joinedload(Order.district),
        joinedload(Order.customer),
    ]
    order = db.session.scalar(
        select(Order).where(Order.number == (number or "").strip().upper()[:20])
        .options(*options).execution_options(populate_existing=True)
    )
    if order is None:
        abort(404)
    return order



def cashier_of(order: Order) -> User | None:
    """Who took the money: the user who recorded the payment (or rang up the counter sale)."""
    for event in order.events:
        if event.user is not None and (event.to_status in (OrderStatus.PAID, OrderStatus.COMPLETED)
                                       or order.channel == Channel.COUNTER):
            return event.user
    return None

