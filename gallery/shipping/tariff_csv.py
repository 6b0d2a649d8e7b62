"""The tariff file: parsing and checking a CSV with row-level errors, and writing a version back in the
same format.

Every row is checked (known service and regency code, whole non-negative prices, a sane delivery
estimate, no duplicate service × regency) and compared with the table in force; nothing is saved here
(gallery.shipping.tariffs saves a checked file as a new version).

The CSV (UTF-8, comma or semicolon separated, lines starting with `#` are comments):

    service,regency_code,regency_name,price_per_kg,first_kg_price,etd_min_days,etd_max_days
    POS_REG,31.71,Kota Administrasi Jakarta Pusat,26000,,2,4

`regency_name` is for people and ignored; `first_kg_price` may be empty (then every kg costs
`price_per_kg`). Prices are the public Pos prices in whole Rupiah.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from gallery.csvimport import ImportPreview, RowError, read_preview_rows
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.shipping.models import Regency, ShippingService, TariffRate, TariffVersion
from gallery.shipping.regions import display_name
from gallery.shipping.tariff_lookups import active_version, active_version_id
from gallery.spreadsheets import csv_writer

REQUIRED_COLUMNS = ("service", "regency_code", "price_per_kg", "etd_min_days", "etd_max_days")
OPTIONAL_COLUMNS = ("first_kg_price", "regency_name")
EXPORT_COLUMNS = ("service", "regency_code", "regency_name", "price_per_kg", "first_kg_price",
                  "etd_min_days", "etd_max_days")
MAX_FILE_BYTES = 2_000_000
MAX_ROWS = 20_000
MAX_PRICE = 10_000_000
MAX_ETD_DAYS = 60
MAX_FILENAME = 200


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


@dataclass(frozen=True)
class _KnownCodes:
    """The service codes and regency codes the shop knows (read once per file)."""

    services: set[str]
    regencies: set[str]


def _known_code(code: str, column: str, known: set[str], unknown_message, line: int,
                errors: list[RowError]) -> None:
    """A code column must be filled in and name a row the shop knows."""
    if not code:
        errors.append(RowError(line, _l("%(column)s wajib diisi.", column=COLUMN_LABELS[column]), column))
    elif code not in known:
        errors.append(RowError(line, unknown_message, column))


def _check_codes(line: int, value: dict[str, str], known: _KnownCodes, errors: list[RowError]) -> tuple[str, str]:
    """The row's service (upper case) and regency code, each checked against the shop's own."""
    service = value["service"].strip().upper()
    _known_code(service, "service", known.services, _l(
        "Layanan \u201c%(code)s\u201d tidak dikenal. Layanan yang ada: %(known)s.",
        code=service[:30], known=", ".join(sorted(known.services)) or "-"), line, errors)
    regency = value["regency_code"].strip()
    _known_code(regency, "regency_code", known.regencies, _l(
        "Kode kabupaten/kota \u201c%(code)s\u201d tidak dikenal (contoh kode yang benar: 31.71).",
        code=regency[:30]), line, errors)
    return service, regency


def _check_numbers(line: int, value: dict[str, str], errors: list[RowError]) -> tuple[int | None, ...]:
    """The row's prices and delivery estimate: whole numbers in range, the estimate's minimum not above its
    maximum."""
    price = _whole(value["price_per_kg"], "price_per_kg", 1, MAX_PRICE, errors, line)
    first = _whole(value.get("first_kg_price", ""), "first_kg_price", 1, MAX_PRICE, errors, line, required=False)
    etd_min = _whole(value["etd_min_days"], "etd_min_days", 0, MAX_ETD_DAYS, errors, line)
    etd_max = _whole(value["etd_max_days"], "etd_max_days", 1, MAX_ETD_DAYS, errors, line)
    if etd_min is not None and etd_max is not None and etd_min > etd_max:
        errors.append(RowError(line, _l("Estimasi minimal tidak boleh lebih lama dari estimasi maksimal."),
                               "etd_min_days"))
    return price, first, etd_min, etd_max


def _check_once(line: int, service: str, regency: str, seen: dict[tuple[str, str], int],
                errors: list[RowError]) -> None:
    """A service × regency appears once in a file; `seen` remembers the line of each."""
    if not (service and regency):
        return
    key = (service, regency)
    if key in seen:
        errors.append(RowError(line, _l(
            "Baris ganda: tarif %(service)s ke %(code)s sudah ada di baris %(line)s.",
            service=service[:30], code=regency[:30], line=seen[key])))
    else:
        seen[key] = line


def _check_row(line: int, value: dict[str, str], known: _KnownCodes,
               seen: dict[tuple[str, str], int]) -> tuple[ParsedRate | None, list[RowError]]:
    """One row: its rate when every rule holds, else its errors (all of them, so staff fix a row once)."""
    errors: list[RowError] = []
    service, regency = _check_codes(line, value, known, errors)
    price, first, etd_min, etd_max = _check_numbers(line, value, errors)
    _check_once(line, service, regency, seen, errors)
    if errors:
        return None, errors
    return ParsedRate(line, service, regency, price, first, etd_min, etd_max), errors


def parse_tariff_csv(content: bytes, filename: str = "") -> TariffPreview:
    """Check a tariff file without saving anything; a fixed number of statements whatever its size."""
    preview = TariffPreview(filename=(filename or "")[:MAX_FILENAME])
    csv_rows = read_preview_rows(preview, content, required=REQUIRED_COLUMNS, optional=OPTIONAL_COLUMNS,
                                 max_bytes=MAX_FILE_BYTES, max_rows=MAX_ROWS)
    if csv_rows is None:
        return preview
    known = _KnownCodes(set(db.session.scalars(select(ShippingService.code))),
                        set(db.session.scalars(select(Regency.code))))
    seen: dict[tuple[str, str], int] = {}
    for row in csv_rows.rows:
        rate, row_errors = _check_row(row.line, row.values, known, seen)
        if rate is None:
            preview.errors.extend(row_errors)
        else:
            preview.rates.append(rate)
    for rate in preview.rates:
        preview.per_service[rate.service_code] = preview.per_service.get(rate.service_code, 0) + 1
    preview.regency_total = len(known.regencies)
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
