"""Indonesian administrative regions (Kemendagri codes), loaded from data/regions."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gallery.dbtypes import UTCDateTime, now_utc
from gallery.extensions import db

# The gallery's own regency: Kabupaten Pesisir Selatan, West Sumatra.
HOME_REGENCY_CODE = "13.01"
HOME_PROVINCE_CODE = "13"


class Province(db.Model):
    """A province (provinsi), e.g. `13` Sumatera Barat."""

    __tablename__ = "provinces"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))

    regencies: Mapped[list["Regency"]] = relationship(back_populates="province", order_by="Regency.code")


class Regency(db.Model):
    """A regency or city (kabupaten/kota), e.g. `13.01` Kabupaten Pesisir Selatan."""

    __tablename__ = "regencies"

    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    province_code: Mapped[str] = mapped_column(ForeignKey("provinces.code"), index=True)
    name: Mapped[str] = mapped_column(String(80))

    province: Mapped[Province] = relationship(back_populates="regencies")
    districts: Mapped[list["District"]] = relationship(back_populates="regency", order_by="District.code")


class District(db.Model):
    """A district (kecamatan), e.g. `13.01.05` IV Jurai, where the gallery stands."""

    __tablename__ = "districts"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    regency_code: Mapped[str] = mapped_column(ForeignKey("regencies.code"), index=True)
    name: Mapped[str] = mapped_column(String(80))

    regency: Mapped[Regency] = relationship(back_populates="districts")


class ShippingService(db.Model):
    """A Pos service as the agency counter names it (Pos Reguler, Pos Nextday, Pos Jumbo Ekonomi, …).

    Its terms decide how a parcel's weight is charged: the volumetric divisor, the tolerance in grams
    below which the excess over a whole kilogram is not charged, the minimum and maximum kilograms per
    parcel, the agency discount (basis points of the public price) and the insurance (basis points of
    the declared value plus a fixed fee), and whether the agency collects cash on delivery with it and
    for what fee (basis points of the order value, with a minimum).
    """

    __tablename__ = "shipping_services"
    __table_args__ = (
        CheckConstraint("volumetric_divisor > 0", name="divisor_positive"),
        CheckConstraint("rounding_tolerance_grams >= 0 AND rounding_tolerance_grams < 1000", name="tolerance_range"),
        CheckConstraint("min_kg >= 1", name="min_kg_positive"),
        CheckConstraint("max_kg >= min_kg", name="max_kg_at_least_min"),
        CheckConstraint("discount_bp >= 0 AND discount_bp <= 10000", name="discount_range"),
        CheckConstraint("insurance_rate_bp >= 0 AND insurance_rate_bp <= 10000", name="insurance_rate_range"),
        CheckConstraint("insurance_fee >= 0", name="insurance_fee_nonnegative"),
        CheckConstraint("cod_fee_bp >= 0 AND cod_fee_bp <= 10000 AND cod_min_fee >= 0", name="cod_fee_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    volumetric_divisor: Mapped[int] = mapped_column(Integer, default=6000)
    rounding_tolerance_grams: Mapped[int] = mapped_column(Integer, default=0)
    min_kg: Mapped[int] = mapped_column(Integer, default=1)
    max_kg: Mapped[int] = mapped_column(Integer, default=50)
    # The longest side one parcel may have (Pos Reguler: 150 cm); an item longer than this cannot go by it.
    max_length_cm: Mapped[int] = mapped_column(Integer, default=150, server_default="150")
    discount_bp: Mapped[int] = mapped_column(Integer, default=0)
    insurance_rate_bp: Mapped[int] = mapped_column(Integer, default=0)
    insurance_fee: Mapped[int] = mapped_column(Integer, default=0)
    # Cash on delivery (bayar di tempat) through this service: offered at all, and the agency's fee in
    # basis points of the order value with a minimum in Rupiah.
    cod_enabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    cod_fee_bp: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    cod_min_fee: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class TariffVersion(db.Model):
    """One imported tariff table, in force from `effective_on` (WIB) until a newer one takes over."""

    __tablename__ = "tariff_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    effective_on: Mapped[date] = mapped_column(Date, index=True)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    source_filename: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    row_count: Mapped[int] = mapped_column(Integer, default=0)

    imported_by = relationship("User")


class TariffRate(db.Model):
    """The public price and delivery estimate of one service to one destination regency, in one version."""

    __tablename__ = "tariff_rates"
    __table_args__ = (
        UniqueConstraint("version_id", "regency_code", "service_id", name="uq_tariff_rates_version_regency_service"),
        CheckConstraint("price_per_kg >= 0", name="price_nonnegative"),
        CheckConstraint("first_kg_price IS NULL OR first_kg_price >= 0", name="first_kg_price_nonnegative"),
        CheckConstraint("etd_min_days >= 0 AND etd_max_days >= etd_min_days", name="etd_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("tariff_versions.id", ondelete="CASCADE"))
    service_id: Mapped[int] = mapped_column(ForeignKey("shipping_services.id"), index=True)
    regency_code: Mapped[str] = mapped_column(ForeignKey("regencies.code"), index=True)
    price_per_kg: Mapped[int] = mapped_column(Integer)
    first_kg_price: Mapped[int | None] = mapped_column(Integer)
    etd_min_days: Mapped[int] = mapped_column(Integer)
    etd_max_days: Mapped[int] = mapped_column(Integer)

    version: Mapped[TariffVersion] = relationship()
    service: Mapped[ShippingService] = relationship()
    regency: Mapped[Regency] = relationship()
