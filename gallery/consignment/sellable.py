"""What may be sold now: the one definition used by every list, basket, till and report.

A unit is sellable when its product is published, its producer is active, its variant is active, and it
sits in a lot with units on hand whose "baik digunakan sebelum" date (WIB) has not come yet. Each rule is
written here once as an SQL condition; callers join the tables the condition names, or load the variants
on sale with `on_sale_variants` (the cart, the till and placing an order).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload
from sqlalchemy.sql.elements import ColumnElement

from gallery import clock
from gallery.catalog.models import Producer, Product, Variant
from gallery.consignment.models import Lot
from gallery.extensions import db


def on_sale_product_condition() -> ColumnElement[bool]:
    """SQL condition: the product is shown in the shop (published, by an active producer).

    The caller joins `Producer` to `Product`.
    """
    return and_(Product.published.is_(True), Producer.is_active.is_(True))


def on_sale_variant_condition() -> ColumnElement[bool]:
    """SQL condition: the variant may be put in a basket (active, of a product on sale).

    The caller joins `Product` and `Producer` to `Variant`.
    """
    return and_(Variant.is_active.is_(True), on_sale_product_condition())


def sellable_lot_condition(today: date | None = None) -> ColumnElement[bool]:
    """SQL condition for a lot whose units may be sold today: some on hand and not expired.

    A lot's `expires_on` is its "baik digunakan sebelum" date, so it may be sold only
    strictly before that day (WIB).
    """
    today = today or clock.today_wib()
    return and_(Lot.on_hand > 0, or_(Lot.expires_on.is_(None), Lot.expires_on > today))


def on_sale_variants(condition, *, images: bool = False, statement=None, first=(), limit: int | None = None
                     ) -> list[Variant]:
    """Variants on sale now matching `condition`, with their product and producer (and images), in shelf order.

    `statement` may start the select (joined to a search's matches), `first` orders before shelf order.
    """
    options = [joinedload(Variant.product).joinedload(Product.producer)]
    if images:
        options.append(joinedload(Variant.product).selectinload(Product.images))
    statement = (select(Variant) if statement is None else statement)
    return list(db.session.scalars(
        statement
        .join(Product, Product.id == Variant.product_id)
        .join(Producer, Producer.id == Product.producer_id)
        .options(*options)
        .where(condition, on_sale_variant_condition())
        .order_by(*first, Product.name, Product.id, Variant.position, Variant.id)
        .limit(limit)
    ).unique())
