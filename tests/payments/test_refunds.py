"""Refunds keep every rupiah and every unit right: cancels are refunds, refunded orders never ship, twice is once."""
import threading

import pytest
from sqlalchemy import func, select

from gallery.accounts.models import Role
from gallery.consignment.ledger import lot_balances
from gallery.consignment.services import sellable_quantity
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.orders.models import Order, OrderStatus
from tests.edges import cancel, mark_packed, ship
from gallery.payments import refunds
from gallery.payments.models import Payment, PaymentEvent, PaymentStatus, Refund, RefundLine
from tests import edges


def _paid(order, staff):
    payment = edges.start_bank_transfer(order)
    assert edges.confirm_transfer(payment, user=staff) == "paid"
    return db.session.get(Payment, payment.id)


def test_cancelling_a_paid_order_is_refused_and_a_full_refund_cancels_it_with_its_money(make, delivery_order, shelf):
    # Given an order paid by transfer
    rendang, songket = shelf
    staff = make.user(Role.STAFF)
    order = delivery_order(quantity=2)
    payment = _paid(order, staff)

    # When staff cancel it, the state machine refuses: money came in
    with pytest.raises(DomainError):
        cancel(db.session.get(Order, order.id), user=staff, reason="batal")
    db.session.rollback()
    assert db.session.get(Order, order.id).status == OrderStatus.PAID

    # When they refund it in full instead
    refunds.refund(db.session.get(Order, order.id), user=staff, reason="Pembeli batal")

    # Then the payment is refunded in the payment history and the units are back on the shelf
    db.session.expire_all()
    payment = db.session.get(Payment, payment.id)
    assert payment.status == PaymentStatus.REFUNDED and payment.amount_refunded == payment.amount
    assert db.session.get(Order, order.id).status == OrderStatus.REFUNDED
    kinds = db.session.scalars(select(PaymentEvent.kind).where(PaymentEvent.payment_id == payment.id)
                               .order_by(PaymentEvent.id)).all()
    assert kinds[-1] == "refunded"
    assert (sellable_quantity(rendang.id), sellable_quantity(songket.id)) == (5, 1)
    assert all(balance.balanced for balance in lot_balances().values())


def test_a_fully_refunded_packed_order_ends_refunded_its_goods_unpacked_and_it_cannot_ship(make, delivery_order,
                                                                                            shelf):
    # Given a paid order packed for the courier
    rendang, songket = shelf
    staff = make.user(Role.STAFF)
    order = delivery_order(quantity=1)
    _paid(order, staff)
    mark_packed(db.session.get(Order, order.id), user=staff)

    # When it is refunded in full (the shopper changed their mind before it left)
    refunds.refund(db.session.get(Order, order.id), user=staff, reason="batal")

    # Then it is refunded, its goods are back on the shelf, and it can no longer be shipped
    order = db.session.get(Order, order.id)
    assert order.status == OrderStatus.REFUNDED
    assert (sellable_quantity(rendang.id), sellable_quantity(songket.id)) == (5, 1)
    with pytest.raises(DomainError):
        ship(order, "P2611000099", user=staff)
    db.session.rollback()
    assert db.session.get(Order, order.id).tracking_number is None


def test_a_partial_refund_with_goods_back_unpacks_a_packed_parcel(make, delivery_order, shelf):
    rendang, _ = shelf
    staff = make.user(Role.STAFF)
    order = delivery_order(quantity=2)
    _paid(order, staff)
    mark_packed(db.session.get(Order, order.id), user=staff)
    line = db.session.get(Order, order.id).lines[0]
    refunds.refund(db.session.get(Order, order.id), user=staff, quantities={line.id: 1}, reason="rusak")
    order = db.session.get(Order, order.id)
    assert order.status == OrderStatus.PAID and order.packed_at is None  # to be packed again without that unit
    assert order.events[-1].from_status == OrderStatus.PACKED
    assert sellable_quantity(rendang.id) == 4


