"""Reading the tariff tables: the version in force on a day, the list of versions with their state, the
services, and the rates of a version by regency for the back office.

The version in force is the newest whose effective date (WIB) has come, the last imported winning between
two of the same date; quoting (gallery.shipping.quotes) and orders read it here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from gallery import clock
from gallery.extensions import db
from gallery.shipping.models import Regency, ShippingService, TariffRate, TariffVersion


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
