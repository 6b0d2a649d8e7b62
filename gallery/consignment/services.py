"""Stock rules: the ledger, intake and what can be sold now."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select
from sqlalchemy.sql.elements import ColumnElement

from gallery import clock
from gallery.catalog.certificates import intake_refusal
from gallery.catalog.models import Variant
from gallery.consignment.models import Lot, MovementKind, StockMovement
from gallery.consignment.sellable import sellable_lot_condition
from gallery.consignment.terms import term_end_at_intake
from gallery.errors import DomainError
from gallery.extensions import db

MAX_UNITS_PER_LINE = 100_000


@dataclass(frozen=True)
class StockLevel:
    """What the storefront needs of one variant's stock."""

    available: int
    best_before: date | None  # expiry of the lot that would be sold next (FEFO)

    @property
    def in_stock(self) -> bool:
        return self.available > 0


NO_STOCK = StockLevel(0, None)

# The order units leave the shelf in (DESIGN.md rule 4): first to expire, then the oldest receipt.
FEFO_ORDER = (Lot.expires_on.asc().nulls_last(), Lot.received_at.asc(), Lot.id.asc())


def stock_levels(variant_ids: Iterable[int]) -> dict[int, StockLevel]:
    """Answer, in one query, how many units of each variant can be sold now.

    This is the single place the shop asks; expired lots never count.
    """
    ids = sorted(set(variant_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(Lot.variant_id, func.sum(Lot.on_hand), func.min(Lot.expires_on))
        .where(Lot.variant_id.in_(ids), sellable_lot_condition())
        .group_by(Lot.variant_id)
    )
    levels = {variant_id: StockLevel(int(total), best_before) for variant_id, total, best_before in rows}
    return {variant_id: levels.get(variant_id, NO_STOCK) for variant_id in ids}


def sellable_quantity(variant_id: int) -> int:
    """How many units of one variant can be sold now."""
    return stock_levels([variant_id])[variant_id].available


def product_in_stock_condition(product_id_column) -> ColumnElement[bool]:
    """SQL condition: the product has at least one active variant with sellable units."""
    return exists(
        select(Lot.id)
        .join(Variant, Variant.id == Lot.variant_id)
        .where(Variant.product_id == product_id_column, Variant.is_active.is_(True), sellable_lot_condition())
    )


def record_intake(
    variant: Variant,
    quantity: int,
    unit_payout: int,
    *,
    expires_on: date | None = None,
    reason: str = "",
    reference: str | None = None,
    user_id: int | None = None,
    receipt_id: int | None = None,
    shelf: str | None = None,
    notes: str = "",
) -> Lot:
    """Receive `quantity` units of `variant` as a new lot with its intake movement (flushes only).

    Food must carry an expiry date that has not passed, and its P-IRT or BPOM may not have lapsed
    (catalog.certificates); the payout may not exceed the price. The lot's consignment term ends after
    its producer's term from today (gallery.consignment.terms).
    """
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 0 < quantity <= MAX_UNITS_PER_LINE:
        raise DomainError(_l("Jumlah harus bilangan bulat antara 1 dan 100.000."), field="quantity")
    if not isinstance(unit_payout, int) or isinstance(unit_payout, bool) or unit_payout < 0:
        raise DomainError(_l("Harga titip harus berupa rupiah bulat, tidak negatif."), field="unit_payout")
    if unit_payout > variant.price:
        raise DomainError(_l("Harga titip tidak boleh melebihi harga jual."), field="unit_payout")
    if variant.product.is_food and expires_on is None:
        raise DomainError(_l("Produk pangan wajib memiliki tanggal kedaluwarsa."), field="expires_on")
    if expires_on is not None and expires_on <= clock.today_wib():
        raise DomainError(_l("Tanggal kedaluwarsa sudah lewat."), field="expires_on")
    if refusal := intake_refusal(variant.product):
        raise DomainError(refusal, field="variant_id")
    received_at = clock.utcnow()
    lot = Lot(
        variant_id=variant.id,
        producer_id=variant.product.producer_id,
        quantity_received=quantity,
        on_hand=quantity,
        unit_payout=unit_payout,
        expires_on=expires_on,
        received_at=received_at,
        term_ends_on=term_end_at_intake(variant.product.producer_id, received_at),
        receipt_id=receipt_id,
        shelf=shelf,
        notes=notes,
    )
    db.session.add(lot)
    db.session.flush()
    db.session.add(
        StockMovement(
            lot_id=lot.id,
            kind=MovementKind.INTAKE,
            quantity=quantity,
            reason=reason,
            reference=reference,
            created_by_id=user_id,
            created_at=lot.received_at,
        )
    )
    db.session.flush()
    return lot
