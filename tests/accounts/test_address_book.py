"""A customer's address book: saved, checked like a checkout address, the default prefilled at checkout."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from gallery.accounts import address_book
from gallery.accounts.address_models import SavedAddress
from gallery.accounts.models import Role
from gallery.errors import DomainError, NotFound
from gallery.extensions import db
from gallery.shipping.addresses import Address
from tests.factories import csrf_token
from tests.orders.conftest import JAKARTA_PUSAT, tariff  # noqa: F401  (fixture)
from tests.payments.conftest import shelf  # noqa: F401  (fixture)

GAMBIR = Address(*JAKARTA_PUSAT, street="Jl. Medan Merdeka Barat No. 12", postal_code="10110")
PADANG = Address("13", "13.71", "13.71.01", street="Jl. Sudirman No. 5", postal_code="25111")


def test_the_first_address_is_the_default_and_deleting_it_promotes_the_newest(make):
    shopper = make.user(Role.CUSTOMER)
    home = address_book.save_address(shopper, GAMBIR, label="Rumah")
    office = address_book.save_address(shopper, PADANG, label="Kantor")
    assert (home.is_default, office.is_default) == (True, False)
    address_book.set_default(shopper, office.id)
    assert [a.label for a in address_book.addresses_of(shopper)] == ["Kantor", "Rumah"]
    address_book.delete_address(shopper, office.id)
    assert address_book.default_address(shopper).label == "Rumah" and address_book.default_address(shopper).is_default


def test_an_address_is_checked_like_a_checkout_address(make):
    shopper = make.user(Role.CUSTOMER)
    with pytest.raises(DomainError) as wrong_code:
        address_book.save_address(shopper, Address(*JAKARTA_PUSAT, street="Jl. Medan Merdeka 1", postal_code="99351"))
    assert wrong_code.value.field == "postal_code"
    with pytest.raises(DomainError):
        address_book.save_address(shopper, Address("13", "31.71", "31.71.01", "Jl. Medan Merdeka 1", "10110"))
    assert db.session.scalar(select(SavedAddress.id)) is None


def test_nobody_reaches_another_customers_address(client, make):
    owner, other = make.user(Role.CUSTOMER), make.user(Role.CUSTOMER)
    saved = address_book.save_address(owner, GAMBIR)
    db.session.commit()
    with pytest.raises(NotFound):
        address_book.address_of(other, saved.id)
    make.login(client, other)
    assert client.get(f"/account/addresses/{saved.id}").status_code == 404
    token = csrf_token(client, "/account/addresses")
    assert client.post(f"/account/addresses/{saved.id}/delete", data={"csrf_token": token}).status_code == 404
    assert db.session.get(SavedAddress, saved.id) is not None


def test_a_customer_adds_an_address_through_the_form_without_javascript(client, make):
    shopper = make.user(Role.CUSTOMER)
    make.login(client, shopper)
    token = csrf_token(client, "/account/addresses/new")
    refreshed = client.post("/account/addresses/new", data={"province_code": "31", "regency_code": "31.71",
                                                            "action": "refresh", "csrf_token": token})
    assert refreshed.status_code == 200 and "Gambir" in refreshed.get_data(as_text=True)
    wrong = client.post("/account/addresses/new", data={
        "label": "Rumah", "province_code": "31", "regency_code": "31.71", "district_code": "31.71.01",
        "street": "Jl. Medan Merdeka Barat No. 12", "postal_code": "25111", "action": "save", "csrf_token": token})
    assert wrong.status_code == 422 and "bukan kode pos" in wrong.get_data(as_text=True)
    saved = client.post("/account/addresses/new", data={
        "label": "Rumah", "province_code": "31", "regency_code": "31.71", "district_code": "31.71.01",
        "street": "Jl. Medan Merdeka Barat No. 12", "postal_code": "10110", "action": "save", "csrf_token": token})
    assert saved.status_code == 303
    assert [a.label for a in address_book.addresses_of(shopper)] == ["Rumah"]


def test_checkout_starts_with_the_default_address_and_can_keep_a_new_one(client, make, tariff, shelf):  # noqa: F811
    rendang, _ = shelf
    shopper = make.user(Role.CUSTOMER)
    address_book.save_address(shopper, PADANG, label="Kantor")
    db.session.commit()
    make.login(client, shopper)
    token = csrf_token(client, f"/products/{rendang.product.slug}")
    client.post("/cart/add", data={"variant_id": rendang.id, "quantity": 1, "csrf_token": token})
    page = client.get("/checkout").get_data(as_text=True)
    assert "Jl. Sudirman No. 5" in page and 'value="25111"' in page and "Kantor" in page
    response = client.post("/checkout", data={
        "name": "Siti", "email": shopper.email, "whatsapp": "0812 3456 7890", "fulfilment": "delivery",
        "province_code": "31", "regency_code": "31.71", "district_code": "31.71.01",
        "street": "Jl. Medan Merdeka Barat No. 12", "postal_code": "10110", "service": "POS_REG",
        "save_address": "y", "action": "place", "csrf_token": csrf_token(client, "/checkout")})
    assert response.status_code == 303
    assert sorted(a.postal_code for a in address_book.addresses_of(shopper)) == ["10110", "25111"]
