"""The quote engine's arithmetic: pure functions, no database, no Flask.

Given the items of a shipment, one service's terms and its rate to the destination, compute the
parcels, their chargeable kilograms, the public price, the agency discount, the gallery's price and
the insurance. gallery.shipping.quotes feeds it from the tariff tables.

The rules (DESIGN.md "Shipping at checkout"):

* actual grams of a parcel = the items' weight + the packaging allowance (one per parcel);
* volumetric grams = the items' volume in cm³ × 1000 / the service's divisor (6000: 1 kg per
  6000 cm³), rounded up to a whole gram;
* chargeable grams = the larger of the two;
* whole kg: an excess over the whole kilogram up to and including the service's tolerance is not
  charged (1.300 kg → 1 kg with a 300 g tolerance), a larger one is rounded up (1.301 kg → 2 kg);
  never below the service's minimum;
* a shipment whose parcel would exceed the service's maximum is split: units are packed first-fit,
  heaviest first, into parcels of at most the maximum kilograms (the tolerance rounds the charge
  down, it never stretches the maximum); each parcel has its own allowance, rounding and minimum.
  A single unit too heavy for one parcel, or with a side longer than the service's maximum length,
  cannot go by that service;
* public price per parcel = the first-kg price (when the table has one) + the price per kg for
  each further kg, or the price per kg × kg; summed over the parcels;
* discount = the service's basis points of the public price, rounded half up once
  (gallery.money.apply_basis_points); price = public price − discount;
* insurance = the service's basis points of the declared value, rounded half up once, + the fixed
  fee; 0 when nothing is declared.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gallery.money import apply_basis_points

GRAMS_PER_KG = 1000
# A shipment is refused above one tonne of goods, or when it would take more parcels than this.
MAX_TOTAL_GRAMS = 1_000_000
MAX_PARCELS = 40
# Largest side accepted for one item, in cm, and the largest declared value for insurance.
MAX_SIDE_CM = 500
MAX_INSURED_VALUE = 1_000_000_000


class EngineError(ValueError):
    """The items or the value cannot be quoted at all; `field` is "weight" or "value"."""

    def __init__(self, code: str, field: str):
        super().__init__(code)
        self.code = code
        self.field = field


class TooBig(Exception):
    """This service cannot carry the shipment (a unit above its maximum, or too many parcels)."""


@dataclass(frozen=True)
class ParcelItem:
    """One line of a shipment: a unit's weight and outer size (0 × 0 × 0 when unknown), and how many."""

    weight_grams: int
    length_cm: int
    width_cm: int
    height_cm: int
    quantity: int = 1

    @property
    def volume_cm3(self) -> int:
        return self.length_cm * self.width_cm * self.height_cm


@dataclass(frozen=True)
class ServiceTerms:
    """How a service charges weight, its discount and its insurance."""

    volumetric_divisor: int = 6000
    rounding_tolerance_grams: int = 0
    min_kg: int = 1
    max_kg: int = 50
    max_length_cm: int | None = None  # None: no limit on a side
    discount_bp: int = 0
    insurance_rate_bp: int = 0
    insurance_fee: int = 0


@dataclass(frozen=True)
class Rate:
    """The public tariff of one service to one destination."""

    price_per_kg: int
    first_kg_price: int | None = None


@dataclass(frozen=True)
class Parcel:
    """One parcel as the counter weighs it."""

    actual_grams: int        # goods + packaging allowance
    volumetric_grams: int
    chargeable_kg: int
    public_price: int

    @property
    def chargeable_grams(self) -> int:
        return max(self.actual_grams, self.volumetric_grams)


@dataclass(frozen=True)
class Priced:
    """The engine's answer for one service."""

    parcels: tuple[Parcel, ...]
    public_price: int
    discount: int
    price: int
    insurance: int

    @property
    def chargeable_kg(self) -> int:
        return sum(parcel.chargeable_kg for parcel in self.parcels)

    @property
    def total(self) -> int:
        return self.price + self.insurance


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_items(items: Sequence[ParcelItem]) -> None:
    """Refuse an empty shipment, a unit without weight, negative or huge sizes, a quantity below one."""
    if not items:
        raise EngineError("empty", "weight")
    total = 0
    for item in items:
        if not all(_is_int(v) for v in (item.weight_grams, item.length_cm, item.width_cm, item.height_cm,
                                         item.quantity)):
            raise EngineError("not_integer", "weight")
        if item.weight_grams < 1 or item.quantity < 1:
            raise EngineError("not_positive", "weight")
        sides = (item.length_cm, item.width_cm, item.height_cm)
        if any(side < 0 or side > MAX_SIDE_CM for side in sides) or (0 in sides and any(sides)):
            raise EngineError("bad_size", "weight")
        total += item.weight_grams * item.quantity
        if total > MAX_TOTAL_GRAMS:
            raise EngineError("too_heavy", "weight")


