"""Bank transfer with a unique code, paying at the gallery, staff screens, proofs, refunds, access."""
import io
import threading

import pytest
from PIL import Image
from sqlalchemy import func, select

from gallery.accounts.models import Role
from gallery.consignment.ledger import lot_balances
from gallery.consignment.services import sellable_quantity
from gallery.errors import DomainError
from gallery.extensions import db
from gallery.orders.models import Order, OrderStatus
from gallery.payments import core, refunds, transfers
from gallery.payments.gateways import stripe as stripe_gateway
from gallery.payments.models import Payment, PaymentEvent, PaymentStatus, Refund
from tests import edges
from tests.factories import csrf_token
from tests.payments.conftest import post_event, event


def _staff(make, client):
    staff = make.user(Role.STAFF)
    make.login(client, staff)
    return staff


def test_a_transfer_shows_account_exact_amount_and_deadline(app, client, delivery_order):
    order = delivery_order()
    token = csrf_token(client, f"/orders/{order.number}/pay?t={order.access_token}")
    response = client.post(f"/orders/{order.number}/pay/bank_transfer?t={order.access_token}",
                           data={"csrf_token": token})
    assert response.status_code == 303 and f"/orders/{order.number}/payment" in response.headers["Location"]
    payment = db.session.scalar(select(Payment))
    assert 1 <= payment.unique_code <= 999 and payment.amount == order.total + payment.unique_code
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert app.config["GALLERY_BANK_ACCOUNT"] in page and app.config["GALLERY_BANK_HOLDER"] in page
    assert f"{payment.amount:,}".replace(",", ".") in page and "Menunggu konfirmasi" in page


def test_unique_codes_never_repeat_among_open_transfers(app, make, tariff):
    variant = make.product(variants=[("Standar", 10_000, 100)]).variants[0]
    make.stock(variant, 200)
    from gallery.orders.placing import CartLine
    from tests.edges import place_order
    from tests.payments.conftest import SHOPPER

    codes = []
    for _ in range(25):
        order = place_order([CartLine(variant.id, 1)], SHOPPER, fulfilment="pickup")
        codes.append(edges.start_bank_transfer(order).unique_code)
    assert len(set(codes)) == 25
    # A rejected transfer frees its code; the open ones stay distinct.
    first = db.session.scalar(select(Payment).where(Payment.unique_code == codes[0]))
    transfers.reject_transfer(first, user=make.user(Role.STAFF))
    open_codes = db.session.scalars(select(Payment.unique_code).where(Payment.status == PaymentStatus.OPEN)).all()
    assert len(open_codes) == len(set(open_codes)) == 24


def test_the_database_refuses_a_repeated_open_code(app, pickup_order):
    from sqlalchemy.exc import IntegrityError

    a, b = pickup_order(), pickup_order()
    payment = edges.start_bank_transfer(a)
    db.session.add(Payment(order_id=b.id, provider="bank_transfer", status="open", amount=b.total + payment.unique_code,
                           unique_code=payment.unique_code))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


@pytest.mark.requires_postgres
def test_concurrent_transfers_get_distinct_codes(app, make):
    variant = make.product(variants=[("Standar", 10_000, 100)]).variants[0]
    make.stock(variant, 50)
    from gallery.orders.placing import CartLine
    from tests.edges import place_order
    from tests.payments.conftest import SHOPPER

    numbers = [place_order([CartLine(variant.id, 1)], SHOPPER, fulfilment="pickup").number for _ in range(12)]
    db.session.remove()
    barrier, codes, errors = threading.Barrier(len(numbers)), [], []
    original = transfers.secrets.choice

    def work(number):
        with app.app_context():
            try:
                order = db.session.scalar(select(Order).where(Order.number == number))
                barrier.wait(timeout=30)
                codes.append(edges.start_bank_transfer(order).unique_code)
            except Exception as error:  # noqa: BLE001
                errors.append(error)
            finally:
                db.session.remove()

    # Make collisions likely: every thread first tries the lowest free code.
    transfers.secrets.choice = lambda free: free[0]
    try:
        threads = [threading.Thread(target=work, args=(n,)) for n in numbers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        transfers.secrets.choice = original
    assert not errors, errors
    assert len(codes) == len(set(codes)) == len(numbers)


@pytest.mark.requires_postgres
def test_two_clicks_at_once_leave_one_open_transfer_for_the_order(app, make):
    variant = make.product(variants=[("Standar", 10_000, 100)]).variants[0]
    make.stock(variant, 5)
    from gallery.orders.placing import CartLine
    from tests.edges import place_order
    from tests.payments.conftest import SHOPPER

    number = place_order([CartLine(variant.id, 1)], SHOPPER, fulfilment="pickup").number
    db.session.remove()
    barrier, codes, errors = threading.Barrier(4), [], []

    def click():
        with app.app_context():
            try:
                order = db.session.scalar(select(Order).where(Order.number == number))
                barrier.wait(timeout=30)
                codes.append(edges.start_bank_transfer(order).unique_code)
            except Exception as error:  # noqa: BLE001
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=click) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert len(set(codes)) == 1
    assert db.session.scalar(select(func.count(Payment.id)).where(Payment.status == PaymentStatus.OPEN)) == 1


