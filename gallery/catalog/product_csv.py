"""Products and variants as CSV for the office: export, and an all-or-nothing import with a preview.

One line per variant; the lines of one product share its columns. A line with `product_slug`
changes that product (its variants matched by SKU, new SKUs added); lines without it and with the
same producer and name make one new product. Certificates are named by number and must be the
producer's own. Every product goes through catalog.products exactly as on the edit screen, and
those services check everything before they write, so a refused product leaves nothing behind:
the whole file is run in a savepoint, every wrong line is reported, and the savepoint is kept (for the
view to commit) only when no line is wrong, never for a preview.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gallery.catalog import history
from gallery.catalog.certificates import NORMALISERS, PRODUCT_LINKS
from gallery.catalog.forms import basis_points_to_percent, percent_to_basis_points
from gallery.catalog.models import Category, CertificateKind, Producer, Product, ProductStatus
from gallery.catalog.product_forms import parse_whole
from gallery.catalog.products import ProductInput, create_product, update_product
from gallery.catalog.variants import VariantError, VariantInput
from gallery.csvimport import ImportPreview, RowError, read_preview_rows
from gallery.errors import DomainError
from gallery.extensions import db

PRODUCT_COLUMNS = ("product_slug", "producer", "category", "name", "description", "story", "storage_note", "status",
                   "min_shelf_life_days", "pirt", "bpom", "halal")
VARIANT_COLUMNS = ("sku", "label", "price", "weight_grams", "length_cm", "width_cm", "height_cm", "net_content",
                   "commission_percent", "active")
COLUMNS = PRODUCT_COLUMNS + VARIANT_COLUMNS
REQUIRED = ("producer", "category", "name", "label", "price", "weight_grams")
MAX_BYTES = 2_000_000
MAX_ROWS = 5000
COLUMN_LABELS = {
    "product_slug": _l("Alamat produk"), "producer": _l("Produsen"), "category": _l("Sub-kategori"),
    "name": _l("Nama produk"), "description": _l("Deskripsi"), "story": _l("Cerita"), "storage_note": _l("Penyimpanan"),
    "status": _l("Status"), "min_shelf_life_days": _l("Umur simpan minimum"), "pirt": "P-IRT", "bpom": "BPOM",
    "halal": _l("Halal"), "sku": "SKU", "label": _l("Label varian"), "price": _l("Harga"),
    "weight_grams": _l("Berat (g)"), "length_cm": _l("Panjang"), "width_cm": _l("Lebar"), "height_cm": _l("Tinggi"),
    "net_content": _l("Isi bersih"), "commission_percent": _l("Komisi khusus"), "active": _l("Aktif"),
}
# A service's field → the column that shows its error.
SERVICE_COLUMNS = {"category_id": "category", "pirt_certificate_id": "pirt", "bpom_certificate_id": "bpom",
                   "halal_certificate_id": "halal", "commission_bp": "commission_percent", "is_active": "active",
                   "variants": "label"}
YES, NO = {"1", "ya", "yes", "y", "true", "aktif"}, {"0", "tidak", "no", "n", "false", "nonaktif"}


@dataclass
class ProductImportPreview(ImportPreview):
    """What an import would do, or every line that is wrong."""

    new_products: int = 0
    changed_products: int = 0
    new_variants: int = 0
    price_changes: int = 0
    names: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and self.rows_read > 0


class ProductFileError(DomainError):
    """The file has wrong lines; nothing was saved."""

    def __init__(self, preview: ProductImportPreview):
        super().__init__(_l("File produk berisi kesalahan; tidak ada yang disimpan."))
        self.preview = preview


# --- Export --------------------------------------------------------------------------------------


def _certificate_cell(certificate) -> str:
    return certificate.number if certificate is not None else ""


def export_csv(products: list[Product]) -> str:
    """The products (loaded with producer, category, certificates, variants) as CSV text."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for product in products:
        head = [product.slug, product.producer.slug, product.category.slug, product.name, product.description,
                product.story, product.storage_note or "", product.status,
                "" if product.min_shelf_life_days is None else product.min_shelf_life_days,
                _certificate_cell(product.pirt_certificate), _certificate_cell(product.bpom_certificate),
                _certificate_cell(product.halal_certificate)]
        for variant in product.variants or [None]:
            writer.writerow(head + ([
                variant.sku, variant.label, variant.price, variant.weight_grams, variant.length_cm, variant.width_cm,
                variant.height_cm, variant.net_content or "", basis_points_to_percent(variant.commission_bp),
                1 if variant.is_active else 0,
            ] if variant else [""] * len(VARIANT_COLUMNS)))
    return out.getvalue()


