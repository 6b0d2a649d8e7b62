"""Catalog rules: producers, products and variants, and the fields the listing reads."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from slugify import slugify
from sqlalchemy import func, select

from gallery.catalog.bank_details import clean_account_number, clean_bank_name_field
from gallery.catalog.models import (
    CertificateKind,
    Category,
    IkmClassification,
    Producer,
    ProducerCertificate,
    Product,
    Variant,
)
from gallery.catalog.search import compose_search_text
from gallery.errors import DomainError, NotFound
from gallery.extensions import db
from gallery.shipping.models import District

_PIRT = re.compile(r"^\d{13}-\d{2}$")
_BPOM_MD = re.compile(r"^MD \d{12}$")
_HALAL = re.compile(r"^ID\d{14,20}$")
_SKU = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,39}$")


def normalise_whatsapp(number: str | None) -> str | None:
    """Return an Indonesian mobile number as wa.me wants it (`62812…`), or raise DomainError."""
    if not number or not number.strip():
        return None
    digits = re.sub(r"[\s\-().]", "", number.strip())
    if digits.startswith("+"):
        digits = digits[1:]
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    if not re.fullmatch(r"628\d{7,11}", digits):
        raise DomainError(_l("Nomor WhatsApp tidak valid (contoh: 0812 3456 7890)."), field="whatsapp")
    return digits


def normalise_pirt(number: str | None) -> str | None:
    """Accept `P-IRT No. 2061301010123-29` or the bare number; store the bare 15 digits."""
    if not number or not number.strip():
        return None
    bare = re.sub(r"^(P-?IRT)\s*(No\.?)?\s*", "", number.strip(), flags=re.IGNORECASE)
    if not _PIRT.fullmatch(bare):
        raise DomainError(_l("Nomor P-IRT harus 15 digit, contoh 2061301010123-29."), field="pirt_number")
    return bare


def normalise_bpom(number: str | None) -> str | None:
    """Accept a BPOM MD registration (`MD 123456789012`)."""
    if not number or not number.strip():
        return None
    compact = re.sub(r"\s+", "", number.strip().upper())
    candidate = f"MD {compact[2:]}" if compact.startswith("MD") else compact
    if not _BPOM_MD.fullmatch(candidate):
        raise DomainError(_l("Nomor BPOM harus berbentuk MD diikuti 12 digit."), field="bpom_md_number")
    return candidate


def normalise_halal(number: str | None) -> str | None:
    """Accept a BPJPH halal certificate number (`ID13110000123450123`)."""
    if not number or not number.strip():
        return None
    compact = re.sub(r"\s+", "", number.strip().upper())
    if not _HALAL.fullmatch(compact):
        raise DomainError(_l("Nomor sertifikat halal BPJPH diawali ID diikuti angka."), field="halal_number")
    return compact


def unique_slug(model, text: str, *, exclude_id: int | None = None) -> str:
    """Return a URL slug for `text` not yet used by another row of `model`."""
    base = slugify(text, max_length=100, word_boundary=True) or "item"
    taken = set(
        db.session.scalars(
            select(model.slug).where(
                (model.slug == base) | model.slug.like(f"{base}-%"),
                model.id != (exclude_id or 0),
            )
        )
    )
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def refresh_listing_fields(product: Product) -> None:
    """Recompute the product's lowest active price and search document (flushes only).

    Every change to a product, its variants, its category or its producer's name calls this,
    so the listing's price filter and search never read stale values.
    """
    db.session.flush()
    prices = [variant.price for variant in product.variants if variant.is_active]
    product.price_from = min(prices) if prices else None
    category = product.category or db.session.get(Category, product.category_id)
    producer = product.producer or db.session.get(Producer, product.producer_id)
    product.search_text = compose_search_text(
        product.name,
        category.name if category else None,
        category.parent.name if category and category.parent else None,
        producer.business_name if producer else None,
        product.description,
    )
    db.session.flush()


@dataclass
class VariantInput:
    """What staff enter for one variant (SKU)."""

    sku: str
    label: str
    price: int
    weight_grams: int
    length_cm: int = 10
    width_cm: int = 10
    height_cm: int = 5
    net_content: str | None = None


@dataclass
class ProductInput:
    """What staff enter for a product."""

    name: str
    category_id: int
    description: str = ""
    published: bool = False
    is_featured: bool = False
    pirt_number: str | None = None
    bpom_md_number: str | None = None
    halal_number: str | None = None
    storage_note: str | None = None
    variants: list[VariantInput] = field(default_factory=list)


@dataclass
class ProducerInput:
    """What staff enter for a producer (IKM)."""

    business_name: str
    owner_name: str
    kecamatan_code: str
    size_class: str = "mikro"
    classification_id: int | None = None
    whatsapp: str | None = None
    story: str = ""
    address: str | None = None
    bank_name: str | None = None
    bank_account_number: str | None = None
    bank_account_holder: str | None = None
    commission_bp: int | None = None
    is_featured: bool = False


def _check_variant(data: VariantInput, *, variant_id: int | None = None) -> str:
    sku = data.sku.strip().upper()
    if not _SKU.fullmatch(sku):
        raise DomainError(_l("Kode SKU hanya huruf besar, angka dan tanda hubung (2–40 karakter)."), field="sku")
    for name, value in (("price", data.price), ("weight_grams", data.weight_grams)):
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise DomainError(_l("Harga dan berat harus bilangan bulat lebih dari nol."), field=name)
    for name in ("length_cm", "width_cm", "height_cm"):
        value = getattr(data, name)
        if not isinstance(value, int) or not 0 < value <= 300:
            raise DomainError(_l("Ukuran paket dalam cm harus antara 1 dan 300."), field=name)
    clash = db.session.scalar(select(Variant.id).where(Variant.sku == sku, Variant.id != (variant_id or 0)))
    if clash:
        raise DomainError(_l("Kode SKU %(sku)s sudah dipakai.", sku=sku), field="sku")
    if not data.label.strip():
        raise DomainError(_l("Label varian wajib diisi (misalnya ukuran atau berat)."), field="label")
    return sku


def _apply_variant(variant: Variant, data: VariantInput, sku: str) -> None:
    variant.sku = sku
    variant.label = data.label.strip()
    variant.price = data.price
    variant.weight_grams = data.weight_grams
    variant.length_cm = data.length_cm
    variant.width_cm = data.width_cm
    variant.height_cm = data.height_cm
    variant.net_content = (data.net_content or "").strip() or None


def _require_classification(classification_id) -> None:
    if not isinstance(classification_id, int) or db.session.get(IkmClassification, classification_id) is None:
        raise DomainError(_l("Pilih salah satu klasifikasi IKM."), field="classification_id")


def _check_producer(data: ProducerInput) -> dict:
    if not data.business_name.strip() or not data.owner_name.strip():
        raise DomainError(_l("Nama usaha dan nama pemilik wajib diisi."), field="business_name")
    district = db.session.get(District, data.kecamatan_code)
    if district is None or district.regency_code != "13.01":
        raise DomainError(_l("Pilih salah satu kecamatan di Pesisir Selatan."), field="kecamatan_code")
    if data.size_class not in ("mikro", "kecil", "menengah"):
        raise DomainError(_l("Skala usaha harus mikro, kecil atau menengah."), field="size_class")
    if data.classification_id is not None:
        _require_classification(data.classification_id)
    commission = data.commission_bp
    if commission is None:
        commission = current_app.config["DEFAULT_COMMISSION_BP"]
    if not isinstance(commission, int) or not 0 <= commission <= 10_000:
        raise DomainError(_l("Komisi harus antara 0 dan 100 %."), field="commission_bp")
    return {
        "business_name": data.business_name.strip(),
        "owner_name": data.owner_name.strip(),
        "kecamatan_code": data.kecamatan_code,
        "size_class": data.size_class,
        "classification_id": data.classification_id,
        "whatsapp": normalise_whatsapp(data.whatsapp),
        "story": (data.story or "").strip(),
        "address": (data.address or "").strip() or None,
        "bank_name": clean_bank_name_field(data.bank_name, "bank_name"),
        "bank_account_number": clean_account_number(data.bank_account_number),
        "bank_account_holder": clean_bank_name_field(data.bank_account_holder, "bank_account_holder"),
        "commission_bp": commission,
        "is_featured": data.is_featured,
    }


def create_producer(data: ProducerInput, *, certificates: list[tuple[str, str]] = (), commit: bool = True) -> Producer:
    """Register a producer (IKM) with a unique slug; the commission defaults to the config's."""
    values = _check_producer(data)
    producer = Producer(slug=unique_slug(Producer, values["business_name"]), **values)
    for kind, number in certificates:
        producer.certificates.append(ProducerCertificate(kind=kind, number=number))
    db.session.add(producer)
    db.session.flush()
    if commit:
        db.session.commit()
    return producer


