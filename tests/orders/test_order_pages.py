"""The shopper's order page (secret link or own account) and the signed-in customer's order history."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from gallery import clock
from gallery.accounts.models import Role
from gallery.consignment.services import sellable_quantity
from gallery.extensions import db
from gallery.orders.models import Order, OrderStatus
from gallery.orders.placing import CartLine, Contact
from tests.edges import place_order
from tests.edges import mark_packed, mark_paid, ship
from gallery.shipping.addresses import Address
from gallery.shipping.models import TariffRate
from tests.orders.conftest import JAKARTA_PUSAT
from tests.sqlcount import count_statements

SHOPPER = Contact("Siti Rahma", "siti@contoh.id", "0812 3456 7890")
GAMBIR = Address(*JAKARTA_PUSAT, street="Jl. Medan Merdeka Barat No. 12", postal_code="10110")


def plain(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def rendang(make):
    variant = make.product(name="Rendang Lokan", category="rendang", variants=[("250 g", 65_000, 300)]).variants[0]
    make.stock(variant, 20, expires_in_days=60)
    return variant


def deliver(variant, quantity=2, customer=None, **kwargs) -> Order:
    return place_order([CartLine(variant.id, quantity)], SHOPPER, fulfilment="delivery", address=GAMBIR,
                       service_code="POS_REG", customer=customer, **kwargs)


def link(order: Order) -> str:
    return f"/orders/{order.number}?t={order.access_token}"


def test_the_order_page_shows_status_lines_frozen_shipping_address_and_deadline(client, tariff, rendang):
    order = deliver(rendang, 2, insured=True)
    response = client.get(link(order))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = plain(html)
    assert f"Pesanan {order.number}" in text and "Menunggu pembayaran" in text
    assert "Rendang Lokan (250 g) × 2" in text and "Rp 130.000" in text
    # 2 × 300 g + 100 g = 700 g → 1 kg at Rp 26.000, 20 % off; insurance 0,2 % of 130.000 + 5.000.
    assert "<del" in html and "Rp 26.000 Rp 20.800 hemat Rp 5.200" in text
    assert "Asuransi Rp 5.260" in text and "Total Rp 156.060" in text
    assert "Pos Reguler · estimasi 2–4 hari · berat dihitung 1 kg" in text
    assert "Jl. Medan Merdeka Barat No. 12" in text and "Kec. Gambir" in text and "10110" in text
    deadline = clock.to_wib(order.payment_deadline)
    assert "Mohon bayar sebelum" in text and f"{deadline:%H.%M}" in text and "WIB" in text
    assert "Nomor resi" not in text
    assert 'name="robots" content="noindex"' in html


def test_prices_on_the_page_stay_as_they_were_when_ordered(client, tariff, rendang):
    order = deliver(rendang, 1)
    rendang.price = 99_000
    for rate in db.session.scalars(db.select(TariffRate)):
        rate.price_per_kg *= 2
    db.session.commit()
    text = plain(client.get(link(order)).get_data(as_text=True))
    assert "Rp 65.000" in text and "Rp 99.000" not in text
    assert "Rp 26.000 Rp 20.800 hemat Rp 5.200" in text


@pytest.mark.parametrize("token", ["", "salah", "x" * 200])
def test_a_wrong_or_missing_token_is_404(client, tariff, rendang, token):
    order = deliver(rendang)
    url = f"/orders/{order.number}" + (f"?t={token}" if token else "")
    assert client.get(url).status_code == 404


def test_an_unknown_number_is_404(client):
    assert client.get("/orders/GO-2611-XXXXX?t=abc").status_code == 404
    assert client.get("/orders/" + "G" * 300).status_code == 404


def test_the_customer_sees_their_order_without_the_token_but_nobody_else_does(client, app, make, tariff, rendang):
    owner, other = make.user(), make.user()
    order = deliver(rendang, customer=owner)
    make.login(client, owner)
    assert client.get(f"/orders/{order.number}").status_code == 200
    stranger = app.test_client()
    make.login(stranger, other)
    assert stranger.get(f"/orders/{order.number}").status_code == 404
    assert stranger.get(link(order)).status_code == 200  # the secret link works for whoever has it


def test_a_pick_up_order_says_to_pay_at_the_gallery(client, rendang):
    order = place_order([CartLine(rendang.id, 1)], SHOPPER, fulfilment="pickup")
    text = plain(client.get(link(order)).get_data(as_text=True))
    assert "Bayar di galeri sebelum" in text and "Gratis (ambil di galeri)" in text
    assert "Total Rp 65.000" in text


def test_an_unpaid_order_past_its_deadline_expires_when_looked_at(client, tariff, rendang):
    order = deliver(rendang, 3)
    number = order.number
    assert sellable_quantity(rendang.id) == 17
    clock.freeze(order.payment_deadline + timedelta(minutes=1))
    text = plain(client.get(link(order)).get_data(as_text=True))
    assert "Kedaluwarsa" in text and "Batas waktu pembayaran sudah lewat" in text
    db.session.expire_all()
    assert db.session.scalar(db.select(Order.status).where(Order.number == number)) == OrderStatus.EXPIRED
    assert sellable_quantity(rendang.id) == 20


def test_a_shipped_order_shows_the_resi_and_its_history(client, make, tariff, rendang):
    """Done when: the guest's order to Jakarta Pusat is packed and shipped with a resi; the shopper sees it."""
    order = deliver(rendang, 2)
    staff = make.user(Role.STAFF)
    mark_paid(order, "bank_transfer", user=staff)
    mark_packed(order, user=staff)
    ship(order, "P2611000012345", user=staff)
    text = plain(client.get(link(order)).get_data(as_text=True))
    assert "Dikirim" in text and "Nomor resi P2611000012345" in text
    history = text[text.index("Riwayat"):]
    assert [label for label in ("Menunggu pembayaran", "Dibayar", "Dikemas", "Dikirim") if label in history] == [
        "Menunggu pembayaran", "Dibayar", "Dikemas", "Dikirim"]
    assert "Menunggu pembayaran." not in text  # no payment note once paid


