"""Pos cash on delivery (bayar di tempat): where it is offered and what the agency charges for it.

The shop offers COD only when the setting is on (`COD_ENABLED`), the destination province is in
`COD_PROVINCES` (empty: everywhere), the amount to collect (fee included) is at most `COD_MAX_ORDER`, and
the chosen Pos
carries COD. The fee is the service's `cod_fee_bp` of the order's value (goods, shipping and
insurance: what the courier collects besides the fee), never below its `cod_min_fee`, rounded once
(gallery.money). The shopper pays it with the parcel.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from gallery.extensions import db
from gallery.money import apply_basis_points
from gallery.shipping.models import ShippingService


@dataclass(frozen=True)
class CodOffer:
    """Cash on delivery for one order: the fee, and what the shopper pays the courier."""

    fee: int
    value: int

    @property
    def collect(self) -> int:
        return self.value + self.fee


def cod_fee(value: int, fee_bp: int, min_fee: int) -> int:
    """The agency's fee on `value` Rupiah: `fee_bp` basis points of it, at least `min_fee`."""
    return max(apply_basis_points(value, fee_bp), min_fee)


def provinces() -> set[str]:
    """The provinces COD is offered to (empty: all)."""
    raw = current_app.config.get("COD_PROVINCES") or ""
    return {part.strip() for part in raw.split(",") if part.strip()}


def offer(service_code: str | None, province_code: str | None, value: int) -> CodOffer | None:
    """COD for an order of `value` Rupiah sent by `service_code` to `province_code`, or None where it is not offered."""
    config = current_app.config
    if not config.get("COD_ENABLED") or not service_code or not province_code:
        return None
    allowed = provinces()
    if allowed and province_code not in allowed:
        return None
    service = db.session.scalar(select(ShippingService).where(ShippingService.code == service_code,
                                                              ShippingService.active.is_(True)))
    if service is None or not service.cod_enabled:
        return None
    fee = cod_fee(value, service.cod_fee_bp, service.cod_min_fee)
    if value + fee > config.get("COD_MAX_ORDER", 0):
        return None
    return CodOffer(fee, value)
