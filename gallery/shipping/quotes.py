"""Shipping quotes from the active tariff table: what checkout, the API and the cart call.

`quote()` reads the destination, the active tariff version and its rates to the destination in
three statements, then lets the pure engine (gallery.shipping.engine) do the arithmetic.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from gallery.errors import DomainError
from gallery.extensions import db
from gallery.shipping.engine import (
    EngineError,
    ParcelItem,
    Rate,
    ServiceTerms,
    TooBig,
    check_insured_value,
    check_items,
    price_shipment,
)
from gallery.shipping.models import Regency, ShippingService, TariffRate
from gallery.shipping.regions import display_name
from gallery.shipping.tariff_lookups import active_version_id

__all__ = ["ParcelItem", "ShippingOption", "quote", "quote_service", "regency_or_error"]

DEFAULT_PACKAGING_GRAMS = 100

_ENGINE_MESSAGES = {
    "empty": _l("Isi berat kiriman dulu."),
    "not_integer": _l("Berat dan ukuran kiriman harus bilangan bulat."),
    "not_positive": _l("Berat dan jumlah barang harus lebih dari nol."),
    "bad_size": _l("Ukuran paket harus diisi lengkap (panjang, lebar, tinggi) antara 1 dan 500 cm."),
    "too_heavy": _l("Kiriman terlalu berat: paling banyak 1.000 kg."),
    "bad_value": _l("Nilai barang untuk asuransi harus bilangan bulat Rupiah antara 0 dan 1.000.000.000."),
}


@dataclass(frozen=True)
class ShippingOption:
    """One service's quote for a shipment; prices in whole Rupiah."""

    service_code: str
    service_name: str
    etd_days: tuple[int, int]
    parcels: int
    chargeable_kg: int          # summed over parcels
    public_price: int
    price: int                  # the gallery's price: public_price - discount
    discount: int
    insurance: int              # 0 unless insured
    tariff_version_id: int
    # The service's minimum weight made it charge more kilograms than the parcel weighs (Pos Jumbo's 10 kg).
    raised_by_minimum: bool = False

    @property
    def total(self) -> int:
        return self.price + self.insurance


def terms_of(service: ShippingService) -> ServiceTerms:
    """The engine's view of a service row."""
    return ServiceTerms(
        volumetric_divisor=service.volumetric_divisor,
        rounding_tolerance_grams=service.rounding_tolerance_grams,
        min_kg=service.min_kg,
        max_kg=service.max_kg,
        max_length_cm=service.max_length_cm,
        discount_bp=service.discount_bp,
        insurance_rate_bp=service.insurance_rate_bp,
        insurance_fee=service.insurance_fee,
    )


def regency_or_error(code: str | None) -> Regency:
    """The destination regency/city for a Kemendagri code such as `31.71`, or DomainError("destination")."""
    text = (code or "").strip() if isinstance(code, str) else ""
    regency = db.session.get(Regency, text) if len(text) == 5 else None
    if regency is None:
        raise DomainError(_l("Kabupaten/kota tujuan tidak dikenal."), field="destination")
    return regency


def packaging_grams() -> int:
    """The packaging weighed with each parcel (SHIPPING_PACKAGING_GRAMS)."""
    return int(current_app.config.get("SHIPPING_PACKAGING_GRAMS", DEFAULT_PACKAGING_GRAMS))


def _check(items: Sequence[ParcelItem], insured_value: int | None) -> None:
    try:
        check_items(items)
        check_insured_value(insured_value)
    except EngineError as error:
        raise DomainError(_ENGINE_MESSAGES[error.code], field=error.field) from None


def _options(destination_code: str, items: Sequence[ParcelItem], insured_value: int | None, on: date | None,
             service_code: str | None = None) -> tuple[list[ShippingOption], bool]:
    """The options for the destination (one service when `service_code`), and whether any rate existed."""
    items = list(items or ())
    _check(items, insured_value)
    regency = regency_or_error(destination_code)
    version_id = active_version_id(on)
    if version_id is None:
        raise DomainError(_l("Belum ada tarif kirim ke %(name)s.", name=display_name(regency.name)), field="destination")
    statement = (
        select(TariffRate, ShippingService)
        .join(ShippingService, ShippingService.id == TariffRate.service_id)
        .where(TariffRate.version_id == version_id, TariffRate.regency_code == regency.code,
               ShippingService.active.is_(True))
        .order_by(ShippingService.position, ShippingService.code)
    )
    if service_code is not None:
        statement = statement.where(ShippingService.code == service_code)
    rows = db.session.execute(statement).all()
    packaging = packaging_grams()
    options = []
    for rate, service in rows:
        try:
            priced = price_shipment(
                items, terms_of(service), Rate(rate.price_per_kg, rate.first_kg_price),
                packaging_grams=packaging, insured_value=insured_value,
            )
        except TooBig:
            continue
        terms = terms_of(service)
        raised = terms.min_kg > 1 and priced.chargeable_kg > price_shipment(
            items, replace(terms, min_kg=1), Rate(rate.price_per_kg, rate.first_kg_price),
            packaging_grams=packaging).chargeable_kg
        options.append(ShippingOption(
            service_code=service.code,
            service_name=service.name,
            etd_days=(rate.etd_min_days, rate.etd_max_days),
            parcels=len(priced.parcels),
            chargeable_kg=priced.chargeable_kg,
            public_price=priced.public_price,
            price=priced.price,
            discount=priced.discount,
            insurance=priced.insurance,
            tariff_version_id=version_id,
            raised_by_minimum=raised,
        ))
    if not rows and service_code is None:
        raise DomainError(_l("Belum ada tarif kirim ke %(name)s.", name=display_name(regency.name)), field="destination")
    return options, bool(rows)


def quote(destination_code: str, items: Sequence[ParcelItem], *, insured_value: int | None = None,
          on: date | None = None) -> list[ShippingOption]:
    """All active services that reach the regency, cheapest first (total, then the service's position).

    Raises DomainError with field="destination" for an unknown regency code or a regency without
    tariff, field="weight" for empty/bad items or a shipment no service can carry, field="value"
    for a bad insured value. `on` is the date whose tariff applies (today in WIB by default).
    """
    options, _ = _options(destination_code, items, insured_value, on)
    if not options:
        raise DomainError(_l("Kiriman ini terlalu besar untuk semua layanan Pos; bagi menjadi beberapa pesanan."),
                          field="weight")
    return sorted(_without_needless_minimums(options), key=lambda option: option.total)  # stable on ties


def _without_needless_minimums(options: list[ShippingOption]) -> list[ShippingOption]:
    """Leave out a service whose minimum weight makes it dearer than another service for the same parcel
    (Pos Jumbo's 10 kg for a 0.7 kg parcel): it is meant for big parcels, and offering it only misleads."""
    cheapest = min(option.total for option in options)
    return [option for option in options if not (option.raised_by_minimum and option.total > cheapest)]


def quote_service(destination_code: str, items: Sequence[ParcelItem], service_code: str, *,
                  insured_value: int | None = None, on: date | None = None) -> ShippingOption:
    """One service's quote (DomainError(field="service") if that service does not serve the destination)."""
    options, served = _options(destination_code, items, insured_value, on, service_code=service_code or "")
    if not served:
        raise DomainError(_l("Layanan kirim ini tidak tersedia ke tujuan tersebut."), field="service")
    if not options:
        raise DomainError(_l("Kiriman ini terlalu besar untuk layanan ini."), field="weight")
    return options[0]
