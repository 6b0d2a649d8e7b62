"""Two producers with goods, documents and sales of every kind, for the portal tests."""
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from gallery import clock
from gallery.accounts.models import Role
from gallery.consignment.documents import ReceiptLine, ReturnLine, create_receipt, return_to_producer
from gallery.extensions import db
from gallery.shipping.addresses import Address
from gallery.orders.placing import CartLine, Contact
from tests.edges import mark_packed, mark_picked_up, ship
from tests.edges import pay_at_desk
from tests.edges import sell_at_counter
from gallery.payments.refunds import refund
from tests.edges import place_order
from tests.orders.conftest import JAKARTA_PUSAT, tariff  # noqa: F401  (fixture)

# Everything about the shoppers that a producer must never see.
SHOPPER = Contact("Siti Rahmawati Zulkarnain", "siti.rahasia@contoh.id", "0812 9876 5432")
OTHER_SHOPPER = Contact("Budi Hartono Saputra", "budi.rahasia@contoh.id", "0813 1111 2222")
STREET = "Jl. Rahasia Tersembunyi No. 77"
GAMBIR = Address(*JAKARTA_PUSAT, street=STREET, postal_code="10110")
SECRETS = (SHOPPER.name, SHOPPER.email, "0812 9876 5432", "6281298765432", "081298765432",
           OTHER_SHOPPER.name, OTHER_SHOPPER.email, "6281311112222", STREET, "Walk-in Pak Andi", "10110")


@dataclass
class World:
    me: object  # the producer whose portal is tested
    other: object
    me_user: object
    other_user: object
    staff: object
    rendang: object  # my variants
    galamai: object
    songket: object  # the other producer's variant
    receipt: object
    other_receipt: object
    my_return: object
    other_return: object
    delivery: object
    counter: object
    refunded: object
    pending: object


@pytest.fixture
def world(make, request):
    """Mid-November 2026 (WIB): my goods sold online (delivered to Jakarta Pusat), at the counter and by
    pick-up; one order refunded in full, one unpaid; the other producer sold too, to the same shopper."""
    clock.freeze(datetime(2026, 11, 16, 3, 0, tzinfo=clock.WIB))
    request.getfixturevalue("tariff")  # effective from the day before the frozen day
    me = make.producer("Rendang Uni Painan")
    other = make.producer("Songket Orang Lain")
    rendang = make.product(me, name="Rendang Lokan Uji", category="rendang", variants=[("250 g", 65_000, 300)]).variants[0]
    galamai = make.product(me, name="Galamai Uji", category="rendang", variants=[("Kotak", 40_000, 500)]).variants[0]
    songket = make.product(other, name="Songket Lain", category="songket", variants=[("Merah", 450_000, 400)]).variants[0]
    staff = make.user(Role.STAFF)
    me_user = make.user(Role.PRODUCER, producer=me)
    other_user = make.user(Role.PRODUCER, producer=other)
    today = clock.today_wib()
    receipt = create_receipt(me, [
        ReceiptLine(rendang.id, 20, 52_000, today + timedelta(days=90)),
        ReceiptLine(rendang.id, 5, 50_000, today + timedelta(days=10)),  # expires within 14 days
        ReceiptLine(galamai.id, 10, 33_000, today + timedelta(days=60)),
    ], user=staff)
    db.session.commit()
    other_receipt = create_receipt(other, [ReceiptLine(songket.id, 4, 380_000)], user=staff)
    db.session.commit()
    galamai_lot = receipt.lots[2]
    my_return = return_to_producer(me, [ReturnLine(galamai_lot.id, 2)], "unsold", user=staff)
    db.session.commit()
    other_return = return_to_producer(other, [ReturnLine(other_receipt.lots[0].id, 1)], "damaged", user=staff)
    db.session.commit()

    # Sales: online delivery (FEFO takes the soon-expiring lot first), shipped.
    delivery = place_order([CartLine(rendang.id, 6), CartLine(songket.id, 1)], SHOPPER, fulfilment="delivery",
                           address=GAMBIR, service_code="POS_REG")
    pay_at_desk(delivery, "bank_transfer", user=staff)
    mark_packed(delivery, user=staff)
    ship(delivery, "RR123456789ID", user=staff)
    # A walk-in sale at the counter.
    counter = sell_at_counter([CartLine(galamai.id, 3), CartLine(rendang.id, 1)], "cash", user=staff,
                           customer_name="Walk-in Pak Andi")
    # A pick-up order paid last month (October, WIB).
    clock.freeze(datetime(2026, 10, 20, 10, 0, tzinfo=clock.WIB))
    pickup = place_order([CartLine(rendang.id, 2)], OTHER_SHOPPER, fulfilment="pickup")
    pay_at_desk(pickup, "cash", user=staff)
    mark_picked_up(pickup, user=staff)
    # Collected, then refunded in full (the goods came back): listed, marked, not counted.
    clock.freeze(datetime(2026, 11, 10, 9, 0, tzinfo=clock.WIB))
    refunded = place_order([CartLine(galamai.id, 1)], OTHER_SHOPPER, fulfilment="pickup")
    pay_at_desk(refunded, "cash", user=staff)
    mark_picked_up(refunded, user=staff)
    refund(refunded, user=staff, restock=True, reason="rusak")
    # Unpaid: not a sale.
    pending = place_order([CartLine(rendang.id, 1)], SHOPPER, fulfilment="pickup")
    clock.freeze(datetime(2026, 11, 16, 3, 0, tzinfo=clock.WIB))
    return World(me, other, me_user, other_user, staff, rendang, galamai, songket, receipt, other_receipt,
                 my_return, other_return, delivery, counter, refunded, pending)


@pytest.fixture
def portal(app, make, world):
    """A client logged in as `world.me`'s producer account."""
    client = app.test_client()
    assert make.login(client, world.me_user).status_code == 302
    return client