# --- Import --------------------------------------------------------------------------------------


@dataclass
class _Group:
    """The lines of one product in the file."""

    key: tuple
    lines: list  # CsvRow
    errors: list[RowError] = field(default_factory=list)


class _Lookups:
    """Producers, categories and products named in the file, read once each."""

    def __init__(self, rows):
        def names(column):
            return {row.values.get(column, "") for row in rows} - {""}

        self.producers = {p.slug: p for p in db.session.scalars(
            select(Producer).options(selectinload(Producer.certificates)).where(Producer.slug.in_(names("producer"))))}
        self.categories = {c.slug: c for c in db.session.scalars(select(Category).where(Category.slug.in_(
            names("category"))))}
        self.products = {p.slug: p for p in db.session.scalars(
            select(Product).options(selectinload(Product.variants)).where(Product.slug.in_(names("product_slug"))))}


def _whole(row, column: str, errors: list[RowError], *, default=None):
    try:
        value = parse_whole(row.values.get(column, ""))
    except ValueError as error:
        errors.append(RowError(row.line, str(error), column))
        return default
    return default if value is None else value


def _certificate(producer: Producer, kind: str, number: str, row, errors: list[RowError]) -> int | None:
    if not number:
        return None
    try:
        normal = NORMALISERS[kind](number)
    except DomainError as error:
        errors.append(RowError(row.line, error.message, kind))
        return None
    found = next((cert for cert in producer.certificates if cert.kind == kind and cert.number == normal), None)
    if found is None:
        errors.append(RowError(row.line, _l("%(number)s belum tercatat sebagai sertifikat %(name)s; tambahkan dulu di "
                                            "halaman produsen.", number=normal, name=producer.business_name), kind))
        return None
    return found.id


def _product_input(group: _Group, producer: Producer, product: Product | None, lookups: _Lookups) -> ProductInput:
    first, errors = group.lines[0], group.errors
    values = first.values
    category = lookups.categories.get(values.get("category", ""))
    if category is None or category.parent_id is None:
        errors.append(RowError(first.line, _l("Sub-kategori tidak dikenal (tulis alamatnya, misalnya rendang)."),
                               "category"))
    status = (values.get("status") or "").lower() or (product.status if product else ProductStatus.DRAFT)
    if status not in ProductStatus.ALL:
        errors.append(RowError(first.line, _l("Status harus draft, published atau archived."), "status"))
    links = {kind: _certificate(producer, kind, values.get(kind, ""), first, errors)
             for kind in (CertificateKind.PIRT, CertificateKind.BPOM, CertificateKind.HALAL)}
    for row in group.lines[1:]:
        if any(row.values.get(column, "") != values.get(column, "") for column in PRODUCT_COLUMNS):
            errors.append(RowError(row.line, _l("Kolom produk di baris ini berbeda dengan baris %(line)s produk yang "
                                                "sama.", line=first.line)))
    return ProductInput(
        name=values.get("name", ""), category_id=category.id if category else 0,
        description=values.get("description", ""), story=values.get("story", ""),
        storage_note=values.get("storage_note", ""), status=status,
        min_shelf_life_days=_whole(first, "min_shelf_life_days", errors),
        is_featured=product.is_featured if product else False,
        **{PRODUCT_LINKS[kind]: certificate_id for kind, certificate_id in links.items()},
    )


