"""The order state machine and its guards (DESIGN.md rule 7).

`TRANSITIONS` (and `COD_TRANSITIONS` for cash on delivery) say which state may follow which; every
transition is one call here that records when and by whom (an `OrderEvent`). Each call re-reads the
order under a row lock (PostgreSQL) and changes its status with a conditional UPDATE on the status it
expects (both databases), so two staff acting on one order at the same moment cannot both succeed: the
second is told the order changed meanwhile. Money that came in leaves only as a recorded refund: a paid
order is never cancelled, it is refunded in full (gallery.payments.refunds), and a refunded order never
ships. Marking paid is `mark_paid`; the payments domain records the payment itself.

Every transition flushes and joins the caller's transaction: the request, command or job that asked for
it commits once (with the payment, refund or ledger movement that goes with it), or rolls all of it back.
"""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from gallery import clock
from gallery.accounts.models import User
from gallery.consignment.ledger import release
from gallery.consignment.models import Lot
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.orders import notifications, shelf_life
from gallery.orders.models import (
    Channel,
    Fulfilment,
    Order,
    OrderEvent,
    OrderStatus,
)


# Which state may follow which (DESIGN.md rule 7). Only an unpaid order is cancelled; once money came
# in, the order ends by a full refund (gallery.payments.refunds), whatever step it had reached.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    OrderStatus.PENDING_PAYMENT: (OrderStatus.PAID, OrderStatus.CANCELLED, OrderStatus.EXPIRED),
    OrderStatus.PAID: (OrderStatus.PACKED, OrderStatus.COMPLETED, OrderStatus.REFUNDED),
    OrderStatus.PACKED: (OrderStatus.SHIPPED, OrderStatus.REFUNDED),
    OrderStatus.SHIPPED: (OrderStatus.COMPLETED, OrderStatus.REFUNDED),
    OrderStatus.COMPLETED: (OrderStatus.REFUNDED,),
}
# A cash-on-delivery order is packed and shipped unpaid; the Pos agency's remittance pays and completes
# it (gallery.payments.cod), or the parcel comes back to the sender and its units go back on the shelf.
COD_TRANSITIONS: dict[str, tuple[str, ...]] = {
    OrderStatus.PENDING_PAYMENT: (OrderStatus.PACKED, OrderStatus.CANCELLED),
    OrderStatus.PACKED: (OrderStatus.SHIPPED, OrderStatus.CANCELLED),
    OrderStatus.SHIPPED: (OrderStatus.COMPLETED, OrderStatus.RETURNED),
    OrderStatus.COMPLETED: (OrderStatus.REFUNDED,),
}
# Paid, and the goods have not left the gallery yet.
NOT_HANDED_OVER = (OrderStatus.PAID, OrderStatus.PACKED)


def transitions_for(order: Order) -> dict[str, tuple[str, ...]]:
    """The state machine an order follows: paid before it ships, or (cash on delivery) paid on delivery."""
    return COD_TRANSITIONS if order.cash_on_delivery else TRANSITIONS


def add_event(order: Order, to_status: str, user: User | None, note: str = "") -> None:
    """Record in the order's history that it moved to `to_status`, when and by whom."""
    order.events.append(OrderEvent(from_status=order.status if order.id else None, to_status=to_status,
                                   created_at=clock.utcnow(), user_id=user.id if user else None, note=note))


class ChangedMeanwhile(DomainError):
    """Someone else moved the order while this request was deciding; nothing was written."""

    def __init__(self):
        super().__init__(_l("Pesanan ini baru saja diubah oleh orang lain. Muat ulang halamannya."), field="status")


def lock(order: Order) -> Order:
    """Read the order's state again under a row lock (PostgreSQL; SQLite serialises writers)."""
    db.session.refresh(order, ["status", "payment_deadline", "paid_at"], with_for_update=True)
    return order


