"""Cached storefront pages are never stale: after each kind of change the listing, search, category and
product pages show it on the very next request, with the cache in this process's memory and in Redis."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from gallery import clock
from gallery.accounts.models import Role
from gallery.cache import EXTENSION, MemoryStore, RedisStore, store
from gallery.catalog.products import set_product_status, update_variant
from gallery.catalog.services import set_producer_active
from gallery.extensions import db
from gallery.catalog.variants import VariantInput
from gallery.extensions import db
from gallery.money import format_rupiah
from gallery.orders.models import PaymentMethod
from gallery.orders.placing import CartLine
from tests.edges import counter_sale
from gallery.payments.refunds import refund
from tests.sqlcount import count_statements

REDIS_TEST_URL = "redis://127.0.0.1:6379/9"


def _redis_store() -> RedisStore:
    import redis

    try:
        redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=0.5).ping()
    except (redis.RedisError, OSError) as error:
        pytest.skip(f"Redis is not running on 127.0.0.1:6379 ({error})")
    return RedisStore(REDIS_TEST_URL, f"gallery-test:{uuid.uuid4().hex}:", MemoryStore(1024 * 1024))


@pytest.fixture(params=["memory", "redis"])
def cache_backend(request, app):
    """The page cache in this process's memory, or in Redis under a prefix of this test's own."""
    replaced = app.extensions[EXTENSION]
    backend = MemoryStore(16 * 1024 * 1024) if request.param == "memory" else _redis_store()
    app.extensions[EXTENSION] = backend
    yield request.param
    backend.clear()  # in Redis: only this test's keys
    app.extensions[EXTENSION] = replaced


@pytest.fixture
def shop(make):
    """One published product of an IKM with 4 units: no stock badge yet (badges start at 3)."""
    producer = make.producer("IKM Pandan Segar")
    product = make.product(producer, name="Tikar Pandan Segar", category="anyaman",
                           variants=[("Besar", 150_000, 900)])
    make.stock(product.variants[0], 4)
    return product


def pages(product) -> dict[str, str]:
    """The four storefront pages that show a product: listing, search, category and its own page."""
    return {
        "listing": "/products",
        "search": "/products?q=pandan+segar",
        "category": f"/products?category={product.category.slug}",
        "product": f"/products/{product.slug}",
    }


def read_twice(client, paths: dict[str, str]) -> dict[str, str]:
    """Each page, requested until it is served from the cache (one statement: the catalogue version)."""
    texts = {}
    for name, path in paths.items():
        client.get(path)
        with count_statements() as statements:
            response = client.get(path)
        texts[name] = response.get_data(as_text=True) if response.status_code == 200 else ""
        if response.status_code == 200:
            assert len(statements) == 1, (name, statements)
    return texts


def read_once(client, paths: dict[str, str]) -> dict[str, tuple[int, str]]:
    return {name: (r.status_code, r.get_data(as_text=True)) for name, path in paths.items()
            for r in [client.get(path)]}


def sell(product, quantity: int, staff):
    return counter_sale([CartLine(product.variants[0].id, quantity)], PaymentMethod.CASH, user=staff)


def test_a_sale_shows_on_every_page_at_once(client, make, shop, cache_backend):
    staff = make.user(Role.STAFF)
    before = read_twice(client, pages(shop))
    assert all("Sisa 3" not in text for name, text in before.items() if name != "product")
    # When one unit is sold at the till
    sell(shop, 1, staff)
    # Then the very next request of each page shows the three left
    after = read_once(client, pages(shop))
    for name in ("listing", "search", "category"):
        assert "Sisa 3" in after[name][1], name
    assert "Stok tersisa 3" in after["product"][1]


def test_a_refund_that_restocks_shows_on_every_page_at_once(client, make, shop, cache_backend):
    staff = make.user(Role.STAFF)
    order = sell(shop, 4, staff)
    sold_out = read_twice(client, pages(shop))
    assert all("Stok habis" in sold_out[name] for name in ("listing", "search", "category"))
    # When the order is refunded and its goods go back on the shelf
    refund(order, user=staff, restock=True)
    db.session.commit()  # the test is the use case's edge: the service flushes
    # Then every page shows the product in stock again
    after = read_once(client, pages(shop))
    for name in ("listing", "search", "category"):
        assert "Stok habis" not in after[name][1] and "Tikar Pandan Segar" in after[name][1], name
    assert "Tambah ke keranjang" in after["product"][1]


def test_a_price_change_shows_on_every_page_at_once(client, make, shop, cache_backend):
    staff = make.user(Role.STAFF)
    read_twice(client, pages(shop))
    # When staff change the price
    variant = shop.variants[0]
    update_variant(variant, VariantInput(label=variant.label, price=135_000, weight_grams=900, sku=variant.sku),
                   user=staff, price_reason="promo")
    db.session.commit()
    # Then every page shows the new price and none the old one
    after = read_once(client, pages(shop))
    for name, (status, text) in after.items():
        assert status == 200, name
        text = text.replace("\u00a0", " ")  # pages join "Rp" and the digits with a no-break space
        assert format_rupiah(135_000) in text and format_rupiah(150_000) not in text, name


@pytest.mark.parametrize("hidden_as", ["draft", "archived"])
def test_hiding_and_publishing_a_product_shows_on_every_page_at_once(client, make, shop, cache_backend, hidden_as):
    staff = make.user(Role.STAFF)
    before = read_twice(client, pages(shop))
    assert all("Tikar Pandan Segar" in text for text in before.values())
    # When the product is taken off sale
    set_product_status(shop, hidden_as, user=staff)
    db.session.commit()
    hidden = read_once(client, pages(shop))
    # Then it is gone from the lists and its page is not found
    for name in ("listing", "search", "category"):
        assert "Tikar Pandan Segar" not in hidden[name][1], name
    assert hidden["product"][0] == 404
    # And when it is published again, it is back everywhere at once
    set_product_status(shop, "published", user=staff)
    db.session.commit()
    shown = read_once(client, pages(shop))
    assert all(status == 200 and "Tikar Pandan Segar" in text for status, text in shown.values())


def test_a_lot_that_expires_at_midnight_wib_leaves_every_page_at_once(client, make, cache_backend):
    # Given a food product whose only lot is good until tomorrow ("baik digunakan sebelum" tomorrow, WIB)
    evening = datetime(2026, 12, 3, 23, 59, 30, tzinfo=clock.WIB)
    clock.freeze(evening)
    product = make.product(make.producer(), name="Rendang Pandan Segar", category="rendang",
                           variants=[("250 g", 85_000, 300)])
    make.stock(product.variants[0], 2, expires_in_days=1)
    before = read_twice(client, pages(product))
    assert all("Sisa 2" in before[name] for name in ("listing", "search", "category"))
    # When midnight passes in Painan (no write happens)
    clock.freeze(evening + timedelta(seconds=31))
    after = read_once(client, pages(product))
    # Then the next request of each page shows it sold out
    for name in ("listing", "search", "category"):
        assert "Stok habis" in after[name][1], name
    assert "Tambah ke keranjang" not in after["product"][1]


def test_deactivating_a_producer_takes_its_products_off_every_page_at_once(client, make, shop, cache_backend):
    read_twice(client, pages(shop))
    # When the producer is deactivated
    set_producer_active(shop.producer, False)
    db.session.commit()
    after = read_once(client, pages(shop))
    # Then its product is gone from every list and its page is not found
    for name in ("listing", "search", "category"):
        assert "Tikar Pandan Segar" not in after[name][1], name
    assert after["product"][0] == 404


def test_a_change_rolled_back_keeps_the_cached_page(client, make, shop, cache_backend):
    read_twice(client, pages(shop))
    # When a price change is made but rolled back
    update_variant(shop.variants[0], VariantInput(label="Besar", price=140_000, weight_grams=900,
                                                  sku=shop.variants[0].sku), price_reason="salah")
    db.session.rollback()
    # Then the pages are still served from the cache (nothing changed), at the old price
    with count_statements() as statements:
        response = client.get("/products")
    assert len(statements) == 1
    assert format_rupiah(150_000) in response.get_data(as_text=True).replace("\u00a0", " ")


def test_the_chosen_backend_really_holds_the_pages(client, shop, cache_backend):
    client.get("/products")
    backend = store()
    if cache_backend == "redis":
        assert list(backend.client.scan_iter(match=backend.prefix + "page:*"))
    else:
        assert any(key.startswith("page:") for key in backend._entries)
