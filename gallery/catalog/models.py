"""Producers (IKM), categories, products, variants (SKU) and their images."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

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
    """A certificate held by a producer: halal (BPJPH), P-IRT, BPOM, SNI, a registered brand…"""

    __tablename__ = "producer_certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    number: Mapped[str] = mapped_column(String(60))
    issued_by: Mapped[str | None] = mapped_column(String(120))
    valid_until: Mapped[date | None] = mapped_column(Date)

    producer: Mapped[Producer] = relationship(back_populates="certificates")


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


class Product(db.Model):
    """A product a producer makes; what is sold is one of its variants."""

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
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(160), unique=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    name: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    is_featured: Mapped[bool] = mapped_column(Boolean, default=False)
    # Food label facts (see DESIGN.md "Food and certificates").
    pirt_number: Mapped[str | None] = mapped_column(String(20))
    bpom_md_number: Mapped[str | None] = mapped_column(String(20))
    halal_number: Mapped[str | None] = mapped_column(String(40))
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
