"""Placing orders, moving them through the state machine, and selling over the counter.

DESIGN.md rules 3, 5 and 7: prices come from the server at the moment of ordering and are frozen on
the lines and their lot allocations; stock is taken through the consignment ledger (FEFO) inside
the transaction that creates the order; every change of state is one call that records when and
by whom. Each public function owns its transaction: it commits, or rolls back and raises.

Every transition reads the order again under a row lock (PostgreSQL) and changes its status with a
conditional UPDATE on the status it expects (both databases), so two staff acting on one order at
the same moment cannot both succeed: the second is told the order changed meanwhile. Money that came
in leaves only as a recorded refund: a paid order is never cancelled, it is refunded in full
(gallery.payments.refunds), and a refunded order never ships.
"""
from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from gallery import clock
from gallery.accounts.models import User
from gallery.catalog.models import Producer, Product, Variant
from gallery.catalog.services import normalise_whatsapp
from gallery.consignment import alerts
from gallery.consignment.ledger import OutOfStock, allocate, release
from gallery.consignment.sellable import on_sale_variant_condition
from gallery.consignment.models import Lot
from gallery.email_address import normalise_email
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.orders import notifications, pricing, shelf_life
from gallery.orders.models import (
    Channel,
    Fulfilment,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    PaymentMethod,
)
from gallery.shipping.addresses import Address, check_address

MAX_QUANTITY = 999
MAX_LINES = 50
_NUMBER_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O or 1/I to misread on a phone

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


class SoldOut(DomainError):
    """An item ran out while the shopper was checking out; nothing was written."""

    def __init__(self, name: str, wanted: int, available: int, message: str | None = None):
        super().__init__(
            message or _l("Stok %(name)s tidak cukup: tersisa %(available)s, diminta %(wanted)s.",
                          name=name, available=available, wanted=wanted),
            field="quantity",
        )
        self.name = name
        self.wanted = wanted
        self.available = available


@dataclass(frozen=True)
class CartLine:
    """What the browser may send: a variant id and a quantity, nothing else (rule 5); the till may name the
    lot a scanned code came from, taken from first when it is sellable."""

    variant_id: int
    quantity: int
    lot_id: int | None = None


@dataclass(frozen=True)
class Contact:
    name: str
    email: str | None = None
    whatsapp: str | None = None


def new_order_number(moment: datetime | None = None) -> str:
    """`GO-YYMM-XXXXX`: the month it was placed and five random characters (unguessable, unique)."""
    local = clock.to_wib(moment or clock.utcnow())
    while True:
        suffix = "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(5))
        number = f"GO-{local:%y%m}-{suffix}"
        if db.session.scalar(select(Order.id).where(Order.number == number)) is None:
            return number


def _check_quantity(quantity) -> int:
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= MAX_QUANTITY:
        raise DomainError(_l("Jumlah harus antara 1 dan %(n)s.", n=MAX_QUANTITY), field="quantity")
    return quantity


def _sellable_variants(lines: Sequence[CartLine]) -> dict[int, Variant]:
    """The variants asked for, if each is active, published and of an active producer."""
    if not lines:
        raise DomainError(_l("Keranjang masih kosong."), field="lines")
    if len(lines) > MAX_LINES:
        raise DomainError(_l("Terlalu banyak baris dalam satu pesanan."), field="lines")
    ids, seen = set(), set()
    for line in lines:
        _check_quantity(line.quantity)
        if not isinstance(line.variant_id, int) or isinstance(line.variant_id, bool):
            raise DomainError(_l("Produk tidak dikenal."), field="variant_id")
        if (line.variant_id, line.lot_id) in seen:
            raise DomainError(_l("Produk yang sama muncul dua kali."), field="variant_id")
        seen.add((line.variant_id, line.lot_id))
        ids.add(line.variant_id)
    variants = {
        v.id: v for v in db.session.scalars(
            select(Variant)
            .join(Product, Product.id == Variant.product_id)
            .join(Producer, Producer.id == Product.producer_id)
            .options(selectinload(Variant.product).selectinload(Product.producer))
            .where(Variant.id.in_(ids), on_sale_variant_condition())
        )
    }
    if set(variants) != ids:
        raise DomainError(_l("Ada produk yang tidak tersedia lagi. Periksa keranjang Anda."), field="variant_id")
    return variants


