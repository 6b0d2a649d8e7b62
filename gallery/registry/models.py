"""One row of the regency's IKM registry, imported from the trade office's spreadsheet."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gallery.dbtypes import UTCDateTime, now_utc
from gallery.extensions import db

SECTORS = ("fashion", "kuliner", "kerajinan", "lainnya")


class RegistryEntry(db.Model):
    """A registered IKM; it *consigns* at the gallery when linked to a Producer (producer_id)."""

    __tablename__ = "registry_entries"
    __table_args__ = (
        CheckConstraint("size_class IN ('mikro', 'kecil', 'menengah')", name="size_class_known"),
        CheckConstraint("sector IN ('fashion', 'kuliner', 'kerajinan', 'lainnya')", name="sector_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registry_number: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    owner_name: Mapped[str] = mapped_column(String(120), default="")
    kecamatan_code: Mapped[str] = mapped_column(ForeignKey("districts.code"), index=True)
    classification_id: Mapped[int] = mapped_column(ForeignKey("ikm_classifications.id"), index=True)
    size_class: Mapped[str] = mapped_column(String(12))
    sector: Mapped[str] = mapped_column(String(20))
    phone: Mapped[str | None] = mapped_column(String(20))
    year_registered: Mapped[int | None] = mapped_column(Integer, index=True)
    producer_id: Mapped[int | None] = mapped_column(ForeignKey("producers.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)

    kecamatan = relationship("District")
    classification = relationship("IkmClassification")
    producer = relationship("Producer")

    @property
    def consigns(self) -> bool:
        return self.producer_id is not None
