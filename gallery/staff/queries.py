"""Figures for the staff dashboard, read through the domains' own tables in a few queries."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from gallery.catalog.models import Producer, Product, Variant
from gallery.consignment.models import Lot
from gallery.consignment.services import sellable_lot_condition
from gallery.extensions import db


@dataclass(frozen=True)
class DashboardFigures:
    active_producers: int
    published_products: int
    draft_products: int
    units_on_hand: int
    payout_value_on_hand: int
    sold_out_variants: int


def dashboard_figures() -> DashboardFigures:
    """Counts of producers, products and stock on the shelf."""
    producers = db.session.scalar(select(func.count(Producer.id)).where(Producer.is_active.is_(True))) or 0
    published, drafts = db.session.execute(
        select(
            func.count(Product.id).filter(Product.published.is_(True)),
            func.count(Product.id).filter(Product.published.is_(False)),
        )
    ).one()
    units, value = db.session.execute(
        select(func.coalesce(func.sum(Lot.on_hand), 0), func.coalesce(func.sum(Lot.on_hand * Lot.unit_payout), 0))
        .where(sellable_lot_condition())
    ).one()
    stocked = select(Lot.variant_id).where(sellable_lot_condition())
    sold_out = db.session.scalar(
        select(func.count(Variant.id))
        .join(Product, Product.id == Variant.product_id)
        .where(Variant.is_active.is_(True), Product.published.is_(True), Variant.id.not_in(stocked))
    ) or 0
    return DashboardFigures(producers, published or 0, drafts or 0, int(units), int(value), sold_out)
