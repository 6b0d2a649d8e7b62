"""The counter till: its basket, walk-in sales through the same ledger as online orders, and the change.

DESIGN.md rules 3 and 5. The till's basket is the shop's basket (gallery.cart.basket) kept in the
session under its own key, with lines that may name a scanned lot ("12@345"); its totals and stock
checks are computed here, never in a view. A sale counts for each producer exactly like an online one
(its allocations carry the lots' payouts), and the till's token makes a form sent twice one sale. Its
money is recorded by gallery.payments.desk, with the cash handed over; the receipt's change is computed
from that record (`cash_and_change`), never from the address bar.
"""
from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from datetime import datetime

from flask import session
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from gallery import clock
from gallery.accounts.models import User
from gallery.cart.basket import Basket, BasketItem, basket_key, price
from gallery.consignment.sellable import on_sale_variants
from gallery.catalog.models import Variant
from gallery.catalog.search import matching_products
from gallery.consignment.barcodes import parse_code
from gallery.consignment.pricing import sellable_lots
from gallery.consignment.services import stock_levels
from gallery.money import format_rupiah
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.orders import notifications
from gallery.orders.models import (
    Channel,
    Fulfilment,
    Order,
    OrderStatus,
    PaymentMethod,
)
from gallery.orders.placing import (
    MAX_LINES,
    MAX_QUANTITY,
    CartLine,
    allocate_lines,
    new_order_number,
    sellable_variants,
)
from gallery.orders.transitions import add_event


def _order_by_client_token(token: str | None) -> Order | None:
    if not token:
        return None
    return db.session.scalar(select(Order).where(Order.client_token == token))


def counter_sale(lines: Sequence[CartLine], method: str, *, user: User, customer_name: str = "",
                 client_token: str | None = None, hold_until: datetime | None = None) -> Order:
    """Sell to a walk-in customer: take stock through the same ledger, paid and handed over at once.

    The sale counts for each producer exactly like an online one (its allocations carry the lots' payouts).
    A sale is recorded once per `client_token`: the till's form sent twice returns the first sale.
    Flushes; the till's view commits the sale with its money (gallery.payments.desk records it). With
    `hold_until` the sale waits for its money (a QRIS code on the till's screen) until then, holding its
    units like an unpaid order; it is paid and handed over when the money comes, or expires.
    """
    if (existing := _order_by_client_token(client_token)) is not None:
        return existing
    if method not in PaymentMethod.COUNTER:
        raise DomainError(_l("Pilih cara bayar: tunai atau QRIS."), field="method")
    variants = sellable_variants(lines)
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
    add_event(order, order.status, user, str(_l("Penjualan di kasir")))
    db.session.add(order)
    try:
        db.session.flush()
        allocate_lines(order, variants, lines, user)
        order.total = order.subtotal
        if order.status == OrderStatus.COMPLETED:
            notifications.producers_sold(order)
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


# ---------------------------------------------------------------------------------------------
# The till's basket: variant ids (and scanned lots) with quantities in the session

BASKET_KEY = "counter_basket"
SEARCH_LIMIT = 30
_BASKET_KEY = re.compile(r"^(\d{1,9})(?:@(\d{1,9}))?$")


class LineRefused(DomainError):
    """A change to one basket line was refused; `key` names the line."""

    def __init__(self, key: str, message):
        super().__init__(message, field="line")
        self.key = key


def _parse_key(key) -> tuple[int, int | None] | None:
    match = _BASKET_KEY.match(key) if isinstance(key, str) else None
    return (int(match[1]), int(match[2]) if match[2] else None) if match else None


def _stored_basket() -> dict[str, int]:
    raw = session.get(BASKET_KEY)
    stored: dict[str, int] = {}
    if isinstance(raw, dict):
        for key, value in raw.items():
            if (_parse_key(key) and isinstance(value, int) and not isinstance(value, bool)
                    and 0 < value <= MAX_QUANTITY):
                stored[key] = value
    return dict(list(stored.items())[:MAX_LINES])


def _save_basket(stored: dict[str, int]) -> None:
    session[BASKET_KEY] = dict(stored)
    session.modified = True


def current_basket() -> Basket:
    """The till's basket with today's stock, each unit priced from the lot the sale would take it from
    (five statements). Lines no longer sold are dropped, with a notice."""
    stored = {_parse_key(key): quantity for key, quantity in _stored_basket().items()}
    if not stored:
        return Basket([])
    variants = {variant.id: variant for variant in on_sale_variants(Variant.id.in_({v for v, _lot in stored}))}
    levels = stock_levels(list(variants))
    basket = Basket([
        BasketItem(variants[variant_id], quantity, levels[variant_id].available, lot_id)
        for (variant_id, lot_id), quantity in stored.items() if variant_id in variants
    ])
    price(basket.items)
    if len(basket.items) != len(stored):
        basket.notices.append(str(_l("Ada barang yang tidak dijual lagi; barang itu dikeluarkan dari keranjang "
                                     "kasir.")))
        _save_basket({item.key: item.quantity for item in basket.items})
    return basket


def search(q: str) -> list[tuple[Variant, int]]:
    """Variants on sale whose product matches the words of `q` (best match first), or whose SKU starts with
    it, with what can be sold of each. Two statements: the variants with their products, then their stock."""
    found = matching_products(q)
    sku = normalise_sku(q)
    if found is None and len(sku) < 2:
        return []
    conditions = [Variant.sku.startswith(sku, autoescape=True)] if len(sku) >= 2 else []
    statement, order = select(Variant), []
    if found is not None:
        matched = found.cte("matched")
        statement = statement.outerjoin(matched, matched.c.product_id == Variant.product_id)
        conditions.append(matched.c.product_id.is_not(None))
        order.append(matched.c.score.asc().nulls_last())
    variants = on_sale_variants(or_(*conditions), statement=statement, first=order, limit=SEARCH_LIMIT)
    levels = stock_levels([variant.id for variant in variants])
    return [(variant, levels[variant.id].available) for variant in variants]


