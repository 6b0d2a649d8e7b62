"""The ledger's rules: FEFO allocation, all-or-nothing, releases, and the CHECK that keeps on_hand >= 0."""
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from gallery import clock
from gallery.consignment.ledger import OutOfStock, allocate, lot_balances, release
from gallery.consignment.models import Lot, MovementKind, StockMovement
from gallery.consignment.services import sellable_quantity, stock_levels
from gallery.errors import DomainError
from gallery.extensions import db


@pytest.fixture
def rendang(make):
    product = make.product(name="Rendang Lokan", category="rendang", variants=[("250 g", 65_000, 300)])
    return product.variants[0]


def test_allocation_takes_the_first_expiring_lot_first(make, rendang):
    late = make.stock(rendang, 5, expires_in_days=60)
    early = make.stock(rendang, 3, expires_in_days=10)
    allocations = allocate(rendang, 4, reference="ORD-1")
    db.session.commit()
    assert [(a.lot_id, a.quantity) for a in allocations] == [(early.id, 3), (late.id, 1)]
    assert db.session.get(Lot, early.id).on_hand == 0
    assert db.session.get(Lot, late.id).on_hand == 4


def test_lots_without_expiry_come_after_dated_ones_then_oldest_receipt_first(make):
    variant = make.product(category="anyaman").variants[0]
    older = make.stock(variant, 2)
    newer = make.stock(variant, 2)
    dated = make.stock(variant, 1, expires_in_days=400)
    allocations = allocate(variant, 4, reference="ORD-2")
    assert [a.lot_id for a in allocations] == [dated.id, older.id, newer.id]


def test_allocation_freezes_each_lots_payout_and_expiry(make, rendang):
    lot = make.stock(rendang, 5, payout=50_000, expires_in_days=30)
    [allocation] = allocate(rendang, 2, reference="ORD-3")
    assert allocation.unit_payout == 50_000
    assert allocation.expires_on == lot.expires_on


def test_expired_lots_are_never_allocated(make, rendang):
    lot = make.stock(rendang, 5, expires_in_days=3)
    clock.freeze(clock.utcnow() + timedelta(days=3))
    assert sellable_quantity(rendang.id) == 0
    with pytest.raises(OutOfStock):
        allocate(rendang, 1, reference="ORD-4")
    assert db.session.get(Lot, lot.id).on_hand == 5


def test_allocation_takes_everything_or_nothing(make, rendang):
    first = make.stock(rendang, 2, expires_in_days=10)
    second = make.stock(rendang, 2, expires_in_days=20)
    with pytest.raises(OutOfStock) as refused:
        allocate(rendang, 5, reference="ORD-5")
    assert refused.value.available == 4
    db.session.commit()
    assert [db.session.get(Lot, lot.id).on_hand for lot in (first, second)] == [2, 2]
    assert db.session.scalar(select(StockMovement).where(StockMovement.kind == MovementKind.RESERVE)) is None


@pytest.mark.parametrize("quantity", [0, -1, 1.5, "2", True])
def test_allocation_refuses_quantities_that_are_not_positive_whole_numbers(make, rendang, quantity):
    make.stock(rendang, 5)
    with pytest.raises(DomainError):
        allocate(rendang, quantity, reference="ORD-6")


def test_release_gives_units_back_but_never_more_than_were_reserved(make, rendang):
    lot = make.stock(rendang, 5)
    allocate(rendang, 3, reference="ORD-7")
    release(lot, 2, reference="ORD-7")
    db.session.commit()
    assert db.session.get(Lot, lot.id).on_hand == 4
    with pytest.raises(DomainError):
        release(lot, 2, reference="ORD-7")
    with pytest.raises(DomainError):
        release(lot, 1, reference="SOMEONE-ELSE")


def test_storefront_stock_follows_the_ledger(make, rendang):
    make.stock(rendang, 3)
    allocate(rendang, 3, reference="ORD-8")
    db.session.commit()
    assert stock_levels([rendang.id])[rendang.id].available == 0


def test_the_database_refuses_a_negative_on_hand(make, rendang):
    lot = make.stock(rendang, 1)
    with pytest.raises(IntegrityError):
        db.session.execute(update(Lot).where(Lot.id == lot.id).values(on_hand=-1))
        db.session.flush()
    db.session.rollback()


def test_balances_add_up_after_every_kind_of_movement(make, rendang):
    lot = make.stock(rendang, 10)
    allocate(rendang, 4, reference="ORD-9")
    release(lot, 1, reference="ORD-9")
    db.session.commit()
    balance = lot_balances([lot.id])[lot.id]
    assert balance.balanced
    assert (balance.received, balance.on_hand, balance.reserved) == (10, 7, 3)
