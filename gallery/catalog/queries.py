"""Read models for the storefront (and the staff producers list): filters, cards, pages of results.

Every function here runs a fixed number of SQL statements whatever the number of rows:
the page of products is one query, its variants, images and stock one query each.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.orm import contains_eager, defer, joinedload, selectinload

from gallery.cache import memoize
from gallery.catalog.certificates import valid_certificate
from gallery.catalog.models import Category, Producer, Product
from gallery.catalog.search import matching_products, search_terms
from gallery.catalog.spelling import corrected_query
from gallery.consignment.services import (
    StockLevel,
    product_in_stock_condition,
    stock_levels,
)
from gallery.consignment.sellable import on_sale_product_condition
from gallery.errors import NotFound
from gallery.extensions import db
from gallery.pagination import PageNumbers, clamp_page
from gallery.shipping.models import HOME_REGENCY_CODE, District

SORTS = ("newest", "price_asc", "price_desc", "name")
MAX_PRICE = 1_000_000_000
MAX_QUERY_LENGTH = 100


@dataclass
class ListingQuery:
    """The shopper's filters, parsed and checked; bad values were dropped with a notice."""

    q: str = ""
    category: Category | None = None
    producer: Producer | None = None
    kecamatan: District | None = None
    min_price: int | None = None
    max_price: int | None = None
    halal: bool = False
    in_stock: bool = False
    sort: str = ""
    page: int = 1
    notices: list[str] = field(default_factory=list)

    @property
    def effective_sort(self) -> str:
        if self.sort:
            return self.sort
        return "relevance" if search_terms(self.q) else "newest"

    def as_args(self, **overrides) -> dict:
        """The query parameters that reproduce this listing (for links and pagination)."""
        args = {
            "q": self.q or None,
            "category": self.category.slug if self.category else None,
            "producer": self.producer.slug if self.producer else None,
            "kecamatan": self.kecamatan.code if self.kecamatan else None,
            "min_price": self.min_price,
            "max_price": self.max_price,
            "halal": 1 if self.halal else None,
            "in_stock": 1 if self.in_stock else None,
            "sort": self.sort or None,
            "page": self.page if self.page > 1 else None,
        }
        args.update(overrides)
        return {key: value for key, value in args.items() if value not in (None, "")}

    @property
    def has_refinements(self) -> bool:
        """Filters set in the filter panel (beyond the search words and the category)."""
        return bool(
            self.kecamatan or self.min_price is not None or self.max_price is not None or self.halal or self.in_stock
        )

    @property
    def is_filtered(self) -> bool:
        return bool(
            self.q or self.category or self.producer or self.kecamatan or self.min_price is not None
            or self.max_price is not None or self.halal or self.in_stock
        )


@dataclass
class ProductCard:
    """A product as a card in a list: the product with its producer, cover image and stock."""

    product: Product
    stock: dict[int, StockLevel]

    @property
    def available(self) -> int:
        return sum(self.stock.get(v.id, StockLevel(0, None)).available for v in self.product.active_variants)

    @property
    def in_stock(self) -> bool:
        return self.available > 0


@dataclass
class ResultPage(PageNumbers):
    """One page of product cards with the numbers pagination needs.

    `suggestion` is the corrected search ("did you mean"), and `corrected` says the cards are its
    results because the shopper's own words found nothing.
    """

    cards: list[ProductCard]
    total: int
    page: int
    per_page: int
    suggestion: str | None = None
    corrected: bool = False


def _parse_int(raw: str | None, *, low: int, high: int) -> int | None:
    if raw is None or raw.strip() == "":
        return None
    text = raw.strip().replace(".", "")  # shoppers write 50.000
    if not text.isdigit():
        raise ValueError(raw)
    value = int(text)
    if not low <= value <= high:
        raise ValueError(raw)
    return value


