"""Receipts, returns, write-offs, corrections and stock-takes as services: each one whole or not at all."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from gallery import clock
from gallery.accounts.models import Role
from gallery.consignment.documents import (
    LineError,
    ReceiptLine,
    ReturnLine,
    confirm_stock_take,
    correct_stock,
    create_receipt,
    record_counts,
    return_to_producer,
    start_stock_take,
    write_off,
)
from gallery.consignment.ledger import lot_balances
from gallery.consignment.models import ConsignmentReceipt, Lot, ProducerReturn, StockMovement
from gallery.consignment.services import sellable_quantity
from gallery.errors import DomainError
from gallery.extensions import db


def _counts():
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (ConsignmentReceipt, Lot, StockMovement, ProducerReturn)
    )


@pytest.fixture
def goods(make):
    producer = make.producer("Rendang Bu Ani", commission_bp=2000)
    food = make.product(producer, name="Rendang Lokan", category="rendang", variants=[("250 g", 65_000, 300)])
    cloth = make.product(producer, name="Songket Batang Kapas", category="songket",
                         variants=[("Selendang", 450_000, 400), ("Sarung", 900_000, 800)])
    return producer, food.variants[0], cloth.variants


def in_days(n):
    return clock.today_wib() + timedelta(days=n)


def test_a_receipt_makes_one_lot_and_one_intake_per_line(make, goods):
    producer, rendang, (selendang, sarung) = goods
    staff = make.user(Role.STAFF)
    receipt = create_receipt(producer, [
        ReceiptLine(rendang.id, 20, expires_on=in_days(90)),
        ReceiptLine(selendang.id, 3, unit_payout=400_000, shelf="A1"),
        ReceiptLine(sarung.id, 1),
    ], user=staff)
    db.session.commit()
    assert receipt.number == f"TT-{clock.today_wib().year}-00001"
    assert [lot.quantity_received for lot in receipt.lots] == [20, 3, 1]
    assert [lot.unit_payout for lot in receipt.lots] == [52_000, 400_000, 720_000]
    assert receipt.lots[1].shelf == "A1"
    assert all(m.reference == receipt.number and m.created_by_id == staff.id
               for lot in receipt.lots for m in lot.movements)
    assert sellable_quantity(rendang.id) == 20


def test_receipt_numbers_are_sequential_per_year(goods):
    producer, rendang, (selendang, _) = goods
    numbers = [create_receipt(producer, [ReceiptLine(selendang.id, 1)]).number for _ in range(3)]
    db.session.commit()
    year = clock.today_wib().year
    assert numbers == [f"TT-{year}-00001", f"TT-{year}-00002", f"TT-{year}-00003"]


@pytest.mark.parametrize("line, field", [
    (dict(quantity=0), "quantity"),
    (dict(quantity=-3), "quantity"),
    (dict(quantity=100_001), "quantity"),
    (dict(quantity=2, unit_payout=70_000), "unit_payout"),
    (dict(quantity=2, expires_on=None), "expires_on"),
    (dict(quantity=2, expires_on="past"), "expires_on"),
])
def test_a_bad_line_refuses_the_whole_receipt_and_writes_nothing(goods, line, field):
    producer, rendang, (selendang, _) = goods
    line = dict(line)
    if line.get("expires_on") == "past":
        line["expires_on"] = in_days(-1)
    line.setdefault("expires_on", in_days(30))
    before = _counts()
    with pytest.raises(LineError) as refused:
        create_receipt(producer, [ReceiptLine(selendang.id, 2), ReceiptLine(rendang.id, **line)])
    assert refused.value.index == 1 and refused.value.field == field
    assert _counts() == before


def test_a_receipt_accepts_only_the_producers_own_variants(make, goods):
    producer, _, _ = goods
    stranger = make.product(name="Anyaman Orang Lain").variants[0]
    with pytest.raises(LineError, match="bukan milik"):
        create_receipt(producer, [ReceiptLine(stranger.id, 1)])


def test_returning_lots_to_their_producer(goods):
    producer, rendang, (selendang, _) = goods
    receipt = create_receipt(producer, [ReceiptLine(rendang.id, 10, expires_on=in_days(5)),
                                        ReceiptLine(selendang.id, 2)])
    db.session.commit()
    food_lot, cloth_lot = receipt.lots
    document = return_to_producer(producer, [ReturnLine(food_lot.id, 10), ReturnLine(cloth_lot.id, 1)], "unsold")
    db.session.commit()
    assert document.number.startswith("RT-") and document.number.endswith("-00001")
    assert (db.session.get(Lot, food_lot.id).on_hand, db.session.get(Lot, cloth_lot.id).on_hand) == (0, 1)
    assert [(m.lot_id, m.quantity) for m in document.movements] == [(food_lot.id, -10), (cloth_lot.id, -1)]


def test_a_return_of_more_than_is_on_hand_changes_nothing(goods):
    producer, _, (selendang, _) = goods
    [lot] = create_receipt(producer, [ReceiptLine(selendang.id, 2)]).lots
    db.session.commit()
    before = _counts()
    with pytest.raises(LineError):
        return_to_producer(producer, [ReturnLine(lot.id, 3)], "damaged")
    assert _counts() == before and db.session.get(Lot, lot.id).on_hand == 2


def test_a_return_takes_only_the_producers_own_lots(make, goods):
    producer, _, (selendang, _) = goods
    [lot] = create_receipt(producer, [ReceiptLine(selendang.id, 2)]).lots
    db.session.commit()
    other = make.producer("IKM Lain")
    with pytest.raises(LineError, match="bukan milik"):
        return_to_producer(other, [ReturnLine(lot.id, 1)], "unsold")


def test_write_off_needs_a_cause_and_a_reason(make, goods):
    producer, _, (selendang, _) = goods
    [lot] = create_receipt(producer, [ReceiptLine(selendang.id, 2)]).lots
    db.session.commit()
    with pytest.raises(DomainError):
        write_off(lot, 1, "damaged", "  ")
    with pytest.raises(DomainError):
        write_off(lot, 1, "stolen-by-aliens", "hilang")
    movement = write_off(lot, 1, "damaged", "Kain sobek terkena paku rak", user=make.user(Role.STAFF))
    db.session.commit()
    assert movement.quantity == -1 and movement.cause == "damaged"
    assert db.session.get(Lot, lot.id).on_hand == 1


def test_corrections_are_for_admins_only(make, goods):
    producer, _, (selendang, _) = goods
    [lot] = create_receipt(producer, [ReceiptLine(selendang.id, 2)]).lots
    db.session.commit()
    with pytest.raises(DomainError, match="admin"):
        correct_stock(lot, -1, "hitung ulang", user=make.user(Role.STAFF))
    correct_stock(lot, 3, "ditemukan di gudang", user=make.user(Role.ADMIN))
    db.session.commit()
    assert db.session.get(Lot, lot.id).on_hand == 5
    with pytest.raises(DomainError):
        correct_stock(lot, -6, "terlalu banyak", user=make.user(Role.ADMIN))
    assert db.session.get(Lot, lot.id).on_hand == 5


def test_a_stock_take_turns_differences_into_corrections_once_an_admin_confirms(make, goods):
    producer, rendang, (selendang, sarung) = goods
    receipt = create_receipt(producer, [ReceiptLine(rendang.id, 10, expires_on=in_days(30)),
                                        ReceiptLine(selendang.id, 4), ReceiptLine(sarung.id, 2)])
    db.session.commit()
    count = start_stock_take(producer=producer, user=make.user(Role.STAFF))
    db.session.commit()
    assert count.number.startswith("SO-") and [line.expected for line in count.lines] == [10, 4, 2]
    lines = {line.lot_id: line.id for line in count.lines}
    food, cloth, sarong = receipt.lots
    record_counts(count, {lines[food.id]: 9, lines[cloth.id]: 4, lines[sarong.id]: 3})
    db.session.commit()
    with pytest.raises(DomainError, match="admin"):
        confirm_stock_take(count, user=make.user(Role.STAFF))
    confirm_stock_take(count, user=make.user(Role.ADMIN))
    db.session.commit()
    assert [db.session.get(Lot, lot.id).on_hand for lot in receipt.lots] == [9, 4, 3]
    corrections = db.session.scalars(select(StockMovement).where(StockMovement.reference == count.number)).all()
    assert sorted(m.quantity for m in corrections) == [-1, 1]
    assert all(balance.balanced for balance in lot_balances().values())
    with pytest.raises(DomainError):
        record_counts(count, {lines[food.id]: 1})


def test_a_stock_take_cannot_be_confirmed_with_uncounted_lots(make, goods):
    producer, _, (selendang, _) = goods
    create_receipt(producer, [ReceiptLine(selendang.id, 4)])
    db.session.commit()
    count = start_stock_take(producer=producer)
    db.session.commit()
    with pytest.raises(DomainError, match="belum dihitung"):
        confirm_stock_take(count, user=make.user(Role.ADMIN))


def test_units_sold_while_a_count_is_open_do_not_become_a_false_difference(make, goods):
    from gallery.consignment.ledger import allocate

    producer, _, (selendang, _) = goods
    [lot] = create_receipt(producer, [ReceiptLine(selendang.id, 5)]).lots
    db.session.commit()
    count = start_stock_take(producer=producer)
    db.session.commit()
    allocate(selendang, 2, reference="ORD-1")  # two sold before staff reached the shelf
    db.session.commit()
    record_counts(count, {count.lines[0].id: 3})
    db.session.commit()
    confirm_stock_take(count, user=make.user(Role.ADMIN))
    db.session.commit()
    assert db.session.get(Lot, lot.id).on_hand == 3
    assert db.session.scalars(select(StockMovement).where(StockMovement.reference == count.number)).all() == []


def test_a_count_must_be_a_whole_number_not_a_yes_or_no(goods):
    producer, _, (selendang, _) = goods
    create_receipt(producer, [ReceiptLine(selendang.id, 5)])
    db.session.commit()
    count = start_stock_take(producer=producer)
    db.session.commit()
    with pytest.raises(DomainError):
        record_counts(count, {count.lines[0].id: True})


def test_a_refused_return_line_is_named_by_its_place_in_the_form_even_after_empty_lines(goods):
    producer, _, (selendang, sarung) = goods
    first, second = create_receipt(producer, [ReceiptLine(selendang.id, 2), ReceiptLine(sarung.id, 1)]).lots
    db.session.commit()
    with pytest.raises(LineError) as refused:
        return_to_producer(producer, [ReturnLine(first.id, 0), ReturnLine(second.id, 99)], "unsold")
    assert refused.value.index == 1


def test_units_reserved_for_orders_still_on_the_shelf_are_expected_by_the_count(make, goods):
    from gallery.orders.placing import CartLine, Contact
    from tests.edges import place_order

    # Given a lot of 5 selendang, 3 reserved by a pick-up order not yet collected, and a lot of 2
    # sarung both reserved by another (the shelf still holds all 7 units)
    producer, _, (selendang, sarung) = goods
    [lot, full] = create_receipt(producer, [ReceiptLine(selendang.id, 5), ReceiptLine(sarung.id, 2)]).lots
    db.session.commit()
    shopper = Contact("Siti", "siti@contoh.id", "081234567890")
    place_order([CartLine(selendang.id, 3)], shopper, fulfilment="pickup")
    place_order([CartLine(sarung.id, 2)], shopper, fulfilment="pickup")

    # When staff count the producer's shelf and find every unit there
    count = start_stock_take(producer=producer)
    db.session.commit()
    lines = {line.lot_id: line for line in count.lines}
    assert {lot_id: line.expected for lot_id, line in lines.items()} == {lot.id: 5, full.id: 2}
    record_counts(count, {lines[lot.id].id: 5, lines[full.id].id: 2})
    db.session.commit()
    confirm_stock_take(count, user=make.user(Role.ADMIN))
    db.session.commit()

    # Then there is no false surplus: no correction, and the books are as they were
    assert db.session.scalars(select(StockMovement).where(StockMovement.reference == count.number)).all() == []
    assert (db.session.get(Lot, lot.id).on_hand, db.session.get(Lot, full.id).on_hand) == (2, 0)
    assert all(balance.balanced for balance in lot_balances().values())
