"""Food is good when it arrives: lots chosen by destination and pick-up day, re-checked at every hand-over."""
from datetime import timedelta

import pytest

from gallery import clock
from gallery.accounts.models import Role
from gallery.consignment.ledger import lot_balances
from gallery.extensions import db
from gallery.orders.models import Order, OrderStatus
from gallery.orders.placing import CartLine, Contact
from tests.edges import place_order
from tests.edges import mark_packed, mark_picked_up, ship
from gallery.shipping.addresses import Address
from gallery.orders.shelf_life import NotGoodAtHandOver, swap_lot
from tests.edges import pay_at_desk
from tests.orders.conftest import JAKARTA_PUSAT
from tests.payments.conftest import mail_outbox  # noqa: F401  (fixture)

SHOPPER = Contact("Siti Rahma", "siti@contoh.id", "0812 3456 7890")
GAMBIR = Address(*JAKARTA_PUSAT, street="Jl. Medan Merdeka Barat No. 12", postal_code="10110")


@pytest.fixture
def galamai(make):
    """Galamai with a lot dated in 5 days and one in 60 days (FEFO would take the first)."""
    variant = make.product(name="Galamai Durian", category="kue-tradisional",
                           variants=[("500 g", 35_000, 550)]).variants[0]
    short = make.stock(variant, 4, expires_in_days=5)
    long = make.stock(variant, 6, expires_in_days=60)
    return variant, short, long


def _lots(order):
    return sorted((a.lot_id, a.quantity) for line in order.lines for a in line.allocations)


def test_a_delivery_takes_only_lots_good_after_dispatch_the_longest_estimate_and_the_minimum_shelf_life(
        tariff, galamai):
    # Given a lot dated in 5 days: paid by tomorrow, 4 days by Pos Reguler, 7 days' shelf life → too short
    variant, short, long = galamai
    order = place_order([CartLine(variant.id, 2)], SHOPPER, fulfilment="delivery", address=GAMBIR,
                        service_code="POS_REG")
    # Then the order takes the later lot, though FEFO would pick the earlier one
    assert _lots(order) == [(long.id, 2)]


def test_a_product_s_own_minimum_shelf_life_counts(make, tariff, galamai):
    variant, short, long = galamai
    variant.product.min_shelf_life_days = 0
    db.session.commit()
    order = place_order([CartLine(variant.id, 1)], SHOPPER, fulfilment="delivery", address=GAMBIR,
                        service_code="POS_NEXTDAY")
    assert _lots(order) == [(short.id, 1)]  # tomorrow + 2 days + 0 < 5 days


def test_a_pickup_takes_lots_still_good_on_its_pickup_deadline(make):
    variant = make.product(name="Rendang Lokan", category="rendang", variants=[("250 g", 65_000, 300)]).variants[0]
    tomorrow = make.stock(variant, 3, expires_in_days=1)
    later = make.stock(variant, 3, expires_in_days=30)
    order = place_order([CartLine(variant.id, 2)], SHOPPER, fulfilment="pickup")  # held 48 hours
    assert _lots(order) == [(later.id, 2)]
    assert tomorrow.on_hand == 3


def test_packing_shipping_and_handing_over_re_check_the_date_and_staff_swap_the_lot(make, tariff, galamai):
    # Given a parcel paid today with units dated in 60 days, and a lot of 5 days
    variant, short, long = galamai
    staff = make.user(Role.STAFF)
    fresher = make.stock(variant, 3, expires_in_days=90)
    order = place_order([CartLine(variant.id, 2)], SHOPPER, fulfilment="delivery", address=GAMBIR,
                        service_code="POS_REG")
    pay_at_desk(order, "cash", user=staff)
    # When staff only get to pack it 50 days later, the units would arrive with days left
    clock.freeze(clock.utcnow() + timedelta(days=50))
    with pytest.raises(NotGoodAtHandOver) as refused:
        mark_packed(db.session.get(Order, order.id), user=staff)
    assert f"lot #{long.id}" in refused.value.message
    db.session.rollback()
    assert db.session.get(Order, order.id).status == OrderStatus.PAID
    # Then they swap the lot: the units now come from the fresher lot, and it packs and ships
    order = db.session.get(Order, order.id)
    [stale] = [a for line in order.lines for a in line.allocations]
    swap_lot(order, stale.id, user=staff)
    order = db.session.get(Order, order.id)
    assert _lots(order) == [(fresher.id, 2)]
    assert db.session.get(type(long), long.id).on_hand == 6
    mark_packed(order, user=staff)
    ship(order, "P2611000055", user=staff)
    assert order.status == OrderStatus.SHIPPED
    assert all(balance.balanced for balance in lot_balances().values())


