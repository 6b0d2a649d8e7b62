"""Many cashiers and shoppers at once: no unit is sold twice and no document number is handed out twice.

PostgreSQL only (TEST_DATABASE_URL, as in CI), where the threads truly overlap; skipped on SQLite.
"""
import threading

import pytest
from sqlalchemy import select

from gallery.consignment.documents import ReceiptLine, create_receipt
from gallery.consignment.ledger import OutOfStock, allocate, lot_balances
from gallery.consignment.models import Lot, MovementKind, StockMovement
from gallery.extensions import db

THREADS = 20

pytestmark = pytest.mark.requires_postgres


def _run_together(app, work, count=THREADS):
    """Start `count` threads that each call work(i) in their own app context and session, all at once."""
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def runner(i):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                results[i] = work(i)
            except Exception as error:  # collected and re-raised in the test thread
                db.session.rollback()
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


def test_twenty_buyers_for_ten_units_never_oversell_and_keep_fefo(app, make):
    variant = make.product(name="Rendang Lokan", category="rendang", variants=[("250 g", 65_000, 300)]).variants[0]
    early = make.stock(variant, 4, expires_in_days=10)
    late = make.stock(variant, 6, expires_in_days=40)
    variant_id, early_id, late_id = variant.id, early.id, late.id
    db.session.remove()

    def buy(i):
        try:
            [allocation] = allocate(variant_id, 1, reference=f"ORD-{i}")
        except OutOfStock:
            db.session.rollback()
            return None
        db.session.commit()
        return allocation.lot_id

    results = _run_together(app, buy)

    taken = [lot_id for lot_id in results if lot_id is not None]
    assert len(taken) == 10
    assert taken.count(early_id) == 4 and taken.count(late_id) == 6
    assert [db.session.get(Lot, lot_id).on_hand for lot_id in (early_id, late_id)] == [0, 0]
    assert all(balance.balanced for balance in lot_balances().values())
    reserves = db.session.execute(
        select(StockMovement.id, StockMovement.lot_id).where(StockMovement.kind == MovementKind.RESERVE)
    ).all()
    # FEFO: nobody took from the later lot while the earlier one still had units.
    assert max(i for i, lot in reserves if lot == early_id) < min(i for i, lot in reserves if lot == late_id)


def test_receipts_saved_at_the_same_moment_get_distinct_sequential_numbers(app, make):
    producer = make.producer("Sulaman Bu Rina")
    variant_id = make.product(producer, category="sulaman-bordir").variants[0].id
    producer_id = producer.id
    db.session.remove()

    def save(i):
        from gallery.catalog.models import Producer

        number = create_receipt(db.session.get(Producer, producer_id), [ReceiptLine(variant_id, 1)]).number
        db.session.commit()
        return number

    numbers = _run_together(app, save, count=10)
    assert sorted(int(number.rsplit("-", 1)[1]) for number in numbers) == list(range(1, 11))
