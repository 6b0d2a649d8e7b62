"""Read models for the storefront (and the staff producers list): filters, cards, pages of results.

Every function here runs a fixed number of SQL statements whatever the number of rows:
the page of products is one query, its variants, images and stock one query each.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.orm import contains_eager, defer, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from gallery.cache import memoize
from gallery.catalog.certificates import valid_certificate
from gallery.catalog.models import Category, Producer, Product
from gallery.catalog.search import matching_products, search_terms
from gallery.catalog.spelling import corrected_query
from gallery.consignment.models import Lot
from gallery.consignment.services import (
    StockLevel,
    product_in_stock_condition,
    stock_levels,
)
from gallery.consignment.sellable import on_sale_product_condition, sellable_lot_condition
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


def parse_listing_args(args) -> ListingQuery:
    """Turn request arguments into a ListingQuery.

    Unknown category, producer or kecamatan → NotFound (404). Malformed numbers are ignored
    with a notice, and a page below 1 becomes page 1: bad input never becomes an error page.
    """
    query = ListingQuery()
    query.q = (args.get("q") or "").strip()[:MAX_QUERY_LENGTH]

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

    for name, label in (("min_price", _l("Harga minimum")), ("max_price", _l("Harga maksimum"))):
        try:
            setattr(query, name, _parse_int(args.get(name), low=0, high=MAX_PRICE))
        except ValueError:
            query.notices.append(_l("%(field)s tidak valid dan diabaikan.", field=label))
    if query.min_price is not None and query.max_price is not None and query.min_price > query.max_price:
        query.min_price, query.max_price = query.max_price, query.min_price

    query.halal = args.get("halal") in ("1", "true", "on")
    query.in_stock = args.get("in_stock") in ("1", "true", "on")
    sort = (args.get("sort") or "").strip()
    query.sort = sort if sort in SORTS else ""
    try:
        query.page = max(1, _parse_int(args.get("page"), low=0, high=10**9) or 1)
    except ValueError:
        query.page = 1
    return query


def _listing_statement(query: ListingQuery) -> tuple[Select, object | None]:
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


def _card_options(statement: Select) -> Select:
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
        statement, _ = _listing_statement(query)
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
    statement, matched = _listing_statement(shown)
    ids_statement = _ordered(statement.with_only_columns(Product.id), shown.effective_sort, matched)
    ids = list(db.session.scalars(ids_statement.limit(per_page).offset((page - 1) * per_page)))
    return ResultPage(cards_for(products_by_ids(ids)), total, page, per_page, suggestion=suggestion,
                      corrected=shown is not query)


SUGGESTIONS = 8


def _suggestion_rows(q: str, limit: int) -> list[list[str]]:
    statement, matched = _listing_statement(ListingQuery(q=q))
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
            _card_options(select(Product).join(Product.producer)).where(Product.id.in_(ids))
        ).unique()
    }
    return [loaded[product_id] for product_id in ids if product_id in loaded]


def newest_products(limit: int = 8) -> list[ProductCard]:
    """The newest published products, for the home page."""
    statement, _ = _listing_statement(ListingQuery())
    statement = _card_options(statement).order_by(Product.created_at.desc(), Product.id.desc()).limit(limit)
    return cards_for(list(db.session.scalars(statement).unique()))


def featured_products(limit: int = 8) -> list[ProductCard]:
    """Products the gallery features on the home page, newest first."""
    statement, _ = _listing_statement(ListingQuery())
    statement = (
        _card_options(statement)
        .where(Product.is_featured.is_(True))
        .order_by(Product.created_at.desc(), Product.id.desc())
        .limit(limit)
    )
    return cards_for(list(db.session.scalars(statement).unique()))


def more_from_producer(product: Product, limit: int = 4) -> list[ProductCard]:
    """Other published products of the same producer, for the product page."""
    statement, _ = _listing_statement(ListingQuery())
    statement = (
        _card_options(statement)
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


@dataclass
class PublicProducerPage(PageNumbers):
    """One page of the public producers list: each producer with its number of products on sale."""

    rows: list[tuple[Producer, int]]
    total: int
    page: int
    per_page: int


def _producer_search(statement: Select, q: str) -> Select:
    if q := q.strip()[:MAX_QUERY_LENGTH]:
        statement = statement.where(
            Producer.business_name.icontains(q, autoescape=True) | Producer.owner_name.icontains(q, autoescape=True)
        )
    return statement


def list_producers(kecamatan: District | None = None, q: str = "", page: int = 1,
                   per_page: int = 48) -> PublicProducerPage:
    """Active producers by name, a page at a time, with their number of published products.

    Three statements whatever the size of the registry: the count, the page, and the page's product
    counts (grouped over the page's producers only).
    """
    statement = _producer_search(select(Producer).where(Producer.is_active.is_(True)), q)
    if kecamatan is not None:
        statement = statement.where(Producer.kecamatan_code == kecamatan.code)
    total = db.session.scalar(statement.with_only_columns(func.count(Producer.id)).order_by(None)) or 0
    page = clamp_page(page, total, per_page)
    producers = list(db.session.scalars(
        statement.order_by(Producer.business_name, Producer.id).limit(per_page).offset((page - 1) * per_page)
    ).unique())
    counts: dict[int, int] = {}
    if producers:
        counts = dict(db.session.execute(
            select(Product.producer_id, func.count(Product.id))
            .where(Product.producer_id.in_([producer.id for producer in producers]), Product.published.is_(True),
                   Product.price_from.is_not(None))
            .group_by(Product.producer_id)
        ).all())
    return PublicProducerPage([(producer, counts.get(producer.id, 0)) for producer in producers], total, page,
                              per_page)


def featured_producers(limit: int = 6) -> list[Producer]:
    """Producers the gallery features on the home page."""
    return list(
        db.session.scalars(
            select(Producer)
            .where(Producer.is_active.is_(True), Producer.is_featured.is_(True))
            .order_by(Producer.business_name)
            .limit(limit)
        ).unique()
    )


def get_producer_page(slug: str) -> Producer:
    """Load an active producer with its certificates, or raise NotFound."""
    producer = db.session.scalar(
        select(Producer)
        .options(selectinload(Producer.certificates))
        .where(Producer.slug == slug, Producer.is_active.is_(True))
    )
    if producer is None:
        raise NotFound(_l("Produsen tidak ditemukan."))
    return producer


def home_kecamatan() -> list[District]:
    """The fifteen kecamatan of Pesisir Selatan, for the listing's filter."""
    return list(
        db.session.scalars(select(District).where(District.regency_code == HOME_REGENCY_CODE).order_by(District.name))
    )


def products_of_producer(producer_id: int) -> list[ProductCard]:
    """All of one producer's products (published or not) as cards, for its portal and staff."""
    products = list(
        db.session.scalars(
            select(Product)
            .options(selectinload(Product.variants), selectinload(Product.images))
            .where(Product.producer_id == producer_id)
            .order_by(Product.name, Product.id)
        )
    )
    return cards_for(products)


# --- Back office: the producers list -------------------------------------------------------


@dataclass
class ProducerRow:
    """A producer as a row of the staff list, with its product count and units on the shelf."""

    producer: Producer
    products: int
    published: int
    units_on_hand: int


@dataclass
class ProducerPage(PageNumbers):
    """One page of the staff producers list with the numbers pagination needs."""

    rows: list[ProducerRow]
    total: int
    page: int
    per_page: int


def staff_producer_page(
    q: str = "",
    *,
    active: bool | None = None,
    kecamatan_code: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> ProducerPage:
    """Producers (active, inactive or both) by name, for staff.

    Four statements whatever the number of producers: the count, the page (with kecamatan and
    classification joined), the page's product counts, and its units on hand, i.e. the sum of
    on-hand units over sellable lots (on hand and not expired), grouped by producer.
    """
    statement = _producer_search(select(Producer), q)
    if active is not None:
        statement = statement.where(Producer.is_active.is_(active))
    if kecamatan_code:
        statement = statement.where(Producer.kecamatan_code == kecamatan_code)
    total = db.session.scalar(statement.with_only_columns(func.count(Producer.id)).order_by(None)) or 0
    page = clamp_page(page, total, per_page)
    producers = list(
        db.session.scalars(
            statement.order_by(Producer.business_name, Producer.id).limit(per_page).offset((page - 1) * per_page)
        ).unique()
    )
    ids = [producer.id for producer in producers]
    counts: dict[int, tuple[int, int]] = {}
    units: dict[int, int] = {}
    if ids:
        counts = {
            producer_id: (int(total_count), int(published_count or 0))
            for producer_id, total_count, published_count in db.session.execute(
                select(
                    Product.producer_id,
                    func.count(Product.id),
                    func.count(Product.id).filter(Product.published.is_(True)),
                )
                .where(Product.producer_id.in_(ids))
                .group_by(Product.producer_id)
            )
        }
        units = {
            producer_id: int(on_hand or 0)
            for producer_id, on_hand in db.session.execute(
                select(Lot.producer_id, func.sum(Lot.on_hand))
                .where(Lot.producer_id.in_(ids), sellable_lot_condition())
                .group_by(Lot.producer_id)
            )
        }
    rows = [
        ProducerRow(producer, *counts.get(producer.id, (0, 0)), units.get(producer.id, 0)) for producer in producers
    ]
    return ProducerPage(rows, total, page, per_page)


def producer_units_on_hand(producer_id: int) -> int:
    """Units of one producer on the shelf now: on hand in sellable (not expired) lots."""
    total = db.session.scalar(
        select(func.sum(Lot.on_hand)).where(Lot.producer_id == producer_id, sellable_lot_condition())
    )
    return int(total or 0)
