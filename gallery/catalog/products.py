"""Product rules: products and their variants (SKU), status, addresses and prices.

Every change goes through here and leaves its trace in gallery.catalog.history. Each use case
checks everything first, then writes, and commits once (callers that compose several pass
commit=False and commit themselves); nothing is written when a check fails.

- A published product has an active variant; food names its P-IRT or BPOM certificate, valid on
  the day it goes on sale.
- The address (slug) follows the name until the product is first published; after that a rename
  keeps the old address as a redirect.
- A SKU is generated when left empty, is unique, and is fixed once stock of it was received (it
  is printed on receipts); a variant with stock history is archived, never deleted.
- A price is whole Rupiah above zero and never below the frozen payout of a lot still on the
  shelf (DESIGN.md rule 6: lots and order lines keep what was frozen); every change is recorded.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from slugify import slugify
from sqlalchemy import delete, select, update

from gallery import clock
from gallery.catalog import certificates, history
from gallery.catalog.models import (
    CertificateKind,
    Category,
    Producer,
    Product,
    ProductSlugRedirect,
    ProductStatus,
    Variant,
)
from gallery.catalog.photos import Upload, add_photos
from gallery.catalog.services import refresh_listing_fields, unique_slug
from gallery.consignment.models import Lot
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.money import format_rupiah

_SKU = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,39}$")
MAX_VARIANTS = 50
MAX_SIZE_CM = 300
MAX_PRICE = 1_000_000_000
MAX_WEIGHT_GRAMS = 100_000
MAX_SHELF_LIFE_DAYS = 730
LIMITS = {"name": 160, "label": 60, "net_content": 40, "storage_note": 255, "description": 10_000, "story": 10_000}


class VariantError(DomainError):
    """A refusal that belongs to one of the variants given (0-based `index` into `ProductInput.variants`)."""

    def __init__(self, index: int, error: DomainError):
        super().__init__(error.message, field=error.field)
        self.index = index


@dataclass
class VariantInput:
    """One variant (SKU) as staff enter it; `id` names an existing variant of the product to change."""

    label: str
    price: int
    weight_grams: int
    sku: str = ""  # empty: generated
    length_cm: int = 10
    width_cm: int = 10
    height_cm: int = 5
    net_content: str | None = None
    commission_bp: int | None = None  # None: the producer's commission
    is_active: bool = True
    id: int | None = None


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


def _whole(value, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _text(value: str | None, name: str) -> str:
    text = (value or "").replace("\r\n", "\n").strip()
    if len(text) > LIMITS[name]:
        raise DomainError(_l("Paling banyak %(max)s karakter.", max=LIMITS[name]), field=name)
    return text


def check_variant(data: VariantInput) -> dict:
    """A variant's cleaned values, or DomainError; the SKU is checked for its form only (uniqueness comes later)."""
    sku = (data.sku or "").strip().upper()
    if sku and not _SKU.fullmatch(sku):
        raise DomainError(_l("Kode SKU hanya huruf besar, angka dan tanda hubung (2–40 karakter)."), field="sku")
    label = _text(data.label, "label")
    if not label:
        raise DomainError(_l("Label varian wajib diisi (misalnya ukuran atau berat)."), field="label")
    if not _whole(data.price, 1, MAX_PRICE):
        raise DomainError(_l("Harga harus rupiah bulat lebih dari nol."), field="price")
    if not _whole(data.weight_grams, 1, MAX_WEIGHT_GRAMS):
        raise DomainError(_l("Berat harus gram bulat lebih dari nol."), field="weight_grams")
    for name in ("length_cm", "width_cm", "height_cm"):
        if not _whole(getattr(data, name), 1, MAX_SIZE_CM):
            raise DomainError(_l("Ukuran paket dalam cm harus antara 1 dan 300."), field=name)
    if data.commission_bp is not None and not _whole(data.commission_bp, 0, 10_000):
        raise DomainError(_l("Komisi harus antara 0 dan 100 %."), field="commission_bp")
    return {
        "sku": sku, "label": label, "price": data.price, "weight_grams": data.weight_grams,
        "length_cm": data.length_cm, "width_cm": data.width_cm, "height_cm": data.height_cm,
        "net_content": _text(data.net_content, "net_content") or None, "commission_bp": data.commission_bp,
        "is_active": bool(data.is_active),
    }


