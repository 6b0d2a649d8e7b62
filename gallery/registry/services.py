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

import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from gallery import clock
from gallery.catalog.models import IkmClassification, Producer, SizeClass
from gallery.csvimport import ImportPreview, RowError, read_preview_rows
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.planner_stats import refresh_planner_statistics
from gallery.registry.models import SECTORS, RegistryEntry
from gallery.shipping.models import HOME_REGENCY_CODE, District

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


@dataclass(frozen=True)
class _Lookups:
    """What a row's names and codes are checked against (read once per file)."""

    kecamatan: dict[str, str]
    classifications: dict[str, int]
    sector_of: dict[int, str]
    this_year: int


def _lookups() -> _Lookups:
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
    return _Lookups(kecamatan, classifications, sector_of, clock.today_wib().year)


class _Row:
    """One CSV row being checked: its line number, its values and the errors found so far, in column order."""

    def __init__(self, number: int, value: dict[str, str]):
        self.number, self.value, self.errors = number, value, []

    def error(self, message, column: str) -> None:
        self.errors.append(RowError(self.number, message, column))

    def text(self, column: str, limit: int, *, required: bool) -> str:
        """The column's text; an error when required and empty, or longer than `limit`."""
        text = self.value.get(column, "")
        if required and not text:
            self.error(_l("%(column)s wajib diisi.", column=COLUMN_LABELS[column]), column)
        elif len(text) > limit:
            self.error(_l("%(column)s paling banyak %(n)s karakter.", column=COLUMN_LABELS[column], n=limit), column)
        return text


def _kecamatan(row: _Row, lookups: _Lookups) -> str | None:
    """A kecamatan of Pesisir Selatan by name or code."""
    text = row.text("kecamatan", 80, required=True)
    code = lookups.kecamatan.get(normalise(text)) if text else None
    if text and code is None:
        row.error(_l("Kecamatan \u201c%(value)s\u201d tidak dikenal di Pesisir Selatan (nama atau kode, contoh: "
                     "IV Jurai atau 13.01.05).", value=text[:40]), "kecamatan")
    return code


def _classification(row: _Row, lookups: _Lookups) -> int | None:
    """An IKM classification by code or name."""
    text = row.text("classification", 120, required=True)
    found = lookups.classifications.get(normalise(text)) if text else None
    if text and found is None:
        row.error(_l("Klasifikasi \u201c%(value)s\u201d tidak dikenal.", value=text[:40]), "classification")
    return found


def _size(row: _Row) -> str:
    """mikro, kecil or menengah."""
    size = normalise(row.text("size_class", 12, required=True))
    if size and size not in SizeClass.ALL:
        row.error(_l("Skala usaha \u201c%(value)s\u201d tidak dikenal (mikro, kecil atau menengah).",
                     value=size[:20]), "size_class")
    return size


def _sector(row: _Row, classification_id: int | None, lookups: _Lookups) -> str:
    """A known sector, or when empty the classification's."""
    sector = normalise(row.value.get("sector", ""))
    if sector and sector not in SECTORS:
        row.error(_l("Sektor \u201c%(value)s\u201d tidak dikenal (%(known)s).", value=sector[:20],
                     known=", ".join(SECTORS)), "sector")
    if not sector and classification_id is not None:
        sector = lookups.sector_of[classification_id]
    return sector


def _phone(row: _Row) -> str | None:
    """Digits (spaces and dashes dropped), 6 to 19 of them, an optional leading +; or nothing."""
    phone = re.sub(r"[\s-]", "", row.value.get("phone", "")) or None
    if phone and (len(phone) > 20 or not re.fullmatch(r"\+?\d{6,19}", phone)):
        row.error(_l("Nomor telepon \u201c%(value)s\u201d tidak valid.", value=phone[:25]), "phone")
    return phone


def _year(row: _Row, this_year: int) -> int | None:
    """A year between FIRST_YEAR and this year (WIB), or nothing."""
    text = row.value.get("year_registered", "")
    if not text:
        return None
    if text.isascii() and text.isdigit() and FIRST_YEAR <= int(text) <= this_year:
        return int(text)
    row.error(_l("Tahun terdaftar \u201c%(value)s\u201d tidak valid (tahun antara %(low)s dan %(high)s).",
                 value=text[:10], low=FIRST_YEAR, high=this_year), "year_registered")
    return None


def _unique(row: _Row, registry_number: str, seen: dict[str, int]) -> None:
    """A registry number appears once in a file (compared normalised); the first row keeps it."""
    if not registry_number:
        return
    key = normalise(registry_number)
    if key in seen:
        row.error(_l("Nomor registrasi %(value)s ganda: sudah ada di baris %(line)s.",
                     value=registry_number[:40], line=seen[key]), "registry_number")
    else:
        seen[key] = row.number


def _parse_row(row: _Row, lookups: _Lookups, seen: dict[str, int]) -> ParsedEntry | None:
    """Every column of one row checked in order; the entry, or None when the row has errors (in `row.errors`)."""
    registry_number = row.text("registry_number", 40, required=True)
    name = row.text("name", 160, required=True)
    owner = row.text("owner", 120, required=False)
    kecamatan_code = _kecamatan(row, lookups)
    classification_id = _classification(row, lookups)
    size = _size(row)
    sector = _sector(row, classification_id, lookups)
    phone = _phone(row)
    year = _year(row, lookups.this_year)
    _unique(row, registry_number, seen)
    if row.errors:
        return None
    return ParsedEntry(row.number, registry_number, re.sub(r"\s+", " ", name), owner, kecamatan_code,
                       classification_id, size, sector, phone, year)


def parse_registry_csv(content: bytes, filename: str = "") -> RegistryPreview:
    """Check a registry file without saving anything; a fixed number of statements whatever its size."""
    preview = RegistryPreview(filename=(filename or "")[:MAX_FILENAME])
    csv_rows = read_preview_rows(preview, content, required=REQUIRED_COLUMNS, optional=OPTIONAL_COLUMNS,
                                 max_bytes=MAX_FILE_BYTES, max_rows=MAX_ROWS)
    if csv_rows is None:
        return preview
    lookups = _lookups()
    seen: dict[str, int] = {}
    for csv_row in csv_rows.rows:
        row = _Row(csv_row.line, csv_row.values)
        entry = _parse_row(row, lookups, seen)
        if entry is None:
            preview.errors.extend(row.errors)
        else:
            preview.entries.append(entry)
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
    """Check the file and save it in the caller's transaction (upsert by registry number), or raise and save
    nothing. An import can change the registry's size many times over: once the caller has committed, it
    calls `after_import` (the planner's statistics cannot be refreshed inside the import's transaction)."""
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
        db.session.flush()
    except Exception:
        db.session.rollback()
        raise
    return ImportResult(preview.added, preview.changed, preview.unchanged, preview.linked)


def after_import() -> None:
    """After the import's commit: refresh the planner's statistics (ANALYZE, on its own connection)."""
    refresh_planner_statistics()


# ---------------------------------------------------------------------------------------------
# Classifications


def classification_list() -> list[IkmClassification]:
    """The IKM classifications in their order."""
    return list(db.session.scalars(
        select(IkmClassification).order_by(IkmClassification.position, IkmClassification.id)))


def update_classification(item: IkmClassification, *, name: str, name_en: str | None, sector_slug: str,
                          position: int) -> IkmClassification:
    """Staff rename a classification, move it to a sector or reorder it; its code never changes (the import
    matches on it). An empty English name means none."""
    item.name = name.strip()
    item.name_en = (name_en or "").strip() or None
    item.sector_slug = sector_slug
    item.position = position
    db.session.flush()
    return item
