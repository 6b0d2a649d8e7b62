"""The IKM registry: CSV import with row-level errors (upsert by registry number) and its statistics.

The CSV (UTF-8, comma or semicolon separated, lines starting with `#` are comments):

    registry_number,name,owner,kecamatan,classification,size_class,sector,phone,year_registered
    IKM-1301-0001,Songket Saiyo,Rosnawati,IV Jurai,tenun-songket,mikro,fashion,081234567890,2019

`kecamatan` is a kecamatan of Pesisir Selatan by name ("IV Jurai") or code ("13.01.05");
`classification` is a classification's code or name; `sector` may be empty (then the classification's
sector). A file is imported whole: every row is checked first and nothing is saved while any row is
wrong. Rows are matched by registry number: a new number is added, a known one updated, and importing
the same file twice changes nothing. An entry is linked to a producer of the gallery (it "consigns")
when a producer has exactly the same name (case and spacing aside) in the same kecamatan.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from gallery import clock
from gallery.catalog.models import Category, IkmClassification, Producer, Product, SizeClass, Variant
from gallery.csvimport import ImportPreview, RowError, read_rows
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.planner_stats import refresh_planner_statistics
from gallery.orders.models import Order, OrderAllocation, OrderLine
from gallery.orders.sales import is_sale, net_quantity
from gallery.payments.models import RefundLine
from gallery.registry.models import SECTORS, RegistryEntry
from gallery.shipping.models import HOME_REGENCY_CODE, District
from gallery.shipping.regions import display_name
from gallery.spreadsheets import csv_writer

REQUIRED_COLUMNS = ("registry_number", "name", "kecamatan", "classification", "size_class")
OPTIONAL_COLUMNS = ("owner", "sector", "phone", "year_registered")
EXPORT_COLUMNS = ("registry_number", "name", "owner", "kecamatan", "classification", "size_class", "sector",
                  "phone", "year_registered")
MAX_FILE_BYTES = 5_000_000
MAX_ROWS = 20_000
MAX_FILENAME = 200
FIRST_YEAR = 1945
FIELDS = ("name", "owner_name", "kecamatan_code", "classification_id", "size_class", "sector", "phone",
          "year_registered", "producer_id")

COLUMN_LABELS = {
    "registry_number": _l("Nomor registrasi"),
    "name": _l("Nama usaha"),
    "owner": _l("Pemilik"),
    "kecamatan": _l("Kecamatan"),
    "classification": _l("Klasifikasi"),
    "size_class": _l("Skala usaha"),
    "sector": _l("Sektor"),
    "phone": _l("Telepon"),
    "year_registered": _l("Tahun terdaftar"),
}
SIZE_LABELS = {SizeClass.MIKRO: _l("Mikro"), SizeClass.KECIL: _l("Kecil"), SizeClass.MENENGAH: _l("Menengah")}
SECTOR_LABELS = {"fashion": _l("Fashion"), "kuliner": _l("Kuliner"), "kerajinan": _l("Kerajinan"),
                 "lainnya": _l("Lainnya")}


def normalise(text: str | None) -> str:
    """Case and spacing aside: `  Songket  SAIYO ` → `songket saiyo`."""
    return re.sub(r"\s+", " ", (text or "").strip()).casefold()


# ---------------------------------------------------------------------------------------------
# Parsing and checking


@dataclass(frozen=True)
class ParsedEntry:
    line: int
    registry_number: str
    name: str
    owner_name: str
    kecamatan_code: str
    classification_id: int
    size_class: str
    sector: str
    phone: str | None
    year_registered: int | None

    def values(self) -> dict:
        return {"name": self.name, "owner_name": self.owner_name, "kecamatan_code": self.kecamatan_code,
                "classification_id": self.classification_id, "size_class": self.size_class, "sector": self.sector,
                "phone": self.phone, "year_registered": self.year_registered}


@dataclass
class RegistryPreview(ImportPreview):
    entries: list[ParsedEntry] = field(default_factory=list)
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    linked: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.entries)


class RegistryFileError(DomainError):
    """The file has errors; `preview` lists them. Nothing was saved."""

    def __init__(self, preview: RegistryPreview):
        super().__init__(
            _l("File registrasi berisi %(n)s kesalahan; belum ada yang disimpan.", n=len(preview.errors)),
            field="file")
        self.preview = preview


def _lookups():
    districts = db.session.scalars(select(District).where(District.regency_code == HOME_REGENCY_CODE)).all()
    kecamatan = {}
    for district in districts:
        kecamatan[district.code] = district.code
        kecamatan[normalise(district.name)] = district.code
    classifications = {}
    sector_of = {}
    for item in db.session.scalars(select(IkmClassification)):
        classifications[normalise(item.code)] = item.id
        classifications[normalise(item.name)] = item.id
        sector_of[item.id] = item.sector_slug if item.sector_slug in SECTORS else "lainnya"
    return kecamatan, classifications, sector_of


def parse_registry_csv(content: bytes, filename: str = "") -> RegistryPreview:
    """Check a registry file without saving anything; a fixed number of statements whatever its size."""
    preview = RegistryPreview(filename=(filename or "")[:MAX_FILENAME])
    errors = preview.errors
    csv_rows = read_rows(content, errors, required=REQUIRED_COLUMNS, optional=OPTIONAL_COLUMNS,
                         max_bytes=MAX_FILE_BYTES, max_rows=MAX_ROWS)
    if csv_rows is None:
        return preview
    preview.rows_read = csv_rows.lines_read

    kecamatan, classifications, sector_of = _lookups()
    this_year = clock.today_wib().year
    seen: dict[str, int] = {}
    for number, value in ((row.line, row.values) for row in csv_rows.rows):
        row_errors: list[RowError] = []

        def required(column: str, limit: int) -> str:
            text = value.get(column, "")
            if not text:
                row_errors.append(RowError(number, _l("%(column)s wajib diisi.", column=COLUMN_LABELS[column]), column))
            elif len(text) > limit:
                row_errors.append(RowError(number, _l("%(column)s paling banyak %(n)s karakter.",
                                                      column=COLUMN_LABELS[column], n=limit), column))
            return text

        registry_number = required("registry_number", 40)
        name = required("name", 160)
        owner = value.get("owner", "")
        if len(owner) > 120:
            row_errors.append(RowError(number, _l("%(column)s paling banyak %(n)s karakter.",
                                                  column=COLUMN_LABELS["owner"], n=120), "owner"))
        kecamatan_text = required("kecamatan", 80)
        kecamatan_code = kecamatan.get(normalise(kecamatan_text)) if kecamatan_text else None
        if kecamatan_text and kecamatan_code is None:
            row_errors.append(RowError(number, _l(
                "Kecamatan \u201c%(value)s\u201d tidak dikenal di Pesisir Selatan (nama atau kode, contoh: "
                "IV Jurai atau 13.01.05).", value=kecamatan_text[:40]), "kecamatan"))
        classification_text = required("classification", 120)
        classification_id = classifications.get(normalise(classification_text)) if classification_text else None
        if classification_text and classification_id is None:
            row_errors.append(RowError(number, _l(
                "Klasifikasi \u201c%(value)s\u201d tidak dikenal.", value=classification_text[:40]), "classification"))
        size = normalise(required("size_class", 12))
        if size and size not in SizeClass.ALL:
            row_errors.append(RowError(number, _l(
                "Skala usaha \u201c%(value)s\u201d tidak dikenal (mikro, kecil atau menengah).", value=size[:20]),
                "size_class"))
        sector = normalise(value.get("sector", ""))
        if sector and sector not in SECTORS:
            row_errors.append(RowError(number, _l(
                "Sektor \u201c%(value)s\u201d tidak dikenal (%(known)s).", value=sector[:20], known=", ".join(SECTORS)),
                "sector"))
        if not sector and classification_id is not None:
            sector = sector_of[classification_id]
        phone = re.sub(r"[\s-]", "", value.get("phone", "")) or None
        if phone and (len(phone) > 20 or not re.fullmatch(r"\+?\d{6,19}", phone)):
            row_errors.append(RowError(number, _l("Nomor telepon \u201c%(value)s\u201d tidak valid.", value=phone[:25]),
                                       "phone"))
        year_text = value.get("year_registered", "")
        year = None
        if year_text:
            if year_text.isascii() and year_text.isdigit() and FIRST_YEAR <= int(year_text) <= this_year:
                year = int(year_text)
            else:
                row_errors.append(RowError(number, _l(
                    "Tahun terdaftar \u201c%(value)s\u201d tidak valid (tahun antara %(low)s dan %(high)s).",
                    value=year_text[:10], low=FIRST_YEAR, high=this_year), "year_registered"))
        if registry_number:
            key = normalise(registry_number)
            if key in seen:
                row_errors.append(RowError(number, _l(
                    "Nomor registrasi %(value)s ganda: sudah ada di baris %(line)s.",
                    value=registry_number[:40], line=seen[key]), "registry_number"))
            else:
                seen[key] = number
        if row_errors:
            errors.extend(row_errors)
            continue
        preview.entries.append(ParsedEntry(number, registry_number, re.sub(r"\s+", " ", name), owner, kecamatan_code,
                                           classification_id, size, sector, phone, year))
    if preview.ok:
        _compare(preview)
    return preview


def _producer_matches(entries) -> dict[tuple[str, str], int]:
    """(normalised name, kecamatan) → producer id, for producers matching exactly one way; one statement."""
    kecamatans = {entry.kecamatan_code for entry in entries}
    found: dict[tuple[str, str], list[int]] = {}
    for producer_id, name, code in db.session.execute(
        select(Producer.id, Producer.business_name, Producer.kecamatan_code)
        .where(Producer.kecamatan_code.in_(kecamatans))
    ):
        found.setdefault((normalise(name), code), []).append(producer_id)
    return {key: ids[0] for key, ids in found.items() if len(ids) == 1}


def _plan(preview: RegistryPreview):
    """What saving would do: (rows to insert, (id, values) to update); counts go into the preview."""
    existing = {entry.registry_number: entry for entry in db.session.scalars(
        select(RegistryEntry).where(RegistryEntry.registry_number.in_([e.registry_number for e in preview.entries]))
    )} if len(preview.entries) <= 900 else {entry.registry_number: entry for entry in db.session.scalars(
        select(RegistryEntry))}
    matches = _producer_matches(preview.entries)
    inserts, updates = [], []
    preview.added = preview.changed = preview.unchanged = preview.linked = 0
    for parsed in preview.entries:
        values = parsed.values()
        current = existing.get(parsed.registry_number)
        producer_id = matches.get((normalise(parsed.name), parsed.kecamatan_code))
        if producer_id is None and current is not None:
            producer_id = current.producer_id
        values["producer_id"] = producer_id
        if producer_id is not None:
            preview.linked += 1
        if current is None:
            preview.added += 1
            inserts.append({"registry_number": parsed.registry_number, **values})
        elif any(getattr(current, name) != values[name] for name in FIELDS):
            preview.changed += 1
            updates.append((current, values))
        else:
            preview.unchanged += 1
    return inserts, updates


def _compare(preview: RegistryPreview) -> None:
    _plan(preview)


@dataclass(frozen=True)
class ImportResult:
    added: int
    changed: int
    unchanged: int
    linked: int


def import_registry(content: bytes, filename: str = "") -> ImportResult:
    """Check the file and save it in one transaction (upsert by registry number), or raise and save nothing."""
    preview = parse_registry_csv(content, filename)
    if not preview.ok:
        db.session.rollback()
        raise RegistryFileError(preview)
    try:
        inserts, updates = _plan(preview)
        now = clock.utcnow()
        if inserts:
            db.session.execute(RegistryEntry.__table__.insert(),
                               [{**row, "created_at": now, "updated_at": now} for row in inserts])
        for entry, values in updates:
            for name, value in values.items():
                setattr(entry, name, value)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    refresh_planner_statistics()  # an import can change the registry's size many times over
    return ImportResult(preview.added, preview.changed, preview.unchanged, preview.linked)


# ---------------------------------------------------------------------------------------------
# Statistics


@dataclass(frozen=True)
class StatRow:
    key: str
    label: str
    value: int
    extra: int | None = None  # e.g. the cumulative count of a year


@dataclass
class RegistryStatistics:
    total: int
    consigning: int
    by_kecamatan: list[StatRow]
    by_classification: list[StatRow]
    by_size: list[StatRow]
    by_sector: list[StatRow]
    by_year: list[StatRow]  # value: registered that year; extra: cumulative
    sales_by_kecamatan: list[StatRow]
    sales_by_sector: list[StatRow]

    @property
    def consigning_share_bp(self) -> int:
        """Share of registered IKM that consign, in basis points (half up)."""
        return (self.consigning * 10_000 * 2 + self.total) // (2 * self.total) if self.total else 0

    def table(self, name: str) -> list[StatRow]:
        return getattr(self, TABLES[name])


TABLES = {
    "kecamatan": "by_kecamatan",
    "classification": "by_classification",
    "size": "by_size",
    "sector": "by_sector",
    "year": "by_year",
    "sales-kecamatan": "sales_by_kecamatan",
    "sales-sector": "sales_by_sector",
}


def registry_statistics() -> RegistryStatistics:
    """Every figure of /statistics in ten statements, whatever the size of the registry."""
    districts = db.session.execute(
        select(District.code, District.name).where(District.regency_code == HOME_REGENCY_CODE).order_by(District.code)
    ).all()
    classifications = db.session.execute(
        select(IkmClassification.id, IkmClassification.code, IkmClassification.name)
        .order_by(IkmClassification.position, IkmClassification.id)
    ).all()

    def grouped(column):
        return dict(db.session.execute(select(column, func.count(RegistryEntry.id)).group_by(column)).all())

    per_kecamatan = grouped(RegistryEntry.kecamatan_code)
    per_classification = grouped(RegistryEntry.classification_id)
    per_size = grouped(RegistryEntry.size_class)
    per_sector = grouped(RegistryEntry.sector)
    per_year = grouped(RegistryEntry.year_registered)
    total = sum(per_size.values())
    consigning = db.session.scalar(select(func.count(RegistryEntry.producer_id))) or 0

    # Gallery sales are gallery.orders.sales's: units paid and handed over, net of refunds, at their price.
    refunded = (select(RefundLine.order_line_id.label("line_id"), func.sum(RefundLine.quantity).label("quantity"))
                .group_by(RefundLine.order_line_id).subquery())
    sold = func.sum(net_quantity(func.coalesce(refunded.c.quantity, 0)) * OrderAllocation.unit_price)
    sales = (select().select_from(OrderAllocation).join(OrderLine, OrderLine.id == OrderAllocation.line_id)
             .join(Order, Order.id == OrderLine.order_id).outerjoin(refunded, refunded.c.line_id == OrderLine.id)
             .where(is_sale()))
    sales_kecamatan = dict(db.session.execute(
        sales.add_columns(Producer.kecamatan_code, sold).join(Producer, Producer.id == OrderLine.producer_id)
        .group_by(Producer.kecamatan_code)
    ).all())
    parent = aliased(Category)
    sector_slug = func.coalesce(parent.slug, Category.slug)
    sales_sector = dict(db.session.execute(
        sales.add_columns(sector_slug, sold)
        .join(Variant, Variant.id == OrderLine.variant_id).join(Product, Product.id == Variant.product_id)
        .join(Category, Category.id == Product.category_id).outerjoin(parent, parent.id == Category.parent_id)
        .group_by(sector_slug)
    ).all())

    years = []
    running = 0
    for year in sorted(y for y in per_year if y is not None):
        running += per_year[year]
        years.append(StatRow(str(year), str(year), per_year[year], running))
    if None in per_year:
        years.append(StatRow("", str(_l("Tidak diketahui")), per_year[None], running + per_year[None]))
    known_sectors = list(SECTORS) + sorted(set(sales_sector) - set(SECTORS))
    return RegistryStatistics(
        total=total,
        consigning=consigning,
        by_kecamatan=[StatRow(code, display_name(name), per_kecamatan.get(code, 0)) for code, name in districts],
        by_classification=[StatRow(code, name, per_classification.get(cid, 0)) for cid, code, name in classifications],
        by_size=[StatRow(size, str(SIZE_LABELS[size]), per_size.get(size, 0)) for size in SizeClass.ALL],
        by_sector=[StatRow(sector, str(SECTOR_LABELS[sector]), per_sector.get(sector, 0)) for sector in SECTORS],
        by_year=years,
        sales_by_kecamatan=[StatRow(code, display_name(name), int(sales_kecamatan.get(code) or 0))
                            for code, name in districts],
        sales_by_sector=[StatRow(sector, str(SECTOR_LABELS.get(sector, sector)), int(sales_sector.get(sector) or 0))
                         for sector in known_sectors],
    )


def statistics_csv(stats: RegistryStatistics, table: str) -> str:
    """One table of the statistics as CSV (the caller adds the BOM)."""
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\n")
    rows = stats.table(table)
    if table == "year":
        writer.writerow(("year", "registered", "cumulative"))
        for row in rows:
            writer.writerow((row.key, row.value, row.extra))
    elif table.startswith("sales-"):
        writer.writerow(("key", "name", "sales_idr"))
        for row in rows:
            writer.writerow((row.key, row.label, row.value))
    else:
        writer.writerow(("key", "name", "ikm"))
        for row in rows:
            writer.writerow((row.key, row.label, row.value))
    return out.getvalue()
