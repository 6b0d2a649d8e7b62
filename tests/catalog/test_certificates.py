"""Certificates with validity: number formats, expiry on the product page, badge, filter, receipt and dashboard."""
import re
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from gallery import clock
from gallery.accounts.models import Role
from gallery.catalog.certificates import add_producer_certificate, certificate_alerts, remove_producer_certificate
from gallery.catalog.models import ProducerCertificate
from gallery.consignment.documents import LineError, ReceiptLine, create_receipt
from gallery.consignment.models import ConsignmentReceipt, Lot
from gallery.errors import DomainError
from gallery.extensions import db
from tests.catalog.test_listing import names_on
from tests.catalog.test_product_page import food_facts
from tests.factories import csrf_token

TODAY = date(2026, 3, 2)


@pytest.fixture
def today():
    clock.freeze(datetime(2026, 3, 2, 5, 0, tzinfo=timezone.utc))
    return TODAY


def count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


@pytest.mark.parametrize(("kind", "typed", "stored"), [
    ("pirt", "P-IRT No. 2061301010123-29", "2061301010123-29"),
    ("pirt", "2061301010123-29", "2061301010123-29"),
    ("bpom", "BPOM RI MD 123456789012", "MD 123456789012"),
    ("bpom", "ml123456789012", "ML 123456789012"),
    ("halal", "ID 1311 0000 1234 50123", "ID13110000123450123"),
])
def test_certificate_numbers_are_checked_and_stored_in_their_standard_form(make, kind, typed, stored):
    certificate = add_producer_certificate(make.producer(), kind, typed, valid_until=date(2030, 1, 1))
    assert certificate.number == stored


@pytest.mark.parametrize(("kind", "typed"), [
    ("pirt", "2061301010123"), ("pirt", "P-IRT 12345"), ("bpom", "MD 1234"), ("bpom", "MX 123456789012"),
    ("halal", "LPPOM-00120012"),
])
def test_malformed_numbers_are_refused_and_not_recorded(make, kind, typed):
    producer = make.producer()
    with pytest.raises(DomainError) as refused:
        add_producer_certificate(producer, kind, typed, valid_until=date(2030, 1, 1))
    assert refused.value.field == "number"
    db.session.rollback()
    assert count(ProducerCertificate) == 0


def test_a_p_irt_is_valid_through_the_year_its_number_names_and_bpom_needs_a_date(make):
    producer = make.producer()
    assert add_producer_certificate(producer, "pirt", "2061301010123-29").valid_until == date(2029, 12, 31)
    with pytest.raises(DomainError) as refused:
        add_producer_certificate(producer, "bpom", "MD 123456789012")
    assert refused.value.field == "valid_until"
    assert add_producer_certificate(producer, "halal", "ID13110000123450123").valid_until is None  # does not lapse


def test_the_same_certificate_is_not_recorded_twice(make):
    producer = make.producer()
    add_producer_certificate(producer, "halal", "ID13110000123450123")
    with pytest.raises(DomainError, match="sudah tercatat"):
        add_producer_certificate(producer, "halal", "id 13110000123450123")


def test_a_certificate_a_product_names_is_not_removed(make):
    producer = make.producer()
    product = make.product(producer, name="Rendang Lokan", category="rendang")
    with pytest.raises(DomainError, match="Rendang Lokan"):
        remove_producer_certificate(producer, product.pirt_certificate_id)
    assert db.session.get(ProducerCertificate, product.pirt_certificate_id) is not None


@pytest.fixture
def halal_rendang(make, today):
    producer = make.producer("Rendang Amak")
    halal = make.certificate(producer, "halal", "ID13110000123450123", valid_until=date(2026, 3, 31))
    product = make.product(producer, name="Rendang Lokan", category="rendang", halal_number="ID13110000123450123")
    make.stock(product.variants[0], 5)
    return product, halal


def test_a_valid_halal_certificate_shows_its_validity_badge_and_filter(client, halal_rendang):
    product, _halal = halal_rendang
    page = client.get(f"/products/{product.slug}")
    assert food_facts(page)["Sertifikat halal"] == "ID13110000123450123 · berlaku s.d. 31 Maret 2026"
    assert 'badge-halal">Halal<' in page.get_data(as_text=True)
    assert names_on(client.get("/products?halal=1")) == ["Rendang Lokan"]
    assert "Halal" in client.get("/products").get_data(as_text=True)


