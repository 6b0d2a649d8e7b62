"""Stripe Checkout against a local fake of the API, and its webhook, signed with the real scheme."""
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from gallery import clock
from gallery.consignment.ledger import lot_balances
from gallery.consignment.services import sellable_quantity
from gallery.extensions import db
from gallery.orders.models import Order, OrderEvent, OrderStatus
from gallery.payments import core
from gallery.payments.gateways import stripe as stripe_gateway
from gallery.payments.models import Payment, PaymentEvent, PaymentStatus, ProviderEvent, Refund
from gallery.payments.gateways.stripe import from_stripe_amount, to_stripe_amount
from tests import edges
from tests.payments.conftest import event, post_event


def _start(client, order):
    return client.post(f"/orders/{order.number}/pay/stripe?t={order.access_token}",
                       data={"csrf_token": _csrf(client, order)})


def _csrf(client, order):
    from tests.factories import csrf_token

    return csrf_token(client, f"/orders/{order.number}/pay?t={order.access_token}")


def _paid_events(order_id):
    return db.session.scalar(select(func.count(OrderEvent.id)).where(
        OrderEvent.order_id == order_id, OrderEvent.to_status == OrderStatus.PAID))


def test_rupiah_are_sent_in_hundredths():
    assert to_stripe_amount(55_000) == 5_500_000
    assert from_stripe_amount(5_500_000) == 55_000 and from_stripe_amount(5_500_050) is None


def test_starting_creates_one_session_with_lines_shipping_expiry_and_idempotency_key(app, client, fake_stripe,
                                                                                     delivery_order):
    order = delivery_order()
    response = _start(client, order)
    assert response.status_code == 303
    assert response.headers["Location"].startswith("https://checkout.stripe.com/c/pay/cs_test_")
    [request] = fake_stripe.of("POST", "/v1/checkout/sessions")
    form = request["form"]
    assert request["auth"] == "Bearer sk_test_fake"
    assert form["line_items[0][price_data][unit_amount]"] == str(65_000 * 100)
    assert form["line_items[0][quantity]"] == "2"
    assert form["line_items[1][price_data][unit_amount]"] == str(450_000 * 100)
    assert form["line_items[2][price_data][unit_amount]"] == str(order.shipping_total * 100)
    assert form["line_items[0][price_data][currency]"] == "idr"
    assert form["client_reference_id"] == order.number and form["metadata[order_number]"] == order.number
    assert form["payment_method_types[0]"] == "card"
    expires = int(form["expires_at"])
    assert 30 * 60 <= expires - time.time() <= 32 * 60
    assert f"/orders/{order.number}/payment?t=" in form["success_url"] and "{CHECKOUT_SESSION_ID}" in form["success_url"]
    assert f"/orders/{order.number}/pay?t=" in form["cancel_url"]
    payment = db.session.scalar(select(Payment))
    assert request["idempotency_key"] == payment.idempotency_key == f"checkout-{order.number}-{payment.id}"
    assert fake_stripe.sessions[payment.reference]["amount_total"] == order.total * 100
    # Going back to the same choice while the session is open reuses it.
    _start(client, order)
    assert len(fake_stripe.of("POST", "/v1/checkout/sessions")) == 1


def test_the_attempt_is_saved_before_stripe_is_asked_so_an_early_webhook_finds_it(app, client, fake_stripe,
                                                                                  delivery_order):
    # Stripe may send checkout.session.completed before its answer to the shop arrives: by the time the
    # session is asked for, the attempt must be in the database for any other connection (the webhook's).
    order = delivery_order()
    engine, seen = db.engine, []

    def look(method, path, key):
        if (method, path) == ("POST", "/v1/checkout/sessions"):
            with engine.connect() as other:
                seen.append(other.scalar(select(Payment.status).where(Payment.idempotency_key == key)))

    fake_stripe.before = look
    assert _start(client, order).status_code == 303
    assert seen == [PaymentStatus.OPEN]


def test_stripe_is_hidden_without_keys(app, client, delivery_order):
    order = delivery_order()
    assert app.config["STRIPE_SECRET_KEY"] is None
    page = client.get(f"/orders/{order.number}/pay?t={order.access_token}").get_data(as_text=True)
    assert "Stripe" not in page and "Transfer bank" in page and "Bayar di galeri" not in page
    assert core.available_methods(order) == ["bank_transfer"]