def test_a_packed_parcel_whose_lot_ran_short_is_not_shipped(make, tariff, galamai):
    variant, short, long = galamai
    staff = make.user(Role.STAFF)
    order = place_order([CartLine(variant.id, 1)], SHOPPER, fulfilment="delivery", address=GAMBIR,
                        service_code="POS_REG")
    pay_at_desk(order, "cash", user=staff)
    mark_packed(order, user=staff)
    clock.freeze(clock.utcnow() + timedelta(days=55))
    with pytest.raises(NotGoodAtHandOver):
        ship(db.session.get(Order, order.id), "P2611000056", user=staff)
    db.session.rollback()
    assert db.session.get(Order, order.id).status == OrderStatus.PACKED


def test_a_pickup_is_not_handed_over_after_its_date(make):
    variant = make.product(name="Rendang Lokan", category="rendang", variants=[("250 g", 65_000, 300)]).variants[0]
    lot = make.stock(variant, 3, expires_in_days=3)
    staff = make.user(Role.STAFF)
    order = place_order([CartLine(variant.id, 1)], SHOPPER, fulfilment="pickup")
    pay_at_desk(order, "cash", user=staff)
    clock.freeze(clock.utcnow() + timedelta(days=3))  # collected on the lot's date
    with pytest.raises(NotGoodAtHandOver):
        mark_picked_up(db.session.get(Order, order.id), user=staff)
    db.session.rollback()
    # Staff are offered a swap on the order page; with no good lot left, they refund the line instead.
    client = db.session.get(Order, order.id)
    assert lot.id in [a.lot_id for line in client.lines for a in line.allocations]


def test_staff_are_offered_the_swap_on_the_order_page(app, client, make, tariff, galamai):
    variant, short, long = galamai
    staff = make.user(Role.STAFF)
    order = place_order([CartLine(variant.id, 1)], SHOPPER, fulfilment="delivery", address=GAMBIR,
                        service_code="POS_REG")
    pay_at_desk(order, "cash", user=staff)
    make.stock(variant, 2, expires_in_days=120)
    clock.freeze(clock.utcnow() + timedelta(days=52))
    make.login(client, staff)
    page = client.get(f"/staff/orders/{order.number}").get_data(as_text=True)
    assert "Masa simpan tidak cukup" in page and "Tukar ke lot yang masih layak" in page
    from tests.factories import csrf_token

    token = csrf_token(client, f"/staff/orders/{order.number}")
    [allocation] = [a for line in order.lines for a in line.allocations]
    response = client.post(f"/staff/orders/{order.number}/swap/{allocation.id}", data={"csrf_token": token})
    assert response.status_code == 302
    assert "Masa simpan tidak cukup" not in client.get(f"/staff/orders/{order.number}").get_data(as_text=True)


def test_the_order_page_email_and_receipt_show_the_best_before_date(app, client, make, mail_outbox, galamai, tariff):
    variant, short, long = galamai
    order = place_order([CartLine(variant.id, 1)], SHOPPER, fulfilment="pickup")
    shown = f"Baik digunakan sebelum {short.expires_on.day}"
    page = client.get(f"/orders/{order.number}?t={order.access_token}").get_data(as_text=True)
    assert shown in page
    assert shown in mail_outbox[0].body
    staff = make.user(Role.STAFF)
    pay_at_desk(order, "cash", user=staff)
    make.login(client, staff)
    receipt = client.get(f"/staff/counter/receipts/{order.number}").get_data(as_text=True)
    assert "Baik digunakan sebelum" in receipt
