"""Checkout through the browser, without JavaScript: contact, dependent region selects, Pos options, placing."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from flask import current_app
from sqlalchemy import func, select

from gallery.consignment.ledger import allocate
from gallery.devtools.demo import DEMO_USERS
from gallery.consignment.models import StockMovement
from gallery.consignment.services import sellable_quantity
from gallery.extensions import db
from gallery.orders.models import Order, OrderStatus
from tests.factories import csrf_token
from tests.orders.conftest import JAKARTA_PUSAT

PROVINCE, REGENCY, DISTRICT = JAKARTA_PUSAT
CONTACT = {"name": "Siti Rahma", "email": "siti@contoh.id", "whatsapp": "0812 3456 7890"}
ADDRESS = {"street": "Jl. Medan Merdeka Barat No. 12", "postal_code": "10110"}


class FormReader(HTMLParser):
    """What a browser would post from the checkout form: every field's current value."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, str] = {}
        self.options: dict[str, list[str]] = {}
        self._select = None
        self._textarea = None
        self._in_form = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("class") == "checkout":
            self._in_form = True
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit",):
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox"):
                self.options.setdefault(name, []).append(a.get("value", "y"))
                if "checked" in a:
                    self.data[name] = a.get("value", "y")
            else:
                self.data[name] = a.get("value", "")
        elif tag == "select" and name:
            self._select = name
            self.options[name] = []
        elif tag == "option" and self._select:
            self.options[self._select].append(a.get("value", ""))
            if "selected" in a or self._select not in self.data:
                self.data[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._in_form = False

    def handle_data(self, data):
        if self._textarea:
            text = self.data[self._textarea] + data.replace("\r\n", "\n")
            self.data[self._textarea] = text[1:] if text.startswith("\n") else text  # as browsers read it


def read_form(response) -> FormReader:
    reader = FormReader()
    reader.feed(response.get_data(as_text=True))
    return reader


def submit(client, response, action: str, **changes):
    """Post the form as the page shows it, with `changes` typed or chosen, pressing the `action` button."""
    data = read_form(response).data
    data.update(changes)
    data["action"] = action
    return client.post("/checkout", data={k: v for k, v in data.items() if v is not None})


def plain(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def orders() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Order.id)))


def outbox() -> list:
    return getattr(current_app.extensions["mailman"], "outbox", [])


def add(client, variant, quantity):
    response = client.post("/cart/add", data={"variant_id": str(variant.id), "quantity": str(quantity),
                                              "csrf_token": csrf_token(client, f"/products/{variant.product.slug}")})
    assert response.status_code == 303


@pytest.fixture
def shelf(make):
    rendang = make.product(name="Rendang Lokan", category="rendang", variants=[("250 g", 65_000, 300)])
    songket = make.product(name="Selendang Songket", category="songket", variants=[("Merah", 450_000, 400)])
    early = make.stock(rendang.variants[0], 2, payout=52_000, expires_in_days=20)
    late = make.stock(rendang.variants[0], 10, payout=50_000, expires_in_days=90)
    make.stock(songket.variants[0], 1, payout=380_000)
    return rendang.variants[0], songket.variants[0], early, late


@pytest.fixture
def filled(client, tariff, shelf):
    """A guest's cart with 3 × rendang and 1 songket (1.4 kg), and the checkout page for Gambir, Jakarta Pusat."""
    rendang, songket, *_ = shelf
    add(client, rendang, 3)
    add(client, songket, 1)
    page = client.get("/checkout")
    page = submit(client, page, "refresh", province_code=PROVINCE, **CONTACT)
    page = submit(client, page, "refresh", regency_code=REGENCY)
    return submit(client, page, "refresh", district_code=DISTRICT, **ADDRESS)


