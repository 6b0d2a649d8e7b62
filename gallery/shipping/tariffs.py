"""Tariff tables: the active version, CSV import with row-level errors, export, and the sample table.

A table is imported whole: every row is checked first (known service and regency code, whole
non-negative prices, a sane delivery estimate, no duplicate service × regency), and nothing is
saved unless every row is right. Each import is a new TariffVersion; the active one is the newest
whose effective date (WIB) has come, the last imported winning between two of the same date.

The CSV (UTF-8, comma or semicolon separated, lines starting with `#` are comments):

    service,regency_code,regency_name,price_per_kg,first_kg_price,etd_min_days,etd_max_days
    POS_REG,31.71,Kota Administrasi Jakarta Pusat,26000,,2,4

`regency_name` is for people and ignored; `first_kg_price` may be empty (then every kg costs
`price_per_kg`). Prices are the public Pos prices in whole Rupiah.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from gallery import clock
from gallery.accounts.models import User
from gallery.csvimport import ImportPreview, RowError, read_rows
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.shipping.models import Regency, ShippingService, TariffRate, TariffVersion
from gallery.shipping.regions import display_name
from gallery.spreadsheets import csv_writer

REQUIRED_COLUMNS = ("service", "regency_code", "price_per_kg", "etd_min_days", "etd_max_days")
OPTIONAL_COLUMNS = ("first_kg_price", "regency_name")
EXPORT_COLUMNS = ("service", "regency_code", "regency_name", "price_per_kg", "first_kg_price",
                  "etd_min_days", "etd_max_days")
MAX_FILE_BYTES = 2_000_000
MAX_ROWS = 20_000
MAX_PRICE = 10_000_000
MAX_ETD_DAYS = 60
MAX_NOTE = 500
MAX_FILENAME = 200
# How far ahead an effective date may lie (a typo such as 2062 is refused).
MAX_DAYS_AHEAD = 366


# ---------------------------------------------------------------------------------------------
# The active version


def active_version_query(on: date | None = None):
    """SELECT the id of the version in force on `on` (today in WIB by default)."""
    day = on or clock.today_wib()
    return (
        select(TariffVersion.id)
        .where(TariffVersion.effective_on <= day)
        .order_by(TariffVersion.effective_on.desc(), TariffVersion.id.desc())
        .limit(1)
    )


def active_version_id(on: date | None = None) -> int | None:
    """The id of the tariff version in force on `on`, or None before any table is in force."""
    return db.session.scalar(active_version_query(on))


def active_version(on: date | None = None) -> TariffVersion | None:
    version_id = active_version_id(on)
    return db.session.get(TariffVersion, version_id) if version_id else None


@dataclass(frozen=True)
class VersionRow:
    """A version in the back-office list with its state: active, scheduled or superseded."""

    version: TariffVersion
    state: str  # "active", "scheduled", "superseded"


def version_overview(limit: int = 50) -> list[VersionRow]:
    """The newest versions first, each with its state; two statements whatever their number."""
    active_id = active_version_id()
    today = clock.today_wib()
    versions = db.session.scalars(
        select(TariffVersion)
        .options(joinedload(TariffVersion.imported_by))
        .order_by(TariffVersion.effective_on.desc(), TariffVersion.id.desc())
        .limit(limit)
    ).all()
    rows = []
    for version in versions:
        if version.id == active_id:
            state = "active"
        elif version.effective_on > today:
            state = "scheduled"
        else:
            state = "superseded"
        rows.append(VersionRow(version, state))
    return rows


def services() -> list[ShippingService]:
    return list(db.session.scalars(select(ShippingService).order_by(ShippingService.position, ShippingService.code)))


# ---------------------------------------------------------------------------------------------
# Parsing and checking a CSV


@dataclass(frozen=True)
class ParsedRate:
    line: int
    service_code: str
    regency_code: str
    price_per_kg: int
    first_kg_price: int | None
    etd_min_days: int
    etd_max_days: int


@dataclass
class TariffPreview(ImportPreview):
    """A checked file: its rates, its errors, and what staff should see before saving."""

    rates: list[ParsedRate] = field(default_factory=list)
    per_service: dict[str, int] = field(default_factory=dict)
    regency_total: int = 0
    # Compared with the table in force: rows with a new price or estimate, new rows, rows no longer present.
    changed: int = 0
    added: int = 0
    removed: int = 0
    # Services and regencies the table in force serves and this file no longer does at all.
    dropped_services: list[str] = field(default_factory=list)
    dropped_regencies: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rates)

    @property
    def drops(self) -> bool:
        """Saving it would stop shipping somewhere (or by some service): staff must choose to replace all."""
        return bool(self.dropped_services or self.dropped_regencies)


class TariffFileError(DomainError):
    """The file has errors; `preview` lists them. Nothing was saved."""

    def __init__(self, preview: TariffPreview):
        super().__init__(
            _l("File tarif berisi %(n)s kesalahan; belum ada yang disimpan.", n=len(preview.errors)), field="file"
        )
        self.preview = preview


COLUMN_LABELS = {
    "service": _l("Layanan"),
    "regency_code": _l("Kode kabupaten/kota"),
    "price_per_kg": _l("Harga per kg"),
    "first_kg_price": _l("Harga kg pertama"),
    "etd_min_days": _l("Estimasi minimal (hari)"),
    "etd_max_days": _l("Estimasi maksimal (hari)"),
}


def _whole(text: str, column: str, low: int, high: int, errors: list[RowError], line: int,
           *, required: bool = True) -> int | None:
    label = COLUMN_LABELS[column]
    value = text.strip()
    if not value:
        if required:
            errors.append(RowError(line, _l("%(column)s wajib diisi.", column=label), column))
        return None
    digits = value[1:] if value[0] in "+-" else value
    if not digits.isascii() or not digits.isdigit():
        errors.append(RowError(
            line, _l("%(column)s harus bilangan bulat tanpa titik atau koma, bukan \u201c%(value)s\u201d.",
                     column=label, value=value[:30]), column))
        return None
    number = int(value)
    if number < 0:
        errors.append(RowError(line, _l("%(column)s tidak boleh negatif.", column=label), column))
        return None
    if number < low or number > high:
        errors.append(RowError(
            line, _l("%(column)s harus antara %(low)s dan %(high)s.", column=label, low=low, high=f"{high:,}".replace(",", ".")),
            column))
        return None
    return number


def parse_tariff_csv(content: bytes, filename: str = "") -> TariffPreview:
    """Check a tariff file without saving anything; a fixed number of statements whatever its size."""
    preview = TariffPreview(filename=(filename or "")[:MAX_FILENAME])
    errors = preview.errors
    csv_rows = read_rows(content, errors, required=REQUIRED_COLUMNS, optional=OPTIONAL_COLUMNS,
                         max_bytes=MAX_FILE_BYTES, max_rows=MAX_ROWS)
    if csv_rows is None:
        return preview
    preview.rows_read = csv_rows.lines_read

    service_codes = set(db.session.scalars(select(ShippingService.code)))
    regency_codes = set(db.session.scalars(select(Regency.code)))
    seen: dict[tuple[str, str], int] = {}
    for number, value in ((row.line, row.values) for row in csv_rows.rows):
        row_errors: list[RowError] = []
        service = value["service"].strip().upper()
        if not service:
            row_errors.append(RowError(number, _l("%(column)s wajib diisi.", column=COLUMN_LABELS["service"]), "service"))
        elif service not in service_codes:
            row_errors.append(RowError(number, _l(
                "Layanan \u201c%(code)s\u201d tidak dikenal. Layanan yang ada: %(known)s.",
                code=service[:30], known=", ".join(sorted(service_codes)) or "-"), "service"))
        regency = value["regency_code"].strip()
        if not regency:
            row_errors.append(RowError(number, _l("%(column)s wajib diisi.", column=COLUMN_LABELS["regency_code"]),
                                       "regency_code"))
        elif regency not in regency_codes:
            row_errors.append(RowError(number, _l(
                "Kode kabupaten/kota \u201c%(code)s\u201d tidak dikenal (contoh kode yang benar: 31.71).",
                code=regency[:30]), "regency_code"))
        price = _whole(value["price_per_kg"], "price_per_kg", 1, MAX_PRICE, row_errors, number)
        first = _whole(value.get("first_kg_price", ""), "first_kg_price", 1, MAX_PRICE, row_errors, number,
                       required=False)
        etd_min = _whole(value["etd_min_days"], "etd_min_days", 0, MAX_ETD_DAYS, row_errors, number)
        etd_max = _whole(value["etd_max_days"], "etd_max_days", 1, MAX_ETD_DAYS, row_errors, number)
        if etd_min is not None and etd_max is not None and etd_min > etd_max:
            row_errors.append(RowError(number, _l("Estimasi minimal tidak boleh lebih lama dari estimasi maksimal."),
                                       "etd_min_days"))
        key = (service, regency)
        if service and regency:
            if key in seen:
                row_errors.append(RowError(number, _l(
                    "Baris ganda: tarif %(service)s ke %(code)s sudah ada di baris %(line)s.",
                    service=service[:30], code=regency[:30], line=seen[key])))
            else:
                seen[key] = number
        if row_errors:
            errors.extend(row_errors)
            continue
        preview.rates.append(ParsedRate(number, service, regency, price, first, etd_min, etd_max))
    for rate in preview.rates:
        preview.per_service[rate.service_code] = preview.per_service.get(rate.service_code, 0) + 1
    preview.regency_total = len(regency_codes)
    if preview.ok:
        _compare_with_active(preview)
    return preview


def _compare_with_active(preview: TariffPreview) -> None:
    version_id = active_version_id()
    if version_id is None:
        preview.added = len(preview.rates)
        return
    current = {
        (code, regency): (price, first, etd_min, etd_max)
        for code, regency, price, first, etd_min, etd_max in db.session.execute(
            select(ShippingService.code, TariffRate.regency_code, TariffRate.price_per_kg, TariffRate.first_kg_price,
                   TariffRate.etd_min_days, TariffRate.etd_max_days)
            .join(ShippingService, ShippingService.id == TariffRate.service_id)
            .where(TariffRate.version_id == version_id)
        )
    }
    incoming = set()
    preview.dropped_services = sorted({code for code, _ in current} - {rate.service_code for rate in preview.rates})
    preview.dropped_regencies = sorted({regency for _, regency in current}
                                       - {rate.regency_code for rate in preview.rates})
    for rate in preview.rates:
        key = (rate.service_code, rate.regency_code)
        incoming.add(key)
        values = (rate.price_per_kg, rate.first_kg_price, rate.etd_min_days, rate.etd_max_days)
        if key not in current:
            preview.added += 1
        elif current[key] != values:
            preview.changed += 1
    preview.removed = len(set(current) - incoming)


# ---------------------------------------------------------------------------------------------
# Saving


def check_effective_on(effective_on: date | None) -> date:
    """An effective date from today (WIB) up to a year ahead."""
    today = clock.today_wib()
    if effective_on is None:
        raise DomainError(_l("Isi tanggal mulai berlaku."), field="effective_on")
    if effective_on < today:
        raise DomainError(_l("Tanggal mulai berlaku paling awal hari ini."), field="effective_on")
    if effective_on > today + timedelta(days=MAX_DAYS_AHEAD):
        raise DomainError(_l("Tanggal mulai berlaku paling lambat satu tahun dari sekarang."), field="effective_on")
    return effective_on


def import_tariff(content: bytes, filename: str, effective_on: date | None, *, user: User | None = None,
                  note: str = "", replace_all: bool = False) -> TariffVersion:
    """Check the file and save it as a new version (flushed; the caller commits), or raise having
    written nothing.

    Raises DomainError(field="effective_on") for a bad date, TariffFileError (with the preview and
    its row-level errors) for a file with any error, and DomainError(field="replace_all") when the
    file drops services or regencies the table in force serves and `replace_all` was not chosen.
    """
    effective_on = check_effective_on(effective_on)
    preview = parse_tariff_csv(content, filename)
    if not preview.ok:
        raise TariffFileError(preview)
    if preview.drops and not replace_all:
        raise DomainError(_l("File ini tidak lagi memuat %(services)s layanan dan %(regencies)s kabupaten/kota "
                             "dari tabel yang berlaku; pilih “ganti seluruh tabel” untuk menyimpannya.",
                             services=len(preview.dropped_services), regencies=len(preview.dropped_regencies)),
                          field="replace_all")
    service_ids = dict(db.session.execute(select(ShippingService.code, ShippingService.id)).all())
    version = TariffVersion(
        effective_on=effective_on,
        imported_at=clock.utcnow(),
        imported_by_id=user.id if user else None,
        source_filename=preview.filename,
        note=(note or "").strip()[:MAX_NOTE],
        row_count=len(preview.rates),
    )
    db.session.add(version)
    db.session.flush()
    db.session.execute(TariffRate.__table__.insert(), [
        {
            "version_id": version.id,
            "service_id": service_ids[rate.service_code],
            "regency_code": rate.regency_code,
            "price_per_kg": rate.price_per_kg,
            "first_kg_price": rate.first_kg_price,
            "etd_min_days": rate.etd_min_days,
            "etd_max_days": rate.etd_max_days,
        }
        for rate in preview.rates
    ])
    return version


# ---------------------------------------------------------------------------------------------
# Export


def export_csv(version_id: int | None = None) -> str:
    """A version (the active one by default) as CSV in the import format; one statement for the rows."""
    version = db.session.get(TariffVersion, version_id) if version_id else active_version()
    if version is None:
        raise DomainError(_l("Belum ada tabel tarif yang berlaku."), field="version")
    out = io.StringIO()
    out.write(f"# tariff version {version.id}, effective {version.effective_on.isoformat()}"
              f"{', from ' + version.source_filename if version.source_filename else ''}\n")
    writer = csv_writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    rows = db.session.execute(
        select(ShippingService.code, TariffRate.regency_code, Regency.name, TariffRate.price_per_kg,
               TariffRate.first_kg_price, TariffRate.etd_min_days, TariffRate.etd_max_days)
        .join(ShippingService, ShippingService.id == TariffRate.service_id)
        .join(Regency, Regency.code == TariffRate.regency_code)
        .where(TariffRate.version_id == version.id)
        .order_by(ShippingService.position, ShippingService.code, TariffRate.regency_code)
    )
    for code, regency, name, price, first, etd_min, etd_max in rows:
        writer.writerow((code, regency, display_name(name), price, "" if first is None else first, etd_min, etd_max))
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# Rates of the active table for the back office


@dataclass(frozen=True)
class RegencyRates:
    regency: Regency
    rates: dict[str, TariffRate]  # service code → rate


def rates_by_province(province_code: str, version_id: int | None) -> list[RegencyRates]:
    """Every regency of a province with its rates in the version; two statements."""
    regencies = db.session.scalars(
        select(Regency).where(Regency.province_code == province_code).order_by(Regency.code)
    ).all()
    by_regency: dict[str, dict[str, TariffRate]] = {regency.code: {} for regency in regencies}
    if version_id is not None and regencies:
        for rate, code in db.session.execute(
            select(TariffRate, ShippingService.code)
            .join(ShippingService, ShippingService.id == TariffRate.service_id)
            .join(Regency, Regency.code == TariffRate.regency_code)
            .where(TariffRate.version_id == version_id, Regency.province_code == province_code)
        ):
            by_regency[rate.regency_code][code] = rate
    return [RegencyRates(regency, by_regency[regency.code]) for regency in regencies]


def version_count() -> int:
    return db.session.scalar(select(func.count(TariffVersion.id))) or 0


# ---------------------------------------------------------------------------------------------
# The sample table


def ensure_sample_services() -> list[str]:
    """Create the sample services that do not exist yet (never changes existing terms); their codes
    (flushes)."""
    from gallery.shipping.sample_tariff import SAMPLE_SERVICES

    existing = set(db.session.scalars(select(ShippingService.code)))
    created = []
    for sample in SAMPLE_SERVICES:
        if sample.code in existing:
            continue
        db.session.add(ShippingService(
            code=sample.code, name=sample.name, volumetric_divisor=sample.volumetric_divisor,
            rounding_tolerance_grams=sample.rounding_tolerance_grams, min_kg=sample.min_kg, max_kg=sample.max_kg,
            max_length_cm=sample.max_length_cm,
            discount_bp=sample.discount_bp, insurance_rate_bp=sample.insurance_rate_bp,
            insurance_fee=sample.insurance_fee, active=True, position=sample.position,
            cod_enabled=sample.cod_enabled, cod_fee_bp=sample.cod_fee_bp, cod_min_fee=sample.cod_min_fee,
        ))
        created.append(sample.code)
    db.session.flush()
    return created


def load_sample(path=None) -> TariffVersion | None:
    """Create the sample services if missing and, only when no tariff version exists, import the
    sample table. Returns the new version, or None when tariffs were already there (the caller commits).

    The sample is dated a year back so that the demo's order history (months old) has a tariff too.
    """
    from gallery.shipping.sample_tariff import SAMPLE_PATH

    ensure_sample_services()
    if version_count():
        return None
    path = path or SAMPLE_PATH
    version = import_tariff(path.read_bytes(), path.name, clock.today_wib(), replace_all=True,
                            note="SAMPLE table (gallery.shipping.sample_tariff), not the agency's real prices")
    # Staff imports start today or later; only the sample is back-dated, for the demo's history.
    version.effective_on = clock.today_wib() - timedelta(days=365)
    db.session.flush()
    return version