def _paid_session(fake_stripe, order):
    payment = edges.start_with_gateway(stripe_gateway.GATEWAY, order)
    return payment, fake_stripe.pay(payment.reference)


def test_a_paid_session_pays_once_though_the_event_arrives_five_times(app, client, fake_stripe, delivery_order,
                                                                     mail_outbox):
    order = delivery_order()
    payment, session = _paid_session(fake_stripe, order)
    completed = event("checkout.session.completed", session)
    answers = [post_event(client, completed) for _ in range(5)]
    assert [a.status_code for a in answers] == [200] * 5
    assert answers[0].get_json()["outcome"] == "paid"
    assert all(a.get_json()["outcome"] == "already processed" for a in answers[1:])
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    assert order.status == OrderStatus.PAID and order.payment_method == "stripe"
    assert _paid_events(order.id) == 1
    assert db.session.scalar(select(func.count(ProviderEvent.id))) == 1
    assert db.session.get(Payment, payment.id).status == PaymentStatus.PAID
    assert len([m for m in mail_outbox if "Pembayaran" in m.subject]) == 1
    # A different event about the same session (e.g. async success) changes nothing either.
    assert post_event(client, event("checkout.session.async_payment_succeeded", session)).get_json()["outcome"] \
        == "already_settled"
    assert _paid_events(order.id) == 1


@pytest.mark.requires_postgres
def test_two_deliveries_at_the_same_moment_pay_once(app, fake_stripe, delivery_order):
    order = delivery_order()
    payment, session = _paid_session(fake_stripe, order)
    completed = event("checkout.session.completed", session)
    order_id = order.id
    db.session.remove()
    barrier, answers = threading.Barrier(4), []

    def deliver():
        client = app.test_client()
        barrier.wait(timeout=30)
        answers.append(post_event(client, completed).status_code)

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert answers == [200] * 4
    assert db.session.get(Order, order_id).status == OrderStatus.PAID
    assert _paid_events(order_id) == 1
    assert db.session.scalar(select(func.count(ProviderEvent.id))) == 1


def test_a_bad_or_old_signature_gets_400_and_changes_nothing(app, client, fake_stripe, delivery_order):
    order = delivery_order()
    payment, session = _paid_session(fake_stripe, order)
    completed = event("checkout.session.completed", session)
    assert post_event(client, completed, secret="whsec_someone_else").status_code == 400
    assert post_event(client, completed, timestamp=int(time.time()) - 301).status_code == 400
    assert client.post("/payments/stripe/webhook", data="{}", headers={"Stripe-Signature": "t=1,v1=00"}).status_code == 400
    assert client.post("/payments/stripe/webhook", data="{}").status_code == 400
    assert db.session.get(Order, order.id).status == OrderStatus.PENDING_PAYMENT
    assert db.session.scalar(select(func.count(ProviderEvent.id))) == 0


def test_an_expired_session_releases_the_stock(app, client, fake_stripe, delivery_order, shelf):
    rendang, _ = shelf
    order = delivery_order()
    assert sellable_quantity(rendang.id) == 3
    payment = edges.start_with_gateway(stripe_gateway.GATEWAY, order)
    session = dict(fake_stripe.sessions[payment.reference], status="expired")
    assert post_event(client, event("checkout.session.expired", session)).get_json()["outcome"] == "released"
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == OrderStatus.CANCELLED
    assert sellable_quantity(rendang.id) == 5
    assert db.session.get(Payment, payment.id).status == PaymentStatus.EXPIRED
    assert all(b.balanced for b in lot_balances().values())


def test_an_expired_session_keeps_the_order_when_the_shopper_chose_a_transfer_meanwhile(app, client, fake_stripe,
                                                                                       delivery_order):
    order = delivery_order()
    payment = edges.start_with_gateway(stripe_gateway.GATEWAY, order)
    edges.start_bank_transfer(order)
    session = dict(fake_stripe.sessions[payment.reference], status="expired")
    assert post_event(client, event("checkout.session.expired", session)).get_json()["outcome"] == "expired"
    assert db.session.get(Order, order.id).status == OrderStatus.PENDING_PAYMENT