def _check_product(data: ProductInput) -> tuple[Category, dict]:
    if not data.name.strip():
        raise DomainError(_l("Nama produk wajib diisi."), field="name")
    category = db.session.get(Category, data.category_id)
    if category is None or category.parent_id is None:
        raise DomainError(_l("Pilih sub-kategori produk."), field="category_id")
    values = {
        "name": data.name.strip(),
        "category_id": category.id,
        "description": (data.description or "").strip(),
        "published": data.published,
        "is_featured": data.is_featured,
        "pirt_number": normalise_pirt(data.pirt_number),
        "bpom_md_number": normalise_bpom(data.bpom_md_number),
        "halal_number": normalise_halal(data.halal_number),
        "storage_note": (data.storage_note or "").strip() or None,
    }
    if category.is_food and data.published and not (values["pirt_number"] or values["bpom_md_number"]):
        raise DomainError(
            _l("Produk pangan yang dijual wajib mencantumkan nomor P-IRT atau BPOM MD."), field="pirt_number"
        )
    return category, values


def create_product(producer: Producer, data: ProductInput, *, commit: bool = True) -> Product:
    """Add a product with its variants; a published product needs at least one variant."""
    category, values = _check_product(data)
    if data.published and not data.variants:
        raise DomainError(_l("Produk yang ditayangkan harus punya minimal satu varian."), field="variants")
    skus: list[str] = []
    for variant_data in data.variants:
        sku = _check_variant(variant_data)
        if sku in skus:
            raise DomainError(_l("Kode SKU %(sku)s dipakai dua kali.", sku=sku), field="sku")
        skus.append(sku)
    # Built only after every check has queried the database, so nothing half-made is autoflushed.
    product = Product(slug=unique_slug(Product, values["name"]), producer=producer, category=category, **values)
    for position, (variant_data, sku) in enumerate(zip(data.variants, skus)):
        variant = Variant(position=position)
        _apply_variant(variant, variant_data, sku)
        product.variants.append(variant)
    db.session.add(product)
    refresh_listing_fields(product)
    if commit:
        db.session.commit()
    return product


