"""Placing an online order: re-price, quote shipping, take stock FEFO, freeze prices and payouts.

DESIGN.md rules 3 and 5: prices come from the server at the moment of ordering and are frozen on the
lines and their lot allocations (gallery.orders.pricing), with each unit's weight as the quote read it;
stock is taken through the consignment ledger (FEFO) inside the transaction that creates the order.
The browser sends only ids and quantities (`CartLine`). The till's walk-in sale (gallery.orders.till)
takes its stock through `allocate_lines` as well.
"""
from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from gallery import clock
from gallery.accounts.models import User
from gallery.catalog.models import Variant
from gallery.catalog.services import normalise_whatsapp
from gallery.consignment import alerts
from gallery.consignment.ledger import OutOfStock, allocate
from gallery.consignment.sellable import on_sale_variants
from gallery.email_address import normalise_email
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.orders import notifications, pricing, shelf_life
from gallery.orders.models import (
    Channel,
    Fulfilment,
    Order,
    OrderStatus,
    PaymentMethod,
)
from gallery.shipping.addresses import Address, check_address
from gallery.orders.transitions import add_event

MAX_QUANTITY = 999
MAX_LINES = 50
_NUMBER_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O or 1/I to misread on a phone


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


def sellable_variants(lines: Sequence[CartLine]) -> dict[int, Variant]:
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
    variants = {v.id: v for v in on_sale_variants(Variant.id.in_(ids))}
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


def allocate_lines(order: Order, variants: dict[int, Variant], lines: Sequence[CartLine],
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
    `notify_whatsapp` (gallery.orders.notifications). Flushes: the caller (the checkout view) commits.
    """
    if fulfilment not in Fulfilment.ALL:
        raise DomainError(_l("Pilih dikirim atau diambil di galeri."), field="fulfilment")
    variants = sellable_variants(lines)
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
    add_event(order, OrderStatus.PENDING_PAYMENT, customer)
    db.session.add(order)
    try:
        db.session.flush()
        allocate_lines(order, variants, lines)
    except DomainError:
        db.session.rollback()
        raise
    order.total = order.subtotal + order.shipping_price + order.insurance + order.cod_fee
    notifications.order_placed(order)
    db.session.flush()
    return order