def check_insured_value(value: int | None) -> None:
    """A declared value is a whole number of Rupiah from 0 up to a billion, or None."""
    if value is None:
        return
    if not _is_int(value) or value < 0 or value > MAX_INSURED_VALUE:
        raise EngineError("bad_value", "value")


def volumetric_grams(volume_cm3: int, divisor: int) -> int:
    """Volume in cm³ as grams by the divisor (6000 cm³ = 1 kg), rounded up to a whole gram."""
    return -(-volume_cm3 * GRAMS_PER_KG // divisor)


def chargeable_kg(grams: int, terms: ServiceTerms) -> int:
    """Whole kilograms charged for `grams` under the service's tolerance and minimum."""
    whole, excess = divmod(grams, GRAMS_PER_KG)
    if excess > terms.rounding_tolerance_grams:
        whole += 1
    return max(whole, terms.min_kg)


def parcel_limit_grams(terms: ServiceTerms) -> int:
    """The most chargeable grams one parcel may have: the maximum kg itself, without the tolerance."""
    return terms.max_kg * GRAMS_PER_KG


def parcel_price(kg: int, rate: Rate) -> int:
    """The public price of one parcel of `kg` chargeable kilograms."""
    if rate.first_kg_price is None:
        return kg * rate.price_per_kg
    return rate.first_kg_price + (kg - 1) * rate.price_per_kg


class _Box:
    __slots__ = ("grams", "volume")

    def __init__(self, packaging: int):
        self.grams = packaging
        self.volume = 0


def _fits(box: _Box, item: ParcelItem, limit: int, divisor: int) -> int:
    """How many more units of `item` fit in `box` without its chargeable grams passing `limit`."""
    by_weight = (limit - box.grams) // item.weight_grams
    if item.volume_cm3 == 0:
        return max(by_weight, 0)
    # ceil((volume + k·v) · 1000 / divisor) ≤ limit  ⇔  (volume + k·v) · 1000 ≤ limit · divisor
    by_volume = (limit * divisor - box.volume * GRAMS_PER_KG) // (item.volume_cm3 * GRAMS_PER_KG)
    return max(min(by_weight, by_volume), 0)


def pack(items: Sequence[ParcelItem], terms: ServiceTerms, packaging_grams: int) -> list[tuple[int, int]]:
    """Split the shipment into parcels of at most the service's maximum: [(actual grams, volume cm³), …].

    First fit, units with the largest chargeable weight first. Raises TooBig when a single unit
    does not fit an empty parcel or the shipment needs more than MAX_PARCELS parcels.
    """
    if terms.max_length_cm is not None and any(
            max(item.length_cm, item.width_cm, item.height_cm) > terms.max_length_cm for item in items):
        raise TooBig()
    limit = parcel_limit_grams(terms)
    divisor = terms.volumetric_divisor
    order = sorted(
        items,
        key=lambda item: max(item.weight_grams, volumetric_grams(item.volume_cm3, divisor)),
        reverse=True,
    )
    boxes: list[_Box] = []
    for item in order:
        left = item.quantity
        for box in boxes:
            if left == 0:
                break
            take = min(left, _fits(box, item, limit, divisor))
            box.grams += take * item.weight_grams
            box.volume += take * item.volume_cm3
            left -= take
        while left:
            box = _Box(packaging_grams)
            take = min(left, _fits(box, item, limit, divisor))
            if take == 0 or len(boxes) == MAX_PARCELS:
                raise TooBig()
            box.grams += take * item.weight_grams
            box.volume += take * item.volume_cm3
            left -= take
            boxes.append(box)
    return [(box.grams, box.volume) for box in boxes]


def price_shipment(
    items: Sequence[ParcelItem],
    terms: ServiceTerms,
    rate: Rate,
    *,
    packaging_grams: int = 100,
    insured_value: int | None = None,
) -> Priced:
    """Price the shipment by one service; raises EngineError for bad input, TooBig if it cannot go."""
    check_items(items)
    check_insured_value(insured_value)
    parcels = []
    for grams, volume in pack(items, terms, packaging_grams):
        volumetric = volumetric_grams(volume, terms.volumetric_divisor)
        kg = chargeable_kg(max(grams, volumetric), terms)
        parcels.append(Parcel(grams, volumetric, kg, parcel_price(kg, rate)))
    public = sum(parcel.public_price for parcel in parcels)
    discount = apply_basis_points(public, terms.discount_bp)
    insurance = 0
    if insured_value:
        insurance = apply_basis_points(insured_value, terms.insurance_rate_bp) + terms.insurance_fee
    return Priced(tuple(parcels), public, discount, public - discount, insurance)