def test_a_shipped_order_refunded_in_full_is_refunded_and_goods_stay_out_unless_they_came_back(make, delivery_order,
                                                                                                shelf):
    rendang, _ = shelf
    staff = make.user(Role.STAFF)
    order = delivery_order(quantity=1, with_songket=False)
    _paid(order, staff)
    mark_packed(db.session.get(Order, order.id), user=staff)
    ship(db.session.get(Order, order.id), "P2611000077", user=staff)
    refunds.refund(db.session.get(Order, order.id), user=staff, reason="paket hilang")
    assert db.session.get(Order, order.id).status == OrderStatus.REFUNDED
    assert sellable_quantity(rendang.id) == 4  # the parcel is with Pos, not on the shelf


def test_the_same_refund_form_sent_twice_refunds_once(make, delivery_order):
    staff = make.user(Role.STAFF)
    order = delivery_order(quantity=3, with_songket=False)
    payment = _paid(order, staff)
    line = db.session.get(Order, order.id).lines[0]
    token = refunds.new_token()
    first = refunds.refund(db.session.get(Order, order.id), user=staff, quantities={line.id: 2}, token=token)
    again = refunds.refund(db.session.get(Order, order.id), user=staff, quantities={line.id: 2}, token=token)
    assert again.id == first.id
    assert db.session.get(Payment, payment.id).amount_refunded == 2 * line.unit_price


def test_the_database_refuses_a_refunded_total_above_what_was_paid(make, delivery_order):
    from sqlalchemy import update
    from sqlalchemy.exc import IntegrityError

    staff = make.user(Role.STAFF)
    payment = _paid(delivery_order(quantity=1, with_songket=False), staff)
    with pytest.raises(IntegrityError):
        db.session.execute(update(Payment).where(Payment.id == payment.id)
                           .values(amount_refunded=Payment.amount + 1))
        db.session.flush()
    db.session.rollback()


@pytest.mark.requires_postgres
def test_two_staff_submitting_the_same_partial_refund_at_once_refund_it_once(app, make, delivery_order):
    # Given a paid line of 3 units
    staff = make.user(Role.STAFF)
    order = delivery_order(quantity=3, with_songket=False)
    payment = _paid(order, staff)
    order_id, payment_id, staff_id = order.id, payment.id, staff.id
    line_id, unit_price = order.lines[0].id, order.lines[0].unit_price
    db.session.remove()

    # When two staff, each with their own form, refund 2 of them at the same moment
    barrier, outcomes = threading.Barrier(2), []

    def refund_two():
        from gallery.accounts.models import User

        with app.app_context():
            try:
                barrier.wait(timeout=30)
                refunds.refund(db.session.get(Order, order_id), user=db.session.get(User, staff_id),
                               quantities={line_id: 2}, token=refunds.new_token())
                db.session.commit()  # this thread is the edge (as the refund view is)
                outcomes.append("refunded")
            except DomainError as refused:
                outcomes.append(refused.message)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=refund_two) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # Then one refund of 2 units went through, the other was refused, and the books agree
    assert sorted(outcomes, key=lambda o: o != "refunded")[0] == "refunded" and outcomes.count("refunded") == 1
    assert db.session.scalar(select(func.sum(RefundLine.quantity))) == 2
    assert db.session.scalar(select(func.sum(Refund.amount))) == 2 * unit_price
    assert db.session.get(Payment, payment_id).amount_refunded == 2 * unit_price
    assert all(balance.balanced for balance in lot_balances().values())


def test_paying_an_overdue_order_at_the_desk_is_refused_and_records_no_money(make, pickup_order):
    from datetime import timedelta

    from gallery import clock
    from tests.edges import pay_at_desk

    order = pickup_order()
    clock.freeze(order.payment_deadline + timedelta(minutes=1))
    with pytest.raises(DomainError):
        pay_at_desk(db.session.get(Order, order.id), "cash", user=make.user(Role.STAFF))
    assert db.session.scalar(select(func.count(Payment.id))) == 0
    assert db.session.get(Order, order.id).status == OrderStatus.PENDING_PAYMENT  # expired by whoever looks next