def _variant_input(row, product: Product | None, errors: list[RowError]) -> VariantInput:
    values = row.values
    sku = values.get("sku", "").strip().upper()
    existing = next((v for v in product.variants if v.sku == sku), None) if product and sku else None
    active = values.get("active", "").strip().lower()
    if active and active not in YES | NO:
        errors.append(RowError(row.line, _l("Kolom aktif berisi 1 (aktif) atau 0 (nonaktif)."), "active"))
    commission = None
    if values.get("commission_percent", "").strip():
        try:
            commission = percent_to_basis_points(values["commission_percent"])
        except ValueError as error:
            errors.append(RowError(row.line, str(error), "commission_percent"))
    return VariantInput(
        id=existing.id if existing else None, sku=sku, label=values.get("label", ""),
        price=_whole(row, "price", errors, default=0), weight_grams=_whole(row, "weight_grams", errors, default=0),
        length_cm=_whole(row, "length_cm", errors, default=existing.length_cm if existing else 10),
        width_cm=_whole(row, "width_cm", errors, default=existing.width_cm if existing else 10),
        height_cm=_whole(row, "height_cm", errors, default=existing.height_cm if existing else 5),
        net_content=values.get("net_content", ""), commission_bp=commission, is_active=active not in NO,
    )


def _groups(rows) -> list[_Group]:
    groups: dict[tuple, _Group] = {}
    for row in rows:
        slug = row.values.get("product_slug", "")
        key = ("slug", slug) if slug else ("new", row.values.get("producer", ""), row.values.get("name", "").casefold())
        groups.setdefault(key, _Group(key, [])).lines.append(row)
    return list(groups.values())


def _run_group(group: _Group, lookups: _Lookups, preview: ProductImportPreview, *, user, reason: str) -> None:
    first = group.lines[0]
    producer = lookups.producers.get(first.values.get("producer", ""))
    if producer is None:
        group.errors.append(RowError(first.line, _l("Produsen tidak dikenal (tulis alamatnya, misalnya "
                                                    "rendang-amak-painan)."), "producer"))
        return
    product = None
    if group.key[0] == "slug":
        product = lookups.products.get(group.key[1])
        if product is None or product.producer_id != producer.id:
            group.errors.append(RowError(first.line, _l("Produk dengan alamat ini tidak ada pada produsen tersebut."),
                                         "product_slug"))
            return
    data = _product_input(group, producer, product, lookups)
    data.variants = [_variant_input(row, product, group.errors) for row in group.lines]
    if group.errors:
        return
    prices = {variant.id: variant.price for variant in product.variants} if product else {}
    try:
        if product is None:
            product = create_product(producer, data, user=user, reason=reason)
            preview.new_products += 1
        else:
            update_product(product, data, user=user, price_reason=reason)
            preview.changed_products += 1
    except VariantError as error:
        group.errors.append(RowError(group.lines[error.index].line, error.message,
                                     SERVICE_COLUMNS.get(error.field, error.field)))
        return
    except DomainError as error:
        group.errors.append(RowError(first.line, error.message, SERVICE_COLUMNS.get(error.field, error.field)))
        return
    preview.new_variants += sum(1 for variant in data.variants if variant.id is None)
    preview.price_changes += sum(1 for variant in data.variants if variant.id and prices[variant.id] != variant.price)
    preview.names.append(product.name)
    history.record_event(product.id, history.EventKind.IMPORTED, {"files": [preview.filename]}, user=user)


def run_import(content: bytes, filename: str = "", *, user=None, save: bool = False) -> ProductImportPreview:
    """Run the file through the product services in a savepoint: kept (for the caller to commit) only when
    `save` and no line is wrong, otherwise undone, so a preview writes nothing."""
    preview = ProductImportPreview(filename=(filename or "")[:200])
    parsed = read_preview_rows(preview, content, required=REQUIRED,
                               optional=tuple(c for c in COLUMNS if c not in REQUIRED),
                               max_bytes=MAX_BYTES, max_rows=MAX_ROWS)
    if parsed is None:
        return preview
    with db.session.begin_nested() as savepoint:
        lookups = _Lookups(parsed.rows)
        reason = str(_l("Impor CSV %(file)s", file=preview.filename or "-"))
        for group in _groups(parsed.rows):
            _run_group(group, lookups, preview, user=user, reason=reason)
            preview.errors.extend(group.errors)
        preview.errors.sort(key=lambda error: error.line)
        if not (save and preview.ok):
            savepoint.rollback()
    return preview


def import_products(content: bytes, filename: str = "", *, user=None) -> ProductImportPreview:
    """Save the file's products and variants, all of them or (raising ProductFileError) none; flushes, the
    caller commits (and then refreshes the planner statistics: an import can change the catalogue's size
    many times over)."""
    preview = run_import(content, filename, user=user, save=True)
    if not preview.ok:
        raise ProductFileError(preview)
    return preview
