"""Reading orders for staff: the order list, its tabs and the work queue.

The work queue (what staff still have to do with an order) is written once, as data (`QUEUE`): the SQL
condition of the queue tab and the count of its badge are both derived from it, so they cannot disagree.
The list runs a fixed number of SQL statements whatever the number of orders.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select

from gallery.extensions import db
from gallery.orders.models import Channel, Fulfilment, Order, OrderLine, OrderStatus, PaymentMethod
from gallery.orders.staff_forms import ALL, QUEUE, TABS, ListArgs
from gallery.orders.transitions import is_overdue
from gallery.pagination import PageNumbers, clamp_page

PER_PAGE = 50

# The work queue: paid parcels (and COD ones) to pack, packed parcels to ship, pick-ups to be paid or
# collected. Each entry is one case: every named column must hold one of the listed values.
WORK_QUEUE: tuple[dict[str, tuple[str, ...]], ...] = (
    {"status": (OrderStatus.PAID,), "fulfilment": (Fulfilment.DELIVERY,)},
    {"status": (OrderStatus.PENDING_PAYMENT,), "payment_method": (PaymentMethod.COD,)},
    {"status": (OrderStatus.PACKED,)},
    {"status": (OrderStatus.PENDING_PAYMENT, OrderStatus.PAID), "fulfilment": (Fulfilment.PICKUP,),
     "channel": (Channel.ONLINE,)},
)


def queue_condition():
    """The work queue as an SQL condition on Order."""
    return or_(*(and_(*(getattr(Order, column).in_(values) for column, values in case.items()))
                 for case in WORK_QUEUE))


def in_queue(**columns: str | None) -> bool:
    """Whether an order with these column values (status, fulfilment, channel, payment_method) is in the queue."""
    return any(all(columns[column] in values for column, values in case.items()) for case in WORK_QUEUE)


@dataclass
class OrderRow:
    order: Order
    units: int

    @property
    def overdue(self) -> bool:
        return is_overdue(self.order)


@dataclass
class OrderPage(PageNumbers):
    rows: list[OrderRow]
    total: int
    page: int
    per_page: int
    tab_counts: dict[str, int]


def _search_conditions(args: ListArgs) -> list:
    conditions = []
    if args.channel:
        conditions.append(Order.channel == args.channel)
    if args.q:
        text = args.q.lower()
        conditions.append(or_(
            func.lower(Order.number).contains(text, autoescape=True),
            func.lower(Order.contact_name).contains(text, autoescape=True),
            func.lower(func.coalesce(Order.contact_email, "")).contains(text, autoescape=True),
            func.coalesce(Order.contact_whatsapp, "").contains(text, autoescape=True),
            func.lower(func.coalesce(Order.tracking_number, "")).contains(text, autoescape=True),
        ))
    return conditions


def _tab_counts(conditions: list) -> dict[str, int]:
    """How many orders each tab holds (one statement, grouped by the columns the queue reads)."""
    tab_counts = dict.fromkeys(TABS, 0)
    for status, fulfilment, channel, method, count in db.session.execute(
        select(Order.status, Order.fulfilment, Order.channel, Order.payment_method, func.count(Order.id))
        .where(*conditions).group_by(Order.status, Order.fulfilment, Order.channel, Order.payment_method)
    ):
        tab_counts[status] = tab_counts.get(status, 0) + count
        tab_counts[ALL] += count
        if in_queue(status=status, fulfilment=fulfilment, channel=channel, payment_method=method):
            tab_counts[QUEUE] += count
    return tab_counts


def order_page(args: ListArgs) -> OrderPage:
    """One page of orders, newest first, with the count of each tab: two statements."""
    conditions = _search_conditions(args)
    tab_counts = _tab_counts(conditions)
    if args.tab == QUEUE:
        conditions.append(queue_condition())
    elif args.tab != ALL:
        conditions.append(Order.status == args.tab)
    total = tab_counts.get(args.tab, 0)
    page = clamp_page(args.page, total, PER_PAGE)
    units = (
        select(func.coalesce(func.sum(OrderLine.quantity), 0))
        .where(OrderLine.order_id == Order.id).correlate(Order).scalar_subquery()
    )
    rows = [
        OrderRow(order, int(count or 0))
        for order, count in db.session.execute(
            select(Order, units).where(*conditions)
            .order_by(Order.placed_at.desc(), Order.id.desc())
            .limit(PER_PAGE).offset((page - 1) * PER_PAGE)
        )
    ]
    return OrderPage(rows, total, page, PER_PAGE, tab_counts)
