"""The stock ledger's primitives: every change of a lot's stock is one movement plus one guarded update.

DESIGN.md rules 2-4. `on_hand` only ever changes through `_apply`, a conditional UPDATE checked by
its row count, in the same transaction as the movement row that explains it; the database's CHECK
(on_hand >= 0) is the last line of defence. Functions here flush and never commit: the service
that calls them owns the transaction.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, or_, select, update

from gallery import clock
from gallery.catalog.models import Variant
from gallery.consignment.models import Lot, MovementKind, StockMovement
from gallery.consignment.sellable import sellable_lot_condition
from gallery.consignment.services import FEFO_ORDER
from gallery.errors import DomainError
from gallery.extensions import db

# Enough for any real contention; each retry re-reads lots other transactions changed.
MAX_ALLOCATION_ROUNDS = 50


class OutOfStock(DomainError):
    """Fewer sellable units than asked for; nothing was taken."""

    def __init__(self, variant_id: int, wanted: int, available: int):
        super().__init__(
            _l("Stok tidak cukup: diminta %(wanted)s, tersedia %(available)s.", wanted=wanted, available=available),
            field="quantity",
        )
        self.variant_id = variant_id
        self.wanted = wanted
        self.available = available


@dataclass(frozen=True)
class Allocation:
    """Units taken from one lot, with the terms the order line freezes (DESIGN.md rules 5-6)."""

    lot_id: int
    quantity: int
    unit_payout: int
    expires_on: date | None


def _apply(lot_id: int, delta: int) -> bool:
    """Change one lot's on_hand by `delta`; a decrease happens only if enough units are there."""
    statement = update(Lot).where(Lot.id == lot_id).values(on_hand=Lot.on_hand + delta)
    if delta < 0:
        statement = statement.where(Lot.on_hand >= -delta)
    result = db.session.execute(statement.execution_options(synchronize_session=False))
    return result.rowcount == 1


def _movement(lot_id: int, kind: str, quantity: int, *, reason: str = "", reference: str | None = None,
              cause: str | None = None, user_id: int | None = None) -> StockMovement:
    movement = StockMovement(
        lot_id=lot_id, kind=kind, quantity=quantity, reason=reason, reference=reference, cause=cause,
        created_by_id=user_id, created_at=clock.utcnow(),
    )
    db.session.add(movement)
    return movement


def _refresh(lot_ids) -> None:
    """The UPDATEs bypass the ORM; make loaded lots show the database's numbers again."""
    for lot in list(db.session.identity_map.values()):
        if isinstance(lot, Lot) and lot.id in lot_ids:
            db.session.expire(lot, ["on_hand"])


def take(lot: Lot, quantity: int, kind: str, *, reason: str = "", reference: str | None = None,
         cause: str | None = None, user_id: int | None = None) -> StockMovement:
    """Remove `quantity` units from one lot with a movement of `kind`, or refuse if they are not there."""
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
        raise DomainError(_l("Jumlah harus bilangan bulat lebih dari 0."), field="quantity")
    if not _apply(lot.id, -quantity):
        db.session.expire(lot, ["on_hand"])
        raise DomainError(
            _l("Lot #%(lot)s hanya punya %(n)s unit di rak.", lot=lot.id, n=lot.on_hand), field="quantity"
        )
    movement = _movement(lot.id, kind, -quantity, reason=reason, reference=reference, cause=cause, user_id=user_id)
    db.session.flush()
    _refresh({lot.id})
    return movement


def put_back(lot: Lot, quantity: int, kind: str, *, reason: str = "", reference: str | None = None,
             cause: str | None = None, user_id: int | None = None) -> StockMovement:
    """Add `quantity` units to one lot with a movement of `kind` (release, positive correction)."""
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
        raise DomainError(_l("Jumlah harus bilangan bulat lebih dari 0."), field="quantity")
    _apply(lot.id, quantity)
    movement = _movement(lot.id, kind, quantity, reason=reason, reference=reference, cause=cause, user_id=user_id)
    db.session.flush()
    _refresh({lot.id})
    return movement


def _fefo_lots(variant_id: int, good_after: date | None = None,
               prefer_lot_id: int | None = None) -> list[tuple[int, int, int, date | None]]:
    """Sellable lots of a variant in FEFO order: first to expire, then oldest receipt.

    With `good_after`, only lots still good after that day (or without a date) are taken: the hand-over
    rule of gallery.orders.shelf_life (delivery: dispatch + longest ETD + minimum shelf life). With
    `prefer_lot_id` (a lot code scanned at the till), that lot comes first when it is sellable.
    """
    order = FEFO_ORDER if prefer_lot_id is None else (case((Lot.id == prefer_lot_id, 0), else_=1), *FEFO_ORDER)
    statement = (
        select(Lot.id, Lot.on_hand, Lot.unit_payout, Lot.expires_on)
        .where(Lot.variant_id == variant_id, sellable_lot_condition())
        .order_by(*order)
    )
    if good_after is not None:
        statement = statement.where(or_(Lot.expires_on.is_(None), Lot.expires_on > good_after))
    return [tuple(row) for row in db.session.execute(statement)]