def normalise_sku(text: str | None) -> str:
    """A SKU as scanned or typed: spaces dropped, upper case (SKUs are stored that way)."""
    return re.sub(r"\s+", "", text or "").upper()[:40]


def _stock_message(variant: Variant, available: int) -> str:
    name = f"{variant.product.name} ({variant.label})"
    if available <= 0:
        return str(_l("Stok %(name)s habis.", name=name))
    return str(_l("Stok %(name)s tidak cukup: tersisa %(available)s.", name=name, available=available))


def _scanned_lot(variant: Variant, lot_id: int | None, notices: list[str]) -> int | None:
    """The scanned lot when it is this variant's and sellable now; else None (FEFO), with a notice."""
    if lot_id is None:
        return None
    lot = next((lot for lot in sellable_lots([variant.id])[variant.id] if lot.lot_id == lot_id), None)
    if lot is None:
        notices.append(str(_l("Lot #%(lot)s tidak bisa dijual (habis, kedaluwarsa atau bukan lot %(sku)s): diambil "
                              "dari lot yang kedaluwarsa lebih dulu.", lot=lot_id, sku=variant.sku)))
        return None
    return lot_id


def _scanned_variant(code: str) -> tuple[Variant, int | None]:
    """The variant on sale a typed SKU or a scanned code names, and the scanned lot (if any)."""
    scanned = parse_code(code)
    sku = scanned.sku if scanned else normalise_sku(code)
    if not sku:
        raise DomainError(_l("Ketik atau pindai kode SKU."), field="sku")
    found = on_sale_variants(Variant.sku == sku)
    if not found:
        known = db.session.scalar(select(Variant.id).where(Variant.sku == sku))
        raise DomainError(_l("Barang %(sku)s tidak dijual saat ini.", sku=sku) if known
                          else _l("Kode SKU %(sku)s tidak dikenal.", sku=sku), field="sku")
    return found[0], scanned.lot_id if scanned else None


def add_to_basket(code: str, quantity: int, notices: list[str]) -> Variant:
    """Put `quantity` units of the scanned or typed code in the till's basket, never more than can be sold.

    Notices (a scanned lot that cannot be sold, so FEFO takes over) are appended to `notices` even when the
    addition is then refused with a DomainError (field "sku" or "quantity").
    """
    variant, lot_id = _scanned_variant(code)
    key = basket_key(variant.id, _scanned_lot(variant, lot_id, notices))
    stored = _stored_basket()
    if key not in stored and len(stored) >= MAX_LINES:
        raise DomainError(_l("Keranjang kasir penuh (paling banyak %(n)s baris).", n=MAX_LINES), field="sku")
    wanted = stored.get(key, 0) + quantity
    if wanted > MAX_QUANTITY:
        raise DomainError(_l("Jumlah harus bilangan bulat antara 1 dan %(n)s.", n=MAX_QUANTITY), field="quantity")
    available = stock_levels([variant.id])[variant.id].available
    in_basket = sum(n for k, n in stored.items() if k != key and _parse_key(k)[0] == variant.id)
    if wanted + in_basket > available:
        raise DomainError(_stock_message(variant, available), field="quantity")
    stored[key] = wanted
    _save_basket(stored)
    return variant


def basket_line(posted: str | None) -> str | None:
    """The basket line a form names: its key, or (a plain variant line) its variant id; None if not in it."""
    key = (posted or "").strip()
    return key if key in _stored_basket() else None


def remove_line(key: str) -> None:
    """Take one line out of the till's basket."""
    stored = _stored_basket()
    stored.pop(key, None)
    _save_basket(stored)


def set_line(basket: Basket, key: str, quantity: int) -> None:
    """Set one line of the basket (as just read) to `quantity`, if the variant's lines together stay within
    what can be sold (else LineRefused); a line no longer in the basket is left alone."""
    item = next((item for item in basket.items if item.key == key), None)
    if item is None:
        return
    others = sum(other.quantity for other in basket.items if other.variant.id == item.variant.id and other is not item)
    if quantity + others > item.available:
        raise LineRefused(key, _stock_message(item.variant, item.available))
    stored = _stored_basket()
    stored[key] = quantity
    _save_basket(stored)


def clear_basket() -> None:
    """Empty the till's basket (after a sale, or when the cashier starts again)."""
    session.pop(BASKET_KEY, None)


# ---------------------------------------------------------------------------------------------
# Cash and change


def check_cash_received(method: str, received: int | None, total: int) -> None:
    """Cash handed over must cover the total (no amount typed: the cashier did not count it)."""
    if method == PaymentMethod.CASH and received is not None and received < total:
        raise DomainError(_l("Uang diterima kurang dari total belanja (%(total)s).", total=format_rupiah(total)),
                          field="cash_received")


def cash_and_change(order: Order, received: int | None) -> tuple[int | None, int | None]:
    """The cash handed over for a sale and the change given, from the amount recorded with its payment
    (gallery.payments.desk); (None, None) when none was recorded or it does not cover the total."""
    if received is None or received < order.total:
        return None, None
    return received, received - order.total
