"""Who gives up what when a unit is marked down: a pure function of its prices (DESIGN.md rule 6).

A unit of a lot has a shelf price (the variant's price) and a payout frozen at intake; the gallery's
commission is the difference. A markdown takes `discount_bp` off the shelf price (gallery.money, half up,
once per unit) and splits that discount: the producer's part (`producer_share_bp` of it) comes out of the
payout, the rest out of the commission. Neither party ever gives up more than it has: the gallery at most
its commission (so the commission never goes negative, and a markdown the gallery bears alone never sells
below the payout), the producer at most its payout. What a party cannot bear stays on the price, so the
discount shown is the one both can carry. A unit keeps a price of at least Rp 1.

No database, no Flask: the allocation freezes what this returns, and every page multiplies it.
"""
from __future__ import annotations

from dataclasses import dataclass

from gallery.money import BASIS_POINTS, apply_basis_points


@dataclass(frozen=True)
class UnitTerms:
    """The price a unit sells at and what its producer earns on it, with what they were before a markdown."""

    list_price: int  # the shelf price before any markdown
    base_payout: int  # the lot's payout before any markdown
    unit_price: int
    unit_payout: int

    @property
    def marked_down(self) -> bool:
        return self.unit_price < self.list_price

    @property
    def commission(self) -> int:
        return self.unit_price - self.unit_payout

    @property
    def discount(self) -> int:
        return self.list_price - self.unit_price

    @property
    def producer_part(self) -> int:
        """Of the discount, what came out of the producer's payout."""
        return self.base_payout - self.unit_payout

    @property
    def gallery_part(self) -> int:
        """Of the discount, what came out of the gallery's commission."""
        return self.discount - self.producer_part


def full_price(list_price: int, base_payout: int) -> UnitTerms:
    """A unit sold at the shelf price: the lot's payout, unchanged."""
    return UnitTerms(list_price, base_payout, list_price, base_payout)


def split_markdown(list_price: int, base_payout: int, discount_bp: int, producer_share_bp: int) -> UnitTerms:
    """The unit's price and payout after taking `discount_bp` off `list_price`, the producer bearing
    `producer_share_bp` of the discount and the gallery the rest, each at most what it has."""
    for value in (list_price, base_payout, discount_bp, producer_share_bp):
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError("markdown terms are whole Rupiah and basis points")
    if not 0 <= producer_share_bp <= BASIS_POINTS or discount_bp < 0 or list_price <= 0 or base_payout < 0:
        raise ValueError("markdown terms out of range")
    discount = min(apply_basis_points(list_price, discount_bp), list_price - 1)
    if discount <= 0:
        return full_price(list_price, base_payout)
    producer_intended = apply_basis_points(discount, producer_share_bp)
    gallery_intended = discount - producer_intended
    commission = max(0, list_price - base_payout)
    producer_part = min(producer_intended, base_payout)
    gallery_part = min(gallery_intended, commission)
    return UnitTerms(list_price, base_payout, list_price - producer_part - gallery_part, base_payout - producer_part)