def check_price_against_lots(variant: Variant, new_price: int) -> None:
    """Refuse a price below the frozen payout of a lot of this variant still on the shelf, naming the lot."""
    lot = db.session.scalar(
        select(Lot).where(Lot.variant_id == variant.id, Lot.on_hand > 0, Lot.unit_payout > new_price)
        .order_by(Lot.unit_payout.desc(), Lot.id).limit(1)
    )
    if lot is not None:
        raise DomainError(_l(
            "Harga baru %(price)s untuk %(sku)s di bawah harga titip lot #%(lot)s (%(payout)s, %(units)s unit "
            "masih di rak). Harga di bawah harga titip hanya lewat markdown.",
            price=format_rupiah(new_price), sku=variant.sku, lot=lot.id, payout=format_rupiah(lot.unit_payout),
            units=lot.on_hand), field="price")


def variants_with_stock_history(variant_ids) -> set[int]:
    """The variants of which stock was ever received (they have lots): one statement."""
    ids = {variant_id for variant_id in variant_ids if variant_id}
    if not ids:
        return set()
    return set(db.session.scalars(select(Lot.variant_id).where(Lot.variant_id.in_(ids)).distinct()))


def _sku_prefix(producer: Producer) -> str:
    words = re.findall(r"[A-Za-z0-9]+", producer.business_name or "")
    return "".join(word[0] for word in words[:3]).upper() or "SKU"


def _taken_skus(candidates: set[str], own_ids: set[int]) -> set[str]:
    if not candidates:
        return set()
    statement = select(Variant.sku).where(Variant.sku.in_(candidates))
    if own_ids:
        statement = statement.where(Variant.id.not_in(own_ids))
    return set(db.session.scalars(statement))


def _check_rows(product: Product | None, variants: list[VariantInput]) -> list[tuple[Variant | None, dict]]:
    """Each variant row checked, paired with the variant it changes (None: a new one)."""
    existing = {variant.id: variant for variant in product.variants} if product is not None else {}
    rows = []
    for index, data in enumerate(variants):
        try:
            if data.id is not None and data.id not in existing:
                raise DomainError(_l("Varian ini bukan milik produk ini."), field="label")
            rows.append((existing.get(data.id), check_variant(data)))
        except DomainError as error:
            raise VariantError(index, error) from None
    return rows


def _check_skus(rows: list[tuple[Variant | None, dict]]) -> None:
    """SKUs given are unique among the rows and in the shop; a received variant keeps its SKU."""
    seen: dict[str, int] = {}
    for index, (variant, values) in enumerate(rows):
        sku = values["sku"]
        if variant is not None and not sku:
            values["sku"] = sku = variant.sku
        if not sku:
            continue
        if sku in seen:
            raise VariantError(index, DomainError(_l("Kode SKU %(sku)s dipakai dua kali.", sku=sku), field="sku"))
        seen[sku] = index
    own = {variant.id for variant, _values in rows if variant is not None}
    if taken := _taken_skus(set(seen), own):
        sku = sorted(taken)[0]
        raise VariantError(seen[sku], DomainError(_l("Kode SKU %(sku)s sudah dipakai.", sku=sku), field="sku"))
    changed = {variant.id: index for index, (variant, values) in enumerate(rows)
               if variant is not None and values["sku"] != variant.sku}
    if locked := variants_with_stock_history(changed):
        index = min(changed[variant_id] for variant_id in locked)
        raise VariantError(index, DomainError(_l(
            "SKU %(sku)s tidak bisa diubah: stoknya sudah pernah diterima dan SKU itu tercetak di tanda terima.",
            sku=rows[index][0].sku), field="sku"))


def _generate_skus(product: Product, new_rows: list[dict]) -> None:
    """Give new variants without a SKU one from the producer's initials, the product id and a number."""
    missing = [values for values in new_rows if not values["sku"]]
    if not missing:
        return
    prefix = f"{_sku_prefix(product.producer)}-{product.id}"
    candidates = {f"{prefix}-{number}" for number in range(1, len(product.variants) + len(new_rows) + 50)}
    used = {variant.sku for variant in product.variants} | {values["sku"] for values in new_rows}
    free = sorted(candidates - _taken_skus(candidates, set()) - used, key=lambda sku: int(sku.rsplit("-", 1)[1]))
    for values, sku in zip(missing, free):
        values["sku"] = sku