def set_status(order: Order, to_status: str, user: User | None, note: str = "") -> None:
    """Move the order from the status read to `to_status` only if nobody moved it meanwhile.

    Losing that race writes nothing (the event is added only after the update took) and leaves the caller's
    transaction as it was: the edge decides whether to roll back.
    """
    expected = order.status
    result = db.session.execute(
        update(Order).where(Order.id == order.id, Order.status == expected).values(status=to_status)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise ChangedMeanwhile()
    add_event(order, to_status, user, note)
    set_committed_value(order, "status", to_status)


def transition(order: Order, to_status: str, user: User | None, note: str = "") -> None:
    if to_status not in transitions_for(order).get(order.status, ()):
        if to_status == OrderStatus.CANCELLED and order.status in NOT_HANDED_OVER:
            raise DomainError(_l("Pesanan ini sudah dibayar: batalkan dengan mengembalikan seluruh dananya "
                                 "(barangnya kembali ke rak)."), field="status")
        raise DomainError(
            _l("Pesanan berstatus %(status)s tidak bisa diubah ke %(to)s.",
               status=status_label(order.status), to=status_label(to_status)),
            field="status",
        )
    set_status(order, to_status, user, note)


def can_transition(order: Order, to_status: str) -> bool:
    """Whether the state machine allows `order` to move to `to_status` now."""
    return to_status in transitions_for(order).get(order.status, ())


def mark_refunded(order: Order, *, user: User | None, note: str = "") -> Order:
    """A paid order whose whole amount went back to the shopper ends here, wherever it was (joins the
    caller's transaction: the payments domain records the refund itself in the same commit)."""
    transition(order, OrderStatus.REFUNDED, user, note)
    return order


def record_note(order: Order, *, user: User | None, note: str) -> None:
    """Write a note in the order's history without changing its state (joins the caller's transaction)."""
    add_event(order, order.status, user, note)


def unpack(order: Order, *, user: User | None, note: str = "") -> Order:
    """A packed parcel was opened (units taken out for a refund, or a lot swapped): pack it again.

    Not a transition of TRANSITIONS, so it is never offered as a button; it joins the caller's transaction.
    """
    if order.status != OrderStatus.PACKED:
        return order
    set_status(order, OrderStatus.PAID, user, note or str(_l("Paket dibongkar; kemas ulang")))
    order.packed_at = None
    return order


def release_stock(order: Order, user: User | None, reason: str) -> None:
    for line in order.lines:
        for allocation in line.allocations:
            lot = db.session.get(Lot, allocation.lot_id)
            release(lot, allocation.quantity, reference=order.number, reason=reason,
                    user_id=user.id if user else None)


def mark_paid(order: Order, method: str, *, user: User | None, note: str = "", check_shelf: bool = True) -> Order:
    """The order's money arrived (the payments domain records the payment itself in the same transaction).

    Staff paying an order re-check its units' dates first; a provider's notification (`check_shelf`
    False) cannot be refused, so a short-dated unit is then caught at packing or hand-over.
    """
    if not method or len(method) > 20:
        raise DomainError(_l("Cara bayar wajib diisi."), field="method")
    lock(order)
    if is_overdue(order):
        # Not expired here: the caller's payment is half-written in this transaction. Whoever looks next expires it.
        raise DomainError(_l("Batas waktu pembayaran pesanan ini sudah lewat."), field="status")
    if check_shelf and order.status == OrderStatus.PENDING_PAYMENT:
        shelf_life.check_hand_over(order)
    transition(order, OrderStatus.PAID, user, note)
    order.payment_method = method
    order.paid_at = clock.utcnow()
    if order.channel == Channel.ONLINE:
        notifications.order_paid(order)
    db.session.flush()
    return order


def mark_packed(order: Order, *, user: User | None) -> Order:
    """A paid delivery order is packed and waits for the Pos courier."""
    if order.fulfilment != Fulfilment.DELIVERY:
        raise DomainError(_l("Pesanan ambil di galeri tidak perlu dikemas untuk dikirim."), field="status")
    lock(order)
    if order.status in (OrderStatus.PAID, OrderStatus.PENDING_PAYMENT):
        shelf_life.check_hand_over(order)
    transition(order, OrderStatus.PACKED, user)
    order.packed_at = clock.utcnow()
    db.session.flush()
    return order


def ship(order: Order, tracking_number: str, *, user: User | None) -> Order:
    """Hand a packed parcel to Pos with its receipt number (resi), which must be new to the shop."""
    resi = re.sub(r"\s+", "", tracking_number or "").upper()
    if not re.fullmatch(r"[A-Z0-9-]{6,40}", resi):
        raise DomainError(_l("Nomor resi wajib diisi (6-40 huruf/angka)."), field="tracking_number")
    taken = db.session.scalar(select(Order.id).where(Order.tracking_number == resi, Order.id != order.id))
    if taken is not None:
        raise DomainError(_l("Nomor resi ini sudah dipakai pesanan lain."), field="tracking_number")
    lock(order)
    if order.status == OrderStatus.PACKED:
        shelf_life.check_hand_over(order)
    transition(order, OrderStatus.SHIPPED, user)
    order.tracking_number = resi
    order.shipped_at = clock.utcnow()
    notifications.order_shipped(order)
    if not order.cash_on_delivery:  # a COD parcel becomes a sale when the agency remits its money
        notifications.producers_sold(order)
    db.session.flush()
    return order


def mark_picked_up(order: Order, *, user: User | None) -> Order:
    """The shopper collected a paid pick-up order at the gallery."""
    if order.fulfilment != Fulfilment.PICKUP:
        raise DomainError(_l("Hanya pesanan ambil di galeri yang bisa ditandai sudah diambil."), field="status")
    lock(order)
    if order.status == OrderStatus.PAID:
        shelf_life.check_hand_over(order)
    transition(order, OrderStatus.COMPLETED, user, str(_l("Diambil di galeri")))
    order.completed_at = clock.utcnow()
    notifications.producers_sold(order)
    db.session.flush()
    return order


def complete(order: Order, *, user: User | None) -> Order:
    """A shipped parcel arrived (a cash-on-delivery parcel is completed by the agency's remittance)."""
    lock(order)
    if order.status != OrderStatus.SHIPPED:
        raise DomainError(_l("Hanya pesanan yang sudah dikirim yang bisa diselesaikan."), field="status")
    if order.cash_on_delivery:
        raise DomainError(_l("Pesanan COD selesai saat setoran Pos untuk resinya dicatat."), field="status")
    transition(order, OrderStatus.COMPLETED, user)
    order.completed_at = clock.utcnow()
    db.session.flush()
    return order


def cancel(order: Order, *, user: User | None, reason: str = "") -> Order:
    """Cancel an order that is not paid yet; its units go back to their lots (a paid one is refunded)."""
    lock(order)
    transition(order, OrderStatus.CANCELLED, user, (reason or "").strip()[:500])
    release_stock(order, user, str(_l("Pesanan dibatalkan")))
    order.cancelled_at = clock.utcnow()
    db.session.flush()
    return order


def mark_remitted(order: Order, *, user: User | None, note: str = "") -> Order:
    """The Pos agency paid over the cash it collected for this COD parcel: the order is paid and done.

    Joins the caller's transaction (gallery.payments.cod records the money in the same commit).
    """
    lock(order)
    if not order.cash_on_delivery or order.status != OrderStatus.SHIPPED:
        raise DomainError(_l("Pesanan %(number)s bukan paket COD yang sedang dikirim.", number=order.number),
                          field="tracking_number")
    transition(order, OrderStatus.COMPLETED, user, note)
    order.paid_at = order.completed_at = clock.utcnow()
    notifications.producers_sold(order)
    return order


def return_to_sender(order: Order, *, user: User | None, reason: str) -> Order:
    """An undelivered COD parcel came back: its units go back on their lots through the ledger, with why."""
    reason = (reason or "").strip()[:300]
    if len(reason) < 3:
        raise DomainError(_l("Tulis alasan paket kembali (mis. penerima menolak, alamat tidak ditemukan)."),
                          field="reason")
    lock(order)
    if not order.cash_on_delivery:
        raise DomainError(_l("Hanya paket COD yang dicatat kembali ke pengirim."), field="status")
    transition(order, OrderStatus.RETURNED, user, reason)
    release_stock(order, user, str(_l("Paket COD kembali ke pengirim: %(reason)s", reason=reason)))
    order.returned_at = clock.utcnow()
    db.session.flush()
    return order


def is_overdue(order: Order) -> bool:
    """An unpaid order whose payment deadline has passed (it is expired when next looked at)."""
    return (order.status == OrderStatus.PENDING_PAYMENT and order.payment_deadline is not None
            and order.payment_deadline <= clock.utcnow())


STATUS_LABELS = {
    OrderStatus.PENDING_PAYMENT: _l("Menunggu pembayaran"),
    OrderStatus.PAID: _l("Dibayar"),
    OrderStatus.PACKED: _l("Dikemas"),
    OrderStatus.SHIPPED: _l("Dikirim"),
    OrderStatus.COMPLETED: _l("Selesai"),
    OrderStatus.CANCELLED: _l("Dibatalkan"),
    OrderStatus.EXPIRED: _l("Kedaluwarsa"),
    OrderStatus.REFUNDED: _l("Dikembalikan dananya"),
    OrderStatus.RETURNED: _l("Kembali ke pengirim"),
}


def status_label(status: str) -> str:
    """An order status in the user's language."""
    return str(STATUS_LABELS.get(status, status))


CHANNEL_LABELS = {Channel.ONLINE: _l("Online"), Channel.COUNTER: _l("Kasir")}


def channel_label(channel: str) -> str:
    """Where an order was placed, in the user's language ("online" → "Online", "counter" → "Kasir")."""
    return str(CHANNEL_LABELS.get(channel, channel))
