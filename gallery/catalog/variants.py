"""Variant (SKU) rules: checking variant rows, SKUs, prices against shelf lots, and writing variants.

- A SKU is generated when left empty, is unique, and is fixed once stock of it was received (it
  is printed on receipts); a variant with stock history is archived, never deleted.
- A price is whole Rupiah above zero and never below the frozen payout of a lot still on the
  shelf (DESIGN.md rule 6: lots and order lines keep what was frozen); every change is recorded
  in gallery.catalog.history with its reason.

catalog.products composes these into its use cases; checks come before writes, writes only flush.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from gallery.catalog import history
from gallery.catalog.models import Producer, Product, Variant
from gallery.catalog.services import refresh_listing_fields
from gallery.consignment.models import Lot
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.money import format_rupiah

_SKU = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,39}$")
MAX_SIZE_CM = 300
MAX_PRICE = 1_000_000_000
MAX_WEIGHT_GRAMS = 100_000
LIMITS = {"name": 160, "label": 60, "net_content": 40, "storage_note": 255, "description": 10_000, "story": 10_000}


def is_whole(value, low: int, high: int) -> bool:
    """An int (not a bool) within [low, high]: the shape every count and amount here takes."""
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def clean_text(value: str | None, name: str) -> str:
    """Trimmed text with Unix line ends, refused when longer than LIMITS[name]."""
    text = (value or "").replace("\r\n", "\n").strip()
    if len(text) > LIMITS[name]:
        raise DomainError(_l("Paling banyak %(max)s karakter.", max=LIMITS[name]), field=name)
    return text


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



def check_variant(data: VariantInput) -> dict:
    """A variant's cleaned values, or DomainError; the SKU is checked for its form only (uniqueness comes later)."""
    sku = (data.sku or "").strip().upper()
    if sku and not _SKU.fullmatch(sku):
        raise DomainError(_l("Kode SKU hanya huruf besar, angka dan tanda hubung (2–40 karakter)."), field="sku")
    label = clean_text(data.label, "label")
    if not label:
        raise DomainError(_l("Label varian wajib diisi (misalnya ukuran atau berat)."), field="label")
    if not is_whole(data.price, 1, MAX_PRICE):
        raise DomainError(_l("Harga harus rupiah bulat lebih dari nol."), field="price")
    if not is_whole(data.weight_grams, 1, MAX_WEIGHT_GRAMS):
        raise DomainError(_l("Berat harus gram bulat lebih dari nol."), field="weight_grams")
    for name in ("length_cm", "width_cm", "height_cm"):
        if not is_whole(getattr(data, name), 1, MAX_SIZE_CM):
            raise DomainError(_l("Ukuran paket dalam cm harus antara 1 dan 300."), field=name)
    if data.commission_bp is not None and not is_whole(data.commission_bp, 0, 10_000):
        raise DomainError(_l("Komisi harus antara 0 dan 100 %."), field="commission_bp")
    return {
        "sku": sku, "label": label, "price": data.price, "weight_grams": data.weight_grams,
        "length_cm": data.length_cm, "width_cm": data.width_cm, "height_cm": data.height_cm,
        "net_content": clean_text(data.net_content, "net_content") or None, "commission_bp": data.commission_bp,
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


def check_rows(product: Product | None, variants: list[VariantInput]) -> list[tuple[Variant | None, dict]]:
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


def check_skus(rows: list[tuple[Variant | None, dict]]) -> None:
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



def _variant_snapshot(variant: Variant) -> dict:
    return {name: getattr(variant, name) for name in ("sku", "label", "weight_grams", "length_cm", "width_cm",
                                                      "height_cm", "net_content", "commission_bp", "is_active")}



def _apply_variant(variant: Variant, values: dict) -> None:
    for name, value in values.items():
        setattr(variant, name, value)



def save_variants(product: Product, rows: list[tuple[Variant | None, dict]], *, user, reason: str,
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
    refresh_listing_fields(product)
    db.session.flush()
    return deleted



def variant_input(variant: Variant, **overrides) -> VariantInput:
    """A variant's current values as input, to change some and keep the rest."""
    data = VariantInput(id=variant.id, price=variant.price, **_variant_snapshot(variant))
    for name, value in overrides.items():
        setattr(data, name, value)
    return data
