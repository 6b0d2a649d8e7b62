"""The session cart (works for guests, survives login): variant ids and quantities, nothing more.

Prices, names and stock are read fresh from the catalog and the ledger every time the cart is shown,
and quantities are capped by what can be sold now; each unit is priced from the lot FEFO would take it
from, markdowns included (the shared basket, gallery.cart.basket, which the counter till uses too).
Reading a cart runs a fixed number of queries.
"""
from __future__ import annotations

from flask import session
from flask_babel import lazy_gettext as _l
from gallery.cart.basket import Basket, BasketItem, price
from gallery.consignment.sellable import on_sale_variants
from gallery.catalog.models import Variant
from gallery.consignment.services import sellable_quantity, stock_levels
from gallery.errors import DomainError
from gallery.orders.placing import MAX_LINES, MAX_QUANTITY

SESSION_KEY = "cart"


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
    found = on_sale_variants(Variant.id == variant_id)
    if not found:
        raise DomainError(_l("Produk ini tidak tersedia."), field="variant_id")
    return found[0]


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


def current() -> Basket:
    """The cart with fresh prices and stock; lines no longer sellable drop out, quantities are capped."""
    stored = _stored()
    if not stored:
        return Basket([])
    variants = {v.id: v for v in on_sale_variants(Variant.id.in_([int(key) for key in stored]), images=True)}
    levels = stock_levels(variants)
    cart, changed = Basket([]), False
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
        cart.items.append(BasketItem(variant, quantity, available))
    price(cart.items)
    if changed:
        _save(stored)
    return cart
