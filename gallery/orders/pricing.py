"""The prices an order freezes: each unit priced from the lot it was taken from (DESIGN.md rules 5 and 6).

A line holds units of one price. Units of a variant that FEFO took from lots under different markdowns
become one line per price, each with its markdown's terms copied on it (shelf price, bearer, the
producer's share, the discount), so a refund, the payment provider and the statements read every line at
a single price, and the allocations freeze each lot's marked-down price and payout. Units taken again for
a line later (a late payment taking the stock again, a short-dated lot swapped) keep the line's price and
markdown; a lot that would not sell at that price under them is refused (`NotAtLinePrice`).
"""
from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l

from gallery.catalog.models import Variant
from gallery.consignment.ledger import Allocation
from gallery.consignment.markdown_split import UnitTerms, split_markdown
from gallery.consignment.pricing import lot_prices
from gallery.errors import DomainError
from gallery.orders.models import OrderAllocation, OrderLine


class NotAtLinePrice(DomainError):
    """Units taken again for a line would sell at another price than the line's; nothing was changed."""

    def __init__(self, line: OrderLine, lot_id: int):
        super().__init__(_l("Lot #%(lot)s tidak bisa dijual dengan harga baris %(name)s (%(label)s).", lot=lot_id,
                            name=line.product_name, label=line.variant_label), field="allocation")


def lines_for(variant: Variant, taken: Sequence[Allocation]) -> list[OrderLine]:
    """Order lines for the units of `variant` taken from lots: one line per price, in the order taken."""
    prices = lot_prices(allocation.lot_id for allocation in taken)
    product = variant.product
    lines: dict[tuple, OrderLine] = {}
    for allocation in taken:
        priced = prices[allocation.lot_id]
        terms, markdown = priced.terms, priced.markdown
        key = (terms.unit_price, markdown.markdown_id if markdown else None)
        line = lines.get(key)
        if line is None:
            line = lines[key] = OrderLine(
                variant_id=variant.id, producer_id=product.producer_id, product_name=product.name,
                variant_label=variant.label, sku=variant.sku, unit_weight_grams=variant.weight_grams, quantity=0,
                unit_price=terms.unit_price,
                list_price=terms.list_price, line_total=0,
                markdown_id=markdown.markdown_id if markdown else None,
                markdown_bearer=markdown.bearer if markdown else None,
                markdown_bp=markdown.discount_bp if markdown else None,
                markdown_share_bp=markdown.producer_share_bp if markdown else None)
        line.quantity += allocation.quantity
        line.line_total = line.quantity * line.unit_price
        line.allocations.append(OrderAllocation(
            lot_id=allocation.lot_id, quantity=allocation.quantity, unit_price=terms.unit_price,
            unit_payout=terms.unit_payout, expires_on=allocation.expires_on))
    return list(lines.values())


def retaken_terms(line: OrderLine, allocation: Allocation) -> UnitTerms:
    """The terms of units taken again for `line` from another lot: the line's price and markdown, that lot's payout."""
    terms = split_markdown(line.list_price, allocation.unit_payout, line.markdown_bp or 0, line.markdown_share_bp or 0)
    if terms.unit_price != line.unit_price:
        raise NotAtLinePrice(line, allocation.lot_id)
    return terms


def retaken_allocation(line: OrderLine, allocation: Allocation) -> OrderAllocation:
    """An allocation for units taken again for `line` (see `retaken_terms`)."""
    terms = retaken_terms(line, allocation)
    return OrderAllocation(lot_id=allocation.lot_id, quantity=allocation.quantity, unit_price=line.unit_price,
                           unit_payout=terms.unit_payout, expires_on=allocation.expires_on)
