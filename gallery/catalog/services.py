"""Catalog rules: producers (IKM) and the fields the listing reads; products live in catalog.products."""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from slugify import slugify
from sqlalchemy import func, select

from gallery.catalog.bank_details import clean_account_number, clean_bank_name_field
from gallery.catalog.certificates import add_producer_certificate
from gallery.catalog.models import Category, IkmClassification, Producer, Product
from gallery.catalog.search import compose_search_text
from gallery.consignment.sellable import on_sale_product_condition
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.shipping.models import District


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


def unique_slug(model, text: str, *, exclude_id: int | None = None, also_taken: set[str] = frozenset()) -> str:
    """Return a URL slug for `text` not yet used by another row of `model` nor listed in `also_taken`."""
    base = slugify(text, max_length=100, word_boundary=True) or "item"
    taken = set(also_taken) | set(
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


def create_producer(data: ProducerInput, *, certificates: list[tuple] = ()) -> Producer:
    """Register a producer (IKM) with a unique slug; the commission defaults to the config's (flushes).

    `certificates` are (kind, number) or (kind, number, valid_until), checked as staff enter them.
    """
    values = _check_producer(data)
    producer = Producer(slug=unique_slug(Producer, values["business_name"]), **values)
    db.session.add(producer)
    db.session.flush()
    for kind, number, *valid_until in certificates:
        add_producer_certificate(producer, kind, number, valid_until=valid_until[0] if valid_until else None)
    return producer


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
        .where(Product.slug == slug, on_sale_product_condition())
    )


def update_producer(producer: Producer, data: ProducerInput) -> Producer:
    """Change a producer's profile, consignment terms and bank details, checked as on registration.

    The slug (its public address) stays unless the business name changes; a new name gets a new
    unique slug and refreshes the search text of all its products. A new commission rate applies
    to goods received from now on: lots already on the shelf keep the payout agreed at intake.
    Nothing is written when a check fails; flushes, the caller commits.
    """
    values = _check_producer(data)
    new_name = values.pop("business_name")
    for key, value in values.items():
        setattr(producer, key, value)
    if new_name != producer.business_name:
        producer.slug = unique_slug(Producer, new_name, exclude_id=producer.id)
        rename_producer(producer, new_name)
    db.session.flush()
    return producer


def set_producer_active(producer: Producer, active: bool) -> Producer:
    """Deactivate or reactivate a producer.

    An inactive producer and all its products disappear from the storefront (every storefront
    query filters on Producer.is_active); its products, lots, stock ledger and history are kept
    as they are, so reactivating brings everything back unchanged.
    """
    producer.is_active = bool(active)
    db.session.flush()
    return producer


def producer_named(text: str, *, active_only: bool = True) -> tuple[int | None, int]:
    """The one producer staff mean by `text`: (its id, 1), or (None, how many matched: 0 or 2).

    Back-office forms take a name typed by staff instead of a select of every producer in the registry. A
    name typed in full wins over longer names that contain it ("Tenun Layar" beside "Tenun Layar Baru");
    otherwise the name must be part of exactly one business name.
    """
    typed = text.strip()[:100]
    base = select(Producer.id).limit(2)
    if active_only:
        base = base.where(Producer.is_active.is_(True))
    exact = list(db.session.scalars(base.where(func.lower(Producer.business_name) == typed.lower())))
    if len(exact) == 1:
        return exact[0], 1
    ids = list(db.session.scalars(base.where(Producer.business_name.icontains(typed, autoescape=True))))
    return (ids[0], 1) if len(ids) == 1 else (None, len(ids))
