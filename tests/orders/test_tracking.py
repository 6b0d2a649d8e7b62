"""Following an order: finding it again without enumeration, the parcel's timeline by resi, completion."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from gallery import clock
from gallery.accounts.models import Role
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.orders import tracking
from gallery.orders.cli import complete_delivered
from gallery.orders.models import Order, OrderStatus, ParcelStatus, TrackingEvent
from tests.edges import mark_packed, ship
from tests.edges import pay_at_desk
from gallery.shipping.pos_tracking import ParcelEvent, status_of
from tests.factories import csrf_token
from tests.payments.conftest import delivery_order, mail_outbox, shelf  # noqa: F401  (fixtures)


def day(offset: int, hour: int = 0, minute: int = 0) -> datetime:
    """A WIB moment `offset` days after the day the parcel was shipped: the real today (the test tariff's days)."""
    start = datetime.now(clock.WIB).date()
    return datetime(start.year, start.month, start.day, hour, minute, tzinfo=clock.WIB) + timedelta(days=offset)


def pos_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


@pytest.fixture
def shipped(make, delivery_order):  # noqa: F811
    """A paid parcel handed to Pos today at 09:00 WIB."""
    clock.freeze(day(0, 9))
    staff = make.user(Role.STAFF)
    order = delivery_order()
    pay_at_desk(order, "bank_transfer", user=staff)
    mark_packed(order, user=staff)
    ship(order, "P2611200001AB", user=staff)
    order.staff = staff
    return order


def reload(order: Order) -> Order:
    db.session.expire_all()
    return db.session.get(Order, order.id)


def lookup(client, number: str, contact: str):
    token = csrf_token(client, "/orders/track")
    return client.post("/orders/track", data={"number": number, "contact": contact, "csrf_token": token})


def test_a_shopper_finds_the_order_again_by_number_and_email_or_whatsapp(client, delivery_order):  # noqa: F811
    order = delivery_order()
    by_email = lookup(client, order.number.lower(), "SITI@contoh.id ")
    assert by_email.status_code == 303
    assert by_email.headers["Location"].endswith(f"/orders/{order.number}?t={order.access_token}")
    by_whatsapp = lookup(client, order.number, "+62 812-3456-7890")
    assert by_whatsapp.status_code == 303 and order.access_token in by_whatsapp.headers["Location"]
    assert client.get(by_whatsapp.headers["Location"]).status_code == 200


def test_a_wrong_contact_and_an_unknown_number_get_the_same_answer(client, delivery_order):  # noqa: F811
    order = delivery_order()
    wrong_contact = lookup(client, order.number, "lain@contoh.id")
    unknown_number = lookup(client, "GO-2611-ZZZZZ", "siti@contoh.id")
    assert wrong_contact.status_code == unknown_number.status_code == 422

    def message(response):
        page = response.get_data(as_text=True)
        return page[page.index('<ul class="errors"'):page.index("</ul>", page.index('<ul class="errors"'))]

    assert message(wrong_contact) == message(unknown_number)
    assert order.access_token not in wrong_contact.get_data(as_text=True)


def test_order_lookups_are_rate_limited_per_address(app, client, delivery_order):  # noqa: F811
    order = delivery_order()
    app.config["ORDER_LOOKUP_RATE_LIMIT"] = "3 per minute"
    try:
        answers = [lookup(client, f"GO-2611-AAAA{n}", "siti@contoh.id").status_code for n in range(3)]
        assert answers == [422, 422, 422]
        assert lookup(client, order.number, "siti@contoh.id").status_code == 429  # even the right pair, now
    finally:
        app.config["ORDER_LOOKUP_RATE_LIMIT"] = "1000 per minute"


def test_the_pos_tracker_fills_the_timeline_and_delivery_completes_the_order_later(app, client, shipped, fake_pos,
                                                                                   mail_outbox):  # noqa: F811
    fake_pos.add("P2611200001AB", pos_time(day(0, 10, 12)), "POSTING LOKET", "KPC Painan")
    fake_pos.add("P2611200001AB", pos_time(day(1, 3, 40)), "PROSES TRANSIT", "SPP Padang")
    clock.freeze(day(1, 12))
    runner = app.test_cli_runner()
    assert "1 parcel(s) polled, 2 new event(s), 0 completed" in runner.invoke(args=["orders", "track"]).output
    assert "0 new event(s)" in runner.invoke(args=["orders", "track"]).output  # polled again: nothing twice
    fake_pos.add("P2611200001AB", pos_time(day(3, 14, 5)), "SELESAI ANTAR", "KPRK Jakarta Pusat",
                 "DITERIMA OLEH: SITI (YBS)")
    clock.freeze(day(3, 18))
    runner.invoke(args=["orders", "track"])
    order = reload(shipped)
    assert order.delivered_at == day(3, 14, 5)
    assert order.status == OrderStatus.SHIPPED  # not yet: the shopper has ORDER_COMPLETE_AFTER_DAYS to complain
    page = client.get(f"/orders/{order.number}?t={order.access_token}").get_data(as_text=True)
    assert page.index("Diterima penerima") < page.index("Dalam perjalanan") < page.index("Diterima di loket Pos")
    assert "SPP Padang" in page and "DITERIMA OLEH: SITI (YBS)" in page
    clock.freeze(day(6, 15))
    assert "1 completed" in runner.invoke(args=["orders", "track"]).output
    order = reload(shipped)
    assert order.status == OrderStatus.COMPLETED and order.completed_at is not None


def test_a_reported_problem_keeps_a_delivered_order_from_completing_by_itself(app, client, shipped):
    clock.freeze(day(2, 12))
    tracking.add_by_staff(shipped, ParcelEvent(day(2, 11), ParcelStatus.DELIVERED, "Jakarta", ""), user=shipped.staff)
    db.session.commit()  # the test is the edge, as the staff view is
    url = f"/orders/{shipped.number}?t={shipped.access_token}"
    token = csrf_token(client, url)
    response = client.post(f"/orders/{shipped.number}/problem",
                           data={"problem": "Toples rendang pecah di dalam paket.", "t": shipped.access_token,
                                 "csrf_token": token})
    assert response.status_code == 303
    order = reload(shipped)
    assert order.problem_reported_at is not None and "Toples rendang pecah" in order.events[-1].note
    clock.freeze(day(20, 9))
    assert complete_delivered() == [] and reload(shipped).status == OrderStatus.SHIPPED
    stranger = client.post(f"/orders/{shipped.number}/problem", data={"problem": "Iseng saja ya", "csrf_token": token})
    assert stranger.status_code == 404  # without the order's link


def test_a_tracker_that_cannot_answer_changes_nothing(app, shipped, fake_pos):
    fake_pos.down = True
    result = app.test_cli_runner().invoke(args=["orders", "track"])
    assert "tracker could not answer for: " + shipped.number in result.output
    assert db.session.scalar(select(func.count()).select_from(TrackingEvent)) == 0


def test_staff_type_an_event_when_no_tracker_is_configured(client, shipped):
    make_login = shipped.staff
    from tests.factories import Factories

    Factories().login(client, make_login)
    clock.freeze(day(1, 12))
    url = f"/staff/orders/{shipped.number}"
    token = csrf_token(client, url)
    response = client.post(f"{url}/tracking", data={"occurred_at": day(1, 8, 30).strftime("%Y-%m-%dT%H:%M"),
                                                     "status": "out_for_delivery",
                                                     "location": "Kantor Pos Gambir", "csrf_token": token})
    assert response.status_code == 303
    [event] = reload(shipped).parcel_events
    assert (event.status, event.source, event.created_by_id) == ("out_for_delivery", "staff", shipped.staff.id)
    assert event.occurred_at == day(1, 8, 30)
    assert "Kantor Pos Gambir" in client.get(url).get_data(as_text=True)
    future = client.post(f"{url}/tracking", data={"occurred_at": day(2, 8).strftime("%Y-%m-%dT%H:%M"),
                                                  "status": "delivered",
                                                  "csrf_token": token})
    assert future.status_code == 303 and len(reload(shipped).parcel_events) == 1


def test_a_tracking_import_saves_nothing_while_a_row_is_wrong(shipped):
    clock.freeze(day(2, 18))
    first, second = day(1, 7).strftime("%Y-%m-%d %H:%M"), day(2, 13, 15).strftime("%Y-%m-%d %H:%M")
    good = f"resi,time,status,location,description\nP2611200001AB,{first},PROSES ANTAR,Gambir,\n".encode()
    bad = good + f"P0000000000,{first},delivered,,\nP2611200001AB,kemarin,delivered,,\n".encode()
    result = tracking.import_csv(bad, user=shipped.staff)
    assert [row for row, _ in result.errors] == [3, 4] and result.added == 0
    assert db.session.scalar(select(func.count()).select_from(TrackingEvent)) == 0
    done = tracking.import_csv(good + f"P2611200001AB,{second},delivered,Gambir,Diterima Siti\n".encode(),
                               user=shipped.staff)
    db.session.commit()  # the test is the edge, as the import view is
    assert (done.errors, done.added, done.orders) == ([], 2, {shipped.number})
    assert [e.status for e in reload(shipped).parcel_events] == ["out_for_delivery", "delivered"]
    assert tracking.import_csv(good, user=shipped.staff).added == 0  # imported twice: nothing twice


@pytest.mark.parametrize("name, status", [
    ("POSTING LOKET", ParcelStatus.POSTED), ("MANIFEST TRANSIT", ParcelStatus.IN_TRANSIT),
    ("PROSES ANTAR", ParcelStatus.OUT_FOR_DELIVERY), ("GAGAL ANTAR - RUMAH KOSONG", ParcelStatus.FAILED_ATTEMPT),
    ("SELESAI ANTAR", ParcelStatus.DELIVERED), ("RETUR KE PENGIRIM", ParcelStatus.RETURNED),
])
def test_pos_event_names_become_parcel_statuses(name, status):
    assert status_of(name) == status


def test_an_event_before_the_parcel_left_is_refused(shipped):
    with pytest.raises(DomainError):
        tracking.add_by_staff(shipped, ParcelEvent(shipped.shipped_at - timedelta(days=3), ParcelStatus.POSTED, "", ""),
                              user=shipped.staff)