def _place_filters(query: ListingQuery, args) -> None:
    """Category, producer and kecamatan by slug or code; an unknown one is NotFound (404)."""
    if slug := (args.get("category") or "").strip():
        query.category = db.session.scalar(
            select(Category).options(selectinload(Category.children)).where(Category.slug == slug)
        )
        if query.category is None:
            raise NotFound(_l("Kategori tidak ditemukan."))
    if slug := (args.get("producer") or "").strip():
        query.producer = db.session.scalar(
            select(Producer).where(Producer.slug == slug, Producer.is_active.is_(True))
        )
        if query.producer is None:
            raise NotFound(_l("Produsen tidak ditemukan."))
    if code := (args.get("kecamatan") or "").strip():
        district = db.session.get(District, code)
        if district is None or district.regency_code != HOME_REGENCY_CODE:
            raise NotFound(_l("Kecamatan tidak ditemukan."))
        query.kecamatan = district


def _price_filters(query: ListingQuery, args) -> None:
    """Minimum and maximum price: a malformed one is ignored with a notice; swapped bounds are put right."""
    for name, label in (("min_price", _l("Harga minimum")), ("max_price", _l("Harga maksimum"))):
        try:
            setattr(query, name, _parse_int(args.get(name), low=0, high=MAX_PRICE))
        except ValueError:
            query.notices.append(_l("%(field)s tidak valid dan diabaikan.", field=label))
    if query.min_price is not None and query.max_price is not None and query.min_price > query.max_price:
        query.min_price, query.max_price = query.max_price, query.min_price


def _page_number(raw: str | None) -> int:
    """The page asked for; below 1 or malformed is page 1."""
    try:
        return max(1, _parse_int(raw, low=0, high=10**9) or 1)
    except ValueError:
        return 1


def parse_listing_args(args) -> ListingQuery:
    """Turn request arguments into a ListingQuery.

    Unknown category, producer or kecamatan → NotFound (404). Malformed numbers are ignored
    with a notice, and a page below 1 becomes page 1: bad input never becomes an error page.
    """
    query = ListingQuery()
    query.q = (args.get("q") or "").strip()[:MAX_QUERY_LENGTH]
    _place_filters(query, args)
    _price_filters(query, args)
    query.halal = args.get("halal") in ("1", "true", "on")
    query.in_stock = args.get("in_stock") in ("1", "true", "on")
    sort = (args.get("sort") or "").strip()
    query.sort = sort if sort in SORTS else ""
    query.page = _page_number(args.get("page"))
    return query


def listing_statement(query: ListingQuery) -> tuple[Select, object | None]:
    """The filtered statement over published products of active producers (no order, no limit)."""
    statement = (
        select(Product)
        .join(Product.producer)
        .where(on_sale_product_condition(), Product.price_from.is_not(None))
    )
    if query.category is not None:
        if query.category.is_sector:
            ids = [query.category.id] + [child.id for child in query.category.children]
            statement = statement.where(Product.category_id.in_(ids))
        else:
            statement = statement.where(Product.category_id == query.category.id)
    if query.producer is not None:
        statement = statement.where(Product.producer_id == query.producer.id)
    if query.kecamatan is not None:
        statement = statement.where(Producer.kecamatan_code == query.kecamatan.code)
    if query.min_price is not None:
        statement = statement.where(Product.price_from >= query.min_price)
    if query.max_price is not None:
        statement = statement.where(Product.price_from <= query.max_price)
    if query.halal:
        statement = statement.where(valid_certificate(Product.halal_certificate_id))
    if query.in_stock:
        statement = statement.where(product_in_stock_condition(Product.id))
    matched = None
    found = matching_products(query.q)
    if found is not None:
        # Materialised so the text index is searched once per statement: as a plain subquery
        # SQLite's planner re-ran the FTS match for every product (seconds on 50,000 products).
        matched = found.cte("matched").prefix_with("MATERIALIZED")
        statement = statement.join(matched, matched.c.product_id == Product.id)
    return statement, matched


def _ordered(statement: Select, sort: str, matched) -> Select:
    if sort == "relevance" and matched is not None:
        return statement.order_by(matched.c.exact_words.desc(), matched.c.score, Product.id.desc())
    if sort == "price_asc":
        return statement.order_by(Product.price_from.asc(), Product.id)
    if sort == "price_desc":
        return statement.order_by(Product.price_from.desc(), Product.id)
    if sort == "name":
        return statement.order_by(Product.name, Product.id)
    return statement.order_by(Product.created_at.desc(), Product.id.desc())


