"""What may be sold now: the one definition used by every list, basket, till and report.

A unit is sellable when its product is published, its producer is active, its variant is active, and it
sits in a lot with units on hand whose "baik digunakan sebelum" date (WIB) has not come yet. Each rule is
written here once as an SQL condition; callers join the tables the condition names.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import and_, or_
from sqlalchemy.sql.elements import ColumnElement

from gallery import clock
from gallery.catalog.models import Producer, Product, Variant
from gallery.consignment.models import Lot


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
