"""Price tags: which lots to tag and how many, and how the tags sit on a sheet or a thermal label.

A tag always belongs to a lot, so it knows its price (the lot's, marked down or not: gallery.consignment.
pricing) and, for food, its "ED" date. Tags are asked for a receipt or a lot (the quantity defaults to the
units received), a variant or a selection from the stock list (the units on hand). Layouts are A4 label
sheets (3 × 8, 4 × 10; margins in mm, as the sheet's maker prints them) and a 50 × 30 mm thermal label.
Reading runs a fixed number of statements: the lots (one), their prices (three).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from gallery.catalog.models import Category, Producer, Product, Variant
from gallery.consignment.barcodes import tag_code
from gallery.consignment.models import ConsignmentReceipt, Lot
from gallery.consignment.pricing import lot_prices
from gallery.errors import DomainError
from gallery.extensions import db

MAX_TAGS = 2000
MAX_MARGIN_MM = 40


@dataclass(frozen=True)
class Layout:
    """A label stock: the page, its grid and its margins (mm); a thermal roll is a page of one label."""

    key: str
    label: str
    page_width: float
    page_height: float
    columns: int
    rows: int
    margin_top: float = 0
    margin_side: float = 0
    gap: float = 0

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    @property
    def tag_width(self) -> float:
        return (self.page_width - 2 * self.margin_side - (self.columns - 1) * self.gap) / self.columns

    @property
    def tag_height(self) -> float:
        return (self.page_height - 2 * self.margin_top - (self.rows - 1) * self.gap) / self.rows

    @property
    def is_sheet(self) -> bool:
        return self.per_page > 1


LAYOUTS = {
    layout.key: layout for layout in (
        Layout("a4-3x8", _l("Lembar A4, 3 × 8 label"), 210, 297, 3, 8, margin_top=4.5, margin_side=0),
        Layout("a4-4x10", _l("Lembar A4, 4 × 10 label"), 210, 297, 4, 10, margin_top=21.5, margin_side=8),
        Layout("thermal-50x30", _l("Label termal 50 × 30 mm"), 50, 30, 1, 1),
    )
}


def layout_with_margins(key: str, margin_top: float | None = None, margin_side: float | None = None) -> Layout:
    """A layout, with the sheet's own margins when given (refused when no label would fit)."""
    layout = LAYOUTS.get(key)
    if layout is None:
        raise DomainError(_l("Pilih ukuran label."), field="layout")
    if not layout.is_sheet:
        return layout
    top = layout.margin_top if margin_top is None else margin_top
    side = layout.margin_side if margin_side is None else margin_side
    if not (0 <= top <= MAX_MARGIN_MM and 0 <= side <= MAX_MARGIN_MM):
        raise DomainError(_l("Margin antara 0 dan %(n)s mm.", n=MAX_MARGIN_MM), field="margin")
    return replace(layout, margin_top=top, margin_side=side)


@dataclass(frozen=True)
class TagLot:
    """A lot to tag, with what its tags print."""

    lot_id: int
    sku: str
    product_name: str
    variant_label: str
    producer_name: str
    size: str  # net content, else the weight
    is_food: bool
    expires_on: date | None
    quantity_received: int
    on_hand: int
    receipt_number: str | None
    unit_price: int = 0
    list_price: int = 0

    @property
    def marked_down(self) -> bool:
        return self.unit_price < self.list_price


def _size(net_content: str | None, weight_grams: int) -> str:
    if net_content:
        return net_content
    return f"{weight_grams / 1000:g} kg".replace(".", ",") if weight_grams >= 1000 else f"{weight_grams} g"


def tag_lots(*conditions) -> list[TagLot]:
    """The lots matching `conditions` with what their tags print, by receipt line order (four statements)."""
    rows = db.session.execute(
        select(Lot.id, Variant.sku, Product.name, Variant.label, Producer.business_name, Variant.net_content,
               Variant.weight_grams, Category.is_food, Lot.expires_on, Lot.quantity_received, Lot.on_hand,
               ConsignmentReceipt.number)
        .join(Variant, Variant.id == Lot.variant_id).join(Product, Product.id == Variant.product_id)
        .join(Category, Category.id == Product.category_id).join(Producer, Producer.id == Lot.producer_id)
        .outerjoin(ConsignmentReceipt, ConsignmentReceipt.id == Lot.receipt_id)
        .where(*conditions).order_by(Lot.id)).all()
    prices = lot_prices(row.id for row in rows)
    return [TagLot(row.id, row.sku, row.name, row.label, row.business_name, _size(row.net_content, row.weight_grams),
                   bool(row.is_food), row.expires_on, row.quantity_received, row.on_hand, row.number,
                   prices[row.id].terms.unit_price, prices[row.id].terms.list_price) for row in rows]


@dataclass(frozen=True)
class TagRequest:
    """Lots to tag and the quantity each defaults to."""

    title: str
    lots: list[TagLot]
    defaults: dict[int, int]


def for_receipt(number: str) -> TagRequest:
    """Every lot of a receipt, as many tags as units received."""
    lots = tag_lots(ConsignmentReceipt.number == number[:20])
    if not lots:
        raise DomainError(_l("Tanda terima %(number)s tidak dikenal.", number=number[:20]), field="receipt")
    return TagRequest(number[:20], lots, {lot.lot_id: lot.quantity_received for lot in lots})


def for_lots(lot_ids: Iterable[int], *, received: bool) -> TagRequest:
    """Chosen lots: as many tags as units received (one lot) or on hand (a selection from the stock list)."""
    ids = sorted(set(lot_ids))[:500]
    lots = tag_lots(Lot.id.in_(ids)) if ids else []
    if not lots:
        raise DomainError(_l("Pilih minimal satu lot."), field="lots")
    counted = (lambda lot: lot.quantity_received) if received else (lambda lot: lot.on_hand)
    title = f"#{lots[0].lot_id}" if len(lots) == 1 else str(_l("%(n)s lot", n=len(lots)))
    return TagRequest(title, lots, {lot.lot_id: counted(lot) for lot in lots})


def for_variant(variant_id: int) -> TagRequest:
    """A variant's lots still on the shelf, as many tags as units on hand."""
    lots = tag_lots(Lot.variant_id == variant_id, Lot.on_hand > 0)
    if not lots:
        raise DomainError(_l("Varian ini tidak punya stok di rak."), field="variant")
    return TagRequest(lots[0].sku, lots, {lot.lot_id: lot.on_hand for lot in lots})


@dataclass(frozen=True)
class Tag:
    lot: TagLot
    code: str


def sheets(lots: Sequence[TagLot], quantities: dict[int, int], layout: Layout, *, with_lot: bool,
           skip: int = 0) -> list[list[Tag | None]]:
    """The tags page by page (None: a label left blank, the first `skip` of a used sheet)."""
    total = sum(quantities.get(lot.lot_id, 0) for lot in lots)
    if total <= 0:
        raise DomainError(_l("Isi jumlah label minimal untuk satu lot."), field="quantity")
    if total > MAX_TAGS:
        raise DomainError(_l("Paling banyak %(n)s label sekali cetak.", n=MAX_TAGS), field="quantity")
    skip = min(max(skip, 0), layout.per_page - 1) if layout.is_sheet else 0
    cells: list[Tag | None] = [None] * skip
    for lot in lots:
        code = tag_code(lot.sku, lot.lot_id if with_lot else None)
        cells.extend(Tag(lot, code) for _ in range(quantities.get(lot.lot_id, 0)))
    return [cells[i:i + layout.per_page] for i in range(0, len(cells), layout.per_page)]
