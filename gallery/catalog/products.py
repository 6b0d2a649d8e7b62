"""Product rules: a product's fields, certificates, status and address, with its variants and photos.

Every change goes through here and leaves its trace in gallery.catalog.history. Each use case
checks everything first, then writes and flushes (the view, command or composing service's edge
commits); nothing is written when a check fails.

- A published product has an active variant; food names its P-IRT or BPOM certificate, valid on
  the day it goes on sale (catalog.certificates).
- The address (slug) follows the name until the product is first published; after that a rename
  keeps the old address as a redirect.
- Variants, SKUs and prices follow catalog.variants.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from slugify import slugify
from sqlalchemy import delete, select

from gallery import clock
from gallery.catalog import certificates, history
from gallery.catalog.models import (
    Category,
    CertificateKind,
    Producer,
    Product,
    ProductSlugRedirect,
    ProductStatus,
    Variant,
)
from gallery.catalog.photos import Upload, add_photos
from gallery.catalog.services import refresh_listing_fields, unique_slug
from gallery.catalog.variants import (
    VariantError,
    VariantInput,
    check_price_against_lots,
    check_rows,
    check_skus,
    clean_text,
    is_whole,
    save_variants,
)
from gallery.errors import DomainError
from gallery.extensions import db

MAX_VARIANTS = 50
MAX_SHELF_LIFE_DAYS = 730


@dataclass
class ProductInput:
    """A product as staff enter it; `variants` are the variants to add or change (others stay as they are)."""

    name: str
    category_id: int
    description: str = ""
    story: str = ""
    status: str = ProductStatus.DRAFT
    is_featured: bool = False
    pirt_certificate_id: int | None = None
    bpom_certificate_id: int | None = None
    halal_certificate_id: int | None = None
    storage_note: str | None = None
    min_shelf_life_days: int | None = None
    variants: list[VariantInput] = field(default_factory=list)


def check_fields(producer: Producer, data: ProductInput) -> tuple[Category, dict, dict]:
    """A product's cleaned fields and the certificates it names (the producer's own), or DomainError."""
    name = clean_text(data.name, "name")
    if not name:
        raise DomainError(_l("Nama produk wajib diisi."), field="name")
    category = db.session.get(Category, data.category_id) if is_whole(data.category_id, 1, 2**31) else None
    if category is None or category.parent_id is None:
        raise DomainError(_l("Pilih sub-kategori produk."), field="category_id")
    if data.status not in ProductStatus.ALL:
        raise DomainError(_l("Pilih status produk."), field="status")
    if data.min_shelf_life_days is not None and not is_whole(data.min_shelf_life_days, 0, MAX_SHELF_LIFE_DAYS):
        raise DomainError(_l("Umur simpan minimum antara 0 dan 730 hari."), field="min_shelf_life_days")
    linked = certificates.check_links(producer.id, {
        CertificateKind.PIRT: data.pirt_certificate_id,
        CertificateKind.BPOM: data.bpom_certificate_id,
        CertificateKind.HALAL: data.halal_certificate_id,
    })
    values = {
        "name": name,
        "category_id": category.id,
        "description": clean_text(data.description, "description"),
        "story": clean_text(data.story, "story"),
        "is_featured": bool(data.is_featured),
        "storage_note": clean_text(data.storage_note, "storage_note") or None,
        "min_shelf_life_days": data.min_shelf_life_days,
        "pirt_certificate_id": data.pirt_certificate_id or None,
        "bpom_certificate_id": data.bpom_certificate_id or None,
        "halal_certificate_id": data.halal_certificate_id or None,
    }
    return category, values, linked


def _check_publishable(category: Category, linked: dict, active_variants: int, going_live: bool) -> None:
    if active_variants == 0:
        raise DomainError(_l("Produk yang ditayangkan harus punya minimal satu varian aktif."), field="status")
    registration = [linked[CertificateKind.PIRT], linked[CertificateKind.BPOM]]
    if category.is_food and not any(registration):
        raise DomainError(_l("Produk pangan yang dijual wajib mencantumkan sertifikat P-IRT atau BPOM."),
                          field="pirt_certificate_id")
    today = clock.today_wib()
    if going_live and any(cert is not None and not cert.is_valid_on(today) for cert in registration):
        raise DomainError(_l("Izin edar (P-IRT/BPOM) yang dipilih sudah tidak berlaku; produk belum bisa "
                             "ditayangkan."), field="pirt_certificate_id")


def _snapshot(product: Product) -> dict:
    """The product's fields as its history shows them (names, not ids)."""
    def number(certificate):
        return certificate.number if certificate is not None else None

    return {
        "name": product.name, "category": product.category.name if product.category else None,
        "description": product.description, "story": product.story, "storage_note": product.storage_note,
        "min_shelf_life_days": product.min_shelf_life_days, "is_featured": product.is_featured,
        "pirt": number(product.pirt_certificate), "bpom": number(product.bpom_certificate),
        "halal": number(product.halal_certificate),
    }


def _free_slug(name: str, product_id: int | None) -> str:
    """A product address not used by another product nor kept as another product's old address."""
    base = slugify(name, max_length=100, word_boundary=True) or "item"
    kept = select(ProductSlugRedirect.slug).where(
        ProductSlugRedirect.slug.like(f"{base}%"), ProductSlugRedirect.product_id != (product_id or 0))
    return unique_slug(Product, name, exclude_id=product_id, also_taken=set(db.session.scalars(kept)))


def _move_address(product: Product, name: str) -> None:
    """A renamed product gets a new address; once it has been on sale, the old one redirects to it."""
    old = product.slug
    new = _free_slug(name, product.id)
    if new == old:
        return
    db.session.execute(delete(ProductSlugRedirect).where(ProductSlugRedirect.slug == new))
    if product.published_at is not None:
        db.session.add(ProductSlugRedirect(slug=old, product_id=product.id))
    product.slug = new