def _check_contact(contact: Contact) -> tuple[str, str, str]:
    name = (contact.name or "").strip()
    if not name or len(name) > 120:
        raise DomainError(_l("Nama wajib diisi (paling banyak 120 huruf)."), field="name")
    email = normalise_email(contact.email)
    whatsapp = normalise_whatsapp(contact.whatsapp)
    if not whatsapp:
        raise DomainError(_l("Nomor WhatsApp wajib diisi."), field="whatsapp")
    return name, email, whatsapp


def parcel_items(variants: dict[int, Variant], lines: Sequence[CartLine]) -> list:
    """The cart as the quote engine sees it: weights and sizes from the variants, never from the browser."""
    from gallery.shipping.quotes import ParcelItem

    return [
        ParcelItem(v.weight_grams, v.length_cm, v.width_cm, v.height_cm, line.quantity)
        for line in lines
        for v in [variants[line.variant_id]]
    ]


def _event(order: Order, to_status: str, user: User | None, note: str = "") -> None:
    order.events.append(OrderEvent(from_status=order.status if order.id else None, to_status=to_status,
                                   created_at=clock.utcnow(), user_id=user.id if user else None, note=note))


def _allocate_lines(order: Order, variants: dict[int, Variant], lines: Sequence[CartLine],
                    user: User | None = None) -> None:
    """Take the units and freeze each one's price and payout from the lot it came from (gallery.orders.pricing:
    one order line per price); any shortage raises SoldOut (caller rolls back). The stock movements name
    `user`: the cashier of a counter sale (an online order's are the shop's own).

    Only lots good for the order's hand-over are taken (gallery.orders.shelf_life). Producers whose variants
    fall below their low-stock threshold are told (gallery.consignment.alerts).
    """
    day = shelf_life.placement_day(order)
    for line in lines:
        variant = variants[line.variant_id]
        product = variant.product
        try:
            taken = allocate(variant, line.quantity, reference=order.number, user_id=user.id if user else None,
                             good_after=shelf_life.good_after(order, product, day), prefer_lot_id=line.lot_id)
        except OutOfStock as shortage:
            raise SoldOut(f"{product.name} ({variant.label})", shortage.wanted, shortage.available) from None
        order.lines.extend(pricing.lines_for(variant, taken))
    order.subtotal = sum(line.line_total for line in order.lines)
    alerts.tell_low_stock({line.variant_id: line.quantity for line in lines})


