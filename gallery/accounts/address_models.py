"""A signed-in customer's saved delivery addresses (the address book); one is the default at checkout."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gallery.dbtypes import UTCDateTime, now_utc
from gallery.extensions import db


class SavedAddress(db.Model):
    """One address of a customer, checked like a checkout address when saved (gallery.shipping.addresses)."""

    __tablename__ = "saved_addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(40), default="")
    province_code: Mapped[str] = mapped_column(ForeignKey("provinces.code"))
    regency_code: Mapped[str] = mapped_column(ForeignKey("regencies.code"))
    district_code: Mapped[str] = mapped_column(ForeignKey("districts.code"))
    street: Mapped[str] = mapped_column(String(300))
    postal_code: Mapped[str] = mapped_column(String(5))
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)

    province = relationship("Province")
    regency = relationship("Regency")
    district = relationship("District")
