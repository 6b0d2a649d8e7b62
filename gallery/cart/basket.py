"""What a basket of variants costs now: the one basket service behind the shop's cart and the counter till.

A basket holds variant ids and quantities (the till may also name the lot a scanned code came from);
everything else is read fresh: only variants on sale (gallery.consignment.sellable), today's stock, and
each unit priced from the lot the sale would take it from, markdowns included (gallery.consignment.pricing,
DESIGN.md rule 5). Totals are computed here, never in a view or from what the browser sent.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


from gallery.catalog.models import Product, Variant
from gallery.consignment.pricing import Quote, QuoteLine, quote
from gallery.orders.placing import CartLine


@dataclass
class BasketItem:
    """Units of one variant (from one scanned lot, when `lot_id`), with what can be sold of it now."""

    variant: Variant
    quantity: int
    available: int
    lot_id: int | None = None  # a scanned lot code: sold from that lot first
    quote: Quote | None = None  # what its units cost, lot by lot (gallery.consignment.pricing)

    @property
    def key(self) -> str:
        return basket_key(self.variant.id, self.lot_id)

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
class Basket:
    """Basket items and what they cost together; `notices` say what changed since the shopper last looked."""

    items: list[BasketItem]
    notices: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(item.line_total for item in self.items)

    @property
    def units(self) -> int:
        return sum(item.quantity for item in self.items)

    @property
    def is_empty(self) -> bool:
        return not self.items

    def lines(self) -> list[CartLine]:
        """What an order is placed from: ids and quantities only (rule 5)."""
        return [CartLine(item.variant.id, item.quantity, item.lot_id) for item in self.items]


def basket_key(variant_id: int, lot_id: int | None = None) -> str:
    """A basket line: a variant ("12"), or a variant from a scanned lot ("12@345")."""
    return str(variant_id) if lot_id is None else f"{variant_id}@{lot_id}"


def price(items: Iterable[BasketItem]) -> None:
    """Price each item's units from the lots the sale would take them from (one quote for the whole basket)."""
    items = list(items)
    for item, priced in zip(items, quote([QuoteLine(item.variant, item.quantity, item.lot_id) for item in items])):
        item.quote = priced