def update_product(product: Product, data: ProductInput) -> Product:
    """Change a product's details (not its variants) and refresh its listing fields."""
    category, values = _check_product(data)
    if data.published and not product.active_variants:
        raise DomainError(_l("Produk yang ditayangkan harus punya minimal satu varian."), field="published")
    for key, value in values.items():
        setattr(product, key, value)
    product.category = category
    if product.name != values["name"]:
        product.slug = unique_slug(Product, values["name"], exclude_id=product.id)
    refresh_listing_fields(product)
    db.session.commit()
    return product


def add_variant(product: Product, data: VariantInput) -> Variant:
    """Add a variant (SKU) to a product."""
    sku = _check_variant(data)
    position = (db.session.scalar(select(func.max(Variant.position)).where(Variant.product_id == product.id)) or 0) + 1
    variant = Variant(product=product, position=position)
    _apply_variant(variant, data, sku)
    db.session.add(variant)
    refresh_listing_fields(product)
    db.session.commit()
    return variant


def update_variant(variant: Variant, data: VariantInput, *, is_active: bool = True) -> Variant:
    """Change a variant's price, weight or size; past orders keep the price they were sold at."""
    sku = _check_variant(data, variant_id=variant.id)
    _apply_variant(variant, data, sku)
    variant.is_active = is_active
    product = variant.product
    if product.published and not any(v.is_active for v in product.variants):
        raise DomainError(_l("Produk yang ditayangkan harus punya minimal satu varian aktif."), field="is_active")
    refresh_listing_fields(product)
    db.session.commit()
    return variant