def place_order(lines: Sequence[CartLine], contact: Contact, *, fulfilment: str, address: Address | None = None,
                service_code: str | None = None, insured: bool = False, customer: User | None = None,
                notes: str = "", cash_on_delivery: bool = False, notify_whatsapp: bool = False) -> Order:
    """Place an online order in one transaction: re-price, quote, take stock FEFO, number it, set its deadline.

    If any item ran out meanwhile nothing is written and SoldOut names the item and what is left.
    Delivery orders wait for payment until PAYMENT_DEADLINE_HOURS; pick-up orders are held for
    PICKUP_HOLD_HOURS to be paid at the gallery. A delivery paid on delivery (`cash_on_delivery`, where
    gallery.shipping.cod offers it) carries the COD fee in its total and has no deadline: it is packed
    and shipped unpaid. The shopper is told by e-mail when an address was given, and by WhatsApp when
    `notify_whatsapp` (gallery.orders.notifications).
    """
    if fulfilment not in Fulfilment.ALL:
        raise DomainError(_l("Pilih dikirim atau diambil di galeri."), field="fulfilment")
    variants = _sellable_variants(lines)
    name, email, whatsapp = _check_contact(contact)
    now = clock.utcnow()
    order = Order(
        number=new_order_number(now), access_token=secrets.token_urlsafe(24), status=OrderStatus.PENDING_PAYMENT,
        channel=Channel.ONLINE, fulfilment=fulfilment, customer_id=customer.id if customer else None,
        contact_name=name, contact_email=email, contact_whatsapp=whatsapp, notes=(notes or "").strip()[:1000],
        placed_at=now, notify_whatsapp=bool(notify_whatsapp),
    )
    subtotal = sum(variants[line.variant_id].price * line.quantity for line in lines)
    if fulfilment == Fulfilment.DELIVERY:
        checked = check_address(address)
        if not service_code:
            raise DomainError(_l("Pilih layanan pengiriman."), field="service")
        from gallery.shipping.quotes import quote_service

        option = quote_service(checked.regency_code, parcel_items(variants, lines), service_code,
                               insured_value=subtotal if insured else None)
        order.province_code, order.regency_code, order.district_code = (
            checked.province_code, checked.regency_code, checked.district_code)
        order.street, order.postal_code = checked.street, checked.postal_code
        order.shipping_service_code, order.shipping_service_name = option.service_code, option.service_name
        order.shipping_etd_min, order.shipping_etd_max = option.etd_days
        order.shipping_parcels, order.shipping_chargeable_kg = option.parcels, option.chargeable_kg
        order.shipping_public_price, order.shipping_discount = option.public_price, option.discount
        order.shipping_price, order.insurance = option.price, option.insurance
        order.tariff_version_id = option.tariff_version_id
        hours = current_app.config["PAYMENT_DEADLINE_HOURS"]
        if cash_on_delivery:
            from gallery.shipping import cod

            offer = cod.offer(option.service_code, checked.province_code, subtotal + option.price + option.insurance)
            if offer is None:
                raise DomainError(_l("Bayar di tempat (COD) tidak tersedia untuk pesanan ini."),
                                  field="pay_on_delivery")
            order.cod_fee, order.payment_method, hours = offer.fee, PaymentMethod.COD, None
    else:
        hours = current_app.config["PICKUP_HOLD_HOURS"]
    order.payment_deadline = now + timedelta(hours=hours) if hours is not None else None
    _event(order, OrderStatus.PENDING_PAYMENT, customer)
    db.session.add(order)
    try:
        db.session.flush()
        _allocate_lines(order, variants, lines)
    except DomainError:
        db.session.rollback()
        raise
    order.total = order.subtotal + order.shipping_price + order.insurance + order.cod_fee
    notifications.order_placed(order)
    db.session.commit()
    return order


def _order_by_client_token(token: str | None) -> Order | None:
    if not token:
        return None
    return db.session.scalar(select(Order).where(Order.client_token == token))


def counter_sale(lines: Sequence[CartLine], method: str, *, user: User, customer_name: str = "",
                 client_token: str | None = None, commit: bool = True, hold_until: datetime | None = None) -> Order:
    """Sell to a walk-in customer: take stock through the same ledger, paid and handed over at once.

    The sale counts for each producer exactly like an online one (its allocations carry the lots' payouts).
    A sale is recorded once per `client_token`: the till's form sent twice returns the first sale.
    With `commit=False` the caller (gallery.payments.desk, which records the money) commits. With
    `hold_until` the sale waits for its money (a QRIS code on the till's screen) until then, holding its
    units like an unpaid order; it is paid and handed over when the money comes, or expires.
    """
    if (existing := _order_by_client_token(client_token)) is not None:
        return existing
    if method not in PaymentMethod.COUNTER:
        raise DomainError(_l("Pilih cara bayar: tunai atau QRIS."), field="method")
    variants = _sellable_variants(lines)
    now = clock.utcnow()
    order = Order(
        number=new_order_number(now), access_token=secrets.token_urlsafe(24), status=OrderStatus.COMPLETED,
        channel=Channel.COUNTER, fulfilment=Fulfilment.PICKUP, contact_name=(customer_name or "").strip()[:120],
        payment_method=method, placed_at=now, paid_at=now, completed_at=now, client_token=client_token,
    )
    if hold_until is not None:
        order.status, order.payment_method, order.paid_at, order.completed_at = (
            OrderStatus.PENDING_PAYMENT, None, None, None)
        order.payment_deadline = hold_until
    order.events.append(OrderEvent(from_status=None, to_status=order.status, created_at=now,
                                   user_id=user.id, note=str(_l("Penjualan di kasir"))))
    db.session.add(order)
    try:
        db.session.flush()
        _allocate_lines(order, variants, lines, user)
        order.total = order.subtotal
        if order.status == OrderStatus.COMPLETED:
            notifications.producers_sold(order)
        if commit:
            db.session.commit()
        else:
            db.session.flush()
    except DomainError:
        db.session.rollback()
        raise
    except IntegrityError:
        # The same form was sent twice at the same moment and the other request recorded the sale.
        db.session.rollback()
        if (existing := _order_by_client_token(client_token)) is not None:
            return existing
        raise
    return order


