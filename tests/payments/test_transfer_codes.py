"""Unique transfer codes are unique per exact amount: thousands of transfers may be open at once."""
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from gallery import clock
from gallery.extensions import db
from gallery.orders.models import Order
from gallery.orders.placing import CartLine
from tests import edges
from tests.edges import place_order
from gallery.payments.models import Payment, PaymentStatus, Provider
from tests.payments.conftest import SHOPPER

OPEN_TRANSFERS = 5_000
TOTALS = [50_000 + 1_000 * k for k in range(10)]  # ten order totals, 500 open transfers each


def _open_transfers(count: int) -> None:
    """`count` unpaid orders, each with an open transfer: codes 1-500 under each of the ten totals."""
    now = clock.utcnow()
    per_total = count // len(TOTALS)
    db.session.execute(insert(Order), [
        {"number": f"GO-TEST-{i:05d}", "access_token": f"t{i}", "status": "pending_payment", "channel": "online",
         "fulfilment": "pickup", "total": TOTALS[i // per_total], "subtotal": TOTALS[i // per_total],
         "placed_at": now, "payment_deadline": now + timedelta(hours=24)}
        for i in range(count)])
    ids = dict(db.session.execute(select(Order.number, Order.id)).all())
    db.session.execute(insert(Payment), [
        {"order_id": ids[f"GO-TEST-{i:05d}"], "provider": Provider.BANK_TRANSFER, "status": PaymentStatus.OPEN,
         "amount": TOTALS[i // per_total] + i % per_total + 1, "unique_code": i % per_total + 1, "currency": "IDR",
         "amount_refunded": 0, "deadline": now + timedelta(hours=24), "created_at": now}
        for i in range(count)])
    db.session.commit()


@pytest.mark.slow
def test_five_thousand_open_transfers_leave_codes_for_the_next_shoppers(make):
    # Given 5,000 open transfers today, 500 of them for orders of exactly Rp 50.000
    _open_transfers(OPEN_TRANSFERS)
    variant = make.product(variants=[("Standar", 50_000, 100)]).variants[0]
    make.stock(variant, 3)

    # When two more shoppers of a Rp 50.000 order choose a transfer
    amounts = []
    for _ in range(2):
        order = place_order([CartLine(variant.id, 1)], SHOPPER, fulfilment="pickup")
        payment = edges.start_bank_transfer(order)
        amounts.append(payment.amount)
        # Then each gets a code whose exact amount no open transfer has
        assert payment.status == PaymentStatus.OPEN and 1 <= payment.unique_code <= 999
        assert payment.amount == 50_000 + payment.unique_code
    assert db.session.scalar(select(func.count(Payment.id)).where(Payment.status == PaymentStatus.OPEN)) \
        == OPEN_TRANSFERS + 2
    open_amounts = db.session.scalars(select(Payment.amount).where(Payment.status == PaymentStatus.OPEN)).all()
    assert len(open_amounts) == len(set(open_amounts))
    assert all(amount > 50_500 for amount in amounts)  # codes 1-500 are taken for this total


def test_the_same_code_may_be_open_for_different_totals_but_never_the_same_amount(make, pickup_order):
    a, b = pickup_order(), pickup_order(quantity=2)
    first = edges.start_bank_transfer(a)
    # A different total may use the same code: the amounts differ.
    db.session.add(Payment(order_id=b.id, provider=Provider.BANK_TRANSFER, status=PaymentStatus.OPEN,
                           amount=b.total + first.unique_code, unique_code=first.unique_code))
    db.session.commit()
    # The same exact amount is refused by the database.
    c = pickup_order()
    db.session.add(Payment(order_id=c.id, provider=Provider.BANK_TRANSFER, status=PaymentStatus.OPEN,
                           amount=first.amount, unique_code=first.unique_code))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
