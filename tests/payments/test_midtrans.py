"""Midtrans Snap against a local fake of Midtrans: attempts, notifications verified and confirmed, refunds."""
import json
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from gallery import clock
from gallery.accounts.models import Role
from gallery.consignment.ledger import lot_balances
from gallery.consignment.services import sellable_quantity
from gallery.extensions import db
from gallery.orders.models import Order, OrderEvent, OrderStatus
from gallery.orders.cli import expire_due_orders
from gallery.orders.placing import CartLine
from tests.edges import counter_sale
from gallery.payments import core, refunds
from gallery.payments.gateways.midtrans import rupiah_of, signature
from gallery.payments.models import Payment, PaymentEvent, PaymentStatus, ProviderEvent, Refund
from tests.factories import csrf_token
from tests.payments.conftest import notify
from tests.payments.midtrans_fake import SERVER_KEY, signature_key
from tests import edges


def _paid_events(order_id):
    return db.session.scalar(select(func.count(OrderEvent.id)).where(
        OrderEvent.order_id == order_id, OrderEvent.to_status == OrderStatus.PAID))


def _start(client, order):
    token = csrf_token(client, f"/orders/{order.number}/pay?t={order.access_token}")
    return client.post(f"/orders/{order.number}/pay/midtrans?t={order.access_token}", data={"csrf_token": token})


def _attempt(order) -> Payment:
    return edges.start_payment(db.session.get(Order, order.id), "midtrans")