def test_a_mismatched_amount_goes_to_review_and_does_not_pay(app, client, fake_stripe, delivery_order):
    order = delivery_order()
    payment, session = _paid_session(fake_stripe, order)
    wrong = dict(session, amount_total=session["amount_total"] - 100_00)
    assert post_event(client, event("checkout.session.completed", wrong)).get_json()["outcome"] == "review"
    other_currency = dict(session, currency="usd")
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == OrderStatus.PENDING_PAYMENT
    payment = db.session.get(Payment, payment.id)
    assert payment.status == PaymentStatus.REVIEW and "tidak cocok" in payment.review_reason
    assert post_event(client, event("checkout.session.completed", other_currency)).get_json()["outcome"] == "review"
    assert payment in core.in_review()


def test_an_unpaid_completion_waits_and_an_async_failure_is_recorded(app, client, fake_stripe, delivery_order):
    order = delivery_order()
    payment = edges.start_with_gateway(stripe_gateway.GATEWAY, order)
    session = dict(fake_stripe.sessions[payment.reference], status="complete", payment_status="unpaid")
    assert post_event(client, event("checkout.session.completed", session)).get_json()["outcome"] == "processing"
    assert post_event(client, event("checkout.session.async_payment_failed", session)).get_json()["outcome"] == "failed"
    assert db.session.get(Order, order.id).status == OrderStatus.PENDING_PAYMENT
    kinds = db.session.scalars(select(PaymentEvent.kind).order_by(PaymentEvent.id)).all()
    assert kinds == ["started", "session_created", "processing", "failed"]


def test_async_success_pays(app, client, fake_stripe, delivery_order):
    order = delivery_order()
    payment, session = _paid_session(fake_stripe, order)
    assert post_event(client, event("checkout.session.async_payment_succeeded", session)).get_json()["outcome"] == "paid"
    assert db.session.get(Order, order.id).status == OrderStatus.PAID


def test_an_event_for_an_unknown_session_is_acknowledged(app, client, fake_stripe):
    session = {"id": "cs_test_nobody", "object": "checkout.session", "amount_total": 100, "currency": "idr",
               "payment_status": "paid", "metadata": {}}
    response = post_event(client, event("checkout.session.completed", session))
    assert response.status_code == 200 and response.get_json()["outcome"] == "unknown"
    assert post_event(client, event("customer.created", {"id": "cus_1"})).get_json()["outcome"] == "ignored"


def test_returning_to_the_success_url_unpaid_does_not_pay(app, client, fake_stripe, delivery_order):
    order = delivery_order()
    payment = edges.start_with_gateway(stripe_gateway.GATEWAY, order)
    page = client.get(f"/orders/{order.number}/payment?t={order.access_token}&session_id={payment.reference}")
    assert page.status_code == 200 and "Menunggu konfirmasi" in page.get_data(as_text=True)
    assert db.session.get(Order, order.id).status == OrderStatus.PENDING_PAYMENT
    assert len(fake_stripe.of("GET", f"/v1/checkout/sessions/{payment.reference}")) == 1
    # A made-up session id is not even asked about.
    client.get(f"/orders/{order.number}/payment?t={order.access_token}&session_id=cs_test_forged")
    assert len(fake_stripe.of("GET", "/v1/checkout/sessions/cs_test_forged")) == 0


def test_returning_after_paying_confirms_through_stripe_before_the_webhook(app, client, fake_stripe, delivery_order):
    order = delivery_order()
    payment, session = _paid_session(fake_stripe, order)
    page = client.get(f"/orders/{order.number}/payment?t={order.access_token}&session_id={payment.reference}")
    assert "Pembayaran sudah kami terima" in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == OrderStatus.PAID
    # The webhook arriving afterwards changes nothing.
    assert post_event(client, event("checkout.session.completed", session)).get_json()["outcome"] == "already_settled"
    assert _paid_events(order.id) == 1


