"""Read models for producers: the public producer list and page, and the staff producers list.

Every function here runs a fixed number of SQL statements whatever the number of rows.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from gallery.catalog.models import Producer, Product
from gallery.consignment.models import Lot
from gallery.consignment.sellable import sellable_lot_condition
from gallery.errors import NotFound
from gallery.extensions import db
from gallery.pagination import PageNumbers, clamp_page
from gallery.shipping.models import HOME_REGENCY_CODE, District

from gallery.catalog.queries import MAX_QUERY_LENGTH, ProductCard, cards_for


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
