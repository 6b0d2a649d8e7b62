"""Producers (IKM), categories, products, variants (SKU) and their images."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gallery import clock
from gallery.dbtypes import UTCDateTime, now_utc
from gallery.extensions import db


class SizeClass:
    """The office's size classes of small industry."""

    MIKRO = "mikro"
    KECIL = "kecil"
    MENENGAH = "menengah"
    ALL = (MIKRO, KECIL, MENENGAH)


class IkmClassification(db.Model):
    """One of the regency's IKM classifications (e.g. tenun songket, makanan olahan)."""

    __tablename__ = "ikm_classifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str | None] = mapped_column(String(120))
    sector_slug: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer, default=0)


class Producer(db.Model):
    """A small local industry (IKM) that consigns goods to the gallery."""

    __tablename__ = "producers"
    __table_args__ = (
        CheckConstraint("size_class IN ('mikro', 'kecil', 'menengah')", name="size_class_known"),
        CheckConstraint("commission_bp >= 0 AND commission_bp <= 10000", name="commission_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    business_name: Mapped[str] = mapped_column(String(160))
    owner_name: Mapped[str] = mapped_column(String(120))
    kecamatan_code: Mapped[str] = mapped_column(ForeignKey("districts.code"), index=True)
    address: Mapped[str | None] = mapped_column(String(255))
    classification_id: Mapped[int | None] = mapped_column(ForeignKey("ikm_classifications.id"), index=True)
    size_class: Mapped[str] = mapped_column(String(12), default=SizeClass.MIKRO)
    whatsapp: Mapped[str | None] = mapped_column(String(20))
    story: Mapped[str] = mapped_column(Text, default="")
    bank_name: Mapped[str | None] = mapped_column(String(80))
    bank_account_number: Mapped[str | None] = mapped_column(String(40))
    bank_account_holder: Mapped[str | None] = mapped_column(String(120))
    commission_bp: Mapped[int] = mapped_column(Integer)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_featured: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)

    kecamatan = relationship("District", lazy="joined", innerjoin=True)
    classification: Mapped[IkmClassification | None] = relationship(lazy="joined")
    certificates: Mapped[list["ProducerCertificate"]] = relationship(
        back_populates="producer", order_by="ProducerCertificate.id", cascade="all, delete-orphan"
    )
    products: Mapped[list["Product"]] = relationship(back_populates="producer")

    @property
    def whatsapp_link(self) -> str | None:
        """A wa.me link for the producer's WhatsApp number, if any."""
        return f"https://wa.me/{self.whatsapp}" if self.whatsapp else None

    def __repr__(self) -> str:
        return f"<Producer {self.slug}>"


class CertificateKind:
    """Certificates an IKM commonly holds."""

    HALAL = "halal"
    PIRT = "pirt"
    BPOM = "bpom"
    SNI = "sni"
    HAKI = "haki"
    OTHER = "other"
    ALL = (HALAL, PIRT, BPOM, SNI, HAKI, OTHER)


class ProducerCertificate(db.Model):
    """A certificate held by a producer: halal (BPJPH), P-IRT, BPOM, SNI, a registered brand…

    `valid_until` is the last day it is valid (WIB); None means it does not lapse. A product's
    halal, P-IRT and BPOM numbers are links to these rows, so their validity comes with them.
    """

    __tablename__ = "producer_certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    number: Mapped[str] = mapped_column(String(60))
    issued_by: Mapped[str | None] = mapped_column(String(120))
    valid_until: Mapped[date | None] = mapped_column(Date)

    producer: Mapped[Producer] = relationship(back_populates="certificates")

    def is_valid_on(self, day: date) -> bool:
        """Valid on `day`: no end date, or the end date has not passed."""
        return self.valid_until is None or self.valid_until >= day

    @property
    def is_expired(self) -> bool:
        """Lapsed as of today (WIB)."""
        return not self.is_valid_on(clock.today_wib())


class Category(db.Model):
    """A sector (no parent) or one of its sub-categories: a two-level tree."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str | None] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Food needs an expiry date on every lot and shows its label facts.
    is_food: Mapped[bool] = mapped_column(Boolean, default=False)

    parent: Mapped["Category | None"] = relationship(remote_side="Category.id", back_populates="children")
    children: Mapped[list["Category"]] = relationship(back_populates="parent", order_by="Category.position")

    @property
    def is_sector(self) -> bool:
        return self.parent_id is None

    @property
    def sector(self) -> "Category":
        return self if self.parent is None else self.parent

    def __repr__(self) -> str:
        return f"<Category {self.slug}>"


class ProductStatus:
    """Where a product is in its life: drafted, on sale, or retired (kept with its history)."""

    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"
    ALL = (DRAFT, PUBLISHED, ARCHIVED)


class Product(db.Model):
    """A product a producer makes; what is sold is one of its variants.

    Its status is kept in two flags (`published`, which every storefront query filters on, and
    `archived`), never both set.
    """

    __tablename__ = "products"
    __table_args__ = (
        Index("ix_products_published_created", "published", "created_at"),
        # A producer's own products, newest and featured first (product and producer pages): with only
        # producer_id indexed, SQLite preferred the published index and scanned every product.
        Index("ix_products_producer_published", "producer_id", "published", "is_featured", "created_at"),
        # Covers the listing counts (total, per sector) so they never read the table rows.
        Index("ix_products_listing_count", "published", "producer_id", "category_id", "price_from"),
        Index("ix_products_price_from", "price_from"),
        CheckConstraint(
            "min_shelf_life_days IS NULL OR (min_shelf_life_days >= 0 AND min_shelf_life_days <= 730)",
            name="min_shelf_life_in_range",
        ),
        CheckConstraint("NOT (published AND archived)", name="published_or_archived"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(160), unique=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    name: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    story: Mapped[str] = mapped_column(Text, default="", server_default="")
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    archived: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # First time it went on sale: from then on its address is kept (a rename leaves a redirect).
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_featured: Mapped[bool] = mapped_column(Boolean, default=False)
    # Food label facts (see DESIGN.md "Food and certificates"): the producer's certificates, with validity.
    pirt_certificate_id: Mapped[int | None] = mapped_column(ForeignKey("producer_certificates.id"))
    bpom_certificate_id: Mapped[int | None] = mapped_column(ForeignKey("producer_certificates.id"))
    halal_certificate_id: Mapped[int | None] = mapped_column(ForeignKey("producer_certificates.id"))
    storage_note: Mapped[str | None] = mapped_column(String(255))
    # Days of shelf life the shopper must still get at hand-over (None: DEFAULT_MIN_SHELF_LIFE_DAYS).
    min_shelf_life_days: Mapped[int | None] = mapped_column(Integer)
    # Kept by catalog.services.refresh_listing_fields for the listing's price filter and search.
    price_from: Mapped[int | None] = mapped_column(Integer)
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)

    producer: Mapped[Producer] = relationship(back_populates="products")
    category: Mapped[Category] = relationship()
    pirt_certificate: Mapped[ProducerCertificate | None] = relationship(foreign_keys=[pirt_certificate_id])
    bpom_certificate: Mapped[ProducerCertificate | None] = relationship(foreign_keys=[bpom_certificate_id])
    halal_certificate: Mapped[ProducerCertificate | None] = relationship(foreign_keys=[halal_certificate_id])
    variants: Mapped[list["Variant"]] = relationship(
        back_populates="product", order_by="Variant.position, Variant.id", cascade="all, delete-orphan"
    )
    images: Mapped[list["ProductImage"]] = relationship(
        back_populates="product", order_by="ProductImage.position, ProductImage.id", cascade="all, delete-orphan"
    )

    @property
    def is_food(self) -> bool:
        return bool(self.category and self.category.is_food)

    @property
    def status(self) -> str:
        if self.archived:
            return ProductStatus.ARCHIVED
        return ProductStatus.PUBLISHED if self.published else ProductStatus.DRAFT

    @property
    def pirt_number(self) -> str | None:
        return self.pirt_certificate.number if self.pirt_certificate else None

    @property
    def bpom_number(self) -> str | None:
        return self.bpom_certificate.number if self.bpom_certificate else None

    @property
    def halal_number(self) -> str | None:
        return self.halal_certificate.number if self.halal_certificate else None

    @property
    def is_halal(self) -> bool:
        """Carries a halal certificate that has not lapsed: the badge and the `halal` filter."""
        return self.halal_certificate is not None and not self.halal_certificate.is_expired

    @property
    def active_variants(self) -> list["Variant"]:
        return [variant for variant in self.variants if variant.is_active]

    @property
    def cover_image(self) -> "ProductImage | None":
        return self.images[0] if self.images else None

    def __repr__(self) -> str:
        return f"<Product {self.slug}>"


class Variant(db.Model):
    """A sellable unit (SKU): a size, a weight or a colour of a product, with its own price."""

    __tablename__ = "variants"
    __table_args__ = (
        CheckConstraint("price > 0", name="price_positive"),
        CheckConstraint("weight_grams > 0", name="weight_positive"),
        CheckConstraint("length_cm > 0 AND width_cm > 0 AND height_cm > 0", name="size_positive"),
        CheckConstraint("commission_bp IS NULL OR (commission_bp >= 0 AND commission_bp <= 10000)",
                        name="commission_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    sku: Mapped[str] = mapped_column(String(40), unique=True)
    label: Mapped[str] = mapped_column(String(60))
    price: Mapped[int] = mapped_column(Integer)
    weight_grams: Mapped[int] = mapped_column(Integer)
    length_cm: Mapped[int] = mapped_column(Integer, default=10)
    width_cm: Mapped[int] = mapped_column(Integer, default=10)
    height_cm: Mapped[int] = mapped_column(Integer, default=5)
    net_content: Mapped[str | None] = mapped_column(String(40))
    # The gallery's commission on this variant when it differs from the producer's (basis points).
    commission_bp: Mapped[int | None] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Below this many sellable units the variant shows on the staff's low-stock list.
    low_stock_threshold: Mapped[int] = mapped_column(Integer, default=3, server_default="3")

    product: Mapped[Product] = relationship(back_populates="variants")

    def __repr__(self) -> str:
        return f"<Variant {self.sku}>"


class ProductImage(db.Model):
    """A product photo, stored only as re-encoded renditions named by `key`."""

    __tablename__ = "product_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    alt: Mapped[str] = mapped_column(String(200), default="")
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)

    product: Mapped[Product] = relationship(back_populates="images")


class ProductSlugRedirect(db.Model):
    """An address a published product had before it was renamed; it redirects to the product."""

    __tablename__ = "product_slug_redirects"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(160), unique=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    product: Mapped[Product] = relationship()
