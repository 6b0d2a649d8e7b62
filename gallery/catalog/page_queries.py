"""Read models for the home page and the product page: product shelves, the category tree, sector counts
and one product with all it shows.

Every function here runs a fixed number of SQL statements whatever the number of rows.
"""
from __future__ import annotations


from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from gallery.cache import memoize
from gallery.catalog.models import Category, Producer, Product
from gallery.consignment.sellable import on_sale_product_condition
from gallery.errors import NotFound
from gallery.extensions import db

from gallery.catalog.queries import ListingQuery, ProductCard, card_options, cards_for, listing_statement


def newest_products(limit: int = 8) -> list[ProductCard]:
    """The newest published products, for the home page."""
    statement, _ = listing_statement(ListingQuery())
    statement = card_options(statement).order_by(Product.created_at.desc(), Product.id.desc()).limit(limit)
    return cards_for(list(db.session.scalars(statement).unique()))


def featured_products(limit: int = 8) -> list[ProductCard]:
    """Products the gallery features on the home page, newest first."""
    statement, _ = listing_statement(ListingQuery())
    statement = (
        card_options(statement)
        .where(Product.is_featured.is_(True))
        .order_by(Product.created_at.desc(), Product.id.desc())
        .limit(limit)
    )
    return cards_for(list(db.session.scalars(statement).unique()))


def more_from_producer(product: Product, limit: int = 4) -> list[ProductCard]:
    """Other published products of the same producer, for the product page."""
    statement, _ = listing_statement(ListingQuery())
    statement = (
        card_options(statement)
        .where(Product.producer_id == product.producer_id, Product.id != product.id)
        .order_by(Product.is_featured.desc(), Product.created_at.desc(), Product.id.desc())
        .limit(limit)
    )
    return cards_for(list(db.session.scalars(statement).unique()))


def category_tree() -> list[Category]:
    """Sectors with their sub-categories, loaded in one query and ordered by position."""
    categories = list(db.session.scalars(select(Category).order_by(Category.position, Category.id)))
    by_parent: dict[int | None, list[Category]] = {}
    for category in categories:
        by_parent.setdefault(category.parent_id, []).append(category)
    sectors = by_parent.get(None, [])
    for category in categories:
        # Fill the relationship from what was loaded so templates trigger no further queries.
        set_committed_value(category, "children", by_parent.get(category.id, []))
        if category.parent_id is not None:
            parent = next((s for s in sectors if s.id == category.parent_id), None)
            set_committed_value(category, "parent", parent)
    for sector in sectors:
        set_committed_value(sector, "parent", None)
    return sectors


def sector_product_counts() -> dict[int, int]:
    """Published products per sector id, in one query, kept while the products do not change."""

    def count() -> dict[str, int]:
        parent = func.coalesce(Category.parent_id, Category.id)
        rows = db.session.execute(
            select(parent, func.count(Product.id))
            .join(Product, Product.category_id == Category.id)
            .join(Producer, Producer.id == Product.producer_id)
            .where(on_sale_product_condition(), Product.price_from.is_not(None))
            .group_by(parent)
        )
        return {str(sector_id): count for sector_id, count in rows}

    return {int(sector_id): count for sector_id, count in memoize("sector-counts", "products", (), count).items()}


def get_product_page(slug: str) -> Product:
    """Load a published product with everything its page shows, or raise NotFound."""
    product = db.session.scalar(
        select(Product)
        .join(Product.producer)
        .options(
            contains_eager(Product.producer).selectinload(Producer.certificates),
            selectinload(Product.variants),
            selectinload(Product.images),
            joinedload(Product.category).joinedload(Category.parent),
            joinedload(Product.pirt_certificate),
            joinedload(Product.bpom_certificate),
            joinedload(Product.halal_certificate),
        )
        .where(Product.slug == slug, on_sale_product_condition())
    )
    if product is None or not product.active_variants:
        raise NotFound(_l("Produk tidak ditemukan."))
    return product
