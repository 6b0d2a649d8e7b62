"""What a producer is owed for sold units: THE payout rule (DESIGN.md rule 6), written once.

Each allocation of an order line froze, when the units were taken, the lot's payout per unit
(`OrderAllocation.unit_payout`, after any markdown the producer bore: gallery.consignment.markdown_split).
The producer is owed that frozen unit payout times the units still sold: an allocation's units less those
of its line's refunds that fall on it, latest allocation first (gallery.orders.sales.refunded_per_allocation,
the order a refund puts units back on the shelf). The gallery's commission is the price less that payout.

Statements (gallery.settlements.statements), their negative adjustments (gallery.settlements.adjustments),
exports, the reconciliation and the producer portal all compute it here: `payout` in Python, `payout_sql`
in a query.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import BigInteger, cast

from gallery.orders.models import OrderAllocation
from gallery.orders.sales import refunded_per_allocation


def payout(quantity: int, unit_payout: int) -> int:
    """What the producer is owed for `quantity` units sold at the frozen `unit_payout` (negative when refunded)."""
    return quantity * unit_payout


def payout_sql(quantity, unit_payout=OrderAllocation.unit_payout):
    """SQL: `payout` of a quantity column, as BIGINT (INTEGER × INTEGER overflows above Rp 2.1 billion on
    PostgreSQL)."""
    return cast(quantity, BigInteger) * unit_payout


def excluded_units(allocations_of_line: Mapping[int, list[tuple[int, int]]],
                   refunded_of_line: Mapping[int, int]) -> dict[int, int]:
    """Units of each allocation that refunds took out, per allocation id: each line's refunded units spread
    over its allocations [(id, quantity)] latest first. Lines without refunds are left out."""
    excluded: dict[int, int] = {}
    for line_id, refunded in refunded_of_line.items():
        excluded.update(refunded_per_allocation(allocations_of_line.get(line_id, []), max(refunded, 0)))
    return excluded


def units_owed(allocation_id: int, quantity: int, excluded: Mapping[int, int]) -> int:
    """An allocation's units still sold: its quantity less those `excluded_units` took out."""
    return quantity - excluded.get(allocation_id, 0)


def total_payout(lines: Iterable[tuple[int, int]]) -> int:
    """`payout` summed over (quantity, unit_payout) pairs."""
    return sum(payout(quantity, unit_payout) for quantity, unit_payout in lines)
