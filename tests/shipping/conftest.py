"""Shipping fixtures: the three sample services and small tariff tables built per test.

The full sample table (514 regencies × 3 services) is loaded only by the tests that are about it.
"""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from gallery import clock
from gallery.extensions import db
from gallery.shipping.models import ShippingService, TariffRate, TariffVersion
from gallery.shipping.tariffs import ensure_sample_services

HEADER = "service,regency_code,regency_name,price_per_kg,first_kg_price,etd_min_days,etd_max_days\n"

# A few destinations with the sample table's prices (Jakarta Pusat Reguler: Rp 26.000/kg, 2–4 days).
SMALL_TABLE = HEADER + """\
POS_REG,31.71,Kota Administrasi Jakarta Pusat,26000,,2,4
POS_NEXTDAY,31.71,Kota Administrasi Jakarta Pusat,42000,49000,1,2
POS_JUMBO,31.71,Kota Administrasi Jakarta Pusat,16000,,3,7
POS_REG,13.71,Kota Padang,12000,,2,3
POS_NEXTDAY,13.71,Kota Padang,19500,22500,1,2
POS_REG,13.01,Kabupaten Pesisir Selatan,8000,,1,2
POS_REG,95.01,Kabupaten Jayawijaya,94500,,8,15
"""


def csv_bytes(text: str) -> bytes:
    return text.encode("utf-8")


@pytest.fixture
def pos_services() -> dict[str, ShippingService]:
    """POS_REG (20 % off, 200 g tolerance, 1–50 kg), POS_NEXTDAY (15 %, 1–30 kg), POS_JUMBO (10 %, 10–150 kg)."""
    ensure_sample_services()
    db.session.commit()
    return {service.code: service for service in db.session.scalars(select(ShippingService))}


def add_version(effective_on: date, rows: list[tuple], *, note: str = "") -> TariffVersion:
    """Write a version straight into the tables (any date, past ones too): rows of
    (service code, regency code, price per kg, first kg price, etd min, etd max)."""
    services = {service.code: service.id for service in db.session.scalars(select(ShippingService))}
    version = TariffVersion(effective_on=effective_on, imported_at=clock.utcnow(), note=note, row_count=len(rows))
    db.session.add(version)
    db.session.flush()
    for code, regency, price, first, etd_min, etd_max in rows:
        db.session.add(TariffRate(version_id=version.id, service_id=services[code], regency_code=regency,
                                  price_per_kg=price, first_kg_price=first, etd_min_days=etd_min,
                                  etd_max_days=etd_max))
    db.session.commit()
    return version


@pytest.fixture
def small_tariff(pos_services) -> TariffVersion:
    """SMALL_TABLE in force since 1 January 2026."""
    rows = []
    for line in SMALL_TABLE.splitlines()[1:]:
        code, regency, _name, price, first, etd_min, etd_max = line.split(",")
        rows.append((code, regency, int(price), int(first) if first else None, int(etd_min), int(etd_max)))
    return add_version(date(2026, 1, 1), rows)