def test_a_guest_checks_out_to_jakarta_pusat_with_pos_reguler_without_javascript(client, tariff, shelf):
    rendang, songket, early, late = shelf
    add(client, rendang, 3)
    add(client, songket, 1)
    sent = len(outbox())

    page = client.get("/checkout")
    assert page.status_code == 200
    form = read_form(page)
    assert PROVINCE in form.options["province_code"]
    assert form.options["regency_code"] == [""] and form.options["district_code"] == [""]
    assert "service" not in form.options
    assert "Perbarui pilihan" in page.get_data(as_text=True)

    page = submit(client, page, "refresh", province_code=PROVINCE, **CONTACT)
    assert page.status_code == 200
    form = read_form(page)
    assert REGENCY in form.options["regency_code"] and "13.71" not in form.options["regency_code"]
    assert form.data["name"] == "Siti Rahma" and form.data["whatsapp"] == "0812 3456 7890"  # typed values kept
    assert form.data["province_code"] == PROVINCE

    page = submit(client, page, "refresh", regency_code=REGENCY)
    form = read_form(page)
    assert DISTRICT in form.options["district_code"] and "13.01.05" not in form.options["district_code"]
    # Options for Jakarta Pusat: 3 × 300 g + 400 g + 100 g packaging = 1.4 kg → 2 kg at Rp 26.000, 20 % off.
    assert form.options["service"] == ["POS_REG", "POS_NEXTDAY"]
    assert form.data["service"] == "POS_REG"  # the cheapest is chosen until the shopper picks another
    html = page.get_data(as_text=True)
    option = re.search(r'value="POS_REG".*?</label>', html, re.S).group(0)
    assert "<del" in option and "Rp\u00a052.000</del>" in option
    assert "Rp\u00a041.600" in option and "hemat Rp\u00a010.400" in option and "2–4 hari" in option
    summary = plain(re.search(r'<aside class="panel checkout-summary".*?</aside>', html, re.S).group(0))
    assert "Subtotal Rp 645.000" in summary
    assert "Rp 52.000 Rp 41.600 hemat Rp 10.400" in summary
    assert "Total Rp 686.600" in summary
    assert not re.search(r'type="hidden"[^>]*name="(?!csrf_token)', html)  # nothing but the token is hidden

    page = submit(client, page, "refresh", district_code=DISTRICT, **ADDRESS)
    assert read_form(page).data["district_code"] == DISTRICT

    response = submit(client, page, "place")
    assert response.status_code == 303, plain(response.get_data(as_text=True))[:2000]
    order = db.session.scalar(select(Order))
    assert response.headers["Location"].endswith(f"/orders/{order.number}?t={order.access_token}")
    assert order.status == OrderStatus.PENDING_PAYMENT and order.customer_id is None
    assert (order.contact_name, order.contact_email, order.contact_whatsapp) == (
        "Siti Rahma", "siti@contoh.id", "6281234567890")
    assert (order.province_code, order.regency_code, order.district_code, order.postal_code) == (
        PROVINCE, REGENCY, DISTRICT, "10110")
    assert (order.shipping_service_code, order.shipping_public_price, order.shipping_discount,
            order.shipping_price, order.insurance) == ("POS_REG", 52_000, 10_400, 41_600, 0)
    assert (order.subtotal, order.total) == (645_000, 686_600)
    rendang_line, songket_line = order.lines
    assert [(a.lot_id, a.quantity, a.unit_price) for a in rendang_line.allocations] == [
        (early.id, 2, 65_000), (late.id, 1, 65_000)]  # first to expire first
    assert [a.quantity for a in songket_line.allocations] == [1]
    assert sellable_quantity(rendang.id) == 9 and sellable_quantity(songket.id) == 0

    mail = outbox()[sent:]
    assert len(mail) == 1 and mail[0].to == ["siti@contoh.id"]
    assert order.number in mail[0].subject
    assert f"/orders/{order.number}?t={order.access_token}" in mail[0].body

    with client.session_transaction() as session:
        assert not session.get("cart")
    shown = client.get(response.headers["Location"])
    text = plain(shown.get_data(as_text=True))
    assert shown.status_code == 200
    assert order.number in text and "Menunggu pembayaran" in text
    assert "Rp 52.000 Rp 41.600 hemat Rp 10.400" in text and "Rp 686.600" in text


