"""Two staff acting on one order at the same moment: the order's state machine stays one story (PostgreSQL).

Each pair of transitions that can start from the same state is posted at once, several rounds; whatever
wins, the events form one chain ending in the order's status, the units held match that status, and
a paid status always has its money.
"""
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from gallery import clock
from gallery.accounts.models import Role, User
from gallery.consignment.ledger import lot_balances, reserved_under
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.orders.models import Order, OrderStatus
from gallery.orders.expiry import expire_if_due
from gallery.orders.placing import CartLine, Contact
from tests import edges
from tests.edges import place_order
from tests.edges import cancel, mark_packed, mark_picked_up, ship
from gallery.payments import refunds
from tests.edges import pay_at_desk
from gallery.payments.models import Payment, PaymentStatus

pytestmark = pytest.mark.requires_postgres

ROUNDS = 3
SHOPPER = Contact("Siti Rahma", "siti@contoh.id", "0812 3456 7890")


def _together(app, *works):
    """Run each work(session_order, user) in its own thread, app context and session, all at once."""
    barrier, outcomes, errors = threading.Barrier(len(works)), [], []

    def runner(work):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                work()
                outcomes.append("done")
            except DomainError as refused:
                db.session.rollback()
                outcomes.append(str(refused.message))
            except Exception as error:  # surfaced below
                db.session.rollback()
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=runner, args=(work,)) for work in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return outcomes


def _one_story(number: str) -> Order:
    db.session.expire_all()
    order = db.session.scalar(select(Order).where(Order.number == number))
    events = order.events
    for before, after in zip(events, events[1:]):
        assert after.from_status == before.to_status, [(e.from_status, e.to_status) for e in events]
    assert events[-1].to_status == order.status
    held = sum(reserved_under(a.lot_id, number) for line in order.lines for a in line.allocations)
    ordered = sum(line.quantity for line in order.lines)
    released = order.status in (OrderStatus.CANCELLED, OrderStatus.EXPIRED) or (
        order.status == OrderStatus.REFUNDED and order.shipped_at is None and order.completed_at is None)
    assert held == (0 if released else ordered), (order.status, held)
    paid = db.session.scalars(select(Payment.status).where(Payment.order_id == order.id)).all()
    if order.status in (OrderStatus.PAID, OrderStatus.PACKED, OrderStatus.SHIPPED, OrderStatus.COMPLETED):
        assert PaymentStatus.PAID in paid
    else:
        assert PaymentStatus.PAID not in paid
    assert all(balance.balanced for balance in lot_balances().values())
    return order


@pytest.fixture
def goods(make):
    variant = make.product(name="Keripik Balado", category="keripik", variants=[("200 g", 25_000, 200)]).variants[0]
    make.stock(variant, 500, expires_in_days=120)
    return variant.id


def _user_id(make) -> int:
    return make.user(Role.STAFF).id


def _get(number):
    return db.session.scalar(select(Order).where(Order.number == number))


def _staff(user_id):
    return db.session.get(User, user_id)


@pytest.mark.parametrize("pair", ["paid-cancel", "transfer-cancel", "paid-expire", "cancel-expire"])
def test_racing_transitions_out_of_pending_payment(app, make, goods, pair):
    staff_id = _user_id(make)
    for _round in range(ROUNDS):
        order = place_order([CartLine(goods, 2)], SHOPPER, fulfilment="pickup")
        number = order.number
        if pair == "transfer-cancel":
            payment_id = edges.start_bank_transfer(order).id
        if pair.endswith("expire"):
            clock.freeze(order.payment_deadline + timedelta(seconds=1))
        db.session.remove()
        works = {
            "paid": lambda: pay_at_desk(_get(number), "cash", user=_staff(staff_id)),
            "transfer": lambda: edges.confirm_transfer(db.session.get(Payment, payment_id), user=_staff(staff_id)),
            "cancel": lambda: cancel(_get(number), user=_staff(staff_id), reason="Pembeli batal"),
            "expire": lambda: (expire_if_due(_get(number)), db.session.commit()),  # the looking view commits
        }
        _together(app, *(works[name] for name in pair.split("-")))
        _one_story(number)
        clock.freeze(None)


@pytest.mark.parametrize("pair", ["pack-refund", "ship-refund", "pickup-refund"])
def test_racing_a_refund_against_fulfilment(app, make, goods, tariff, pair):
    from gallery.shipping.addresses import Address
    from tests.orders.conftest import JAKARTA_PUSAT

    staff_id = _user_id(make)
    for round_ in range(ROUNDS):
        if pair == "pickup-refund":
            order = place_order([CartLine(goods, 1)], SHOPPER, fulfilment="pickup")
        else:
            order = place_order([CartLine(goods, 1)], SHOPPER, fulfilment="delivery", service_code="POS_REG",
                                address=Address(*JAKARTA_PUSAT, "Jl. Kebon Sirih 5", "10340"))
        pay_at_desk(order, "qris", user=_staff(staff_id))
        if pair == "ship-refund":
            mark_packed(order, user=_staff(staff_id))
        number = order.number
        db.session.remove()
        works = {
            "pack": lambda: mark_packed(_get(number), user=_staff(staff_id)),
            "ship": lambda: ship(_get(number), f"P26110{round_:05d}", user=_staff(staff_id)),
            "pickup": lambda: mark_picked_up(_get(number), user=_staff(staff_id)),
            # the refund flushes; this thread is its edge and commits (as the refund view does)
            "refund": lambda: (refunds.refund(_get(number), user=_staff(staff_id), token=refunds.new_token()),
                               db.session.commit()),
        }
        _together(app, *(works[name] for name in pair.split("-")))
        order = _one_story(number)
        assert order.status == OrderStatus.REFUNDED  # the refund wins, or follows the other step: money went back


def test_eight_views_at_the_deadline_expire_the_order_once_and_all_answer(app, make, goods):
    order = place_order([CartLine(goods, 3)], SHOPPER, fulfilment="pickup")
    number, token = order.number, order.access_token
    clock.freeze(order.payment_deadline + timedelta(seconds=1))
    db.session.remove()
    barrier, statuses = threading.Barrier(8), []

    def view():
        client = app.test_client()
        barrier.wait(timeout=30)
        statuses.append(client.get(f"/orders/{number}?t={token}").status_code)

    threads = [threading.Thread(target=view) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [200] * 8
    order = _one_story(number)
    assert order.status == OrderStatus.EXPIRED
    assert [e.to_status for e in order.events].count(OrderStatus.EXPIRED) == 1