def _fresh(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


def test_signature_and_amounts_follow_midtrans():
    assert signature("A-1", "200", "65000.00", "key") == signature_key("A-1", "200", "65000.00", "key")
    assert rupiah_of("65000.00") == 65_000 and rupiah_of("65000.50") is None and rupiah_of("x") is None


def test_a_snap_transaction_per_attempt_with_items_summing_to_the_total(app, client, fake_midtrans, delivery_order):
    order = delivery_order()
    response = _start(client, order)
    assert response.status_code == 303
    assert response.headers["Location"].startswith("https://app.sandbox.midtrans.com/snap/v4/redirection/")
    [request] = fake_midtrans.of("POST", "/snap/v1/transactions")
    body = request["body"]
    payment = db.session.scalar(select(Payment))
    assert body["transaction_details"] == {"order_id": payment.reference, "gross_amount": order.total}
    assert payment.reference == f"{order.number}-{payment.id}"
    assert sum(item["price"] * item["quantity"] for item in body["item_details"]) == order.total
    assert [item["id"] for item in body["item_details"]][-1] == "ONGKIR"
    assert body["enabled_payments"] == app.config["MIDTRANS_ENABLED_PAYMENTS"].split(",")
    assert body["customer_details"]["email"] == "siti@contoh.id"
    assert body["expiry"]["unit"] == "minute" and body["expiry"]["start_time"].endswith("+0700")
    assert body["expiry"]["duration"] <= (order.payment_deadline - clock.utcnow()).total_seconds() / 60
    assert f"/orders/{order.number}/payment?t=" in body["callbacks"]["finish"]
    # Choosing Midtrans again while the attempt is open goes back to the same Snap page.
    _start(client, order)
    assert len(fake_midtrans.of("POST", "/snap/v1/transactions")) == 1


def test_midtrans_is_hidden_without_keys(app, client, delivery_order):
    order = delivery_order()
    page = client.get(f"/orders/{order.number}/pay?t={order.access_token}").get_data(as_text=True)
    assert "Midtrans" not in page and "midtrans" not in core.available_methods(order)
    assert client.post("/payments/midtrans/notification", data="{}").status_code == 404


@pytest.mark.parametrize("channel, shown", [("qris", "qr_string"), ("bca_va", "va_number"), ("gopay", "deeplink")])
def test_a_delivery_order_paid_by_qris_bca_va_or_gopay_pays_once_though_notified_five_times(
        app, client, fake_midtrans, delivery_order, mail_outbox, channel, shown):
    order = delivery_order()
    payment = _attempt(order)
    fake_midtrans.choose(payment.reference, channel)
    assert notify(client, fake_midtrans.notification(payment.reference)).get_json()["outcome"] == "waiting"
    payment = _fresh(Payment, payment.id)
    assert payment.status == PaymentStatus.OPEN and payment.instructions_data.get(shown)
    page = client.get(f"/orders/{order.number}/payment?t={order.access_token}").get_data(as_text=True)
    # The VA number and the app's deeplink are written out; the QRIS string is drawn as an SVG QR code.
    assert ('class="qr-code"' if shown == "qr_string" else payment.instructions_data[shown]) in page.replace("&amp;", "&")
    fake_midtrans.settle(payment.reference)
    settled = fake_midtrans.notification(payment.reference)
    answers = [notify(client, settled).get_json()["outcome"] for _ in range(5)]
    assert answers == ["paid"] + ["already processed"] * 4
    order = _fresh(Order, order.id)
    assert order.status == OrderStatus.PAID and order.payment_method == "midtrans"
    assert _paid_events(order.id) == 1
    assert _fresh(Payment, payment.id).gateway_method == (channel if channel != "bca_va" else "bca_va")
    assert len([m for m in mail_outbox if "Pembayaran" in m.subject]) == 1
    # The truth was asked of the Status API for every notification before anything changed.
    assert len(fake_midtrans.of("GET", f"/v2/{payment.reference}/status")) == 6


@pytest.mark.requires_postgres
@pytest.mark.parametrize("channel", ["qris", "bca_va", "gopay"])
def test_five_deliveries_of_a_settlement_at_the_same_moment_pay_once(app, fake_midtrans, delivery_order, channel):
    order = delivery_order()
    payment = _attempt(order)
    fake_midtrans.choose(payment.reference, channel)
    fake_midtrans.settle(payment.reference)
    body, order_id = fake_midtrans.notification(payment.reference), order.id
    db.session.remove()
    barrier, answers = threading.Barrier(5), []

    def deliver():
        client = app.test_client()
        barrier.wait(timeout=30)
        answers.append(notify(client, body).status_code)

    threads = [threading.Thread(target=deliver) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert answers == [200] * 5
    assert db.session.get(Order, order_id).status == OrderStatus.PAID
    assert _paid_events(order_id) == 1
    assert db.session.scalar(select(func.count(ProviderEvent.id))) == 1
    assert db.session.scalar(select(func.count(PaymentEvent.id)).where(PaymentEvent.kind == "paid")) == 1


def test_a_forged_signature_gets_403_and_writes_nothing(app, client, fake_midtrans, delivery_order):
    order = delivery_order()
    payment = _attempt(order)
    fake_midtrans.choose(payment.reference, "qris")
    fake_midtrans.settle(payment.reference)
    events_before = db.session.scalar(select(func.count(PaymentEvent.id)))
    body = fake_midtrans.notification(payment.reference)
    forged = dict(body, signature_key=signature_key(payment.reference, "200", body["gross_amount"], "not-the-key"))
    assert notify(client, forged).status_code == 403
    assert notify(client, dict(body, gross_amount="1000.00")).status_code == 403  # the signature covers the amount
    assert notify(client, {"order_id": payment.reference}).status_code == 403
    assert client.post("/payments/midtrans/notification", data="not json").status_code == 403
    assert _fresh(Order, order.id).status == OrderStatus.PENDING_PAYMENT
    assert db.session.scalar(select(func.count(ProviderEvent.id))) == 0
    assert db.session.scalar(select(func.count(PaymentEvent.id))) == events_before
    assert fake_midtrans.of("GET", f"/v2/{payment.reference}/status") == []


def test_an_amount_that_does_not_match_is_not_paid_and_is_shown_to_staff(app, client, make, fake_midtrans,
                                                                        delivery_order):
    order = delivery_order()
    payment = _attempt(order)
    fake_midtrans.choose(payment.reference, "bca_va")
    fake_midtrans.settle(payment.reference, gross_amount=order.total - 1_000)
    assert notify(client, fake_midtrans.notification(payment.reference)).get_json()["outcome"] == "review"
    assert _fresh(Order, order.id).status == OrderStatus.PENDING_PAYMENT
    payment = _fresh(Payment, payment.id)
    assert payment.status == PaymentStatus.REVIEW and "tidak cocok" in payment.review_reason
    make.login(client, make.user(Role.STAFF))
    page = client.get("/staff/payments").get_data(as_text=True)
    assert order.number in page and "tidak cocok" in page


def test_an_expired_attempt_leaves_the_order_payable(app, client, fake_midtrans, delivery_order, shelf):
    rendang, _songket = shelf
    order = delivery_order()
    payment = _attempt(order)
    fake_midtrans.choose(payment.reference, "bni_va")
    fake_midtrans.expire(payment.reference)
    assert notify(client, fake_midtrans.notification(payment.reference)).get_json()["outcome"] == "expired"
    order = _fresh(Order, order.id)
    assert order.status == OrderStatus.PENDING_PAYMENT and sellable_quantity(rendang.id) == 3
    assert _fresh(Payment, payment.id).status == PaymentStatus.EXPIRED
    assert "midtrans" in core.available_methods(order)
    second = _attempt(order)
    assert second.id != payment.id and second.reference != payment.reference
    assert len(fake_midtrans.of("POST", "/snap/v1/transactions")) == 2


def test_a_late_settlement_takes_the_stock_again_when_it_is_there(app, client, fake_midtrans, delivery_order, shelf):
    rendang, _songket = shelf
    order = delivery_order()
    payment = _attempt(order)
    fake_midtrans.choose(payment.reference, "bca_va")
    clock.freeze(clock.utcnow() + timedelta(hours=25))
    assert expire_due_orders() == [order.number]
    assert sellable_quantity(rendang.id) == 5
    fake_midtrans.settle(payment.reference)
    assert notify(client, fake_midtrans.notification(payment.reference)).get_json()["outcome"] == "paid"
    assert _fresh(Order, order.id).status == OrderStatus.PAID and sellable_quantity(rendang.id) == 3
    assert all(b.balanced for b in lot_balances().values())


def _sold_meanwhile(shelf):
    _rendang, songket = shelf
    counter_sale([CartLine(songket.id, 1)], "cash", user=__import__("tests.factories", fromlist=["F"]).Factories()
                 .user(Role.STAFF))


def test_a_late_qris_settlement_is_refunded_through_midtrans_when_the_stock_is_gone(app, client, fake_midtrans,
                                                                                   delivery_order, shelf):
    order = delivery_order()
    payment = _attempt(order)
    fake_midtrans.choose(payment.reference, "qris")
    clock.freeze(clock.utcnow() + timedelta(hours=25))
    expire_due_orders()
    _sold_meanwhile(shelf)
    fake_midtrans.settle(payment.reference)
    assert notify(client, fake_midtrans.notification(payment.reference)).get_json()["outcome"] == "refunded"
    [call] = fake_midtrans.of("POST", f"/v2/{payment.reference}/refund/online/direct")
    assert call["body"]["amount"] == order.total and call["body"]["refund_key"] == f"late-refund-{payment.id}"
    payment = _fresh(Payment, payment.id)
    assert payment.status == PaymentStatus.REFUNDED and payment.amount_refunded == payment.amount
    assert _fresh(Order, order.id).status == OrderStatus.EXPIRED
    [refund] = db.session.scalars(select(Refund)).all()
    assert refund.automatic and refund.gateway_refund_id


def test_a_late_va_settlement_that_cannot_be_refunded_by_api_is_listed_for_staff(app, client, make, fake_midtrans,
                                                                                delivery_order, shelf):
    order = delivery_order()
    payment = _attempt(order)
    fake_midtrans.choose(payment.reference, "bca_va")
    clock.freeze(clock.utcnow() + timedelta(hours=25))
    expire_due_orders()
    _sold_meanwhile(shelf)
    fake_midtrans.settle(payment.reference)
    assert notify(client, fake_midtrans.notification(payment.reference)).get_json()["outcome"] == "review"
    assert not [r for r in fake_midtrans.requests if "/refund" in r["path"]]
    payment = _fresh(Payment, payment.id)
    assert payment.status == PaymentStatus.REVIEW and "transfer bank" in payment.review_reason
    assert payment in core.in_review()


def test_coming_back_to_the_finish_url_asks_midtrans_and_never_pays_by_itself(app, client, fake_midtrans,
                                                                             delivery_order):
    order = delivery_order()
    payment = _attempt(order)
    fake_midtrans.choose(payment.reference, "gopay")
    back = (f"/orders/{order.number}/payment?t={order.access_token}&order_id={payment.reference}"
            "&status_code=200&transaction_status=settlement")
    assert client.get(back).status_code == 200
    assert _fresh(Order, order.id).status == OrderStatus.PENDING_PAYMENT
    assert len(fake_midtrans.of("GET", f"/v2/{payment.reference}/status")) == 1
    fake_midtrans.settle(payment.reference)
    assert "Pembayaran sudah kami terima" in client.get(back).get_data(as_text=True)
    assert _fresh(Order, order.id).status == OrderStatus.PAID


def _paid_by(client, fake_midtrans, order, channel) -> Payment:
    payment = _attempt(order)
    fake_midtrans.choose(payment.reference, channel)
    fake_midtrans.settle(payment.reference)
    assert notify(client, fake_midtrans.notification(payment.reference)).get_json()["outcome"] == "paid"
    return _fresh(Payment, payment.id)


@pytest.mark.parametrize("channel, path", [("gopay", "/refund/online/direct"), ("credit_card", "/refund")])
def test_partial_then_full_refund_through_midtrans_from_the_staff_page(app, client, make, fake_midtrans,
                                                                      delivery_order, shelf, channel, path):
    rendang, songket = shelf
    order = delivery_order()
    payment = _paid_by(client, fake_midtrans, order, channel)
    make.login(client, make.user(Role.STAFF))
    page = f"/staff/payments/orders/{order.number}"
    token = csrf_token(client, page)
    form = {"csrf_token": token, "scope": "lines", f"qty-{order.lines[0].id}": "1", "reason": "rusak",
            "token": "form-one"}
    client.post(f"{page}/refund", data=form)
    client.post(f"{page}/refund", data=form)  # the same form sent twice refunds once
    calls = fake_midtrans.of("POST", f"/v2/{payment.reference}{path}")
    assert [c["body"]["amount"] for c in calls] == [65_000]
    assert sellable_quantity(rendang.id) == 4
    client.post(f"{page}/refund", data={"csrf_token": token, "scope": "all", "token": "form-two"})
    calls = fake_midtrans.of("POST", f"/v2/{payment.reference}{path}")
    assert [c["body"]["amount"] for c in calls] == [65_000, order.total - 65_000]
    assert len({c["body"]["refund_key"] for c in calls}) == 2
    payment = _fresh(Payment, payment.id)
    assert payment.status == PaymentStatus.REFUNDED and payment.amount_refunded == order.total
    assert _fresh(Order, order.id).status == OrderStatus.REFUNDED
    assert sellable_quantity(rendang.id) == 5 and sellable_quantity(songket.id) == 1
    assert all(r.gateway_refund_id for r in db.session.scalars(select(Refund)))
    # Midtrans's own notification of the refund is recorded, once.
    body = fake_midtrans.notification(payment.reference)
    assert body["transaction_status"] == "refund"
    assert notify(client, body).get_json()["outcome"] == "recorded"
    assert notify(client, body).get_json()["outcome"] == "already processed"


def test_a_va_payment_is_refunded_by_staff_by_transfer_without_calling_midtrans(app, client, make, fake_midtrans,
                                                                               delivery_order):
    order = delivery_order()
    _paid_by(client, fake_midtrans, order, "bni_va")
    record = refunds.refund(_fresh(Order, order.id), user=make.user(Role.STAFF), reason="batal", token="t-1")
    assert record.amount == order.total and record.gateway_refund_id is None
    assert not [r for r in fake_midtrans.requests if "/refund" in r["path"]]


def test_midtrans_down_leaves_the_order_waiting(app, client, fake_midtrans, delivery_order):
    order = delivery_order()
    app.config["MIDTRANS_SNAP_BASE_URL"] = "http://127.0.0.1:9/snap/v1"  # nothing listens there
    response = _start(client, order)
    assert response.status_code == 302
    assert db.session.scalar(select(Payment.status)) == PaymentStatus.FAILED
    assert _fresh(Order, order.id).status == OrderStatus.PENDING_PAYMENT


def test_a_notification_for_an_unknown_order_id_is_acknowledged(app, client, fake_midtrans):
    body = {"order_id": "GO-0000-NOBODY-1", "status_code": "200", "gross_amount": "1000.00",
            "transaction_status": "settlement"}
    body["signature_key"] = signature_key(body["order_id"], "200", "1000.00", SERVER_KEY)
    answer = notify(client, body)
    assert answer.status_code == 200 and answer.get_json()["outcome"] == "unknown"
    assert json.loads(answer.get_data()) == {"received": True, "outcome": "unknown"}


def test_the_dashboard_return_url_checks_the_status_without_revealing_the_order(app, client, make, fake_midtrans,
                                                                               delivery_order):
    order = delivery_order()
    payment = _attempt(order)
    fake_midtrans.choose(payment.reference, "shopeepay")
    fake_midtrans.settle(payment.reference)
    page = client.get(f"/payments/midtrans/return?order_id={payment.reference}&transaction_status=settlement")
    html = page.get_data(as_text=True)
    # Only the order's secret link shows it: the page says where to look, and shows no order details.
    assert page.status_code == 200 and order.access_token not in html and "Rendang" not in html
    assert "tautan pesanan" in html
    assert _fresh(Order, order.id).status == OrderStatus.PAID  # because the Status API said so
    assert client.get("/payments/midtrans/return?order_id=GO-0000-NOBODY-1").status_code == 404
    make.login(client, make.user(Role.STAFF))
    again = client.get(f"/payments/midtrans/return?order_id={payment.reference}")
    assert again.status_code == 303 and f"/orders/{order.number}/payment" in again.headers["Location"]


def test_an_attempts_reference_is_unique_in_the_database(app, delivery_order):
    from sqlalchemy.exc import IntegrityError

    order = delivery_order()
    db.session.add_all([Payment(order_id=order.id, provider="midtrans", amount=1, reference="GO-X-1"),
                        Payment(order_id=order.id, provider="stripe", amount=1, reference="GO-X-1")])
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
