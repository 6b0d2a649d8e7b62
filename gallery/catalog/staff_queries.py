"""Read models of the staff catalogue: the products list with its filters and "needs attention" flags.

The list runs a fixed number of statements whatever the catalogue's size: the count, the page
(producer and linked certificates joined in), its variants, its photos, its stock and its open
proposals, one statement each.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from gallery import clock
from gallery.catalog.models import Category, Producer, ProducerCertificate, Product, ProductImage, ProductStatus, Variant
from gallery.catalog.proposal_models import ProductProposal, ProposalStatus
from gallery.consignment.services import StockLevel, stock_levels
from gallery.extensions import db
from gallery.pagination import PageNumbers, clamp_page

MAX_QUERY_LENGTH = 100


class Attention:
    """Why a product needs someone to look at it."""

    NO_PHOTO = "no_photo"
    NO_PRICE = "no_price"
    EXPIRED_CERTIFICATE = "expired_certificate"
    PENDING_PROPOSAL = "pending_proposal"
    ALL = (NO_PHOTO, NO_PRICE, EXPIRED_CERTIFICATE, PENDING_PROPOSAL)
    ANY = "any"


@dataclass
class ProductFilter:
    """The staff list's filters, already checked (unknown values were dropped by the view)."""

    q: str = ""
    producer: Producer | None = None
    producer_name: str = ""
    category: Category | None = None
    status: str = ""  # "" = every status
    attention: str = ""  # "", Attention.ANY or one of Attention.ALL
    page: int = 1

    def as_args(self, **overrides) -> dict:
        """The query arguments that reproduce this list (for links and pagination)."""
        args = {
            "q": self.q or None, "producer_id": self.producer.id if self.producer else None,
            "producer": self.producer_name or None, "category": self.category.slug if self.category else None,
            "status": self.status or None, "attention": self.attention or None,
        }
        args.update(overrides)
        return {key: value for key, value in args.items() if value not in (None, "")}


@dataclass
class StaffProductRow:
    """A product as one row of the staff list."""

    product: Product
    stock: dict[int, StockLevel]
    attention: list[str] = field(default_factory=list)

    @property
    def on_hand(self) -> int:
        return sum(self.stock[variant.id].available for variant in self.product.variants if variant.id in self.stock)


@dataclass
class StaffProductPage(PageNumbers):
    """One page of the staff products list with the numbers pagination needs."""

    rows: list[StaffProductRow]
    total: int
    page: int
    per_page: int


def _linked_expired(today: date):
    links = (Product.pirt_certificate_id, Product.bpom_certificate_id, Product.halal_certificate_id)
    return exists(select(ProducerCertificate.id).where(
        ProducerCertificate.id.in_(links), ProducerCertificate.valid_until < today))


def attention_condition(kind: str, today: date):
    """SQL condition for a product (not archived) that needs attention of `kind` (or of any kind)."""
    conditions = {
        Attention.NO_PHOTO: ~exists(select(ProductImage.id).where(ProductImage.product_id == Product.id)),
        Attention.NO_PRICE: Product.price_from.is_(None),
        Attention.EXPIRED_CERTIFICATE: _linked_expired(today),
        Attention.PENDING_PROPOSAL: exists(select(ProductProposal.id).where(
            ProductProposal.product_id == Product.id, ProductProposal.status == ProposalStatus.PENDING)),
    }
    chosen = or_(*conditions.values()) if kind == Attention.ANY else conditions[kind]
    return and_(Product.archived.is_(False), chosen)


def _filtered(filters: ProductFilter, today: date) -> Select:
    statement = select(Product).join(Product.producer)
    if q := filters.q.strip()[:MAX_QUERY_LENGTH]:
        statement = statement.where(or_(
            Product.name.icontains(q, autoescape=True),
            exists(select(Variant.id).where(Variant.product_id == Product.id,
                                            Variant.sku.icontains(q.upper(), autoescape=True))),
        ))
    if filters.producer is not None:
        statement = statement.where(Product.producer_id == filters.producer.id)
    if name := filters.producer_name.strip()[:MAX_QUERY_LENGTH]:
        statement = statement.where(Producer.business_name.icontains(name, autoescape=True))
    if filters.category is not None:
        ids = [filters.category.id] + [child.id for child in filters.category.children]
        statement = statement.where(Product.category_id.in_(ids))
    if filters.status == ProductStatus.PUBLISHED:
        statement = statement.where(Product.published.is_(True))
    elif filters.status == ProductStatus.ARCHIVED:
        statement = statement.where(Product.archived.is_(True))
    elif filters.status == ProductStatus.DRAFT:
        statement = statement.where(Product.published.is_(False), Product.archived.is_(False))
    if filters.attention:
        statement = statement.where(attention_condition(filters.attention, today))
    return statement


def _row_attention(product: Product, pending: set[int], today: date) -> list[str]:
    if product.archived:
        return []
    linked = (product.pirt_certificate, product.bpom_certificate, product.halal_certificate)
    flags = {
        Attention.NO_PHOTO: not product.images,
        Attention.NO_PRICE: product.price_from is None,
        Attention.EXPIRED_CERTIFICATE: any(cert is not None and not cert.is_valid_on(today) for cert in linked),
        Attention.PENDING_PROPOSAL: product.id in pending,
    }
    return [kind for kind, raised in flags.items() if raised]


def staff_product_page(filters: ProductFilter, per_page: int = 50) -> StaffProductPage:
    """One page of products for staff, newest first, with stock, price range and attention flags."""
    today = clock.today_wib()
    statement = _filtered(filters, today)
    total = db.session.scalar(statement.with_only_columns(func.count(Product.id)).order_by(None)) or 0
    page = filters.page = clamp_page(filters.page, total, per_page)
    products = list(db.session.scalars(
        statement.options(
            contains_eager(Product.producer),
            joinedload(Product.pirt_certificate), joinedload(Product.bpom_certificate),
            joinedload(Product.halal_certificate),
            selectinload(Product.variants), selectinload(Product.images),
        ).order_by(Product.id.desc()).limit(per_page).offset((page - 1) * per_page)
    ).unique())
    stock = stock_levels(variant.id for product in products for variant in product.variants)
    pending = set(db.session.scalars(select(ProductProposal.product_id).where(
        ProductProposal.product_id.in_([product.id for product in products]),
        ProductProposal.status == ProposalStatus.PENDING))) if products else set()
    rows = [StaffProductRow(product, stock, _row_attention(product, pending, today)) for product in products]
    return StaffProductPage(rows, total, page, per_page)


def export_products(filters: ProductFilter) -> list[Product]:
    """Every product the filters select, with producer, category, certificates and variants (three statements)."""
    return list(db.session.scalars(
        _filtered(filters, clock.today_wib()).options(
            contains_eager(Product.producer), joinedload(Product.category),
            joinedload(Product.pirt_certificate), joinedload(Product.bpom_certificate),
            joinedload(Product.halal_certificate), selectinload(Product.variants),
        ).order_by(Product.producer_id, Product.id)
    ).unique())