def test_staff_confirm_a_transfer_paid_email_and_packing_queue(app, client, make, delivery_order, mail_outbox):
    order = delivery_order()
    payment = edges.start_bank_transfer(order)
    _staff(make, client)
    page = client.get("/staff/payments")
    assert page.status_code == 200 and order.number in page.get_data(as_text=True)
    token = csrf_token(client, "/staff/payments")
    response = client.post(f"/staff/payments/{payment.id}/confirm", data={"csrf_token": token})
    assert response.status_code == 303
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    assert order.status == OrderStatus.PAID and order.payment_method == "bank_transfer"
    assert db.session.get(Payment, payment.id).status == PaymentStatus.PAID
    assert any(order.number in m.subject for m in mail_outbox)
    queue = client.get("/staff/orders?status=paid").get_data(as_text=True)
    assert order.number in queue
    history = client.get(f"/staff/payments/orders/{order.number}").get_data(as_text=True)
    assert "Dikonfirmasi staf" in history and "Pembayaran dibuka" in history and "session_created" not in history
    # Confirming twice does nothing more.
    client.post(f"/staff/payments/{payment.id}/confirm", data={"csrf_token": token})
    assert db.session.scalar(select(func.count(PaymentEvent.id)).where(PaymentEvent.kind == "confirmed")) == 1


def test_staff_reject_a_transfer(app, client, make, delivery_order):
    order = delivery_order()
    payment = edges.start_bank_transfer(order)
    _staff(make, client)
    token = csrf_token(client, "/staff/payments")
    client.post(f"/staff/payments/{payment.id}/reject", data={"csrf_token": token, "reason": "tidak ada di mutasi"})
    db.session.expire_all()
    assert db.session.get(Payment, payment.id).status == PaymentStatus.REJECTED
    assert db.session.get(Order, order.id).status == OrderStatus.PENDING_PAYMENT


def test_a_late_transfer_with_stock_gone_is_flagged_for_staff(app, make, delivery_order, shelf):
    from datetime import timedelta

    from gallery import clock
    from gallery.orders.cli import expire_due_orders
    from gallery.orders.placing import CartLine
    from tests.edges import counter_sale

    _, songket = shelf
    order = delivery_order()
    payment = edges.start_bank_transfer(order)
    clock.freeze(clock.utcnow() + timedelta(hours=25))
    expire_due_orders()
    staff = make.user(Role.STAFF)
    counter_sale([CartLine(songket.id, 1)], "cash", user=staff)
    assert edges.confirm_transfer(payment, user=staff) == "review"
    db.session.expire_all()
    assert db.session.get(Payment, payment.id).status == PaymentStatus.REVIEW
    assert db.session.get(Order, order.id).status == OrderStatus.EXPIRED


def test_pay_at_the_gallery_for_pickup_orders(app, client, make, pickup_order, delivery_order, mail_outbox):
    order = pickup_order()
    assert "gallery" in core.available_methods(order)
    assert "gallery" not in core.available_methods(delivery_order(with_songket=False))
    token = csrf_token(client, f"/orders/{order.number}/pay?t={order.access_token}")
    client.post(f"/orders/{order.number}/pay/gallery?t={order.access_token}", data={"csrf_token": token})
    payment = db.session.scalar(select(Payment).where(Payment.order_id == order.id))
    assert payment.provider == "gallery" and payment.deadline == order.payment_deadline
    _staff(make, client)
    token = csrf_token(client, "/staff/payments")
    client.post(f"/staff/payments/{payment.id}/confirm", data={"csrf_token": token, "method": "qris"})
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    assert order.status == OrderStatus.PAID and order.payment_method == "qris"
    assert any(order.number in m.subject for m in mail_outbox)


