"""Telling producers when a sale takes one of their variants below its low-stock threshold.

Checked after units are taken for an order or a counter sale, in the same transaction: a variant whose
sellable units were at or above `Variant.low_stock_threshold` before and are below it now has just crossed
it, so each crossing is told once (it crosses again only after stock came back above the threshold).
"""
from __future__ import annotations

from collections import defaultdict

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gallery.catalog.models import Product, Variant
from gallery.consignment.services import stock_levels
from gallery.extensions import db
from gallery.notifications.compose import Message, to_producers


def crossed_low_stock(taken: dict[int, int]) -> list[tuple[Variant, int]]:
    """The variants among `taken` (variant id → units just taken) that fell below their threshold, with
    their sellable units now (two statements)."""
    if not taken:
        return []
    levels = stock_levels(taken)
    variants = db.session.scalars(select(Variant).options(selectinload(Variant.product).selectinload(Product.producer))
                                  .where(Variant.id.in_(list(taken)), Variant.low_stock_threshold > 0))
    return [(variant, levels[variant.id].available) for variant in variants
            if levels[variant.id].available < variant.low_stock_threshold <= levels[variant.id].available
            + taken[variant.id]]


def tell_low_stock(taken: dict[int, int]) -> None:
    """Queue one message per producer listing its variants that just fell below their threshold."""
    by_producer = defaultdict(list)
    for variant, left in crossed_low_stock(taken):
        by_producer[variant.product.producer_id].append((variant, left))

    def build(producer) -> Message:
        rows = by_producer[producer.id]
        summary = ", ".join(f"{variant.product.name} ({variant.label}): {left}" for variant, left in rows)
        return Message("low_stock", _("Stok menipis di galeri: %(names)s", names=rows[0][0].product.name),
                       "low_stock", {"rows": rows}, ("galeri_low_stock", [producer.business_name, summary]))

    to_producers(by_producer, build)