def _set_status(product: Product, status: str) -> None:
    product.published = status == ProductStatus.PUBLISHED
    product.archived = status == ProductStatus.ARCHIVED
    if product.published and product.published_at is None:
        product.published_at = clock.utcnow()


def create_product(producer: Producer, data: ProductInput, *, photos: list[Upload] = (), user=None,
                   reason: str = "") -> Product:
    """Add a product with its variants and photos; SKUs left empty are generated, first prices recorded."""
    category, values, linked = check_fields(producer, data)
    if len(data.variants) > MAX_VARIANTS:
        raise DomainError(_l("Paling banyak %(n)s varian per produk.", n=MAX_VARIANTS), field="variants")
    rows = check_rows(None, data.variants)
    check_skus(rows)
    if data.status == ProductStatus.PUBLISHED:
        _check_publishable(category, linked, sum(1 for _v, row in rows if row["is_active"]), True)
    # Built only after every check has queried the database, so nothing half-made is autoflushed.
    product = Product(slug=_free_slug(values["name"], None), producer=producer, category=category, **values)
    for certificate_kind, certificate in linked.items():
        setattr(product, certificate_kind + "_certificate", certificate)
    _set_status(product, data.status)
    db.session.add(product)
    db.session.flush()
    history.record_event(product.id, history.EventKind.CREATED, {"status": product.status}, user=user)
    save_variants(product, rows, user=user, reason=reason, announce=False)
    if photos:
        add_photos(product, list(photos), user=user)
    refresh_listing_fields(product)
    return product


def _check_repricing(rows: list, price_reason: str) -> None:
    """A price change needs a reason and may not go below the payout of a lot on the shelf."""
    repriced = [(index, variant, row["price"]) for index, (variant, row) in enumerate(rows)
                if variant is not None and row["price"] != variant.price]
    if repriced and not (price_reason or "").strip():
        raise DomainError(_l("Tulis alasan perubahan harga."), field="price_reason")
    for index, variant, price in repriced:
        try:
            check_price_against_lots(variant, price)
        except DomainError as error:
            raise VariantError(index, error) from None


def _active_after(product: Product, rows: list) -> int:
    """How many active variants the product has once `rows` are saved."""
    changed_ids = {variant.id for variant, _row in rows if variant is not None}
    active = sum(1 for variant in product.variants if variant.id not in changed_ids and variant.is_active)
    return active + sum(1 for _variant, row in rows if row["is_active"])


def update_product(product: Product, data: ProductInput, *, user=None, price_reason: str = "") -> Product:
    """Change a product's details and status, and add or change the variants in `data.variants`.

    A price change needs a reason and may not go below a shelf lot's payout; both are checked,
    with everything else, before anything is written.
    """
    category, values, linked = check_fields(product.producer, data)
    if len(product.variants) + sum(1 for row in data.variants if row.id is None) > MAX_VARIANTS:
        raise DomainError(_l("Paling banyak %(n)s varian per produk.", n=MAX_VARIANTS), field="variants")
    rows = check_rows(product, data.variants)
    check_skus(rows)
    _check_repricing(rows, price_reason)
    if data.status == ProductStatus.PUBLISHED:
        _check_publishable(category, linked, _active_after(product, rows), going_live=not product.published)

    before, status_before = _snapshot(product), product.status
    if values["name"] != product.name:
        _move_address(product, values["name"])
    for name, value in values.items():
        setattr(product, name, value)
    product.category = category
    for kind, certificate in linked.items():
        setattr(product, kind + "_certificate", certificate)
    _set_status(product, data.status)
    if changes := history.field_changes(before, _snapshot(product)):
        history.record_event(product.id, history.EventKind.UPDATED, changes, user=user)
    if status_before != product.status:
        history.record_event(product.id, history.EventKind.STATUS, {"status": [status_before, product.status]},
                             user=user)
    save_variants(product, rows, user=user, reason=price_reason)
    refresh_listing_fields(product)
    return product


def add_variant(product: Product, data: VariantInput, *, user=None) -> Variant:
    """Add one variant (SKU) to a product."""
    data.id = None
    update_product(product, product_input(product, variants=[data]), user=user)
    return product.variants[-1]


def update_variant(variant: Variant, data: VariantInput, *, user=None, price_reason: str = "") -> Variant:
    """Change one variant's price, weight, size or SKU; past orders and lots keep what they froze."""
    data.id = variant.id
    update_product(variant.product, product_input(variant.product, variants=[data]), user=user,
                   price_reason=price_reason)
    return variant


def product_input(product: Product, **overrides) -> ProductInput:
    """A product's current values as input, to change some and keep the rest."""
    data = ProductInput(
        name=product.name, category_id=product.category_id, description=product.description, story=product.story,
        status=product.status, is_featured=product.is_featured, pirt_certificate_id=product.pirt_certificate_id,
        bpom_certificate_id=product.bpom_certificate_id, halal_certificate_id=product.halal_certificate_id,
        storage_note=product.storage_note, min_shelf_life_days=product.min_shelf_life_days,
    )
    for name, value in overrides.items():
        setattr(data, name, value)
    return data


def set_product_status(product: Product, status: str, *, user=None) -> Product:
    """Publish, return to draft or archive a product, checked as on the edit screen."""
    return update_product(product, product_input(product, status=status), user=user)


def redirect_target(slug: str) -> str | None:
    """The current address of a product that used to live at `slug`, if it is on sale."""
    return db.session.scalar(
        select(Product.slug).join(ProductSlugRedirect, ProductSlugRedirect.product_id == Product.id)
        .where(ProductSlugRedirect.slug == slug[:160], Product.published.is_(True))
    )