class ChangedMeanwhile(DomainError):
    """Someone else moved the order while this request was deciding; nothing was written."""

    def __init__(self):
        super().__init__(_l("Pesanan ini baru saja diubah oleh orang lain. Muat ulang halamannya."), field="status")


def lock(order: Order) -> Order:
    """Read the order's state again under a row lock (PostgreSQL; SQLite serialises writers)."""
    db.session.refresh(order, ["status", "payment_deadline", "paid_at"], with_for_update=True)
    return order


def _set_status(order: Order, to_status: str, user: User | None, note: str = "") -> None:
    """Move the order from the status read to `to_status` only if nobody moved it meanwhile."""
    expected = order.status
    _event(order, to_status, user, note)
    result = db.session.execute(
        update(Order).where(Order.id == order.id, Order.status == expected).values(status=to_status)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.rollback()
        raise ChangedMeanwhile()
    set_committed_value(order, "status", to_status)


def _transition(order: Order, to_status: str, user: User | None, note: str = "") -> None:
    if to_status not in transitions_for(order).get(order.status, ()):
        if to_status == OrderStatus.CANCELLED and order.status in NOT_HANDED_OVER:
            raise DomainError(_l("Pesanan ini sudah dibayar: batalkan dengan mengembalikan seluruh dananya "
                                 "(barangnya kembali ke rak)."), field="status")
        raise DomainError(
            _l("Pesanan berstatus %(status)s tidak bisa diubah ke %(to)s.",
               status=status_label(order.status), to=status_label(to_status)),
            field="status",
        )
    _set_status(order, to_status, user, note)


def can_transition(order: Order, to_status: str) -> bool:
    """Whether the state machine allows `order` to move to `to_status` now."""
    return to_status in transitions_for(order).get(order.status, ())


def mark_refunded(order: Order, *, user: User | None, note: str = "") -> Order:
    """A paid order whose whole amount went back to the shopper ends here, wherever it was (joins the
    caller's transaction: the payments domain records the refund itself in the same commit)."""
    _transition(order, OrderStatus.REFUNDED, user, note)
    return order


def record_note(order: Order, *, user: User | None, note: str) -> None:
    """Write a note in the order's history without changing its state (joins the caller's transaction)."""
    _event(order, order.status, user, note)


def unpack(order: Order, *, user: User | None, note: str = "") -> Order:
    """A packed parcel was opened (units taken out for a refund, or a lot swapped): pack it again.

    Not a transition of TRANSITIONS, so it is never offered as a button; it joins the caller's transaction.
    """
    if order.status != OrderStatus.PACKED:
        return order
    _set_status(order, OrderStatus.PAID, user, note or str(_l("Paket dibongkar; kemas ulang")))
    order.packed_at = None
    return order


def _release_stock(order: Order, user: User | None, reason: str) -> None:
    for line in order.lines:
        for allocation in line.allocations:
            lot = db.session.get(Lot, allocation.lot_id)
            release(lot, allocation.quantity, reference=order.number, reason=reason,
                    user_id=user.id if user else None)


def mark_paid(order: Order, method: str, *, user: User | None, note: str = "", check_shelf: bool = True) -> Order:
    """The order's money arrived (the payments domain records the payment itself in the same commit).

    Staff paying an order re-check its units' dates first; a provider's notification (`check_shelf`
    False) cannot be refused, so a short-dated unit is then caught at packing or hand-over.
    """
    if not method or len(method) > 20:
        raise DomainError(_l("Cara bayar wajib diisi."), field="method")
    lock(order)
    if _due(order):
        # Not expired here: that would commit the caller's half-written payment. Whoever looks next expires it.
        raise DomainError(_l("Batas waktu pembayaran pesanan ini sudah lewat."), field="status")
    if check_shelf and order.status == OrderStatus.PENDING_PAYMENT:
        shelf_life.check_hand_over(order)
    _transition(order, OrderStatus.PAID, user, note)
    order.payment_method = method
    order.paid_at = clock.utcnow()
    if order.channel == Channel.ONLINE:
        notifications.order_paid(order)
    db.session.commit()
    return order


def mark_packed(order: Order, *, user: User | None) -> Order:
    """A paid delivery order is packed and waits for the Pos courier."""
    if order.fulfilment != Fulfilment.DELIVERY:
        raise DomainError(_l("Pesanan ambil di galeri tidak perlu dikemas untuk dikirim."), field="status")
    lock(order)
    if order.status in (OrderStatus.PAID, OrderStatus.PENDING_PAYMENT):
        shelf_life.check_hand_over(order)
    _transition(order, OrderStatus.PACKED, user)
    order.packed_at = clock.utcnow()
    db.session.commit()
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
    _transition(order, OrderStatus.SHIPPED, user)
    order.tracking_number = resi
    order.shipped_at = clock.utcnow()
    notifications.order_shipped(order)
    if not order.cash_on_delivery:  # a COD parcel becomes a sale when the agency remits its money
        notifications.producers_sold(order)
    db.session.commit()
    return order


def mark_picked_up(order: Order, *, user: User | None) -> Order:
    """The shopper collected a paid pick-up order at the gallery."""
    if order.fulfilment != Fulfilment.PICKUP:
        raise DomainError(_l("Hanya pesanan ambil di galeri yang bisa ditandai sudah diambil."), field="status")
    lock(order)
    if order.status == OrderStatus.PAID:
        shelf_life.check_hand_over(order)
    _transition(order, OrderStatus.COMPLETED, user, str(_l("Diambil di galeri")))
    order.completed_at = clock.utcnow()
    notifications.producers_sold(order)
    db.session.commit()
    return order


def complete(order: Order, *, user: User | None) -> Order:
    """A shipped parcel arrived (a cash-on-delivery parcel is completed by the agency's remittance)."""
    lock(order)
    if order.status != OrderStatus.SHIPPED:
        raise DomainError(_l("Hanya pesanan yang sudah dikirim yang bisa diselesaikan."), field="status")
    if order.cash_on_delivery:
        raise DomainError(_l("Pesanan COD selesai saat setoran Pos untuk resinya dicatat."), field="status")
    _transition(order, OrderStatus.COMPLETED, user)
    order.completed_at = clock.utcnow()
    db.session.commit()
    return order


def cancel(order: Order, *, user: User | None, reason: str = "") -> Order:
    """Cancel an order that is not paid yet; its units go back to their lots (a paid one is refunded)."""
    lock(order)
    _transition(order, OrderStatus.CANCELLED, user, (reason or "").strip()[:500])
    _release_stock(order, user, str(_l("Pesanan dibatalkan")))
    order.cancelled_at = clock.utcnow()
    db.session.commit()
    return order


def mark_remitted(order: Order, *, user: User | None, note: str = "") -> Order:
    """The Pos agency paid over the cash it collected for this COD parcel: the order is paid and done.

    Joins the caller's transaction (gallery.payments.cod records the money in the same commit).
    """
    lock(order)
    if not order.cash_on_delivery or order.status != OrderStatus.SHIPPED:
        raise DomainError(_l("Pesanan %(number)s bukan paket COD yang sedang dikirim.", number=order.number),
                          field="tracking_number")
    _transition(order, OrderStatus.COMPLETED, user, note)
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
    _transition(order, OrderStatus.RETURNED, user, reason)
    _release_stock(order, user, str(_l("Paket COD kembali ke pengirim: %(reason)s", reason=reason)))
    order.returned_at = clock.utcnow()
    db.session.commit()
    return order


def _expire(order: Order) -> None:
    _transition(order, OrderStatus.EXPIRED, None, str(_l("Batas waktu pembayaran lewat")))
    _release_stock(order, None, str(_l("Pesanan kedaluwarsa")))
    order.cancelled_at = clock.utcnow()


def _due(order: Order) -> bool:
    return (order.status == OrderStatus.PENDING_PAYMENT and order.payment_deadline is not None
            and order.payment_deadline <= clock.utcnow())


def expire_if_due(order: Order) -> bool:
    """Expire one unpaid order whose deadline has passed (called whenever an order is looked at).

    Many people may look at once: the order is read again under its lock, and whoever finds it
    already expired (or loses the conditional update) simply sees it expired.
    """
    if not _due(order):
        return False
    lock(order)
    if not _due(order):
        db.session.commit()  # release the lock: someone else expired (or paid) it meanwhile
        return False
    try:
        _expire(order)
    except ChangedMeanwhile:
        return False
    db.session.commit()
    return True


def reinstate_expired(order: Order, *, user: User | None = None, note: str = "") -> Order:
    """Take the stock of an order that ran out of time again, because its payment arrived late.

    An unpaid order past its deadline is expired first (its units go back), then every line is
    allocated afresh (FEFO, the lots' payouts frozen anew; the line prices stay as ordered) and the
    order waits for payment again with a new deadline. It joins the caller's transaction and does
    not commit: the payment that arrived late pays it in the same transaction. Raises SoldOut when a
    line cannot be taken again; the caller must then roll back.
    """
    if order.status == OrderStatus.PENDING_PAYMENT and order.payment_deadline is not None \
            and order.payment_deadline <= clock.utcnow():
        _expire(order)
    if order.status != OrderStatus.EXPIRED:
        raise DomainError(_l("Hanya pesanan kedaluwarsa yang bisa diaktifkan lagi."), field="status")
    for line in order.lines:
        line.allocations.clear()
        try:
            taken = allocate(line.variant_id, line.quantity, reference=order.number,
                             reason=str(_l("Pembayaran terlambat diterima")), user_id=user.id if user else None,
                             good_after=shelf_life.good_after(order, line.variant.product))
            line.allocations.extend(pricing.retaken_allocation(line, allocation) for allocation in taken)
        except OutOfStock as shortage:
            raise SoldOut(f"{line.product_name} ({line.variant_label})", shortage.wanted, shortage.available) from None
        except pricing.NotAtLinePrice as changed:
            # The units are there, but not at the price the shopper paid: unavailable all the same.
            raise SoldOut(f"{line.product_name} ({line.variant_label})", line.quantity, 0, changed.message) from None
    # Not a transition of TRANSITIONS: only a payment that arrived for this order may bring it back.
    _set_status(order, OrderStatus.PENDING_PAYMENT, user, note or str(_l("Pembayaran terlambat diterima")))
    order.cancelled_at = None
    order.payment_deadline = clock.utcnow() + timedelta(hours=current_app.config["PAYMENT_DEADLINE_HOURS"])
    db.session.flush()
    return order


def expire_due_orders() -> list[str]:
    """Expire every unpaid order past its deadline and give its stock back (`flask orders expire`, cron)."""
    due = db.session.scalars(
        select(Order)
        .options(selectinload(Order.lines).selectinload(OrderLine.allocations))
        .where(Order.status == OrderStatus.PENDING_PAYMENT, Order.payment_deadline <= clock.utcnow())
        .order_by(Order.id)
    ).all()
    numbers = []
    for order in due:
        if expire_if_due(order):
            numbers.append(order.number)
    return numbers


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
