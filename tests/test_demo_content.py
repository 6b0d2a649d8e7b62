"""The demo's words: each producer sells what its name says, and every product name is its own."""
from __future__ import annotations

from gallery.devtools.demo_content import PRODUCER_PRODUCTS, PRODUCERS
from gallery.devtools.demo_products import PRODUCTS


def test_each_producer_lists_four_products_of_its_own_and_no_name_is_shared():
    names = [name for products in PRODUCER_PRODUCTS.values() for _, name in products]
    assert set(PRODUCER_PRODUCTS) == {producer[0] for producer in PRODUCERS}
    assert all(len(products) == 4 for products in PRODUCER_PRODUCTS.values())
    assert len(names) == len(set(names)) == 124
    templates = {template[0]: slug for slug, items in PRODUCTS.items() for template in items}
    assert all(templates[name] == slug for products in PRODUCER_PRODUCTS.values() for slug, name in products)


def test_no_product_carries_a_producers_owner_name_and_makers_sell_their_speciality():
    owners = {producer[1] for producer in PRODUCERS}
    names = [name for products in PRODUCER_PRODUCTS.values() for _, name in products]
    assert not [name for name in names if any(owner in name.split() for owner in owners)]
    made = {producer: {name for _, name in products} for producer, products in PRODUCER_PRODUCTS.items()}
    assert "Rendang Belut" in made["Rendang Belut Silaut"] and "Rendang Lokan" not in made["Rendang Belut Silaut"]
    assert "Madu Hutan" in made["Madu Hutan Linggo Sari"] and "Galamai Pesisir" in made["Galamai Bu Ros"]