def test_end_to_end_the_guests_parcel_is_paid_packed_and_shipped_and_the_guest_sees_the_resi(
        app, client, make, filled):
    """Done when: a guest checks out to Jakarta Pusat with Pos Reguler; staff pack and ship it with a resi."""
    from gallery.accounts.models import Role

    placed = submit(client, submit(client, filled, "refresh", district_code=DISTRICT, **ADDRESS), "place")
    assert placed.status_code == 303
    guest_page = placed.headers["Location"]
    number = db.session.scalar(select(Order.number))

    staff = app.test_client()
    make.login(staff, make.user(Role.STAFF))
    detail = f"/staff/orders/{number}"
    for path, data in ((f"{detail}/paid", {"method": "bank_transfer"}), (f"{detail}/packed", {}),
                       (f"{detail}/ship", {"tracking_number": "P2611 0000 4321"})):
        done = staff.post(path, data=dict(data, csrf_token=csrf_token(staff, detail)))
        assert done.status_code in (302, 303), plain(done.get_data(as_text=True))[:500]
    db.session.expire_all()
    order = db.session.scalar(select(Order))
    assert order.status == OrderStatus.SHIPPED and order.tracking_number == "P261100004321"
    assert [event.to_status for event in order.events] == ["pending_payment", "paid", "packed", "shipped"]
    assert "P261100004321" in outbox()[-1].body

    text = plain(client.get(guest_page).get_data(as_text=True))
    assert "Dikirim" in text and "P261100004321" in text


def test_changing_the_province_drops_the_regency_and_district_of_the_old_one(client, filled):
    page = submit(client, filled, "refresh", province_code="13")
    form = read_form(page)
    assert form.data["regency_code"] == "" and form.data["district_code"] == ""
    assert "13.71" in form.options["regency_code"] and REGENCY not in form.options["regency_code"]
    assert "service" not in form.options
    assert form.data["street"] == ADDRESS["street"]  # what was typed stays


def test_another_service_and_insurance_are_priced_on_the_server(client, filled):
    page = submit(client, filled, "refresh", service="POS_NEXTDAY", insured="y")
    summary = plain(re.search(r'<aside class="panel checkout-summary".*?</aside>', page.get_data(as_text=True),
                              re.S).group(0))
    # Nextday: 1.4 kg with no tolerance → 2 kg × Rp 60.000 = 120.000, 10 % off; insurance 0,2 % of 645.000 + 5.000.
    assert "Rp 120.000 Rp 108.000 hemat Rp 12.000" in summary
    assert "Asuransi Rp 6.290" in summary and "Total Rp 759.290" in summary
    response = submit(client, page, "place")
    assert response.status_code == 303
    order = db.session.scalar(select(Order))
    assert (order.shipping_service_code, order.shipping_price, order.insurance, order.total) == (
        "POS_NEXTDAY", 108_000, 6_290, 759_290)