def test_account_orders_needs_a_login(client):
    response = client.get("/account/orders")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_account_orders_lists_only_mine(client, app, make, tariff, rendang):
    me, other = make.user(), make.user()
    mine = [deliver(rendang, 1, customer=me), place_order([CartLine(rendang.id, 2)], SHOPPER, fulfilment="pickup",
                                                           customer=me)]
    theirs = deliver(rendang, 1, customer=other)
    guest = deliver(rendang, 1)
    make.login(client, me)
    page = client.get("/account/orders")
    assert page.status_code == 200
    text = plain(page.get_data(as_text=True))
    for order in mine:
        assert order.number in text
    assert theirs.number not in text and guest.number not in text
    assert "ambil di galeri" in text and "Pos Reguler" in text
    assert text.index(mine[1].number) < text.index(mine[0].number)  # newest first


def test_account_orders_run_a_fixed_number_of_statements(client, make, tariff, rendang):
    me = make.user()
    deliver(rendang, 1, customer=me)
    make.login(client, me)
    with count_statements() as one:
        client.get("/account/orders")
    for _ in range(6):
        deliver(rendang, 1, customer=me)
    with count_statements() as seven:
        page = client.get("/account/orders").get_data(as_text=True)
    assert page.count('class="panel order-item"') == 7
    assert len(seven) == len(one)


def test_the_order_page_runs_a_fixed_number_of_statements(client, make, tariff):
    few = make.product(variants=[("A", 10_000, 100)]).variants[0]
    make.stock(few, 5)
    one = deliver(few, 1)
    products = [make.product(variants=[(f"V{i}", 10_000, 100)]).variants[0] for i in range(5)]
    for variant in products:
        make.stock(variant, 5)
    many = place_order([CartLine(v.id, 1) for v in products], SHOPPER, fulfilment="delivery", address=GAMBIR,
                       service_code="POS_REG")
    urls = link(one), link(many)
    with count_statements() as a:
        client.get(urls[0])
    with count_statements() as b:
        client.get(urls[1])
    assert len(a) == len(b)


def test_the_header_links_a_customer_to_their_orders(client, make):
    me = make.user()
    make.login(client, me)
    assert 'href="/account/orders"' in client.get("/").get_data(as_text=True)