def test_a_late_payment_takes_the_stock_again_when_it_is_there(app, client, fake_stripe, delivery_order, shelf):
    rendang, songket = shelf
    order = delivery_order()
    payment, session = _paid_session(fake_stripe, order)
    clock.freeze(clock.utcnow() + timedelta(hours=25))
    from gallery.orders.cli import expire_due_orders

    assert expire_due_orders() == [order.number]
    assert sellable_quantity(rendang.id) == 5
    assert post_event(client, event("checkout.session.completed", session)).get_json()["outcome"] == "paid"
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    assert order.status == OrderStatus.PAID
    assert sellable_quantity(rendang.id) == 3 and sellable_quantity(songket.id) == 0
    assert sum(a.quantity for line in order.lines for a in line.allocations) == 3
    assert all(b.balanced for b in lot_balances().values())
    assert fake_stripe.refunds == []


def test_a_late_payment_is_refunded_when_the_stock_is_gone(app, client, fake_stripe, delivery_order, shelf):
    rendang, songket = shelf
    order = delivery_order()
    payment, session = _paid_session(fake_stripe, order)
    clock.freeze(clock.utcnow() + timedelta(hours=25))
    from gallery.orders.cli import expire_due_orders
    from gallery.orders.placing import CartLine
    from tests.edges import counter_sale

    expire_due_orders()
    staff = __import__("tests.factories", fromlist=["Factories"]).Factories().user("staff")
    counter_sale([CartLine(songket.id, 1)], "cash", user=staff)  # the songket sold at the counter meanwhile
    completed = event("checkout.session.completed", session)
    assert post_event(client, completed).get_json()["outcome"] == "refunded"
    assert post_event(client, completed).get_json()["outcome"] == "already processed"
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == OrderStatus.EXPIRED
    payment = db.session.get(Payment, payment.id)
    assert payment.status == PaymentStatus.REFUNDED and payment.amount_refunded == payment.amount
    [refund_call] = fake_stripe.of("POST", "/v1/refunds")
    assert refund_call["form"]["payment_intent"] == session["payment_intent"]
    assert refund_call["idempotency_key"] == f"late-refund-{payment.id}"
    [refund] = db.session.scalars(select(Refund)).all()
    assert refund.automatic and refund.gateway_refund_id.startswith("re_test_")
    assert sellable_quantity(rendang.id) == 5
    assert all(b.balanced for b in lot_balances().values())


def test_stripe_down_leaves_the_order_waiting_and_says_so(app, client, fake_stripe, delivery_order):
    order = delivery_order()
    fake_stripe.fail_next = True
    app.extensions.get("gallery_stripe_clients", {}).clear()
    from gallery.errors import DomainError

    try:
        import stripe

        client_ = stripe.StripeClient("sk_test_fake", base_addresses={"api": fake_stripe.url}, max_network_retries=0)
        app.extensions.setdefault("gallery_stripe_clients", {})[("sk_test_fake", fake_stripe.url)] = client_
        edges.start_with_gateway(stripe_gateway.GATEWAY, order)
        raise AssertionError("expected DomainError")
    except DomainError:
        pass
    finally:
        app.extensions["gallery_stripe_clients"].clear()
    assert db.session.scalar(select(Payment.status)) == PaymentStatus.FAILED
    assert db.session.get(Order, order.id).status == OrderStatus.PENDING_PAYMENT


def test_a_signed_event_five_times_at_once_then_five_times_again_pays_once(app, fake_stripe, delivery_order):
    """What held when probed from outside (issue 15): 5 concurrent and 5 sequential deliveries, one payment."""
    order = delivery_order()
    payment, session = _paid_session(fake_stripe, order)
    completed = event("checkout.session.completed", session)
    order_id = order.id
    db.session.remove()
    barrier, answers = threading.Barrier(5), []

    def deliver():
        client = app.test_client()
        barrier.wait(timeout=30)
        answers.append(post_event(client, completed).status_code)

    threads = [threading.Thread(target=deliver) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    client = app.test_client()
    answers += [post_event(client, completed).status_code for _ in range(5)]
    assert answers == [200] * 10
    assert db.session.get(Order, order_id).status == OrderStatus.PAID
    assert _paid_events(order_id) == 1
    assert db.session.scalar(select(func.count(ProviderEvent.id))) == 1