def check_fields(producer: Producer, data: ProductInput) -> tuple[Category, dict, dict]:
    """A product's cleaned fields and the certificates it names (the producer's own), or DomainError."""
    name = _text(data.name, "name")
    if not name:
        raise DomainError(_l("Nama produk wajib diisi."), field="name")
    category = db.session.get(Category, data.category_id) if _whole(data.category_id, 1, 2**31) else None
    if category is None or category.parent_id is None:
        raise DomainError(_l("Pilih sub-kategori produk."), field="category_id")
    if data.status not in ProductStatus.ALL:
        raise DomainError(_l("Pilih status produk."), field="status")
    if data.min_shelf_life_days is not None and not _whole(data.min_shelf_life_days, 0, MAX_SHELF_LIFE_DAYS):
        raise DomainError(_l("Umur simpan minimum antara 0 dan 730 hari."), field="min_shelf_life_days")
    linked = certificates.check_links(producer.id, {
        CertificateKind.PIRT: data.pirt_certificate_id,
        CertificateKind.BPOM: data.bpom_certificate_id,
        CertificateKind.HALAL: data.halal_certificate_id,
    })
    values = {
        "name": name,
        "category_id": category.id,
        "description": _text(data.description, "description"),
        "story": _text(data.story, "story"),
        "is_featured": bool(data.is_featured),
        "storage_note": _text(data.storage_note, "storage_note") or None,
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


def _variant_snapshot(variant: Variant) -> dict:
    return {name: getattr(variant, name) for name in ("sku", "label", "weight_grams", "length_cm", "width_cm",
                                                      "height_cm", "net_content", "commission_bp", "is_active")}


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


def _apply_variant(variant: Variant, values: dict) -> None:
    for name, value in values.items():
        setattr(variant, name, value)


def _finish(product: Product, commit: bool) -> None:
    refresh_listing_fields(product)
    if commit:
        db.session.commit()


def create_product(producer: Producer, data: ProductInput, *, photos: list[Upload] = (), user=None,
                   reason: str = "", commit: bool = True) -> Product:
    """Add a product with its variants and photos; SKUs left empty are generated, first prices recorded."""
    category, values, linked = check_fields(producer, data)
    if len(data.variants) > MAX_VARIANTS:
        raise DomainError(_l("Paling banyak %(n)s varian per produk.", n=MAX_VARIANTS), field="variants")
    rows = _check_rows(None, data.variants)
    _check_skus(rows)
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
    _save_variants(product, rows, user=user, reason=reason, announce=False)
    if photos:
        add_photos(product, list(photos), user=user, commit=False)
    _finish(product, commit)
    return product


def update_product(product: Product, data: ProductInput, *, user=None, price_reason: str = "",
                   commit: bool = True) -> Product:
    """Change a product's details and status, and add or change the variants in `data.variants`.

    A price change needs a reason and may not go below a shelf lot's payout; both are checked,
    with everything else, before anything is written.
    """
    category, values, linked = check_fields(product.producer, data)
    if len(product.variants) + sum(1 for row in data.variants if row.id is None) > MAX_VARIANTS:
        raise DomainError(_l("Paling banyak %(n)s varian per produk.", n=MAX_VARIANTS), field="variants")
    rows = _check_rows(product, data.variants)
    _check_skus(rows)
    repriced = [(index, variant, row["price"]) for index, (variant, row) in enumerate(rows)
                if variant is not None and row["price"] != variant.price]
    if repriced and not (price_reason or "").strip():
        raise DomainError(_l("Tulis alasan perubahan harga."), field="price_reason")
    for index, variant, price in repriced:
        try:
            check_price_against_lots(variant, price)
        except DomainError as error:
            raise VariantError(index, error) from None
    changed_ids = {variant.id for variant, _row in rows if variant is not None}
    active = sum(1 for variant in product.variants if variant.id not in changed_ids and variant.is_active)
    active += sum(1 for _variant, row in rows if row["is_active"])
    if data.status == ProductStatus.PUBLISHED:
        _check_publishable(category, linked, active, going_live=not product.published)

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
    _save_variants(product, rows, user=user, reason=price_reason)
    _finish(product, commit)
    return product


def _save_variants(product: Product, rows: list[tuple[Variant | None, dict]], *, user, reason: str,
                   announce: bool = True) -> None:
    """Write checked variant rows: change the existing, append the new, record prices and events.

    `announce` False leaves out the "variant added" events (a new product's creation says it all).
    """
    added = []
    _generate_skus(product, [values for variant, values in rows if variant is None])
    position = max((variant.position for variant in product.variants), default=-1)
    for variant, values in rows:
        if variant is None:
            position += 1
            variant = Variant(position=position, **values)
            product.variants.append(variant)
            added.append(variant)
            continue
        old_price, before = variant.price, _variant_snapshot(variant)
        _apply_variant(variant, values)
        if changes := history.field_changes(before, _variant_snapshot(variant)):
            history.record_event(product.id, history.EventKind.VARIANT_UPDATED, {"sku": variant.sku, **changes},
                                 user=user)
        if variant.price != old_price:
            history.record_price(variant, old_price, reason=reason, user=user)
    db.session.flush()
    for variant in added:
        if announce:
            history.record_event(product.id, history.EventKind.VARIANT_ADDED,
                                 {"sku": variant.sku, "label": variant.label}, user=user)
        history.record_price(variant, None, reason=reason, user=user)


def add_variant(product: Product, data: VariantInput, *, user=None, commit: bool = True) -> Variant:
    """Add one variant (SKU) to a product."""
    data.id = None
    update_product(product, product_input(product, variants=[data]), user=user, commit=commit)
    return product.variants[-1]


def update_variant(variant: Variant, data: VariantInput, *, user=None, price_reason: str = "",
                   commit: bool = True) -> Variant:
    """Change one variant's price, weight, size or SKU; past orders and lots keep what they froze."""
    data.id = variant.id
    update_product(variant.product, product_input(variant.product, variants=[data]), user=user,
                   price_reason=price_reason, commit=commit)
    return variant


def remove_variant(variant: Variant, *, user=None) -> bool:
    """Delete a variant never received; one with stock history is archived instead. True when deleted.

    A published product keeps at least one active variant.
    """
    product = variant.product
    if product.published and not any(v.is_active for v in product.variants if v.id != variant.id):
        raise DomainError(_l("Produk yang ditayangkan harus punya minimal satu varian aktif."), field="variants")
    details = {"sku": variant.sku, "label": variant.label}
    if variants_with_stock_history([variant.id]):
        variant.is_active = False
        history.record_event(product.id, history.EventKind.VARIANT_UPDATED, {**details, "is_active": [True, False]},
                             user=user)
        deleted = False
    else:
        db.session.execute(
            update(history.PriceChange).where(history.PriceChange.variant_id == variant.id).values(variant_id=None))
        product.variants.remove(variant)
        db.session.delete(variant)
        history.record_event(product.id, history.EventKind.VARIANT_REMOVED, details, user=user)
        deleted = True
    _finish(product, commit=True)
    return deleted


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


def variant_input(variant: Variant, **overrides) -> VariantInput:
    """A variant's current values as input, to change some and keep the rest."""
    data = VariantInput(id=variant.id, price=variant.price, **_variant_snapshot(variant))
    for name, value in overrides.items():
        setattr(data, name, value)
    return data


def set_product_status(product: Product, status: str, *, user=None, commit: bool = True) -> Product:
    """Publish, return to draft or archive a product, checked as on the edit screen."""
    return update_product(product, product_input(product, status=status), user=user, commit=commit)


def redirect_target(slug: str) -> str | None:
    """The current address of a product that used to live at `slug`, if it is on sale."""
    return db.session.scalar(
        select(Product.slug).join(ProductSlugRedirect, ProductSlugRedirect.product_id == Product.id)
        .where(ProductSlugRedirect.slug == slug[:160], Product.published.is_(True))
    )