def _png(size=(300, 300)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def test_a_proof_is_re_encoded_and_shown_only_to_the_holder_and_staff(app, client, make, delivery_order):
    order = delivery_order()
    payment = edges.start_bank_transfer(order)
    url = f"/orders/{order.number}/payment?t={order.access_token}"
    token = csrf_token(client, url)
    client.post(f"/orders/{order.number}/payment/{payment.id}/proof?t={order.access_token}",
                data={"csrf_token": token, "proof": (io.BytesIO(b"not an image"), "x.png")})
    assert db.session.get(Payment, payment.id).proof_key is None
    client.post(f"/orders/{order.number}/payment/{payment.id}/proof?t={order.access_token}",
                data={"csrf_token": token, "proof": (io.BytesIO(_png()), "bukti.png")})
    db.session.expire_all()
    payment = db.session.get(Payment, payment.id)
    assert payment.proof_key
    image = client.get(f"/orders/{order.number}/payment/{payment.id}/proof.jpg?t={order.access_token}")
    assert image.status_code == 200 and image.data[:3] == b"\xff\xd8\xff"
    assert client.get(f"/orders/{order.number}/payment/{payment.id}/proof.jpg?t=wrong").status_code == 404
    other = app.test_client()
    assert other.get(f"/staff/payments/{payment.id}/proof.jpg").status_code == 302
    _staff(make, other)
    assert other.get(f"/staff/payments/{payment.id}/proof.jpg").status_code == 200


def test_access_control(app, client, make, delivery_order):
    order = delivery_order()
    assert client.get(f"/orders/{order.number}/pay?t=wrong").status_code == 404
    assert client.get(f"/orders/{order.number}/payment").status_code == 404
    assert client.get("/orders/GO-0000-XXXXX/pay?t=x").status_code == 404
    for path in ("/staff/payments", f"/staff/payments/orders/{order.number}"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    for role in (Role.CUSTOMER, Role.PRODUCER):
        other = app.test_client()
        user = make.user(role, producer=make.producer() if role == Role.PRODUCER else None)
        make.login(other, user)
        assert other.get("/staff/payments").status_code == 403
        assert other.post("/staff/payments/1/confirm").status_code in (400, 403)
    # POSTs need the CSRF token.
    assert client.post(f"/orders/{order.number}/pay/bank_transfer?t={order.access_token}").status_code == 400


def test_staff_refund_per_line_with_goods_back_and_in_full_through_stripe(app, client, make, fake_stripe,
                                                                         delivery_order, shelf):
    rendang, songket = shelf
    order = delivery_order()
    payment = edges.start_with_gateway(stripe_gateway.GATEWAY, order)
    session = fake_stripe.pay(payment.reference)
    post_event(client, event("checkout.session.completed", session))
    _staff(make, client)
    page = client.get(f"/staff/payments/orders/{order.number}")
    assert page.status_code == 200
    token = csrf_token(client, f"/staff/payments/orders/{order.number}")
    rendang_line = order.lines[0]
    client.post(f"/staff/payments/orders/{order.number}/refund",
                data={"csrf_token": token, "scope": "lines", f"qty-{rendang_line.id}": "1", "restock": "1",
                      "reason": "rusak"})
    [call] = fake_stripe.of("POST", "/v1/refunds")
    assert call["form"]["amount"] == str(65_000 * 100) and call["form"]["payment_intent"] == session["payment_intent"]
    assert sellable_quantity(rendang.id) == 4
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == OrderStatus.PAID
    # Then the rest: the order was not handed over yet, so its goods go back on the shelf too.
    client.post(f"/staff/payments/orders/{order.number}/refund", data={"csrf_token": token, "scope": "all"})
    db.session.expire_all()
    payment = db.session.get(Payment, payment.id)
    assert payment.status == PaymentStatus.REFUNDED and payment.amount_refunded == order.total
    assert db.session.get(Order, order.id).status == OrderStatus.REFUNDED
    assert sellable_quantity(rendang.id) == 5 and sellable_quantity(songket.id) == 1
    assert [r.amount for r in db.session.scalars(select(Refund).order_by(Refund.id))] == [65_000, order.total - 65_000]
    assert all(b.balanced for b in lot_balances().values())
    # Nothing left to refund.
    with pytest.raises(DomainError):
        refunds.refund(db.session.get(Order, order.id), user=make.user(Role.STAFF))


def test_a_transfer_refund_is_recorded_without_stripe(app, make, fake_stripe, delivery_order):
    order = delivery_order()
    payment = edges.start_bank_transfer(order)
    staff = make.user(Role.STAFF)
    edges.confirm_transfer(payment, user=staff)
    refund = refunds.refund(db.session.get(Order, order.id), user=staff, reason="batal")
    assert refund.amount == payment.amount and refund.gateway_refund_id is None
    assert fake_stripe.of("POST", "/v1/refunds") == []


def test_the_order_block_partial_offers_to_pay_and_shows_the_transfer(app, pickup_order):
    from flask import render_template_string

    order = pickup_order()
    with app.test_request_context(f"/orders/{order.number}?t={order.access_token}"):
        html = render_template_string('{% include "payments/_order_block.html" %}', order=order)
        assert "Bayar sekarang" in html and f"/orders/{order.number}/pay?t=" in html
        payment = edges.start_bank_transfer(order)
        html = render_template_string('{% include "payments/_order_block.html" %}', order=order)
        assert f"{payment.amount:,}".replace(",", ".") in html and "/payment?t=" in html
