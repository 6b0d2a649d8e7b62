"""Indonesian administrative regions (Kemendagri codes), loaded from data/regions."""
from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

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