def test_an_expired_halal_certificate_loses_the_badge_and_the_filter_and_shows_as_expired(client, halal_rendang):
    product, _halal = halal_rendang
    clock.freeze(datetime(2026, 4, 1, 5, 0, tzinfo=timezone.utc))  # the day after it lapsed
    page = client.get(f"/products/{product.slug}")
    html = page.get_data(as_text=True)
    assert food_facts(page)["Sertifikat halal"] == "ID13110000123450123 · kedaluwarsa sejak 31 Maret 2026"
    assert 'badge-halal">Halal<' not in html
    assert names_on(client.get("/products?halal=1")) == []
    listing = client.get("/products").get_data(as_text=True)
    assert names_on(client.get("/products")) == ["Rendang Lokan"] and 'badge-halal">Halal<' not in listing
    producer_page = client.get(f"/producers/{product.producer.slug}").get_data(as_text=True)
    assert re.search(r'badge-expired">Halal · ID13110000123450123 \(<span class="cert-expired">kedaluwarsa sejak '
                     r'31 Maret 2026</span>\)', producer_page)


def test_a_receipt_of_food_whose_p_irt_has_lapsed_is_refused_with_that_reason(make, today):
    producer = make.producer()
    product = make.product(producer, name="Rendang Lokan", category="rendang", pirt_number="2061301010123-26")
    variant = product.variants[0]
    lots = count(Lot)
    clock.freeze(datetime(2027, 1, 2, 5, 0, tzinfo=timezone.utc))  # the P-IRT ran to 31 Dec 2026
    line = ReceiptLine(variant.id, 10, expires_on=date(2027, 6, 1))
    with pytest.raises(LineError, match="P-IRT 2061301010123-26 untuk Rendang Lokan sudah tidak berlaku sejak "
                                        "31 Desember 2026"):
        create_receipt(producer, [line])
    assert count(Lot) == lots and count(ConsignmentReceipt) == 0


def test_a_receipt_of_food_whose_bpom_has_lapsed_is_refused_but_other_goods_are_received(make, today):
    producer = make.producer()
    make.certificate(producer, "bpom", "MD 123456789012", valid_until=date(2026, 2, 28))
    food = make.product(producer, name="Galamai", category="kue-tradisional", bpom_number="MD 123456789012",
                        published=False)
    craft = make.product(producer, name="Tikar", category="anyaman")
    with pytest.raises(LineError, match="BPOM MD 123456789012 untuk Galamai sudah tidak berlaku"):
        create_receipt(producer, [ReceiptLine(food.variants[0].id, 5, expires_on=date(2026, 9, 1))])
    receipt = create_receipt(producer, [ReceiptLine(craft.variants[0].id, 5)])
    db.session.commit()
    assert receipt.lots[0].quantity_received == 5


def test_the_staff_receipt_screen_shows_the_lapse_on_the_line(client, make, today):
    producer = make.producer()
    product = make.product(producer, name="Rendang Lokan", category="rendang", pirt_number="2061301010123-25",
                           published=False)
    make.login(client, make.user(Role.STAFF))
    path = f"/staff/receipts/new?producer={producer.id}"
    response = client.post(path, data={
        "csrf_token": csrf_token(client, path), "lines-0-variant_id": str(product.variants[0].id),
        "lines-0-quantity": "10", "lines-0-expires_on": "2026-09-01", "lines-0-unit_payout": "",
    })
    assert response.status_code == 422
    assert "sudah tidak berlaku sejak 31 Desember 2025" in response.get_data(as_text=True)
    assert count(Lot) == 0


def test_staff_see_certificates_on_the_dashboard_from_thirty_days_before_they_lapse(client, make, today):
    producer = make.producer("Madu Linggo")
    make.certificate(producer, "halal", "ID13110000000000031", valid_until=TODAY + timedelta(days=31))
    make.certificate(producer, "halal", "ID13110000000000030", valid_until=TODAY + timedelta(days=30))
    make.certificate(producer, "halal", "ID13110000000000001", valid_until=TODAY - timedelta(days=1))
    alerts, total = certificate_alerts(TODAY)
    assert total == 2
    assert [(a.certificate.number, a.days_left, a.lapsed) for a in alerts] == [
        ("ID13110000000000001", -1, True), ("ID13110000000000030", 30, False)]
    make.login(client, make.user(Role.STAFF))
    dashboard = client.get("/staff").get_data(as_text=True)
    assert "ID13110000000000030" in dashboard and "30 hari lagi" in dashboard
    assert "ID13110000000000001" in dashboard and "kedaluwarsa sejak 1 Maret 2026" in dashboard
    assert "ID13110000000000031" not in dashboard


def test_the_staff_list_flags_products_with_an_expired_certificate(client, make, today):
    producer = make.producer()
    make.certificate(producer, "bpom", "MD 123456789012", valid_until=date(2026, 2, 1))
    lapsed = make.product(producer, name="Galamai", category="kue-tradisional", bpom_number="MD 123456789012",
                          published=False)
    make.product(producer, name="Tikar", category="anyaman")
    make.login(client, make.user(Role.STAFF))
    page = client.get("/staff/products?attention=expired_certificate").get_data(as_text=True)
    assert "Galamai" in page and "Tikar" not in page and "sertifikat kedaluwarsa" in page
    assert lapsed.bpom_certificate.is_expired
