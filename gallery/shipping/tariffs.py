"""Tariff versions: saving a checked tariff file as a new version, and the sample table.

A table is imported whole: nothing is saved unless every row of the file is right
(gallery.shipping.tariff_csv checks it), and a file that stops serving services or regencies of the
table in force needs staff's explicit choice. Each import is a new TariffVersion effective from today
(WIB) up to a year ahead; an order keeps the version it was quoted with. These functions flush; the
view or command commits.
"""
from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from gallery import clock
from gallery.accounts.models import User
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.shipping.models import ShippingService, TariffRate, TariffVersion
from gallery.shipping.tariff_csv import TariffFileError, parse_tariff_csv
from gallery.shipping.tariff_lookups import version_count

MAX_NOTE = 500
# How far ahead an effective date may lie (a typo such as 2062 is refused).
MAX_DAYS_AHEAD = 366


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
