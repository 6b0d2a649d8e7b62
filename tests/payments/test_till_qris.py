"""QRIS at the till through Midtrans: the code on the screen, paid on Midtrans's word, released on expiry."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from gallery import clock
from gallery.accounts.models import Role
from gallery.consignment.ledger import lot_balances
from gallery.consignment.services import sellable_quantity
from gallery.extensions import db
from gallery.orders.models import Channel, Order, OrderStatus
from gallery.payments.models import Payment, PaymentStatus
from tests.factories import csrf_token
from tests.payments.conftest import notify


@pytest.fixture
def till(client, make):
    make.login(client, make.user(Role.STAFF, email="kasir@galeri.test"))
    return client


def _sell_by_qris(till, variant, quantity=2):
    token = csrf_token(till, "/staff/counter")
    till.post("/staff/counter", data={"action": "add", "sku": variant.sku, "quantity": str(quantity),
                                      "csrf_token": token})
    return till.post("/staff/counter", data={"action": "sell", "method": "qris", "sale_token": "till-1",
                                             "csrf_token": token})


def _sale() -> Order:
    db.session.expire_all()
    return db.session.scalar(select(Order).where(Order.channel == Channel.COUNTER))


def test_a_counter_sale_paid_by_qris_end_to_end(app, till, fake_midtrans, shelf):
    rendang, _songket = shelf
    response = _sell_by_qris(till, rendang)
    sale = _sale()
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/staff/counter/qris/{sale.number}")
    assert sale.status == OrderStatus.PENDING_PAYMENT and sellable_quantity(rendang.id) == 3
    payment = db.session.scalar(select(Payment))
    [charge] = fake_midtrans.of("POST", "/v2/charge")
    assert charge["body"]["payment_type"] == "qris"
    assert charge["body"]["transaction_details"] == {"order_id": payment.reference, "gross_amount": 130_000}
    assert charge["body"]["custom_expiry"]["expiry_duration"] <= app.config["TILL_QRIS_MINUTES"]
    # The screen shows the QR drawn on the server and looks again by itself, without JavaScript.
    screen = till.get(f"/staff/counter/qris/{sale.number}")
    html = screen.get_data(as_text=True)
    assert screen.status_code == 200 and '<meta http-equiv="refresh" content="5">' in html
    assert '<svg viewBox=' in html and 'class="qr-code"' in html and "<script" not in html.split("<body")[1]
    assert "Rp\u00a0130.000" in html
    # The customer pays; Midtrans notifies; the next refresh goes to the receipt, which names QRIS.
    fake_midtrans.settle(payment.reference)
    assert notify(till, fake_midtrans.notification(payment.reference)).get_json()["outcome"] == "paid"
    sale = _sale()
    assert sale.status == OrderStatus.COMPLETED and sale.payment_method == "qris" and sale.paid_at
    done = till.get(f"/staff/counter/qris/{sale.number}")
    assert done.status_code == 302 and f"/staff/counter/receipts/{sale.number}" in done.headers["Location"]
    receipt = till.get(done.headers["Location"]).get_data(as_text=True)
    assert "QRIS" in receipt and "<dd>—</dd>" not in receipt  # the method and the cashier who rang it up
    assert sellable_quantity(rendang.id) == 3 and all(b.balanced for b in lot_balances().values())


def test_the_held_sale_and_its_attempt_are_saved_before_midtrans_draws_the_code(app, till, fake_midtrans, shelf):
    rendang, _songket = shelf
    engine, seen = db.engine, []

    def look(method, path):
        if (method, path) == ("POST", "/v2/charge"):
            with engine.connect() as other:
                seen.append((other.scalar(select(Order.status).where(Order.channel == Channel.COUNTER)),
                             other.scalar(select(Payment.status))))

    fake_midtrans.before = look
    assert _sell_by_qris(till, rendang).status_code == 302
    assert seen == [(OrderStatus.PENDING_PAYMENT, PaymentStatus.OPEN)]


def test_when_midtrans_cannot_draw_the_code_the_sale_is_given_up_and_its_units_go_back(app, till, fake_midtrans,
                                                                                         shelf):
    rendang, _songket = shelf
    fake_midtrans.down = True
    response = _sell_by_qris(till, rendang)
    assert response.status_code == 422
    assert "QRIS tidak bisa dibuat sekarang" in response.get_data(as_text=True)
    sale = _sale()
    assert sale.status == OrderStatus.CANCELLED
    assert db.session.scalar(select(Payment.status)) == PaymentStatus.FAILED
    assert sellable_quantity(rendang.id) == 5 and all(b.balanced for b in lot_balances().values())


def test_the_screen_itself_asks_midtrans_when_the_notification_is_late(app, till, fake_midtrans, shelf):
    rendang, _songket = shelf
    _sell_by_qris(till, rendang, 1)
    sale, payment = _sale(), db.session.scalar(select(Payment))
    assert till.get(f"/staff/counter/qris/{sale.number}").status_code == 200  # still pending at Midtrans
    fake_midtrans.settle(payment.reference)
    assert till.get(f"/staff/counter/qris/{sale.number}").status_code == 302
    assert _sale().status == OrderStatus.COMPLETED


def test_an_expired_qr_gives_the_units_back(app, till, fake_midtrans, shelf):
    rendang, _songket = shelf
    _sell_by_qris(till, rendang)
    sale, payment = _sale(), db.session.scalar(select(Payment))
    clock.freeze(clock.utcnow() + timedelta(minutes=app.config["TILL_QRIS_MINUTES"] + 1))
    page = till.get(f"/staff/counter/qris/{sale.number}").get_data(as_text=True)
    assert "kembali ke rak" in page and 'http-equiv="refresh"' not in page
    assert _sale().status == OrderStatus.EXPIRED and sellable_quantity(rendang.id) == 5
    # Midtrans's own expiry notice afterwards changes nothing more.
    fake_midtrans.expire(payment.reference)
    assert notify(till, fake_midtrans.notification(payment.reference)).get_json()["outcome"] == "expired"
    assert sellable_quantity(rendang.id) == 5 and all(b.balanced for b in lot_balances().values())


def test_the_cashier_can_give_up_a_qr(app, till, fake_midtrans, shelf):
    rendang, _songket = shelf
    _sell_by_qris(till, rendang)
    sale = _sale()
    token = csrf_token(till, f"/staff/counter/qris/{sale.number}")
    assert till.post(f"/staff/counter/qris/{sale.number}/cancel", data={"csrf_token": token}).status_code == 302
    assert _sale().status == OrderStatus.CANCELLED and sellable_quantity(rendang.id) == 5
    assert db.session.scalar(select(Payment.status)) == PaymentStatus.CANCELLED


def test_without_midtrans_qris_at_the_till_is_recorded_by_hand_as_before(app, till, shelf):
    rendang, _songket = shelf
    response = _sell_by_qris(till, rendang)
    sale = _sale()
    assert f"/staff/counter/receipts/{sale.number}" in response.headers["Location"]
    assert sale.status == OrderStatus.COMPLETED and sale.payment_method == "qris"
