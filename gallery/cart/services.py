"""The session cart (works for guests, survives login): variant ids and quantities, nothing more.

Prices, names and stock are read fresh from the catalog and the ledger every time the cart is shown,
and quantities are capped by what can be sold now; each unit is priced from the lot FEFO would take it
from, markdowns included. Reading a cart runs a fixed number of queries.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import session
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gallery.catalog.models import Producer, Product, Variant
from gallery.consignment.pricing import Quote, QuoteLine, quote
from gallery.consignment.sellable import on_sale_variant_condition
from gallery.consignment.services import sellable_quantity, stock_levels
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.orders.placing import CartLine, MAX_LINES, MAX_QUANTITY

SESSION_KEY = "cart"


@dataclass
class CartItem:
    variant: Variant
    quantity: int
    available: int
    quote: Quote | None = None  # each unit priced from the lot FEFO would take it from (gallery.consignment.pricing)

    @property
    def product(self) -> Product:
        return self.variant.product

    @property
    def unit_price(self) -> int:
        return self.quote.unit_price if self.quote else self.variant.price

    @property
    def line_total(self) -> int:
        return self.quote.total if self.quote else self.variant.price * self.quantity

    @property
    def list_total(self) -> int:
        return self.variant.price * self.quantity


@dataclass
class Cart:
    items: list[CartItem]
    notices: list[str] = field(default_factory=list)

    @property
    def subtotal(self) -> int:
        return sum(item.line_total for item in self.items)

    @property
    def units(self) -> int:
        return sum(item.quantity for item in self.items)

    @property
    def is_empty(self) -> bool:
        return not self.items

    def as_lines(self) -> list[CartLine]:
        return [CartLine(item.variant.id, item.quantity) for item in self.items]


def _stored() -> dict[str, int]:
    raw = session.get(SESSION_KEY)
    if not isinstance(raw, dict):
        return {}
    cleaned = {}
    for key, value in raw.items():
        if isinstance(key, str) and key.isdigit() and isinstance(value, int) and 0 < value <= MAX_QUANTITY:
            cleaned[key] = value
    return cleaned


def _save(stored: dict[str, int]) -> None:
    session[SESSION_KEY] = stored
    session.modified = True


def _sellable_variant(variant_id: int) -> Variant:
    variant = db.session.scalar(
        select(Variant)
        .join(Product, Product.id == Variant.product_id)
        .join(Producer, Producer.id == Product.producer_id)
        .options(selectinload(Variant.product))
        .where(Variant.id == variant_id, on_sale_variant_condition())
    )
    if variant is None:
        raise DomainError(_l("Produk ini tidak tersedia."), field="variant_id")
    return variant


def _parse_quantity(quantity) -> int:
    try:
        value = int(str(quantity).strip())
    except (TypeError, ValueError):
        raise DomainError(_l("Jumlah harus berupa angka."), field="quantity") from None
    if not 0 <= value <= MAX_QUANTITY:
        raise DomainError(_l("Jumlah harus antara 1 dan %(n)s.", n=MAX_QUANTITY), field="quantity")
    return value


def add(variant_id: int, quantity) -> tuple[int, str | None]:
    """Put units of a variant in the cart, never more than can be sold; returns (quantity now, notice)."""
    wanted = _parse_quantity(quantity)
    if wanted == 0:
        raise DomainError(_l("Jumlah harus antara 1 dan %(n)s.", n=MAX_QUANTITY), field="quantity")
    variant = _sellable_variant(variant_id)
    stored = _stored()
    if str(variant.id) not in stored and len(stored) >= MAX_LINES:
        raise DomainError(_l("Keranjang sudah penuh."), field="variant_id")
    available = sellable_quantity(variant.id)
    if available == 0:
        raise DomainError(_l("Maaf, %(name)s sedang habis.", name=variant.product.name), field="quantity")
    total = stored.get(str(variant.id), 0) + wanted
    notice = None
    if total > available:
        total = available
        notice = str(_l("Stok %(name)s tinggal %(n)s; jumlah di keranjang disesuaikan.",
                        name=variant.product.name, n=available))
    stored[str(variant.id)] = total
    _save(stored)
    return total, notice


def set_quantity(variant_id: int, quantity) -> str | None:
    """Change a line's quantity (0 removes it), capped by stock; returns a notice when capped."""
    value = _parse_quantity(quantity)
    stored = _stored()
    key = str(variant_id)
    if key not in stored:
        raise DomainError(_l("Produk ini tidak ada di keranjang."), field="variant_id")
    if value == 0:
        stored.pop(key)
        _save(stored)
        return None
    available = sellable_quantity(variant_id)
    notice = None
    if value > available:
        value = available
        notice = str(_l("Stok tinggal %(n)s; jumlah disesuaikan.", n=available))
    if value == 0:
        stored.pop(key)
    else:
        stored[key] = value
    _save(stored)
    return notice


def remove(variant_id: int) -> None:
    stored = _stored()
    stored.pop(str(variant_id), None)
    _save(stored)


def clear() -> None:
    session.pop(SESSION_KEY, None)


def count() -> int:
    """Units in the cart, for the header badge (no query)."""
    return sum(_stored().values())


def current() -> Cart:
    """The cart with fresh prices and stock; lines no longer sellable drop out, quantities are capped."""
    stored = _stored()
    if not stored:
        return Cart([])
    ids = [int(key) for key in stored]
    variants = {
        v.id: v for v in db.session.scalars(
            select(Variant)
            .join(Product, Product.id == Variant.product_id)
            .join(Producer, Producer.id == Product.producer_id)
            .options(selectinload(Variant.product).selectinload(Product.images),
                     selectinload(Variant.product).selectinload(Product.producer))
            .where(Variant.id.in_(ids), on_sale_variant_condition())
        )
    }
    levels = stock_levels(variants)
    cart, changed = Cart([]), False
    for key, quantity in list(stored.items()):
        variant = variants.get(int(key))
        if variant is None:
            cart.notices.append(str(_l("Satu produk tidak tersedia lagi dan dihapus dari keranjang.")))
            stored.pop(key)
            changed = True
            continue
        available = levels[variant.id].available
        if available == 0:
            cart.notices.append(str(_l("%(name)s sudah habis dan dihapus dari keranjang.", name=variant.product.name)))
            stored.pop(key)
            changed = True
            continue
        if quantity > available:
            cart.notices.append(str(_l("Stok %(name)s tinggal %(n)s; jumlah di keranjang disesuaikan.",
                                       name=variant.product.name, n=available)))
            quantity = stored[key] = available
            changed = True
        cart.items.append(CartItem(variant, quantity, available))
    for item, priced in zip(cart.items, quote([QuoteLine(item.variant, item.quantity) for item in cart.items])):
        item.quote = priced
    if changed:
        _save(stored)
    return cart