def rename_producer(producer: Producer, business_name: str) -> None:
    """Rename a producer and refresh the search text of all its products (flushes only)."""
    producer.business_name = business_name.strip()
    for product in db.session.scalars(select(Product).where(Product.producer_id == producer.id)):
        refresh_listing_fields(product)


def get_published_product(slug: str) -> Product | None:
    """Return a product shoppers may see (published, from an active producer), or None."""
    return db.session.scalar(
        select(Product)
        .join(Producer)
        .where(Product.slug == slug, Product.published.is_(True), Producer.is_active.is_(True))
    )


def update_producer(producer: Producer, data: ProducerInput) -> Producer:
    """Change a producer's profile, consignment terms and bank details, checked as on registration.

    The slug (its public address) stays unless the business name changes; a new name gets a new
    unique slug and refreshes the search text of all its products. A new commission rate applies
    to goods received from now on: lots already on the shelf keep the payout agreed at intake.
    Nothing is written when a check fails.
    """
    values = _check_producer(data)
    new_name = values.pop("business_name")
    for key, value in values.items():
        setattr(producer, key, value)
    if new_name != producer.business_name:
        producer.slug = unique_slug(Producer, new_name, exclude_id=producer.id)
        rename_producer(producer, new_name)
    db.session.commit()
    return producer


def set_producer_active(producer: Producer, active: bool) -> Producer:
    """Deactivate or reactivate a producer.

    An inactive producer and all its products disappear from the storefront (every storefront
    query filters on Producer.is_active); its products, lots, stock ledger and history are kept
    as they are, so reactivating brings everything back unchanged.
    """
    producer.is_active = bool(active)
    db.session.commit()
    return producer


def add_producer_certificate(
    producer: Producer,
    kind: str,
    number: str,
    *,
    issued_by: str | None = None,
    valid_until: date | None = None,
) -> ProducerCertificate:
    """Record a certificate the producer holds; a halal certificate must be a BPJPH number."""
    if kind not in CertificateKind.ALL:
        raise DomainError(_l("Pilih jenis sertifikat."), field="kind")
    number = (number or "").strip()
    if not number:
        raise DomainError(_l("Nomor sertifikat wajib diisi."), field="number")
    if len(number) > 60:
        raise DomainError(_l("Nomor sertifikat paling banyak 60 karakter."), field="number")
    if kind == CertificateKind.HALAL:
        number = normalise_halal(number)
    issued_by = (issued_by or "").strip() or None
    if issued_by and len(issued_by) > 120:
        raise DomainError(_l("Nama penerbit paling banyak 120 karakter."), field="issued_by")
    certificate = ProducerCertificate(kind=kind, number=number, issued_by=issued_by, valid_until=valid_until)
    producer.certificates.append(certificate)
    db.session.commit()
    return certificate


def remove_producer_certificate(producer: Producer, certificate_id: int) -> None:
    """Delete one of the producer's certificates; another producer's certificate is not found."""
    certificate = db.session.scalar(
        select(ProducerCertificate).where(
            ProducerCertificate.id == certificate_id, ProducerCertificate.producer_id == producer.id
        )
    )
    if certificate is None:
        raise NotFound(_l("Sertifikat tidak ditemukan."))
    db.session.delete(certificate)
    db.session.commit()
