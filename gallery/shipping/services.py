"""Shipping services and their terms (admin): add a service, change its terms.

A service's terms apply to every quote from the moment they are saved; orders keep the quote they
were placed with. Rates per destination come from the tariff tables (gallery.shipping.tariffs).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from gallery.errors import DomainError
from gallery.extensions import db
from gallery.money import BASIS_POINTS
from gallery.shipping.models import ShippingService

CODE_PATTERN = re.compile(r"^[A-Z][A-Z0-9_]{1,19}$")
MAX_KG = 1000
MAX_SIDE_CM = 500


@dataclass(frozen=True)
class ServiceInput:
    """A service's terms as an admin entered them (percentages already in basis points)."""

    code: str
    name: str
    volumetric_divisor: int = 6000
    rounding_tolerance_grams: int = 0
    min_kg: int = 1
    max_kg: int = 50
    max_length_cm: int = 150
    discount_bp: int = 0
    insurance_rate_bp: int = 0
    insurance_fee: int = 0
    active: bool = True
    position: int = 0
    cod_enabled: bool = False
    cod_fee_bp: int = 0
    cod_min_fee: int = 0


def _between(value, low: int, high: int, field: str, message) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < low or value > high:
        raise DomainError(message, field=field)
    return value


def _check(data: ServiceInput, *, service_id: int | None) -> dict:
    code = (data.code or "").strip().upper()
    if not CODE_PATTERN.fullmatch(code):
        raise DomainError(_l("Kode layanan 2–20 huruf besar, angka atau garis bawah, diawali huruf (mis. POS_REG)."),
                          field="code")
    taken = db.session.scalar(select(ShippingService.id).where(ShippingService.code == code))
    if taken is not None and taken != service_id:
        raise DomainError(_l("Kode layanan %(code)s sudah dipakai.", code=code), field="code")
    name = " ".join((data.name or "").split())
    if not name or len(name) > 60:
        raise DomainError(_l("Nama layanan wajib diisi, paling banyak 60 karakter."), field="name")
    values = {
        "code": code,
        "name": name,
        "volumetric_divisor": _between(data.volumetric_divisor, 1000, 10000, "volumetric_divisor",
                                       _l("Pembagi volume antara 1000 dan 10000 (biasanya 6000).")),
        "rounding_tolerance_grams": _between(data.rounding_tolerance_grams, 0, 999, "rounding_tolerance_grams",
                                             _l("Toleransi pembulatan antara 0 dan 999 gram.")),
        "min_kg": _between(data.min_kg, 1, MAX_KG, "min_kg", _l("Berat minimum antara 1 dan 1000 kg.")),
        "max_kg": _between(data.max_kg, 1, MAX_KG, "max_kg", _l("Berat maksimum per paket antara 1 dan 1000 kg.")),
        "max_length_cm": _between(data.max_length_cm, 10, MAX_SIDE_CM, "max_length_cm",
                                  _l("Sisi terpanjang per paket antara 10 dan 500 cm.")),
        "discount_bp": _between(data.discount_bp, 0, BASIS_POINTS - 1, "discount_bp",
                                _l("Diskon agen dari 0 sampai di bawah 100 %.")),
        "insurance_rate_bp": _between(data.insurance_rate_bp, 0, BASIS_POINTS, "insurance_rate_bp",
                                      _l("Tarif asuransi antara 0 dan 100 % dari nilai barang.")),
        "insurance_fee": _between(data.insurance_fee, 0, 1_000_000, "insurance_fee",
                                  _l("Biaya tetap asuransi antara Rp 0 dan Rp 1.000.000.")),
        "position": _between(data.position, 0, 999, "position", _l("Urutan antara 0 dan 999.")),
        "active": bool(data.active),
        "cod_enabled": bool(data.cod_enabled),
        "cod_fee_bp": _between(data.cod_fee_bp, 0, BASIS_POINTS, "cod_fee_bp",
                               _l("Biaya COD antara 0 dan 100 % dari nilai tagihan.")),
        "cod_min_fee": _between(data.cod_min_fee, 0, 1_000_000, "cod_min_fee",
                                _l("Biaya COD minimum antara Rp 0 dan Rp 1.000.000.")),
    }
    if values["max_kg"] < values["min_kg"]:
        raise DomainError(_l("Berat maksimum tidak boleh kurang dari berat minimum."), field="max_kg")
    return values


def create_service(data: ServiceInput) -> ShippingService:
    """Add a service (its rates come with the next tariff import)."""
    values = _check(data, service_id=None)
    service = ShippingService(**values)
    db.session.add(service)
    db.session.flush()
    return service


def update_service(service: ShippingService, data: ServiceInput) -> ShippingService:
    """Change a service's terms; the code may change too (the tariff files use the new one)."""
    values = _check(data, service_id=service.id)
    for key, value in values.items():
        setattr(service, key, value)
    db.session.flush()
    return service