def _take_round(variant_id: int, remaining: int, taken: dict[int, Allocation], good_after: date | None,
                prefer_lot_id: int | None) -> tuple[int, bool]:
    """One pass over the sellable lots in FEFO order, taking up to `remaining` units into `taken`.

    Each lot is taken with a conditional UPDATE (`_apply`); when one fails, another transaction took from
    that lot after it was read: the pass stops and says so (contended), so the caller reads the lots again.
    Returns the units still missing and whether the pass was contended.
    """
    for lot_id, on_hand, payout, expires_on in _fefo_lots(variant_id, good_after, prefer_lot_id):
        already = taken[lot_id].quantity if lot_id in taken else 0
        portion = min(remaining, on_hand)
        if portion <= 0:
            continue
        if not _apply(lot_id, -portion):
            return remaining, True  # someone took from this lot after we read it: read the lots again
        taken[lot_id] = Allocation(lot_id, already + portion, payout, expires_on)
        remaining -= portion
        if remaining == 0:
            break
    return remaining, False


def allocate(variant: Variant | int, quantity: int, *, reference: str | None = None, reason: str = "",
             user_id: int | None = None, good_after: date | None = None,
             prefer_lot_id: int | None = None) -> list[Allocation]:
    """Reserve `quantity` units of a variant, first-expiring lot first (FEFO), never an expired lot
    (nor, with `good_after`, one whose date is not after that day); `prefer_lot_id` is taken from first.
    THE function that takes stock for an order or a sale.

    Either every unit is taken or none: when the lots run short, units already taken in this call
    are put back before OutOfStock is raised, so the caller's transaction is left as it was.
    Each lot is taken with a conditional UPDATE; a lot another transaction emptied meanwhile is
    simply read again (at most MAX_ALLOCATION_ROUNDS passes).
    """
    variant_id = variant if isinstance(variant, int) else variant.id
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
        raise DomainError(_l("Jumlah harus bilangan bulat lebih dari 0."), field="quantity")
    taken: dict[int, Allocation] = {}
    remaining = quantity
    for _round in range(MAX_ALLOCATION_ROUNDS):
        remaining, contended = _take_round(variant_id, remaining, taken, good_after, prefer_lot_id)
        if remaining == 0 or not contended:
            break
    if remaining:
        for allocation in taken.values():
            _apply(allocation.lot_id, allocation.quantity)
        _refresh(set(taken))
        raise OutOfStock(variant_id, quantity, quantity - remaining)
    for allocation in taken.values():
        _movement(allocation.lot_id, MovementKind.RESERVE, -allocation.quantity, reason=reason,
                  reference=reference, user_id=user_id)
    db.session.flush()
    _refresh(set(taken))
    return list(taken.values())


def reserved_under(lot_id: int, reference: str) -> int:
    """Units of a lot still reserved under a reference (reserved minus released)."""
    total = db.session.scalar(
        select(func.coalesce(func.sum(StockMovement.quantity), 0)).where(
            StockMovement.lot_id == lot_id,
            StockMovement.reference == reference,
            StockMovement.kind.in_((MovementKind.RESERVE, MovementKind.RELEASE)),
        )
    )
    return -int(total or 0)


def release(lot: Lot, quantity: int, *, reference: str, reason: str = "", user_id: int | None = None) -> StockMovement:
    """Give reserved units back to their lot; never more than `reference` still holds of it."""
    held = reserved_under(lot.id, reference)
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 0 < quantity <= held:
        raise DomainError(
            _l("Hanya %(n)s unit dari lot ini yang dipesan untuk %(ref)s.", n=held, ref=reference), field="quantity"
        )
    return put_back(lot, quantity, MovementKind.RELEASE, reason=reason, reference=reference, user_id=user_id)


@dataclass(frozen=True)
class LotBalance:
    """A lot's movements summed by kind: the identity the ledger must keep."""

    received: int
    on_hand: int
    reserved: int  # sold or held for orders, net of releases
    returned: int
    written_off: int
    corrected: int  # stock-take corrections, either sign
    ledger_total: int  # Σ of all movements

    @property
    def balanced(self) -> bool:
        return (
            self.on_hand == self.ledger_total >= 0
            and self.received + self.corrected == self.on_hand + self.reserved + self.returned + self.written_off
        )


def lot_balances(lot_ids=None) -> dict[int, LotBalance]:
    """Per lot: received = on hand + reserved/sold + returned + written off (after corrections)."""
    by_kind = {kind: func.coalesce(func.sum(StockMovement.quantity).filter(StockMovement.kind == kind), 0)
               for kind in MovementKind.ALL}
    statement = (
        select(Lot.id, Lot.quantity_received, Lot.on_hand, func.coalesce(func.sum(StockMovement.quantity), 0),
               *by_kind.values())
        .outerjoin(StockMovement, StockMovement.lot_id == Lot.id)
        .group_by(Lot.id, Lot.quantity_received, Lot.on_hand)
    )
    if lot_ids is not None:
        statement = statement.where(Lot.id.in_(list(lot_ids)))
    balances = {}
    for lot_id, received, on_hand, total, *sums in db.session.execute(statement):
        kinds = dict(zip(by_kind, (int(s) for s in sums)))
        balances[lot_id] = LotBalance(
            received=received,
            on_hand=on_hand,
            reserved=-(kinds[MovementKind.RESERVE] + kinds[MovementKind.RELEASE]),
            returned=-kinds[MovementKind.RETURN],
            written_off=-kinds[MovementKind.WRITE_OFF],
            corrected=kinds[MovementKind.CORRECTION],
            ledger_total=int(total),
        )
    return balances