def card_options(statement: Select) -> Select:
    # The halal certificate is joined into the page's own statement: its validity decides the badge.
    # A card shows neither the description, the story nor the search text: they stay in the database.
    return statement.options(
        defer(Product.description), defer(Product.story), defer(Product.search_text),
        contains_eager(Product.producer),
        joinedload(Product.halal_certificate),
        selectinload(Product.variants),
        selectinload(Product.images),
    )


def cards_for(products: list[Product]) -> list[ProductCard]:
    """Wrap loaded products as cards, reading all their stock in one query."""
    stock = stock_levels(variant.id for product in products for variant in product.variants)
    return [ProductCard(product, stock) for product in products]


def listing_total(query: ListingQuery) -> int:
    """How many products match the filters: counted once per catalogue version and day, then kept.

    Without the in-stock filter the count does not depend on stock, so a sale leaves it cached.
    """
    def count() -> int:
        statement, _ = listing_statement(query)
        return db.session.scalar(statement.with_only_columns(func.count(Product.id)).order_by(None)) or 0

    filters = sorted(query.as_args(sort=None, page=None).items())
    return memoize("listing-count", "all" if query.in_stock else "products", (repr(filters),), count)


# A search finding fewer products than this looks for a spelling that finds more ("did you mean").
FEW_RESULTS = 3


def list_products(query: ListingQuery, per_page: int = 24) -> ResultPage:
    """One page of the listing: a count (cached), the page's ids, its products, their variants, images and stock.

    The page's ids are chosen first over narrow rows, then only those products are loaded: a deep page
    (OFFSET tens of thousands) no longer drags every skipped row through the joins of a card.
    A search that finds little is spelled again (gallery.catalog.spelling): the corrected search is
    suggested when it finds more, and its results are shown when the shopper's words found nothing;
    that costs a correction and a count, both cached, whatever the size of the catalogue.
    """
    total = listing_total(query)
    shown, suggestion = query, None
    if total < FEW_RESULTS and (spelled := corrected_query(query.q)) is not None:
        alternative = replace(query, q=spelled, notices=[])
        if (alternative_total := listing_total(alternative)) > total:
            suggestion = spelled
            if total == 0:
                shown, total = alternative, alternative_total
    page = query.page = shown.page = clamp_page(query.page, total, per_page)
    statement, matched = listing_statement(shown)
    ids_statement = _ordered(statement.with_only_columns(Product.id), shown.effective_sort, matched)
    ids = list(db.session.scalars(ids_statement.limit(per_page).offset((page - 1) * per_page)))
    return ResultPage(cards_for(products_by_ids(ids)), total, page, per_page, suggestion=suggestion,
                      corrected=shown is not query)


SUGGESTIONS = 8


def _suggestion_rows(q: str, limit: int) -> list[list[str]]:
    statement, matched = listing_statement(ListingQuery(q=q))
    if matched is None:
        return []
    statement = _ordered(statement.with_only_columns(Product.name, Product.slug), "relevance", matched)
    return [[name, slug] for name, slug in db.session.execute(statement.limit(limit))]


def search_suggestions(q: str, limit: int = SUGGESTIONS) -> list[tuple[str, str]]:
    """Up to `limit` published products (name, slug) for what a shopper is typing, best match first.

    The words match as the listing's search matches them (the last one is usually half typed); when
    they find nothing, the respelt words do (gallery.catalog.spelling). One statement, or three when
    respelt, cached under the catalogue's products version: a sale does not change a suggestion.
    """
    terms = search_terms(q[:MAX_QUERY_LENGTH])
    if not terms:
        return []

    def compute() -> list[list[str]]:
        rows = _suggestion_rows(" ".join(terms), limit)
        if not rows and (spelled := corrected_query(" ".join(terms))) is not None:
            rows = _suggestion_rows(spelled, limit)
        return rows

    return [(name, slug) for name, slug in memoize("suggest", "products", (" ".join(terms), limit), compute)]


def products_by_ids(ids: list[int]) -> list[Product]:
    """Load these products for cards (producer, halal certificate, variants, images), in the order given."""
    if not ids:
        return []
    loaded = {
        product.id: product
        for product in db.session.scalars(
            card_options(select(Product).join(Product.producer)).where(Product.id.in_(ids))
        ).unique()
    }
    return [loaded[product_id] for product_id in ids if product_id in loaded]
