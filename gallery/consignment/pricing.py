"""What a unit costs on the shelf: it is priced from the lot it comes from, so FEFO and the price agree.

A unit's price and payout are its lot's shelf price and frozen payout, less the markdown that applies
to that lot today (gallery.consignment.markdowns decides which, gallery.consignment.markdown_split what
it does). The cart, the till and the product page ask here what the units FEFO would take cost; placing
an order prices the units it actually took the same way. Every function runs three statements whatever
the number of lots: the lots, the running markdowns, the producers' consent.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from gallery import clock
from gallery.catalog.models import Product, Variant
from gallery.consignment.markdown_split import UnitTerms, full_price, split_markdown
from gallery.consignment.markdowns import AppliedMarkdown, applicable, lot_facts
from gallery.consignment.models import Lot
from gallery.consignment.sellable import sellable_lot_condition
from gallery.consignment.services import FEFO_ORDER
from gallery.extensions import db


@dataclass(frozen=True)
class PricedLot:
    """A lot with what one of its units sells for today."""

    lot_id: int
    variant_id: int
    on_hand: int
    expires_on: date | None
    terms: UnitTerms
    markdown: AppliedMarkdown | None


def _priced(statement, today: date | None) -> list[PricedLot]:
    rows = db.session.execute(statement.add_columns(
        Lot.id, Lot.variant_id, Lot.producer_id, Product.category_id, Lot.received_at, Lot.on_hand, Lot.expires_on,
        Lot.unit_payout, Variant.price,
    ).join(Variant, Variant.id == Lot.variant_id).join(Product, Product.id == Variant.product_id)).all()
    markdowns = applicable(lot_facts((r.id, r.variant_id, r.producer_id, r.category_id, r.received_at) for r in rows),
                           today)
    priced = []
    for row in rows:
        markdown = markdowns.get(row.id)
        terms = (split_markdown(row.price, row.unit_payout, markdown.discount_bp, markdown.producer_share_bp)
                 if markdown else full_price(row.price, row.unit_payout))
        priced.append(PricedLot(row.id, row.variant_id, row.on_hand, row.expires_on, terms,
                                markdown if terms.marked_down else None))
    return priced


def sellable_lots(variant_ids: Iterable[int], today: date | None = None) -> dict[int, list[PricedLot]]:
    """Each variant's sellable lots in FEFO order, priced (three statements)."""
    ids = sorted(set(variant_ids))
    found: dict[int, list[PricedLot]] = {variant_id: [] for variant_id in ids}
    today = today or clock.today_wib()
    for lot in _priced(select().select_from(Lot).where(Lot.variant_id.in_(ids), sellable_lot_condition(today))
                       .order_by(*FEFO_ORDER), today):
        found[lot.variant_id].append(lot)
    return found


def lot_prices(lot_ids: Iterable[int], today: date | None = None) -> dict[int, PricedLot]:
    """Given lots (sellable or not), what one of their units sells for today (three statements)."""
    ids = sorted(set(lot_ids))
    return {lot.lot_id: lot for lot in _priced(select().select_from(Lot).where(Lot.id.in_(ids)), today)}


@dataclass(frozen=True)
class Portion:
    """Units of a quote that come from one lot at one price."""

    lot_id: int | None  # None: units beyond what the shelf holds, at the shelf price
    quantity: int
    terms: UnitTerms
    markdown: AppliedMarkdown | None


@dataclass
class Quote:
    """What `quantity` units of a variant cost, lot by lot, as FEFO (or the lot asked for) would take them."""

    variant_id: int
    quantity: int
    portions: list[Portion] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(p.quantity * p.terms.unit_price for p in self.portions)

    @property
    def list_total(self) -> int:
        return sum(p.quantity * p.terms.list_price for p in self.portions)

    @property
    def marked_down(self) -> bool:
        return self.total < self.list_total

    @property
    def unit_price(self) -> int:
        """The price of the first unit (all of them when they come from one price)."""
        return self.portions[0].terms.unit_price


@dataclass(frozen=True)
class QuoteLine:
    variant: Variant
    quantity: int
    lot_id: int | None = None  # take from this lot first (a scanned lot code)


def quote(lines: Sequence[QuoteLine], today: date | None = None) -> list[Quote]:
    """Price each line as placing it now would: lines in order, each from its own lot first, then FEFO, the
    lots shared between lines like the ledger shares them. Three statements."""
    lots = sellable_lots((line.variant.id for line in lines), today)
    left = {lot.lot_id: lot.on_hand for group in lots.values() for lot in group}
    quotes = []
    for line in lines:
        result, wanted = Quote(line.variant.id, line.quantity), line.quantity
        ordered = sorted(lots[line.variant.id], key=lambda lot: lot.lot_id != line.lot_id)  # stable: FEFO kept
        for lot in ordered:
            take = min(wanted, left[lot.lot_id])
            if take > 0:
                result.portions.append(Portion(lot.lot_id, take, lot.terms, lot.markdown))
                left[lot.lot_id] -= take
                wanted -= take
        if wanted > 0 or not result.portions:
            result.portions.append(Portion(None, wanted, full_price(line.variant.price, 0), None))
        quotes.append(result)
    return quotes


@dataclass(frozen=True)
class ShelfPrice:
    """The price of the next unit of a variant to be sold (FEFO), and how many units sell at it."""

    unit_price: int
    list_price: int
    units: int
    markdown: AppliedMarkdown | None

    @property
    def marked_down(self) -> bool:
        return self.unit_price < self.list_price


def shelf_prices(variant_ids: Iterable[int], today: date | None = None) -> dict[int, ShelfPrice]:
    """For variants with sellable units, the price of the next one and the units at that price (three statements)."""
    prices = {}
    for variant_id, lots in sellable_lots(variant_ids, today).items():
        if not lots:
            continue
        first = lots[0].terms
        units = 0
        for lot in lots:
            if lot.terms.unit_price != first.unit_price:
                break
            units += lot.on_hand
        prices[variant_id] = ShelfPrice(first.unit_price, first.list_price, units, lots[0].markdown)
    return prices