def test_pick_up_needs_no_address_and_is_free(client, tariff, shelf):
    rendang, *_ = shelf
    add(client, rendang, 1)
    page = client.get("/checkout")
    page = submit(client, page, "refresh", fulfilment="pickup", **CONTACT)
    text = plain(page.get_data(as_text=True))
    assert "Gratis (ambil di galeri)" in text and "Total Rp 65.000" in text
    response = submit(client, page, "place")
    assert response.status_code == 303
    order = db.session.scalar(select(Order))
    assert order.fulfilment == "pickup" and order.total == 65_000 and order.shipping_price == 0
    assert order.regency_code is None and order.shipping_service_code is None
    shown = plain(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "Bayar di galeri sebelum" in shown


def test_a_signed_in_customer_is_prefilled_and_owns_the_order(client, make, tariff, shelf):
    rendang, *_ = shelf
    user = make.user(email="budi@contoh.id")
    user.name, user.phone = "Budi Santoso", "081298765432"
    db.session.commit()
    make.login(client, user)
    add(client, rendang, 1)
    page = client.get("/checkout")
    form = read_form(page)
    assert (form.data["name"], form.data["email"], form.data["whatsapp"]) == (
        "Budi Santoso", "budi@contoh.id", "081298765432")
    response = submit(client, page, "place", fulfilment="pickup")
    assert response.status_code == 303
    assert db.session.scalar(select(Order)).customer_id == user.id


@pytest.mark.parametrize(("email", "role", "name", "producer_slug"), DEMO_USERS)
def test_each_demo_user_checks_out_with_the_address_of_their_demo_account(client, make, tariff, shelf, email, role,
                                                                         name, producer_slug):
    # Given the demo account (its reserved .test address), signed in with a sellable product in the cart
    rendang, *_ = shelf
    producer = make.producer("Rendang Lokan Amak Painan") if producer_slug else None
    assert producer is None or producer.slug == producer_slug
    make.login(client, make.user(role, email=email, producer=producer))
    add(client, rendang, 1)
    # When they check out with the prefilled address
    page = client.get("/checkout")
    assert read_form(page).data["email"] == email
    response = submit(client, page, "place", fulfilment="pickup", name=name, whatsapp="0812 3456 7890")
    # Then the order is placed for that address
    assert response.status_code == 303, re.findall(r"<ul class=\"errors\".*?</ul>", response.get_data(as_text=True), re.S)
    assert db.session.scalar(select(Order)).contact_email == email


def test_outside_the_demo_a_reserved_test_domain_is_refused(app, client, filled, monkeypatch):
    # Given a shop where demo data may not exist (production)
    monkeypatch.setitem(app.config, "DEMO_ALLOWED", False)
    # When a shopper types a .test address
    response = submit(client, filled, "place", email="pembeli@galeri.test")
    # Then it is refused as any undeliverable address, and no order is made
    assert response.status_code == 422
    assert "Alamat email tidak valid." in plain(response.get_data(as_text=True))
    assert orders() == 0


def test_the_checkout_with_an_empty_cart_goes_back_to_the_cart(client):
    response = client.get("/checkout")
    assert response.status_code == 303 and response.headers["Location"].endswith("/cart")


def test_a_price_posted_with_the_form_is_ignored(client, filled):
    response = submit(client, filled, "place", total="1", price="1", shipping_price="0", subtotal="1",
                      unit_price="1", public_price="0", insurance="0")
    assert response.status_code == 303
    order = db.session.scalar(select(Order))
    assert (order.subtotal, order.shipping_price, order.total) == (645_000, 41_600, 686_600)


@pytest.mark.parametrize("changes, field, message", [
    ({"regency_code": "31.99"}, "regency_code", "Pilih kabupaten/kota dari daftar provinsi yang dipilih."),
    ({"district_code": "31.71.99"}, "district_code", "Pilih kecamatan dari daftar kabupaten/kota yang dipilih."),
    ({"district_code": "13.01.05"}, "district_code", "Pilih kecamatan dari daftar kabupaten/kota yang dipilih."),
    ({"province_code": "13"}, "regency_code", "Pilih kabupaten/kota dari daftar provinsi yang dipilih."),
    ({"postal_code": "12ab"}, "postal_code", "Kode pos harus 5 angka."),
    ({"street": ""}, "street", "Tulis alamat jalan lengkap (nama jalan, nomor, RT/RW)."),
    ({"email": "bukan-email"}, "email", "Alamat email tidak valid."),
    ({"whatsapp": "12345"}, "whatsapp", "Nomor WhatsApp tidak valid (contoh: 0812 3456 7890)."),
    ({"name": ""}, "name", "Nama wajib diisi."),
    ({"service": "JNE_YES"}, "service", "Layanan kirim ini tidak tersedia ke tujuan tersebut."),
    ({"service": None}, "service", "Pilih layanan pengiriman."),
    ({"fulfilment": "drone"}, "fulfilment", "Pilih dikirim atau diambil di galeri."),
])
def test_tampered_or_wrong_fields_are_refused_next_to_the_field_and_write_nothing(client, filled, changes, field,
                                                                                   message):
    movements = db.session.scalar(select(func.count(StockMovement.id)))
    data = read_form(filled).data
    data.update(changes)
    data["action"] = "place"
    response = client.post("/checkout", data={k: v for k, v in data.items() if v is not None})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    errors = re.search(rf'<ul class="errors" id="{field}-errors">(.*?)</ul>', html, re.S)
    assert errors and message in plain(errors.group(1))
    assert "Pesanan belum dibuat." in html
    assert orders() == 0 and db.session.scalar(select(func.count(StockMovement.id))) == movements
    form = read_form(response)
    assert form.data["street"] == data["street"] and form.data["name"] == data["name"]  # the form is kept


def test_placing_without_the_csrf_token_is_refused(client, filled):
    data = read_form(filled).data
    data.pop("csrf_token")
    response = client.post("/checkout", data={**data, "action": "place"})
    assert response.status_code == 400 and orders() == 0


def test_an_unknown_variant_in_the_session_cart_is_refused(client, filled, make):
    hidden = make.product(name="Belum Tayang", published=False)
    make.stock(hidden.variants[0], 5)
    with client.session_transaction() as session:
        session["cart"] = {**session["cart"], "999999": 1, str(hidden.variants[0].id): 2}
    response = submit(client, filled, "place")
    assert response.status_code == 422
    text = plain(response.get_data(as_text=True))
    assert "Satu produk tidak tersedia lagi dan dihapus dari keranjang." in text
    assert "Isi keranjang berubah" in text
    assert orders() == 0
    # The cart is cleaned; placing again now works with what is left.
    assert submit(client, response, "place").status_code == 303 and orders() == 1


def test_a_cart_with_only_a_foreign_variant_cannot_check_out(client, tariff):
    with client.session_transaction() as session:
        session["cart"] = {"424242": 1}
    response = client.post("/checkout", data={"action": "place", "csrf_token": csrf_token(client, "/login"),
                                              "fulfilment": "pickup", **CONTACT})
    assert response.status_code == 303 and response.headers["Location"].endswith("/cart")
    assert orders() == 0


@pytest.mark.parametrize("quantity", [0, 10**9, -1])
def test_a_tampered_quantity_in_the_session_cart_is_dropped(client, filled, quantity, shelf):
    rendang, songket, *_ = shelf
    with client.session_transaction() as session:
        session["cart"] = {str(rendang.id): quantity, str(songket.id): 1}
    response = submit(client, filled, "place")
    assert response.status_code == 303
    order = db.session.scalar(select(Order))
    assert [(line.variant_id, line.quantity) for line in order.lines] == [(songket.id, 1)]


def test_stock_gone_before_placing_names_the_item_and_writes_nothing(client, filled, shelf):
    _, songket, *_ = shelf
    allocate(songket, 1, reference="counter")  # the last songket sold at the counter meanwhile
    db.session.commit()
    response = submit(client, filled, "place")
    assert response.status_code == 422
    text = plain(response.get_data(as_text=True))
    assert "Selendang Songket sudah habis dan dihapus dari keranjang." in text
    assert orders() == 0


def test_stock_taken_while_placing_gives_sold_out_with_what_is_left(client, filled, shelf, monkeypatch):
    """The race: the cart still saw the songket, but another order took it before this one could."""
    _, songket, *_ = shelf
    import gallery.cart.services as cart_services

    real_levels = cart_services.stock_levels

    def stale_levels(variants):  # what the cart read a moment before the other shopper's order
        levels = real_levels(variants)
        allocate(songket.id, 1, reference="GO-LAIN")
        db.session.commit()
        monkeypatch.setattr(cart_services, "stock_levels", real_levels)
        return levels

    monkeypatch.setattr(cart_services, "stock_levels", stale_levels)
    movements = db.session.scalar(select(func.count(StockMovement.id)))
    response = submit(client, filled, "place")
    assert response.status_code == 422
    text = plain(response.get_data(as_text=True))
    assert "Stok Selendang Songket (Merah) tidak cukup: tersisa 0, diminta 1." in text
    assert orders() == 0
    assert db.session.scalar(select(func.count(StockMovement.id))) == movements + 1  # only the other order's
    assert read_form(response).data["street"] == ADDRESS["street"]


def test_an_unknown_region_on_refresh_is_simply_not_chosen(client, filled):
    page = submit(client, filled, "refresh", province_code="99", regency_code="99.99")
    assert page.status_code == 200
    form = read_form(page)
    assert form.data["province_code"] == "" and form.options["regency_code"] == [""]


def test_a_regency_without_tariff_says_so(client, filled):
    page = submit(client, filled, "refresh", province_code="13")
    page = submit(client, page, "refresh", regency_code="13.01")
    assert page.status_code == 200
    assert "Belum ada tarif kirim ke Kabupaten Pesisir Selatan." in plain(page.get_data(as_text=True))
    assert "service" not in read_form(page).options


def test_the_checkout_speaks_english_on_request(client, filled):
    client.get("/?lang=en")
    page = submit(client, filled, "refresh")
    text = plain(page.get_data(as_text=True))
    assert "Place order" in text and "save Rp 10.400" in text and "2–4 days" in text
    assert "Buat pesanan" not in text
