"""WhatsApp template messages through the Cloud API (a local fake), what each party is told and when."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from gallery import clock
from gallery.accounts.models import Role
from gallery.extensions import db
from gallery.notifications.models import Channel, MessageStatus, OutboxMessage, ProducerChannels
from gallery.notifications.preferences import set_producer_channels
from gallery.orders.reminders import remind_due_payments
from gallery.orders.placing import CartLine
from tests.edges import place_order
from tests.edges import pay_at_desk
from gallery.settlements import statements as settlements
from gallery.settlements.models import Statement
from tests.factories import csrf_token
from tests.notifications.conftest import GAMBIR, SHOPPER
from tests.notifications.whatsapp_fake import FakeWhatsApp
from tests import edges


def sent(kind: str | None = None, channel: str | None = None) -> list[OutboxMessage]:
    db.session.expire_all()
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    if channel:
        query = query.where(OutboxMessage.channel == channel)
    return list(db.session.scalars(query))


def whatsapp_order(shelf, **kwargs):
    rendang, _ = shelf
    return place_order([CartLine(rendang.id, 2)], SHOPPER, fulfilment="delivery", address=GAMBIR,
                       service_code="POS_REG", notify_whatsapp=True, **kwargs)


def test_a_shopper_who_chose_whatsapp_gets_the_approved_template_through_the_cloud_api(
        tariff, shelf, fake_whatsapp, mail_outbox):
    order = whatsapp_order(shelf)
    [body] = fake_whatsapp.sent()
    assert fake_whatsapp.requests[0]["path"] == "/v21.0/106540352242922/messages"
    assert (body["messaging_product"], body["type"], body["to"]) == ("whatsapp", "template", "6281234567890")
    assert body["template"]["name"] == "galeri_order_placed" and body["template"]["language"] == {"code": "id"}
    name, number, total, link = FakeWhatsApp.parameters(body)
    assert (name, number, total) == ("Siti Rahma", order.number, "Rp 150.800")
    assert link.endswith(f"/orders/{order.number}?t={order.access_token}")
    [message] = sent(channel=Channel.WHATSAPP)
    assert message.status == MessageStatus.SENT and message.provider_message_id.startswith("wamid.")
    assert len(mail_outbox) == 1  # the e-mail goes as well


def test_each_step_of_the_order_uses_its_own_template(tariff, shelf, fake_whatsapp, make):
    order = whatsapp_order(shelf)
    staff = make.user(Role.STAFF)
    pay_at_desk(order, "bank_transfer", user=staff)
    edges.mark_packed(order, user=staff)
    edges.ship(order, "P261100001234", user=staff)
    assert [body["template"]["name"] for body in fake_whatsapp.sent()] == [
        "galeri_order_placed", "galeri_payment_received", "galeri_order_shipped"]
    assert FakeWhatsApp.parameters(fake_whatsapp.sent()[-1])[2] == "P261100001234"


def test_whatsapp_is_simply_not_used_without_its_settings(tariff, shelf, mail_outbox):
    whatsapp_order(shelf)
    assert [m.channel for m in sent()] == [Channel.EMAIL] and len(mail_outbox) == 1


def test_a_throttled_message_is_tried_again_and_a_refused_template_fails_at_once(tariff, shelf, fake_whatsapp):
    clock.freeze(clock.utcnow())
    fake_whatsapp.fail_with(429, 130429)
    whatsapp_order(shelf)
    [throttled] = sent(channel=Channel.WHATSAPP)
    assert (throttled.status, throttled.attempts) == (MessageStatus.PENDING, 1) and "130429" in throttled.last_error
    fake_whatsapp.fail_with(400, 132001)
    whatsapp_order(shelf)
    refused = sent(channel=Channel.WHATSAPP)[-1]
    assert (refused.status, refused.attempts) == (MessageStatus.FAILED, 1) and "132001" in refused.last_error
    clock.freeze(clock.utcnow() + timedelta(minutes=2))
    from gallery.notifications.jobs import send_due

    assert send_due() == (1, 0)
    assert sent(channel=Channel.WHATSAPP)[0].status == MessageStatus.SENT


def test_the_checkout_offers_whatsapp_only_when_it_is_set_up(client, make, tariff, shelf, app, fake_whatsapp):
    rendang, _ = shelf
    token = csrf_token(client, f"/products/{rendang.product.slug}")
    client.post("/cart/add", data={"variant_id": rendang.id, "quantity": 1, "csrf_token": token})
    page = client.get("/checkout").get_data(as_text=True)
    assert 'name="notify_whatsapp"' in page
    app.config["WHATSAPP_TOKEN"] = None
    assert 'name="notify_whatsapp"' not in client.get("/checkout").get_data(as_text=True)


def test_producers_hear_of_a_sale_when_it_becomes_one_on_the_channels_they_chose(
        tariff, shelf, make, fake_whatsapp, mail_outbox):
    rendang, songket = shelf
    maker = rendang.product.producer
    maker.whatsapp = "6281377700011"
    owner = make.user(Role.PRODUCER, producer=maker, email="lokan@uji.test")
    set_producer_channels(maker, by_email=True, by_whatsapp=True, user=owner)
    staff = make.user(Role.STAFF)
    order = place_order([CartLine(rendang.id, 2), CartLine(songket.id, 1)], SHOPPER, fulfilment="delivery",
                        address=GAMBIR, service_code="POS_REG")
    pay_at_desk(order, "bank_transfer", user=staff)
    edges.mark_packed(order, user=staff)
    assert sent("producer_sale") == []  # paid and packed is not a sale yet
    edges.ship(order, "P261100004321", user=staff)
    by_channel = {m.channel: m for m in sent("producer_sale") if m.producer_id == maker.id}
    assert set(by_channel) == {Channel.EMAIL, Channel.WHATSAPP}
    mail = next(m for m in mail_outbox if m.to == ["lokan@uji.test"])
    assert "Rendang Lokan (250 g) × 2" in mail.body and "Rp 100.000" in mail.body  # two units at the payout
    body = next(b for b in fake_whatsapp.sent() if b["template"]["name"] == "galeri_producer_sale")
    assert FakeWhatsApp.parameters(body) == [maker.business_name, "2 × Rendang Lokan (250 g)", "Rp 100.000"]


def test_a_producer_without_a_whatsapp_number_cannot_choose_whatsapp(client, make):
    maker = make.producer("Tanpa Nomor")
    owner = make.user(Role.PRODUCER, producer=maker)
    make.login(client, owner)
    token = csrf_token(client, "/portal/profile")
    response = client.post("/portal/profile/channels", data={"by_whatsapp": "y", "csrf_token": token})
    assert response.status_code == 422 and "nomor WhatsApp" in response.get_data(as_text=True)
    response = client.post("/portal/profile/channels", data={"csrf_token": token})
    assert response.status_code == 422 and db.session.get(ProducerChannels, maker.id) is None
    response = client.post("/portal/profile/channels", data={"by_email": "y", "csrf_token": token})
    assert response.status_code == 303 and db.session.get(ProducerChannels, maker.id).by_email


def test_a_variant_falling_below_its_threshold_is_told_once(tariff, make, mail_outbox):
    product = make.product(name="Keripik Balado", category="rendang", variants=[("200 g", 25_000, 200)])
    variant = product.variants[0]
    make.user(Role.PRODUCER, producer=product.producer, email="keripik@uji.test")
    make.stock(variant, 5)  # threshold 3
    place_order([CartLine(variant.id, 2)], SHOPPER, fulfilment="pickup")  # 3 left: not below
    assert sent("low_stock") == []
    place_order([CartLine(variant.id, 1)], SHOPPER, fulfilment="pickup")  # 2 left: crossed
    place_order([CartLine(variant.id, 1)], SHOPPER, fulfilment="pickup")  # 1 left: still below, no news
    [message] = sent("low_stock")
    assert message.recipient == "keripik@uji.test" and "tersisa 2 unit" in message.body


def test_an_unpaid_order_is_reminded_once_before_its_deadline(tariff, shelf, mail_outbox):
    clock.freeze(clock.utcnow())
    order = whatsapp_order(shelf)
    assert remind_due_payments() == []  # 24 hours left
    clock.freeze(clock.utcnow() + timedelta(hours=19))
    assert remind_due_payments() == [order.number]
    remind_due_payments()
    [reminder] = sent("payment_reminder")
    assert order.number in reminder.subject and "menunggu pembayaran" in reminder.body


def test_a_producer_hears_when_its_statement_is_approved_and_when_it_is_paid(make, mail_outbox):
    from tests.settlements.conftest import at, proof_png

    maker = make.producer("Tenun Kampung")
    make.user(Role.PRODUCER, producer=maker, email="tenun@uji.test")
    songket = make.product(maker, name="Songket Balapak", category="songket", variants=[("Merah", 900_000, 400)])
    at(3)
    make.stock(songket.variants[0], 2, payout=700_000)
    staff, admin = make.user(Role.STAFF), make.user(Role.ADMIN)
    from tests.edges import sell_at_counter

    sell_at_counter([CartLine(songket.variants[0].id, 1)], "cash", user=staff)
    at(2, month=12)
    settlements.generate(settlements.Period.month(2026, 11), user=staff)
    db.session.commit()
    statement = db.session.scalar(select(Statement).where(Statement.producer_id == maker.id))
    settlements.approve(statement, user=admin)
    db.session.commit()
    settlements.mark_paid(statement, clock.today_wib(), "TRF-001", user=staff, proof=proof_png())
    db.session.commit()
    subjects = [m.subject for m in mail_outbox if m.to == ["tenun@uji.test"]]
    assert any("disetujui" in s for s in subjects) and any("ditransfer" in s for s in subjects)
    paid = next(m for m in mail_outbox if "ditransfer" in m.subject)
    assert "Rp 700.000" in paid.body and "TRF-001" in paid.body
